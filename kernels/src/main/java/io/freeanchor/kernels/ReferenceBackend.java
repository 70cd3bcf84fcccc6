package io.freeanchor.kernels;

import io.freeanchor.kernels.head.HeadCandidates;
import io.freeanchor.kernels.head.HeadParams;

import java.util.List;

/**
 * The test oracle: plain single-threaded loops written to be read, not to be fast. Every other
 * backend is checked against this one, and this one is checked against hand-computed values.
 *
 * <p>Arithmetic is FP32 throughout, accumulating in {@code float} in the natural loop order (as ONNX
 * Runtime does), so other backends are compared with a relative tolerance rather than bit-exactly.
 * The backend keeps no state; one instance may be shared by several threads.
 */
public final class ReferenceBackend implements Backend {

    @Override
    public String name() {
        return "java-reference";
    }

    @Override
    public int threads() {
        return 1;
    }

    // ---------------------------------------------------------------- conv2d

    @Override
    public void conv2d(Conv2dParams p, Tensor x, Tensor w, Tensor bias, Tensor residual, Tensor y) {
        Checks.conv2d(p, x, w, bias, residual, y);
        int batch = x.dim(0), inC = x.dim(1), inH = x.dim(2), inW = x.dim(3);
        int outC = w.dim(0), groupInC = w.dim(1), kH = w.dim(2), kW = w.dim(3);
        int outH = y.dim(2), outW = y.dim(3);
        int groupOutC = outC / p.group();
        float[] xs = x.floats(), ws = w.floats(), ys = y.floats();
        float[] bs = bias == null ? null : bias.floats();
        float[] rs = residual == null ? null : residual.floats();
        int sh = p.residualScaleH(), sw = p.residualScaleW(), resH = outH / sh, resW = outW / sw;

        for (int n = 0; n < batch; n++) {
            for (int m = 0; m < outC; m++) {
                int g = m / groupOutC;
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        float acc = 0f;
                        for (int c = 0; c < groupInC; c++) {
                            int inChannel = g * groupInC + c;
                            for (int kh = 0; kh < kH; kh++) {
                                int ih = oh * p.strideH() - p.padTop() + kh * p.dilationH();
                                if (ih < 0 || ih >= inH) {
                                    continue;
                                }
                                for (int kw = 0; kw < kW; kw++) {
                                    int iw = ow * p.strideW() - p.padLeft() + kw * p.dilationW();
                                    if (iw < 0 || iw >= inW) {
                                        continue;
                                    }
                                    float xv = xs[((n * inC + inChannel) * inH + ih) * inW + iw];
                                    float wv = ws[((m * groupInC + c) * kH + kh) * kW + kw];
                                    acc += xv * wv;
                                }
                            }
                        }
                        int yi = ((n * outC + m) * outH + oh) * outW + ow;
                        if (bs != null) {
                            acc += bs[m];
                        }
                        if (rs != null) {
                            // sh = sw = 1: the residual has y's shape and this is yi
                            acc += rs[((n * outC + m) * resH + oh / sh) * resW + ow / sw];
                        }
                        if (p.activation() == Activation.RELU) {
                            acc = Math.max(acc, 0f);
                        }
                        ys[yi] = acc;
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- batchNorm

    @Override
    public void batchNorm(float epsilon, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, Tensor y) {
        Checks.batchNorm(epsilon, x, scale, bias, mean, var, y);
        int batch = x.dim(0), channels = x.dim(1);
        int inner = channels == 0 || batch == 0 ? 0 : x.size() / (batch * channels);
        float[] xs = x.floats(), ys = y.floats();
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                float sd = (float) Math.sqrt(var.floats()[c] + epsilon);
                for (int i = 0; i < inner; i++) {
                    int k = (n * channels + c) * inner + i;
                    ys[k] = (xs[k] - mean.floats()[c]) / sd * scale.floats()[c] + bias.floats()[c];
                }
            }
        }
    }

    // ---------------------------------------------------------------- maxPool2d

    @Override
    public void maxPool2d(Pool2dParams p, Tensor x, Tensor y) {
        Checks.maxPool2d(p, x, y);
        int batch = x.dim(0), channels = x.dim(1), inH = x.dim(2), inW = x.dim(3);
        int outH = y.dim(2), outW = y.dim(3);
        float[] xs = x.floats(), ys = y.floats();
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                int plane = (n * channels + c) * inH * inW;
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        float max = Float.NEGATIVE_INFINITY; // padding cells never win
                        for (int kh = 0; kh < p.kernelH(); kh++) {
                            int ih = oh * p.strideH() - p.padTop() + kh * p.dilationH();
                            if (ih < 0 || ih >= inH) {
                                continue;
                            }
                            for (int kw = 0; kw < p.kernelW(); kw++) {
                                int iw = ow * p.strideW() - p.padLeft() + kw * p.dilationW();
                                if (iw < 0 || iw >= inW) {
                                    continue;
                                }
                                float v = xs[plane + ih * inW + iw];
                                if (v > max) {
                                    max = v;
                                }
                            }
                        }
                        ys[((n * channels + c) * outH + oh) * outW + ow] = max;
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor y) {
        Checks.binary(op, a, b, y);
        int rank = y.rank();
        int[] outShape = y.shape();
        int[] aStrides = broadcastStrides(a.shape(), rank, outShape);
        int[] bStrides = broadcastStrides(b.shape(), rank, outShape);
        int[] index = new int[rank];
        for (int i = 0; i < y.size(); i++) {
            // index = the multi-index of output element i; ai/bi = the matching input elements
            int ai = 0, bi = 0;
            for (int d = 0; d < rank; d++) {
                ai += index[d] * aStrides[d];
                bi += index[d] * bStrides[d];
            }
            if (y.dtype() == DType.FLOAT32) {
                y.floats()[i] = apply(op, a.floats()[ai], b.floats()[bi]);
            } else {
                y.longs()[i] = apply(op, a.longs()[ai], b.longs()[bi]);
            }
            increment(index, outShape);
        }
    }

    static float apply(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
        };
    }

    /** INT64 arithmetic; DIV truncates toward zero (Java's and C's rule, which ONNX follows). */
    static long apply(BinaryOp op, long a, long b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> {
                if (b == 0) {
                    throw new IllegalArgumentException("binary DIV: INT64 division by zero");
                }
                yield a / b;
            }
        };
    }

    /**
     * Strides of an input of shape {@code shape} read at the indices of a broadcast output of rank
     * {@code rank}: 0 on the axes the input lacks or where it has size 1 (and the output does not).
     */
    static int[] broadcastStrides(int[] shape, int rank, int[] outShape) {
        int[] own = Shapes.strides(shape);
        int[] out = new int[rank];
        int offset = rank - shape.length;
        for (int d = 0; d < shape.length; d++) {
            out[offset + d] = shape[d] == 1 && outShape[offset + d] != 1 ? 0 : own[d];
        }
        return out;
    }

    /** Advances a row-major multi-index by one (the last axis fastest). */
    static void increment(int[] index, int[] shape) {
        for (int d = index.length - 1; d >= 0; d--) {
            if (++index[d] < shape[d]) {
                return;
            }
            index[d] = 0;
        }
    }

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor y) {
        Checks.unary(op, x, y);
        float[] xs = x.floats(), ys = y.floats();
        for (int i = 0; i < x.size(); i++) {
            float v = xs[i];
            ys[i] = switch (op) {
                case RELU -> Math.max(v, 0f);
                case SIGMOID -> 1f / (1f + (float) Math.exp(-v));
                case FLOOR -> (float) Math.floor(v);
            };
        }
    }

    // ---------------------------------------------------------------- data movement

    @Override
    public void resizeNearest(ResizeParams p, Tensor x, Tensor y) {
        Checks.resizeNearest(p, x, y);
        int rank = x.rank();
        int[] inShape = x.shape(), outShape = y.shape(), inStrides = Shapes.strides(inShape);
        float[] scales = p.scales();
        int[] index = new int[rank];
        for (int i = 0; i < y.size(); i++) {
            int src = 0;
            for (int d = 0; d < rank; d++) {
                src += nearestIndex(p, scales[d], index[d], inShape[d], outShape[d]) * inStrides[d];
            }
            copyElement(x, src, y, i);
            increment(index, outShape);
        }
    }

    /** The input index that output index {@code out} of one axis reads. */
    static int nearestIndex(ResizeParams p, float scale, int out, int inSize, int outSize) {
        if (scale == 1f && inSize == outSize) {
            return out; // an unscaled axis is copied, as ONNX Runtime does, whatever the transform
        }
        float coordinate = p.coordinate().toInput(out, scale, inSize, outSize);
        int in = p.rounding().round(coordinate);
        return Math.clamp(in, 0, inSize - 1);
    }

    @Override
    public void transpose(int[] perm, Tensor x, Tensor y) {
        Checks.transpose(perm, x, y);
        int rank = x.rank();
        int[] inStrides = Shapes.strides(x.shape());
        int[] outShape = y.shape();
        int[] index = new int[rank];
        for (int i = 0; i < y.size(); i++) {
            // output axis d walks input axis perm[d]
            int src = 0;
            for (int d = 0; d < rank; d++) {
                src += index[d] * inStrides[perm[d]];
            }
            copyElement(x, src, y, i);
            increment(index, outShape);
        }
    }

    @Override
    public void concat(int axis, List<Tensor> xs, Tensor y) {
        int ax = Checks.concat(axis, xs, y);
        int[] outShape = y.shape();
        int[] index = new int[y.rank()];
        for (int i = 0; i < y.size(); i++) {
            // find the input holding position index[ax] along the axis
            int along = index[ax];
            int which = 0;
            while (along >= xs.get(which).dim(ax)) {
                along -= xs.get(which).dim(ax);
                which++;
            }
            Tensor x = xs.get(which);
            int[] inStrides = Shapes.strides(x.shape());
            int src = 0;
            for (int d = 0; d < index.length; d++) {
                src += (d == ax ? along : index[d]) * inStrides[d];
            }
            copyElement(x, src, y, i);
            increment(index, outShape);
        }
    }

    @Override
    public void slice(int[] starts, int[] steps, Tensor x, Tensor y) {
        Checks.slice(starts, steps, x, y);
        int[] inStrides = Shapes.strides(x.shape());
        int[] outShape = y.shape();
        int[] index = new int[y.rank()];
        for (int i = 0; i < y.size(); i++) {
            int src = 0;
            for (int d = 0; d < index.length; d++) {
                src += (starts[d] + index[d] * steps[d]) * inStrides[d];
            }
            copyElement(x, src, y, i);
            increment(index, outShape);
        }
    }

    @Override
    public void gather(int axis, Tensor x, Tensor indices, Tensor y) {
        int ax = Checks.gather(axis, x, indices, y);
        int idxRank = indices.rank();
        int[] inStrides = Shapes.strides(x.shape());
        int[] idxStrides = Shapes.strides(indices.shape());
        int[] outShape = y.shape();
        int[] index = new int[y.rank()];
        for (int i = 0; i < y.size(); i++) {
            // output index = x index before axis ++ indices index ++ x index after axis
            int pick = 0;
            for (int d = 0; d < idxRank; d++) {
                pick += index[ax + d] * idxStrides[d];
            }
            long chosen = indices.longs()[pick];
            if (chosen < 0) {
                chosen += x.dim(ax);
            }
            int src = (int) chosen * inStrides[ax];
            for (int d = 0; d < ax; d++) {
                src += index[d] * inStrides[d];
            }
            for (int d = ax + 1; d < x.rank(); d++) {
                src += index[d - 1 + idxRank] * inStrides[d];
            }
            copyElement(x, src, y, i);
            increment(index, outShape);
        }
    }

    @Override
    public void cast(Tensor x, Tensor y) {
        Checks.cast(x, y);
        for (int i = 0; i < x.size(); i++) {
            if (y.dtype() == DType.FLOAT32) {
                y.floats()[i] = x.dtype() == DType.FLOAT32 ? x.floats()[i] : (float) x.longs()[i];
            } else {
                // Java's float-to-long conversion truncates toward zero (NaN becomes 0, infinities saturate)
                y.longs()[i] = x.dtype() == DType.INT64 ? x.longs()[i] : (long) x.floats()[i];
            }
        }
    }

    @Override
    public void copy(Tensor x, Tensor y) {
        Checks.copy(x, y);
        for (int i = 0; i < x.size(); i++) {
            copyElement(x, i, y, i);
        }
    }

    /** y[dst] = x[src] for tensors of the same type. */
    private static void copyElement(Tensor x, int src, Tensor y, int dst) {
        if (x.dtype() == DType.FLOAT32) {
            y.floats()[dst] = x.floats()[src];
        } else {
            y.longs()[dst] = x.longs()[src];
        }
    }

    @Override
    public void headCandidates(HeadParams p, Tensor cls, Tensor reg, Tensor anchors, Tensor scores, Tensor pairs,
                               Tensor boxes, Tensor counts) {
        HeadCandidates.reference(p, cls, reg, anchors, scores, pairs, boxes, counts);
    }

    @Override
    public void close() {
        // nothing to release
    }
}
