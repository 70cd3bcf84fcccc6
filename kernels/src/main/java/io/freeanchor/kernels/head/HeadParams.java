package io.freeanchor.kernels.head;

import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import java.util.Arrays;

/**
 * What {@code Backend.headCandidates} needs to turn one level of a dense detection head's raw maps
 * into its candidates: plain numbers only (the detector config lives in eval). All float values are
 * the float32 values the arithmetic uses.
 *
 * @param numClasses sigmoid classes K (the score map has A*K channels, A = anchors per location)
 * @param scoreThr   keep pairs whose score is strictly above this
 * @param topK       candidates kept per image (nms_pre)
 * @param stride     the level's anchor stride: anchor = base anchor + (x * stride, y * stride)
 * @param means      box coder target means (dx, dy, dw, dh)
 * @param stds       box coder target stds
 * @param maxRatio   dw, dh are clamped to [-maxRatio, maxRatio] (f32 |ln(wh_ratio_clip)|)
 * @param maxW       boxes are clipped to [0, maxW] x [0, maxH] (the resized image)
 * @param maxH       see maxW
 */
public record HeadParams(int numClasses, float scoreThr, int topK, float stride, float[] means, float[] stds,
                         float maxRatio, float maxW, float maxH) {

    public HeadParams {
        if (numClasses < 1 || topK < 1) {
            throw new IllegalArgumentException("numClasses and topK must be >= 1, got " + numClasses + ", " + topK);
        }
        if (means.length != 4 || stds.length != 4) {
            throw new IllegalArgumentException("means and stds need 4 values each");
        }
        means = means.clone();
        stds = stds.clone();
    }

    @Override
    public float[] means() {
        return means.clone();
    }

    @Override
    public float[] stds() {
        return stds.clone();
    }

    /** Smallest logit whose score is above {@link #scoreThr}: selection compares logits to it. */
    public float logitGate() {
        return Sigmoid.minLogitAbove(scoreThr);
    }

    /**
     * Checks the operands of {@code headCandidates}: cls [N, A*K, H, W], reg [N, A*4, H, W],
     * anchors [A, 4], scores [N, topK], pairs [N, topK] INT64, boxes [N, topK, 4], counts [N] INT64;
     * returns A.
     */
    public int check(Tensor cls, Tensor reg, Tensor anchors, Tensor scores, Tensor pairs, Tensor boxes, Tensor counts) {
        if (anchors.rank() != 2 || anchors.dim(1) != 4 || anchors.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("headCandidates: anchors must be FLOAT32 [A, 4], got " + anchors);
        }
        int a = anchors.dim(0);
        float32(cls, "cls");
        float32(reg, "reg");
        if (cls.rank() != 4 || reg.rank() != 4) {
            throw new IllegalArgumentException("headCandidates: cls and reg must be [N, C, H, W], got " + cls + ", " + reg);
        }
        int n = cls.dim(0);
        if ((long) a * numClasses != cls.dim(1) || reg.dim(1) != 4 * a || reg.dim(0) != n || reg.dim(2) != cls.dim(2)
                || reg.dim(3) != cls.dim(3)) {
            throw new IllegalArgumentException("headCandidates: " + a + " anchors x " + numClasses + " classes need cls [N, "
                    + (long) a * numClasses + ", H, W] and reg [N, " + 4 * a + ", H, W], got " + cls + ", " + reg);
        }
        if ((long) a * numClasses * cls.dim(2) * cls.dim(3) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("headCandidates: more than 2^31 (anchor, class) pairs in " + cls);
        }
        shape(scores, DType.FLOAT32, "scores", n, topK);
        shape(pairs, DType.INT64, "pairs", n, topK);
        shape(boxes, DType.FLOAT32, "boxes", n, topK, 4);
        shape(counts, DType.INT64, "counts", n);
        return a;
    }

    private static void float32(Tensor t, String what) {
        if (t.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("headCandidates: " + what + " must be FLOAT32, got " + t);
        }
    }

    private static void shape(Tensor t, DType type, String what, int... dims) {
        if (t.dtype() != type || !Arrays.equals(t.shape(), dims)) {
            throw new IllegalArgumentException("headCandidates: " + what + " must be " + type + " "
                    + Arrays.toString(dims) + ", got " + t);
        }
    }
}
