package io.freeanchor.eval.image;

import java.util.Arrays;

/**
 * MMDetection's {@code DetDataPreprocessor} for one image of a batch (mmengine
 * {@code ImgDataPreprocessor.forward} and {@code stack_batch}): BGR -> RGB, cast to float32,
 * {@code (x - mean) / std} as two float32 operations (subtraction, then true division), written CHW
 * and padded bottom/right with 0 (after normalisation) to the batch's padded size.
 */
public final class Preprocessor {
    private final Params params;
    // Per output channel (R, G, B): the float32 result for each of the 256 input values. Exactly the
    // same numbers as computing (f32(v) - mean) / std per pixel.
    private final float[][] lut = new float[3][256];

    /**
     * Mean and std per channel in RGB order (float32, as torch stores them) and the size divisor the
     * padded height and width are rounded up to.
     */
    public record Params(float[] meanRgb, float[] stdRgb, int sizeDivisor) {
        /** FreeAnchor's config: mean [123.675, 116.28, 103.53], std [58.395, 57.12, 57.375], divisor 32. */
        public static final Params DEFAULT = new Params(
                new float[] {123.675f, 116.28f, 103.53f}, new float[] {58.395f, 57.12f, 57.375f}, 32);

        public Params {
            if (meanRgb.length != 3 || stdRgb.length != 3) {
                throw new IllegalArgumentException("mean and std need 3 values each (R, G, B)");
            }
            if (sizeDivisor < 1) {
                throw new IllegalArgumentException("size divisor must be >= 1, got " + sizeDivisor);
            }
            meanRgb = meanRgb.clone();
            stdRgb = stdRgb.clone();
        }

        @Override
        public float[] meanRgb() {
            return meanRgb.clone();
        }

        @Override
        public float[] stdRgb() {
            return stdRgb.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Params p && Arrays.equals(meanRgb, p.meanRgb) && Arrays.equals(stdRgb, p.stdRgb)
                    && sizeDivisor == p.sizeDivisor;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(meanRgb) + Arrays.hashCode(stdRgb)) + sizeDivisor;
        }

        @Override
        public String toString() {
            return "Params[mean=" + Arrays.toString(meanRgb) + ", std=" + Arrays.toString(stdRgb)
                    + ", sizeDivisor=" + sizeDivisor + "]";
        }
    }

    public Preprocessor() {
        this(Params.DEFAULT);
    }

    public Preprocessor(Params params) {
        this.params = params;
        float[] mean = params.meanRgb();
        float[] std = params.stdRgb();
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float d = (float) v - mean[c]; // float32 subtraction
                lut[c][v] = d / std[c];        // float32 true division
            }
        }
    }

    public Params params() {
        return params;
    }

    /** {@code n} rounded up to a multiple of the size divisor. */
    public int padded(int n) {
        int d = params.sizeDivisor();
        return (int) ((n + (long) d - 1) / d * d);
    }

    /** Floats one padded image takes: {@code 3 * padded(height) * padded(width)}. */
    public int size(BgrImage img) {
        return Math.multiplyExact(3, Math.multiplyExact(padded(img.height()), padded(img.width())));
    }

    /**
     * Writes {@code img} normalised as CHW (R, G, B planes) of size {@code padH x padW} into
     * {@code dst[offset ..]}, with zeros right of and below the image. {@code padH, padW} must be at
     * least the image's height and width (for a batch: the largest padded size in the batch).
     */
    public void toChw(BgrImage img, float[] dst, int offset, int padH, int padW) {
        int w = img.width();
        int h = img.height();
        if (padH < h || padW < w) {
            throw new IllegalArgumentException("pad size " + padW + "x" + padH + " is smaller than the image " + w + "x" + h);
        }
        long plane = (long) padH * padW;
        if (offset < 0 || offset + 3 * plane > dst.length) {
            throw new IndexOutOfBoundsException("3x" + padH + "x" + padW + " floats at offset " + offset
                    + " do not fit an array of " + dst.length);
        }
        byte[] src = img.data();
        int p = (int) plane;
        for (int c = 0; c < 3; c++) {
            float[] t = lut[c];
            int bgr = 2 - c; // channel flip [2, 1, 0]
            int o = offset + c * p;
            for (int y = 0; y < h; y++) {
                int s = y * w * 3 + bgr;
                int d = o + y * padW;
                for (int x = 0; x < w; x++, s += 3) {
                    dst[d + x] = t[src[s] & 0xFF];
                }
                Arrays.fill(dst, d + w, d + padW, 0f);
            }
            Arrays.fill(dst, o + h * padW, o + p, 0f);
        }
    }

    /** {@link #toChw(BgrImage, float[], int, int, int)} padded to the image's own padded size. */
    public void toChw(BgrImage img, float[] dst, int offset) {
        toChw(img, dst, offset, padded(img.height()), padded(img.width()));
    }

    /** A new array: the image as a {@code 1 x 3 x padded(h) x padded(w)} tensor's data. */
    public float[] toChw(BgrImage img) {
        float[] out = new float[size(img)];
        toChw(img, out, 0);
        return out;
    }
}
