package io.freeanchor.network;

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
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model in ONNX Runtime (CPU, all graph optimizations) as an independent reference. Inputs and
 * outputs are our {@link Tensor}s: float32 and int64 in, float32 and int64 out (ORT int32/bool/double
 * outputs are widened to int64/float32). Every native object is closed before returning.
 */
public final class OrtReference {
    private OrtReference() {}

    /** The shared ORT environment, logging errors only (created on first use, never closed). */
    private static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "freeanchor-tests");
    }

    /** Runs the model file; outputs in graph order. */
    public static Map<String, Tensor> run(Path model, Map<String, Tensor> inputs, int threads) {
        return run(model.toAbsolutePath().toString(), null, inputs, threads);
    }

    /** Runs the serialized model; outputs in graph order. */
    public static Map<String, Tensor> run(byte[] model, Map<String, Tensor> inputs, int threads) {
        return run(null, model, inputs, threads);
    }

    private static Map<String, Tensor> run(String path, byte[] bytes, Map<String, Tensor> inputs, int threads) {
        OrtEnvironment env = environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            // warnings such as "tf_half_pixel_for_nn is deprecated" would flood test logs
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            try (OrtSession session = path != null ? env.createSession(path, options) : env.createSession(bytes, options)) {
                return run(env, session, inputs);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    private static Map<String, Tensor> run(OrtEnvironment env, OrtSession session, Map<String, Tensor> inputs)
            throws OrtException {
        Map<String, OnnxTensor> ortInputs = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                ortInputs.put(e.getKey(), toOrt(env, e.getValue()));
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(ortInputs)) {
                // The result lists outputs in the order the session declares them: graph order.
                for (Map.Entry<String, OnnxValue> e : result) {
                    if (!(e.getValue() instanceof OnnxTensor t)) {
                        throw new IllegalStateException("output '" + e.getKey() + "' is not a tensor: " + e.getValue().getInfo());
                    }
                    out.put(e.getKey(), fromOrt(t, e.getKey()));
                }
            }
            return out;
        } finally {
            for (OnnxTensor t : ortInputs.values()) {
                t.close();
            }
        }
    }

    private static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        if (t.dtype() == DType.FLOAT32) {
            return OnnxTensor.createTensor(env, FloatBuffer.wrap(Arrays.copyOf(t.floats(), t.size())), shape);
        }
        return OnnxTensor.createTensor(env, LongBuffer.wrap(Arrays.copyOf(t.longs(), t.size())), shape);
    }

    private static Tensor fromOrt(OnnxTensor t, String name) {
        TensorInfo info = t.getInfo();
        long[] dims = info.getShape();
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = Math.toIntExact(dims[i]);
        }
        int n = Math.toIntExact(info.getNumElements());
        OnnxJavaType type = info.type;
        switch (type) {
            case FLOAT -> {
                float[] v = new float[n];
                t.getFloatBuffer().get(v);
                return Tensor.ofFloats(shape, v);
            }
            case DOUBLE -> {
                double[] d = new double[n];
                t.getDoubleBuffer().get(d);
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) d[i];
                }
                return Tensor.ofFloats(shape, v);
            }
            case INT64 -> {
                long[] v = new long[n];
                t.getLongBuffer().get(v);
                return Tensor.ofLongs(shape, v);
            }
            case INT32 -> {
                int[] d = new int[n];
                t.getIntBuffer().get(d);
                return Tensor.ofLongs(shape, Arrays.stream(d).asLongStream().toArray());
            }
            case BOOL, INT8, UINT8 -> {
                byte[] d = new byte[n];
                t.getByteBuffer().get(d);
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = type == OnnxJavaType.UINT8 ? d[i] & 0xff : d[i];
                }
                return Tensor.ofLongs(shape, v);
            }
            default -> throw new IllegalStateException("output '" + name + "' has unsupported type " + type);
        }
    }

    /** The graph's output names as ONNX Runtime sees them, in order. */
    public static List<String> outputNames(byte[] model) {
        OrtEnvironment env = environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(model, options)) {
            return new ArrayList<>(session.getOutputNames());
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }
}
