package io.freeanchor.kernels;

import io.freeanchor.kernels.head.HeadParams;
import java.util.List;

/**
 * The ops a compiled plan runs. Callers allocate every output with its final shape and pass it in;
 * a backend writes it and keeps no reference to it. Outputs never alias inputs. Data-movement ops
 * (transpose, concat, slice, gather, copy) accept FLOAT32 and INT64; arithmetic ops FLOAT32 unless
 * stated. A backend must throw rather than fall back to another one.
 */
public interface Backend extends AutoCloseable {
    /** Short name for messages and benchmarks, e.g. "java-reference". */
    String name();

    /** Worker threads this backend uses for one op. */
    int threads();

    /**
     * y = activation(conv(x, w) + bias + residual). x is [N, C, H, W], w is [M, C / group, kH, kW],
     * bias is [M] or null, residual is y-shaped or null, y is [N, M, outH, outW]. When
     * {@link Conv2dParams#residualUpsampled()}, the residual is [N, M, outH / sh, outW / sw] and read
     * nearest-upsampled: y[n, m, oh, ow] adds residual[n, m, oh / sh, ow / sw].
     */
    void conv2d(Conv2dParams p, Tensor x, Tensor w, Tensor bias, Tensor residual, Tensor y);

    /**
     * Prepares {@link #conv2d} for weights {@code w} that will not change (plan-time constants) and
     * inputs of shape {@code xShape}: a backend may transform or pack the weights once and choose
     * its algorithm for the layer here. Returns null when it has nothing to prepare. The result may
     * only be passed to {@link #conv2dPrepared} of this backend, with this same (unchanged) w.
     */
    default PreparedConv prepareConv(Conv2dParams p, int[] xShape, Tensor w) {
        return null;
    }

    /**
     * {@link #conv2d} using what {@link #prepareConv} returned for these weights (null: plain
     * conv2d). The backend does not re-read w's values when it has them prepared. w may be null
     * when {@code prepared.readsWeights()} is false: the prepared weights' shape is used then.
     */
    default void conv2dPrepared(PreparedConv prepared, Conv2dParams p, Tensor x, Tensor w, Tensor bias,
                                Tensor residual, Tensor y) {
        if (prepared != null) {
            throw new IllegalArgumentException(name() + ": conv2dPrepared with a PreparedConv it did not make ("
                    + prepared.algorithm() + ")");
        }
        conv2d(p, x, w, bias, residual, y);
    }

    /**
     * The element type in which a caller keeps its host buffers (the memory plan's activation
     * slots) of planned type {@code planned}: that type itself, except on a half-storage backend,
     * which keeps FLOAT32 activations as FLOAT16 and takes either type wherever FLOAT32 is stated.
     */
    default DType storageType(DType planned) {
        return planned;
    }

    /**
     * How a caller should keep a plan-time constant (weights) for this backend, once, before
     * {@link #prepareConv}: the tensor itself, except on a half-storage backend, which returns a
     * FLOAT16 copy of a FLOAT32 constant (the same copy for the same store).
     */
    default Tensor holdConstant(Tensor constant) {
        return constant;
    }

    /** Inference batch normalization over axis 1: (x - mean) / sqrt(var + eps) * scale + bias. */
    void batchNorm(float epsilon, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, Tensor y);

    /** Max pooling over the last two axes of [N, C, H, W]. */
    void maxPool2d(Pool2dParams p, Tensor x, Tensor y);

    /** y = a op b with NumPy broadcasting; FLOAT32 or INT64 (all three the same type). */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor y);

    /** y = op(x), element-wise. */
    void unary(UnaryOp op, Tensor x, Tensor y);

    /** Nearest-neighbour resize; y's shape gives the output size. */
    void resizeNearest(ResizeParams p, Tensor x, Tensor y);

    /** y = x permuted: y.dim(i) == x.dim(perm[i]). */
    void transpose(int[] perm, Tensor x, Tensor y);

    /** Concatenation of xs along axis. */
    void concat(int axis, List<Tensor> xs, Tensor y);

    /** Strided slice: y[i...] = x[starts[k] + i_k * steps[k] ...]; steps may be negative. */
    void slice(int[] starts, int[] steps, Tensor x, Tensor y);

    /** ONNX Gather: indices (INT64, negatives counted from the end) pick entries of x along axis. */
    void gather(int axis, Tensor x, Tensor indices, Tensor y);

    /** Element-wise conversion between FLOAT32 and INT64 (float to int truncates toward zero). */
    void cast(Tensor x, Tensor y);

    /** y = x, same type and size (shapes may differ: reshape into a fresh buffer). */
    void copy(Tensor x, Tensor y);

    /**
     * One level of a dense detection head to its candidates, per image of the batch (MMDetection's
     * {@code filter_scores_and_topk} then {@code DeltaXYWHBBoxCoder.decode}): of the (anchor, class)
     * pairs of cls [N, A*K, H, W] whose sigmoid score is above {@code p.scoreThr()}, the best
     * {@code p.topK()} by score, ties in pair order (pair = ((y * W + x) * A + a) * K + class), each
     * with its anchor (anchors [A, 4] + (x, y) * stride) decoded by its deltas in reg [N, A*4, H, W].
     * Writes, best first, scores [N, topK], pairs [N, topK] (INT64) and boxes [N, topK, 4], and the
     * number kept per image to counts [N] (INT64); rows past the count are left as they were. Unlike
     * the other ops the four outputs are host results: they are current on the host when this returns
     * (they are small; the inputs stay where they are, so a device backend never copies cls or reg back).
     */
    void headCandidates(HeadParams p, Tensor cls, Tensor reg, Tensor anchors, Tensor scores, Tensor pairs,
                        Tensor boxes, Tensor counts);

    /**
     * The host wrote this tensor's store after the backend may have seen it (a new input batch): a
     * backend that keeps device copies must upload it again before reading it. No-op for host backends.
     */
    default void hostWritten(Tensor t) {}

    /**
     * The host has finished writing this tensor's store (e.g. the next batch's input) and leaves it
     * untouched until an op has read it: a backend that keeps device copies may start copying it now,
     * beside the work already enqueued (the previous batch), instead of at its first use. Implies
     * {@link #hostWritten}. No-op for host backends.
     */
    default void prefetch(Tensor t) {}

    /**
     * Makes this tensor's host store current (a result the caller reads on the host). A backend that
     * writes results on a device copies them back here. No-op for host backends.
     */
    default void syncToHost(Tensor t) {}

    /**
     * Syncs this tensor's store to the host, then lets the backend drop any device copy of it (the
     * caller keeps only the host data, e.g. a returned graph output). No-op for host backends.
     */
    default void release(Tensor t) {}

    /**
     * Drops any device copy of this tensor without copying it back: the caller no longer needs its
     * data (e.g. raw head outputs already reduced on the device by {@link #headCandidates}). No-op for
     * host backends.
     */
    default void discard(Tensor t) {}

    /**
     * Blocks until every op issued so far has finished: a device backend returns from an op once it
     * is enqueued, so timing one op needs this (profiles). No-op for host backends, whose ops finish
     * before they return.
     */
    default void finish() {}

    /** Releases worker threads and any native or device memory. */
    @Override
    void close();
}
