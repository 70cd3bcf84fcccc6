package io.freeanchor.kernels.head;

/**
 * MMDetection's {@code DeltaXYWHBBoxCoder.decode} ({@code delta2bbox}) in float32, step by step in
 * torch's order; exp is evaluated in double (StrictMath) and rounded to float, as the sigmoid. The
 * OpenCL kernel {@code head.cl} repeats these steps operation for operation.
 */
public final class DeltaXywh {
    private DeltaXywh() {}

    /**
     * Decodes anchor {@code a[ao..ao+3]} with raw deltas (d0..d3) and clips to [0, maxW] x [0, maxH];
     * writes x1, y1, x2, y2 to {@code out[oo..oo+3]}.
     */
    public static void decode(float[] means, float[] stds, float maxRatio, float[] a, int ao, float d0, float d1,
            float d2, float d3, float maxW, float maxH, float[] out, int oo) {
        float dx = d0 * stds[0] + means[0];
        float dy = d1 * stds[1] + means[1];
        float dw = d2 * stds[2] + means[2];
        float dh = d3 * stds[3] + means[3];
        float ax1 = a[ao];
        float ay1 = a[ao + 1];
        float ax2 = a[ao + 2];
        float ay2 = a[ao + 3];
        float px = (ax1 + ax2) * 0.5f;
        float py = (ay1 + ay2) * 0.5f;
        float pw = ax2 - ax1;
        float ph = ay2 - ay1;
        float dxw = pw * dx;
        float dyh = ph * dy;
        dw = clamp(dw, -maxRatio, maxRatio);
        dh = clamp(dh, -maxRatio, maxRatio);
        float gx = px + dxw;
        float gy = py + dyh;
        float gw = pw * (float) StrictMath.exp(dw);
        float gh = ph * (float) StrictMath.exp(dh);
        out[oo] = clamp(gx - gw * 0.5f, 0f, maxW);
        out[oo + 1] = clamp(gy - gh * 0.5f, 0f, maxH);
        out[oo + 2] = clamp(gx + gw * 0.5f, 0f, maxW);
        out[oo + 3] = clamp(gy + gh * 0.5f, 0f, maxH);
    }

    /** torch.clamp: NaN stays NaN. */
    public static float clamp(float v, float lo, float hi) {
        return Math.min(Math.max(v, lo), hi);
    }
}
