package io.freeanchor.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One ONNX Runtime CPU session held open for repeated timed runs: all graph optimizations,
 * {@code threads} intra-op threads, one inter-op thread, sequential execution. Inputs are converted
 * to native tensors once, in {@link #feed}, so a run times ORT alone. Bench and tests only.
 */
public final class OrtRunner implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final Map<String, OnnxTensor> inputs = new LinkedHashMap<>();

    private OrtRunner(OrtSession.SessionOptions options, OrtSession session) {
        this.env = OrtEnvironment.getEnvironment();
        this.options = options;
        this.session = session;
    }

    /** Opens a session on a model file or, when {@code path} is null, on serialized model bytes. */
    public static OrtRunner open(String path, byte[] bytes, int threads) {
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "freeanchor-bench");
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            OrtSession session = path != null ? env.createSession(path, options) : env.createSession(bytes, options);
            return new OrtRunner(options, session);
        } catch (OrtException e) {
            options.close();
            throw new IllegalStateException("ONNX Runtime could not open the model: " + e.getMessage(), e);
        }
    }

    /** Sets the inputs of every later {@link #run}: float32 tensors, copied to native memory now. */
    public void feed(Map<String, Tensor> feeds) {
        closeInputs();
        try {
            for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
                Tensor t = e.getValue();
                if (t.dtype() != DType.FLOAT32) {
                    throw new IllegalArgumentException("input '" + e.getKey() + "': only float32 inputs are fed to ONNX Runtime");
                }
                long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
                inputs.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats(), 0, t.size()), shape));
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime rejected an input: " + e.getMessage(), e);
        }
    }

    /** Runs once and discards the outputs (for timing). */
    public void runDiscarding() {
        try (OrtSession.Result ignored = session.run(inputs)) {
            // outputs are freed by closing the result
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /** Runs once; float outputs in the session's (graph) order. */
    public Map<String, Tensor> run() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (OrtSession.Result result = session.run(inputs)) {
            for (Map.Entry<String, OnnxValue> e : result) {
                if (!(e.getValue() instanceof OnnxTensor t) || ((TensorInfo) t.getInfo()).type != ai.onnxruntime.OnnxJavaType.FLOAT) {
                    continue; // only float outputs are compared
                }
                TensorInfo info = t.getInfo();
                int[] shape = Arrays.stream(info.getShape()).mapToInt(Math::toIntExact).toArray();
                float[] v = new float[Math.toIntExact(info.getNumElements())];
                t.getFloatBuffer().get(v);
                out.put(e.getKey(), Tensor.ofFloats(shape, v));
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Runs once with ORT writing its float outputs into native buffers shaped like {@code ours}
     * (pinned outputs: no Java heap copy, so bench's heap figures stay ours alone) and returns the
     * largest max|ours - ort| / max|ort| over them.
     */
    public double maxRelativeDifference(Map<String, Tensor> ours) {
        Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
        Map<String, FloatBuffer> buffers = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
                if (!(e.getValue().getInfo() instanceof TensorInfo info) || info.type != OnnxJavaType.FLOAT) {
                    continue; // only float outputs are compared
                }
                Tensor a = ours.get(e.getKey());
                if (a == null) {
                    throw new IllegalStateException("output '" + e.getKey() + "': ours missing, onnxruntime " + info);
                }
                FloatBuffer b = ByteBuffer.allocateDirect(Math.multiplyExact(a.size(), Float.BYTES))
                        .order(ByteOrder.nativeOrder()).asFloatBuffer();
                buffers.put(e.getKey(), b);
                pinned.put(e.getKey(), OnnxTensor.createTensor(env, b, Arrays.stream(a.shape()).asLongStream().toArray()));
            }
            try (OrtSession.Result ignored = session.run(inputs, pinned)) {
                double worst = 0;
                for (Map.Entry<String, FloatBuffer> e : buffers.entrySet()) {
                    worst = Math.max(worst, maxRelativeDifference(ours.get(e.getKey()), e.getValue()));
                }
                return worst;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            pinned.values().forEach(OnnxTensor::close);
        }
    }

    /** max|a - b| / max|b| (max|a - b| when b is all zeros); b holds a.size() values. */
    static double maxRelativeDifference(Tensor a, FloatBuffer b) {
        float[] x = a.floats();
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < a.size(); i++) {
            float y = b.get(i);
            maxDiff = Math.max(maxDiff, Math.abs((double) x[i] - y));
            maxRef = Math.max(maxRef, Math.abs((double) y));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    private void closeInputs() {
        inputs.values().forEach(OnnxTensor::close);
        inputs.clear();
    }

    @Override
    public void close() {
        closeInputs();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not close its session: " + e.getMessage(), e);
        } finally {
            options.close();
        }
    }
}
