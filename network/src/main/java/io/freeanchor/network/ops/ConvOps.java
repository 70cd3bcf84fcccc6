package io.freeanchor.network.ops;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.Conv2dParams;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Pool2dParams;
import io.freeanchor.kernels.PreparedConv;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.ValueType;
import java.util.List;

/** Conv, BatchNormalization and MaxPool: the NCHW spatial ops. */
public final class ConvOps {
    private ConvOps() {}

    static void register(OpRegistry r) {
        r.add("Conv", ConvOps::conv);
        r.add("BatchNormalization", ConvOps::batchNorm);
        r.add("MaxPool", ConvOps::maxPool);
    }

    /**
     * A (possibly fused) 2-D convolution. Inputs by position: 0 x, 1 weights, 2 bias (may be null),
     * 3 residual added before the activation (may be null; present only after fusion; smaller than
     * the output, read nearest-upsampled, when {@link Conv2dParams#residualUpsampled()}).
     */
    public record ConvStep(Conv2dParams params, ValueType output, long macs) implements Step {
        @Override
        public List<ValueType> outputTypes() {
            return List.of(output);
        }

        @Override
        public void run(Backend backend, Tensor[] in, Tensor[] out) {
            backend.conv2d(params, in[0], in[1], in.length > 2 ? in[2] : null, in.length > 3 ? in[3] : null, out[0]);
        }

        /** Constant weights are prepared once (packed or transformed by the backend). */
        @Override
        public Object prepare(Backend backend, Tensor[] constants, ValueType[] inputTypes) {
            Tensor w = constants.length > 1 ? constants[1] : null;
            return w == null || inputTypes[0] == null ? null : backend.prepareConv(params, inputTypes[0].shape(), w);
        }

        /** The weights (input 1) are not read when the backend's prepared form replaces them. */
        @Override
        public boolean readsInput(Object prepared, int input) {
            return input != 1 || !(prepared instanceof PreparedConv pc) || pc.readsWeights();
        }

        @Override
        public void run(Backend backend, Object prepared, Tensor[] in, Tensor[] out) {
            backend.conv2dPrepared((PreparedConv) prepared, params, in[0], in[1], in.length > 2 ? in[2] : null,
                    in.length > 3 ? in[3] : null, out[0]);
        }

        public ConvStep withActivation(Activation activation) {
            return new ConvStep(params.withActivation(activation), output, macs);
        }

        /** This conv reading its residual (input 3) nearest-upsampled by (sh, sw). */
        public ConvStep withResidualScale(int sh, int sw) {
            return new ConvStep(params.withResidualScale(sh, sw), output, macs);
        }
    }

    /** Inference batch normalization; inputs x, scale, bias, mean, var. */
    public record BatchNormStep(float epsilon, ValueType output) implements Step {
        @Override
        public List<ValueType> outputTypes() {
            return List.of(output);
        }

        @Override
        public void run(Backend backend, Tensor[] in, Tensor[] out) {
            backend.batchNorm(epsilon, in[0], in[1], in[2], in[3], in[4], out[0]);
        }
    }

    private static Step conv(NodeContext c) {
        ValueType x = c.inputType(0);
        ValueType w = c.inputType(1);
        if (x.dtype() != DType.FLOAT32 || w.dtype() != DType.FLOAT32) {
            throw c.error("only float tensors are supported, got " + x + " and " + w);
        }
        if (x.rank() != 4 || w.rank() != 4) {
            throw c.error("only 2-D convolution (rank-4 input and weights) is supported, got input " + x + ", weights " + w);
        }
        int group = c.dimension(c.attrInt("group", 1), "group");
        int n = x.dim(0), ch = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int m = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        long[] kernelShape = c.attrInts("kernel_shape", null);
        if (kernelShape != null && (kernelShape.length != 2 || kernelShape[0] != kh || kernelShape[1] != kw)) {
            throw c.error("kernel_shape " + java.util.Arrays.toString(kernelShape) + " does not match weights " + w);
        }
        if (group < 1 || ch % group != 0 || m % group != 0 || w.dim(1) != ch / group) {
            throw c.error("input " + x + " with group " + group + " does not match weights " + w);
        }
        if (c.hasInput(2) && (c.inputType(2).rank() != 1 || c.inputType(2).dim(0) != m)) {
            throw c.error("bias " + c.inputType(2) + " must have shape [" + m + "]");
        }
        int[] strides = ints(c, "strides", 2, 1);
        int[] dilations = ints(c, "dilations", 2, 1);
        int[] pads = pads(c, new int[] {h, wd}, new int[] {kh, kw}, strides, dilations);
        Conv2dParams p;
        try {
            p = new Conv2dParams(strides[0], strides[1], pads[0], pads[1], pads[2], pads[3],
                    dilations[0], dilations[1], group, Activation.NONE);
        } catch (IllegalArgumentException e) {
            throw c.error(e.getMessage());
        }
        int oh = p.outHeight(h, kh), ow = p.outWidth(wd, kw);
        if (oh < 1 || ow < 1) {
            throw c.error("output would be empty: input " + x + ", kernel " + kh + "x" + kw);
        }
        long macs = (long) n * m * oh * ow * (ch / group) * kh * kw;
        return new ConvStep(p, new ValueType(DType.FLOAT32, new int[] {n, m, oh, ow}), macs);
    }

    private static Step batchNorm(NodeContext c) {
        ValueType x = c.inputType(0);
        if (x.dtype() != DType.FLOAT32 || x.rank() < 2) {
            throw c.error("input must be a float tensor of rank >= 2, got " + x);
        }
        if (c.attrInt("training_mode", 0) != 0 || c.node().outputs().stream().skip(1).anyMatch(s -> !s.isEmpty())) {
            throw c.error("only inference mode (training_mode=0, one output) is supported");
        }
        for (int i = 1; i <= 4; i++) {
            ValueType t = c.inputType(i);
            if (t.rank() != 1 || t.dim(0) != x.dim(1)) {
                throw c.error("input " + i + " must have shape [" + x.dim(1) + "], got " + t);
            }
        }
        float eps = c.attrFloat("epsilon", 1e-5f);
        return new BatchNormStep(eps, x);
    }

    private static Step maxPool(NodeContext c) {
        ValueType x = c.inputType(0);
        if (x.dtype() != DType.FLOAT32 || x.rank() != 4) {
            throw c.error("only 2-D max pooling of a float rank-4 tensor is supported, got " + x);
        }
        if (c.node().outputs().size() > 1 && !c.node().outputs().get(1).isEmpty()) {
            throw c.error("the Indices output is not supported");
        }
        if (c.attrInt("storage_order", 0) != 0) {
            throw c.error("storage_order=1 is not supported");
        }
        int[] kernel = ints(c, "kernel_shape", 2, -1);
        if (kernel[0] < 1 || kernel[1] < 1) {
            throw c.error("kernel_shape with two positive entries is required");
        }
        int[] strides = ints(c, "strides", 2, 1);
        int[] dilations = ints(c, "dilations", 2, 1);
        int[] pads = pads(c, new int[] {x.dim(2), x.dim(3)}, kernel, strides, dilations);
        boolean ceil = c.attrInt("ceil_mode", 0) != 0;
        Pool2dParams p = new Pool2dParams(kernel[0], kernel[1], strides[0], strides[1], pads[0], pads[1], pads[2], pads[3],
                dilations[0], dilations[1], ceil);
        int oh = p.outHeight(x.dim(2)), ow = p.outWidth(x.dim(3));
        if (oh < 1 || ow < 1) {
            throw c.error("output would be empty for input " + x);
        }
        ValueType out = new ValueType(DType.FLOAT32, new int[] {x.dim(0), x.dim(1), oh, ow});
        return Step.of(out, (b, in, o) -> b.maxPool2d(p, in[0], o[0]));
    }

    /** A 2-entry positive int attribute (strides, dilations, kernel_shape); fill when absent. */
    private static int[] ints(NodeContext c, String name, int count, int fill) {
        long[] v = c.attrInts(name, null);
        if (v == null) {
            int[] out = new int[count];
            java.util.Arrays.fill(out, fill);
            return out;
        }
        if (v.length != count) {
            throw c.error("attribute '" + name + "' must have " + count + " entries, got " + v.length);
        }
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            if (v[i] < 1 || v[i] > Integer.MAX_VALUE) {
                throw c.error("attribute '" + name + "' has invalid entry " + v[i]);
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    /** Explicit pads [top, left, bottom, right], from 'pads' or computed from 'auto_pad'. */
    private static int[] pads(NodeContext c, int[] in, int[] kernel, int[] strides, int[] dilations) {
        String autoPad = c.attrString("auto_pad", "NOTSET");
        switch (autoPad) {
            case "NOTSET" -> {
                long[] p = c.attrInts("pads", new long[4]);
                if (p.length != 4) {
                    throw c.error("attribute 'pads' must have 4 entries, got " + p.length);
                }
                int[] out = new int[4];
                for (int i = 0; i < 4; i++) {
                    if (p[i] < 0 || p[i] > Integer.MAX_VALUE / 4) {
                        throw c.error("attribute 'pads' has invalid entry " + p[i]);
                    }
                    out[i] = (int) p[i];
                }
                return out;
            }
            case "VALID" -> {
                return new int[4];
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] out = new int[4];
                for (int axis = 0; axis < 2; axis++) {
                    int outSize = Math.ceilDiv(in[axis], strides[axis]);
                    int total = Math.max(0, (outSize - 1) * strides[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - in[axis]);
                    int small = total / 2, large = total - small;
                    boolean upper = autoPad.equals("SAME_UPPER");
                    out[axis] = upper ? small : large;
                    out[axis + 2] = upper ? large : small;
                }
                return out;
            }
            default -> throw c.error("auto_pad '" + autoPad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
        }
    }
}
