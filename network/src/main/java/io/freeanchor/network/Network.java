package io.freeanchor.network;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.PreparedConv;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.OnnxModel;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A plan bound to a backend, with its activation buffers allocated once and reused by every run.
 * Not thread-safe: one run at a time. Does not own the backend.
 */
public final class Network {
    private final Plan plan;
    private final Backend backend;
    private final Tensor[] slots;
    /** Per plan node, what its step prepared on this backend (null: nothing). */
    private final Object[] prepared;
    /**
     * The constants the steps still read on this backend (prepared conv weights are not among them),
     * as the backend keeps them ({@link Backend#holdConstant}: FLOAT16 copies on fp16 storage).
     */
    private final Map<String, Tensor> constants;
    /** Inputs handed to {@link #prefetch} that no run has read yet (by identity). */
    private final Set<Tensor> prefetched = Collections.newSetFromMap(new IdentityHashMap<>());

    /** Receives each step's wall time, for profiles (a run with a listener waits for each step to finish on the device). */
    @FunctionalInterface
    public interface StepListener {
        void stepDone(String name, String opType, long nanos);
    }

    private Network(Plan plan, Backend backend) {
        this.plan = plan;
        this.backend = backend;
        MemoryPlan m = plan.memory();
        long need = m.peakBytes() + m.outputBytes();
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > available) {
            throw new ModelException(String.format(
                    "running this model at input shape %s needs %.2f GiB of activations and outputs, but only %.2f GiB"
                            + " of Java heap is free; lower the batch or input size, or raise the heap (FREEANCHOR_HEAP=32g)",
                    describeInputs(plan), need / 1073741824.0, available / 1073741824.0));
        }
        // Prepare before allocating the activation buffers: raw weights are released while preparing.
        StepPreparation prep = new StepPreparation(plan, backend);
        prepared = prep.prepared();
        constants = prep.constants();
        slots = new Tensor[m.slotCount()];
        for (int s = 0; s < slots.length; s++) {
            // In the element type the backend stores activations in (FLOAT16 slots: half the bytes).
            slots[s] = Tensor.zeros(backend.storageType(m.slotType(s)), new int[] {Math.toIntExact(m.slotElements(s))});
        }
    }

    /** Plans and binds in one go. */
    public static Network compile(OnnxModel model, Map<String, int[]> inputShapes, Backend backend, PlanOptions options) {
        return new Network(Planner.plan(model, inputShapes, options), backend);
    }

    public static Network bind(Plan plan, Backend backend) {
        return new Network(plan, backend);
    }

    public Plan plan() {
        return plan;
    }

    public Backend backend() {
        return backend;
    }

    /** Bytes of the activation buffers as allocated (the plan's peak, in the backend's storage type). */
    public long activationBytes() {
        long total = 0;
        for (Tensor s : slots) {
            total += (long) s.size() * s.dtype().byteSize();
        }
        return total;
    }

    /**
     * The convolutions whose constant weights the backend prepared when this network was bound:
     * node name to the algorithm it chose (e.g. "winograd-f4x4", "gemm"), in execution order.
     */
    public Map<String, String> preparedConvs() {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < prepared.length; i++) {
            if (prepared[i] instanceof PreparedConv pc) {
                out.put(plan.nodes().get(i).name, pc.algorithm());
            }
        }
        return out;
    }

    /**
     * Bytes of raw constants this network keeps for its steps: the plan's constants less those only
     * prepared convolutions used, whose backend keeps its own (transformed or packed) form.
     */
    public long retainedConstantBytes() {
        return constants.values().stream().mapToLong(t -> (long) t.size() * t.dtype().byteSize()).sum();
    }

    /** Whether this network keeps the raw values of the plan constant {@code name}. */
    boolean retainsConstant(String name) {
        return constants.containsKey(name);
    }

    /**
     * Hands the backend the inputs of a later run now, so that a device backend can upload them
     * beside the work it is still doing (the previous batch: call this after that batch's run and
     * before reading its results). The caller must not write these tensors until a run has read
     * them, and must pass the same tensor objects to that run.
     */
    public void prefetch(Map<String, Tensor> inputs) {
        checkInputs(inputs);
        for (Tensor t : inputs.values()) {
            backend.prefetch(t);
            prefetched.add(t);
        }
    }

    /** Runs the graph; returns every graph output by name, in graph order. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        return run(inputs, null);
    }

    public Map<String, Tensor> run(Map<String, Tensor> inputs, StepListener listener) {
        return run(inputs, listener, true);
    }

    /**
     * Runs the graph and returns its outputs without copying them to the host: on a device backend
     * the returned tensors' host arrays are not filled in; they are for backend ops that read the
     * device copies (e.g. {@code headCandidates}), after which the caller lets the backend drop them
     * with {@link Backend#discard} (or copies them back with {@link Backend#release}). On host
     * backends this is {@link #run(Map)}.
     */
    public Map<String, Tensor> runOnDevice(Map<String, Tensor> inputs) {
        return run(inputs, null, false);
    }

    private Map<String, Tensor> run(Map<String, Tensor> inputs, StepListener listener, boolean toHost) {
        Map<String, Tensor> env = new HashMap<>(constants);
        checkInputs(inputs);
        env.putAll(inputs);
        // The caller may have refilled an input array since the last run (device backends re-upload),
        // unless it said so in advance with prefetch.
        for (Tensor t : inputs.values()) {
            if (!prefetched.remove(t)) {
                backend.hostWritten(t);
            }
        }
        MemoryPlan m = plan.memory();
        for (int index = 0; index < plan.nodes().size(); index++) {
            PlanNode n = plan.nodes().get(index);
            long start = listener == null ? 0 : System.nanoTime();
            Tensor[] in = new Tensor[n.inputs.size()];
            for (int i = 0; i < in.length; i++) {
                String name = n.inputs.get(i);
                in[i] = name.isEmpty() ? null : env.get(name);
            }
            if (n.step.isView()) {
                env.put(n.outputs.getFirst(), in[0].reshape(plan.type(n.outputs.getFirst()).shape()));
                continue;
            }
            Tensor[] out = new Tensor[n.outputs.size()];
            for (int i = 0; i < out.length; i++) {
                String name = n.outputs.get(i);
                ValueType t = plan.type(name);
                int slot = m.slotOf(name);
                out[i] = slot >= 0 ? slots[slot].viewAs(t.shape()) : Tensor.zeros(t.dtype(), t.shape());
                env.put(name, out[i]);
            }
            try {
                n.step.run(backend, prepared[index], in, out);
            } catch (IllegalArgumentException e) {
                throw new ModelException("node '" + n.name + "' (" + n.opType + "): " + e.getMessage(), e);
            }
            if (listener != null) {
                backend.finish(); // a device backend only enqueued the step
                listener.stepDone(n.name, n.opType, System.nanoTime() - start);
            }
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (String o : plan.outputs()) {
            Tensor t = env.get(o);
            String root = plan.root(o);
            // Outputs that are constants or (views of) inputs are copied so callers own what they get.
            boolean owned = !plan.isConstant(root) && !inputs.containsKey(root);
            if (owned) {
                if (toHost) {
                    backend.release(t); // fresh per run: copied back, and the device copy is not kept
                }
            } else {
                backend.syncToHost(t);
            }
            // Graph outputs are FP32 whatever the storage (a constant output may be held as FLOAT16).
            result.put(o, owned ? t.widened() : t.copy().widened());
        }
        return result;
    }

    private void checkInputs(Map<String, Tensor> inputs) {
        for (Map.Entry<String, ValueType> e : plan.inputs().entrySet()) {
            Tensor t = inputs.get(e.getKey());
            if (t == null) {
                throw new ModelException("missing input '" + e.getKey() + "' " + e.getValue()
                        + " (inputs: " + plan.inputs().keySet() + ")");
            }
            ValueType want = e.getValue();
            if (t.dtype() != want.dtype() || !Arrays.equals(t.shape(), want.shape())) {
                throw new ModelException("input '" + e.getKey() + "': expected " + want + ", got " + t
                        + " (the plan was made for " + want + ")");
            }
        }
        for (String name : inputs.keySet()) {
            if (!plan.inputs().containsKey(name)) {
                throw new ModelException("unexpected input '" + name + "' (inputs: " + plan.inputs().keySet() + ")");
            }
        }
    }

    private static String describeInputs(Plan plan) {
        StringBuilder sb = new StringBuilder();
        plan.inputs().forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(v));
        return sb.toString();
    }
}
