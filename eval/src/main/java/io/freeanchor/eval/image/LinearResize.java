package io.freeanchor.eval.image;

import java.util.stream.IntStream;

/**
 * {@code cv2.resize(img, (dstW, dstH), interpolation=cv2.INTER_LINEAR)} on 8-bit BGR images,
 * reproducing OpenCV 4.6's fixed-point path bit for bit:
 *
 * <ul>
 *   <li>scale = 1 / (dst / src) in double; source coordinate {@code f = (float) ((d + 0.5) * scale - 0.5)},
 *       {@code s = floor(f)}, weight {@code f - s} in float;
 *   <li>weights {@code rint((1 - f) * 2048)}, {@code rint(f * 2048)} (11 bits, INTER_RESIZE_COEF_BITS);
 *   <li>columns left of the image or at/after its last column take the border pixel with weight 2048;
 *       rows are clamped to the image but keep their weights;
 *   <li>horizontal pass into ints {@code S[s] * a0 + S[s+1] * a1}, then the vertical pass as OpenCV's
 *       8-bit {@code VResizeLinear} (scalar and SIMD agree):
 *       {@code ((b0 * (H0 >> 4)) >> 16) + ((b1 * (H1 >> 4)) >> 16) + 2) >> 2};
 *   <li>an exact 2x downscale in both axes runs INTER_AREA instead: {@code (sum of the 2x2 block + 2) >> 2}
 *       (for 8-bit data this equals the bilinear formula at scale 2, where every weight is 1024); other
 *       integer factors stay bilinear;
 *   <li>same size: a copy.
 * </ul>
 *
 * <p>Rows are independent: {@link Plan#run} computes any range of output rows. With the Vector API
 * (module {@code jdk.incubator.vector}) both passes run vectorised, with the same integer arithmetic.
 */
public final class LinearResize {
    private static final int COEF_SCALE = 1 << 11;
    private static final double DBL_EPSILON = Math.ulp(1.0);
    /** Whether the Vector API (module jdk.incubator.vector) is there; else scalar loops. */
    private static final boolean VECTOR = VectorRows.available();

    private LinearResize() {}

    /**
     * The vertical pass of one output row. The result is never above 255: the weights of a row or of a
     * column sum to at most 2049.
     */
    private static void vertical(int[] h0, int[] h1, int b0, int b1, byte[] dst, int d, boolean vector) {
        int i = vector ? VectorRows.vertical(h0, h1, b0, b1, dst, d) : 0;
        for (int n = h0.length; i < n; i++) {
            dst[d + i] = (byte) ((((b0 * (h0[i] >> 4)) >> 16) + ((b1 * (h1[i] >> 4)) >> 16) + 2) >> 2);
        }
    }

    /** Resizes {@code src} to {@code dstW x dstH} on the calling thread. */
    public static BgrImage resize(BgrImage src, int dstW, int dstH) {
        Plan plan = plan(src.width(), src.height(), dstW, dstH);
        byte[] dst = new byte[dstW * dstH * 3];
        plan.run(src.data(), dst, 0, dstH);
        return new BgrImage(dstW, dstH, dst);
    }

    /**
     * Resizes {@code src} into {@code dst}'s buffer (its size is the target size), so that a caller can
     * reuse one output image; on the calling thread.
     */
    public static void resize(BgrImage src, BgrImage dst) {
        plan(src.width(), src.height(), dst.width(), dst.height()).run(src.data(), dst.data(), 0, dst.height());
    }

    /** Like {@link #resize(BgrImage, int, int)}, with bands of rows run in the common fork-join pool. */
    public static BgrImage resizeParallel(BgrImage src, int dstW, int dstH) {
        Plan plan = plan(src.width(), src.height(), dstW, dstH);
        byte[] dst = new byte[dstW * dstH * 3];
        int bands = Math.min(dstH, 4 * Runtime.getRuntime().availableProcessors());
        IntStream.range(0, bands).parallel().forEach(i ->
                plan.run(src.data(), dst, (int) ((long) dstH * i / bands), (int) ((long) dstH * (i + 1) / bands)));
        return new BgrImage(dstW, dstH, dst);
    }

    /** The coefficient tables for one source size and one output size. */
    public static Plan plan(int srcW, int srcH, int dstW, int dstH) {
        if (srcW <= 0 || srcH <= 0 || dstW <= 0 || dstH <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + srcW + "x" + srcH + " -> " + dstW + "x" + dstH);
        }
        if ((long) dstW * dstH > BgrImage.MAX_PIXELS) {
            throw new IllegalArgumentException("output " + dstW + "x" + dstH + " is too large");
        }
        return new Plan(srcW, srcH, dstW, dstH, VECTOR);
    }

    /** A plan that does or does not use the Vector API (for tests: both must give the same bytes). */
    static Plan plan(int srcW, int srcH, int dstW, int dstH, boolean vector) {
        plan(srcW, srcH, dstW, dstH); // argument checks
        return new Plan(srcW, srcH, dstW, dstH, vector && VECTOR);
    }

    /** Whether this JVM runs the Vector API loops. */
    static boolean vectorized() {
        return VECTOR;
    }

    /** Precomputed offsets and weights; immutable, usable from several threads at once. */
    public static final class Plan {
        private final int srcW;
        private final int srcH;
        private final int dstW;
        private final int dstH;
        private final Mode mode;
        /**
         * Per output column: byte offsets within a source row of the two source pixels and their
         * weights. Where the right weight is 0 both offsets are the same, so that the loop reads nothing
         * outside the row.
         */
        private final int[] xofs0;
        private final int[] xofs1;
        private final int[] alpha0;
        private final int[] alpha1;
        /**
         * Vector blocks of the horizontal pass (null without the Vector API): per block of
         * {@code lanes} output values the first source byte of the window it reads ({@code -1}: the block
         * needs more than one window, done by the scalar loop), per value the positions of its two source
         * bytes within the window and its two weights.
         */
        private final int lanes;
        private final int[] windowStart;
        private final byte[] windowLeft;
        private final byte[] windowRight;
        private final int[] weight0;
        private final int[] weight1;
        /** Per output row: the two (clamped) source rows and weights. */
        private final int[] row0;
        private final int[] row1;
        private final int[] beta0;
        private final int[] beta1;

        private final boolean vector;

        private enum Mode { COPY, AREA2X, LINEAR }

        private Plan(int srcW, int srcH, int dstW, int dstH, boolean vector) {
            this.vector = vector;
            this.srcW = srcW;
            this.srcH = srcH;
            this.dstW = dstW;
            this.dstH = dstH;
            double scaleX = 1.0 / ((double) dstW / srcW);
            double scaleY = 1.0 / ((double) dstH / srcH);
            int iscaleX = (int) Math.rint(scaleX);
            int iscaleY = (int) Math.rint(scaleY);
            boolean areaFast = Math.abs(scaleX - iscaleX) < DBL_EPSILON && Math.abs(scaleY - iscaleY) < DBL_EPSILON;
            if (srcW == dstW && srcH == dstH) {
                mode = Mode.COPY;
            } else if (areaFast && iscaleX == 2 && iscaleY == 2) {
                mode = Mode.AREA2X;
            } else {
                mode = Mode.LINEAR;
            }
            if (mode != Mode.LINEAR) {
                xofs0 = xofs1 = alpha0 = alpha1 = row0 = row1 = beta0 = beta1 = weight0 = weight1 = windowStart = null;
                windowLeft = windowRight = null;
                lanes = 0;
                return;
            }
            xofs0 = new int[dstW];
            xofs1 = new int[dstW];
            alpha0 = new int[dstW];
            alpha1 = new int[dstW];
            for (int dx = 0; dx < dstW; dx++) {
                float fx = (float) ((dx + 0.5) * scaleX - 0.5);
                int sx = (int) Math.floor(fx);
                fx -= sx;
                if (sx < 0) {
                    fx = 0;
                    sx = 0;
                }
                if (sx >= srcW - 1) {
                    fx = 0;
                    sx = srcW - 1;
                }
                int a0 = (int) Math.rint((1.0f - fx) * COEF_SCALE);
                int a1 = (int) Math.rint(fx * COEF_SCALE);
                xofs0[dx] = sx * 3;
                xofs1[dx] = a1 == 0 ? sx * 3 : (sx + 1) * 3;
                alpha0[dx] = a0;
                alpha1[dx] = a1;
            }
            if (vector && dstW * 3 >= VectorRows.byteLanes()) {
                lanes = VectorRows.byteLanes();
                int n = dstW * 3;
                int blocks = n / lanes;
                windowStart = new int[blocks];
                windowLeft = new byte[blocks * lanes];
                windowRight = new byte[blocks * lanes];
                weight0 = new int[blocks * lanes];
                weight1 = new int[blocks * lanes];
                for (int b = 0; b < blocks; b++) {
                    int lo = Integer.MAX_VALUE;
                    int hi = Integer.MIN_VALUE;
                    for (int i = b * lanes; i < (b + 1) * lanes; i++) {
                        lo = Math.min(lo, xofs0[i / 3] + i % 3);
                        hi = Math.max(hi, xofs1[i / 3] + i % 3);
                    }
                    windowStart[b] = hi - lo < lanes ? lo : -1;
                    for (int i = b * lanes; i < (b + 1) * lanes; i++) {
                        windowLeft[i] = (byte) (xofs0[i / 3] + i % 3 - lo);
                        windowRight[i] = (byte) (xofs1[i / 3] + i % 3 - lo);
                        weight0[i] = alpha0[i / 3];
                        weight1[i] = alpha1[i / 3];
                    }
                }
            } else {
                lanes = 0;
                windowStart = null;
                windowLeft = windowRight = null;
                weight0 = weight1 = null;
            }
            row0 = new int[dstH];
            row1 = new int[dstH];
            beta0 = new int[dstH];
            beta1 = new int[dstH];
            for (int dy = 0; dy < dstH; dy++) {
                float fy = (float) ((dy + 0.5) * scaleY - 0.5);
                int sy = (int) Math.floor(fy);
                fy -= sy;
                row0[dy] = clip(sy, srcH);
                row1[dy] = clip(sy + 1, srcH);
                beta0[dy] = (int) Math.rint((1.0f - fy) * COEF_SCALE);
                beta1[dy] = (int) Math.rint(fy * COEF_SCALE);
            }
        }

        private static int clip(int v, int n) {
            return v < 0 ? 0 : Math.min(v, n - 1);
        }

        public int srcWidth() {
            return srcW;
        }

        public int srcHeight() {
            return srcH;
        }

        public int dstWidth() {
            return dstW;
        }

        public int dstHeight() {
            return dstH;
        }

        /**
         * Computes output rows {@code [rowStart, rowEnd)} of {@code dst} (HWC BGR, dstW x dstH) from
         * {@code src} (HWC BGR, srcW x srcH).
         */
        public void run(byte[] src, byte[] dst, int rowStart, int rowEnd) {
            if (src.length != srcW * srcH * 3 || dst.length != dstW * dstH * 3) {
                throw new IllegalArgumentException("buffer sizes do not match the plan");
            }
            if (rowStart < 0 || rowEnd > dstH || rowStart > rowEnd) {
                throw new IndexOutOfBoundsException("rows [" + rowStart + ", " + rowEnd + ") of " + dstH);
            }
            switch (mode) {
                case COPY -> {
                    int rb = dstW * 3;
                    System.arraycopy(src, rowStart * rb, dst, rowStart * rb, (rowEnd - rowStart) * rb);
                }
                case AREA2X -> area2x(src, dst, rowStart, rowEnd);
                case LINEAR -> linear(src, dst, rowStart, rowEnd);
            }
        }

        private void area2x(byte[] src, byte[] dst, int rowStart, int rowEnd) {
            int srb = srcW * 3;
            int n = dstW * 3;
            for (int dy = rowStart; dy < rowEnd; dy++) {
                int s0 = 2 * dy * srb;
                int s1 = s0 + srb;
                int d = dy * n;
                for (int dx = 0; dx < dstW; dx++) {
                    int s = dx * 6;
                    for (int c = 0; c < 3; c++) {
                        int sum = (src[s0 + s + c] & 0xFF) + (src[s0 + s + 3 + c] & 0xFF)
                                + (src[s1 + s + c] & 0xFF) + (src[s1 + s + 3 + c] & 0xFF);
                        dst[d + dx * 3 + c] = (byte) ((sum + 2) >> 2);
                    }
                }
            }
        }

        /** The horizontal pass of source row {@code sy} into {@code out} (dstW * 3 ints). */
        private void hrow(byte[] src, int sy, int[] out) {
            int base = sy * srcW * 3;
            if (windowStart == null) {
                hrowScalar(src, base, out, 0, dstW);
                return;
            }
            int blocks = windowStart.length;
            for (int b = 0; b < blocks; b++) {
                int w = windowStart[b];
                int o = b * lanes;
                if (w >= 0 && base + w + lanes <= src.length) {
                    VectorRows.horizontalBlock(src, base + w, windowLeft, windowRight, weight0, weight1, out, o);
                } else {
                    hrowScalarValues(src, base, out, o, o + lanes);
                }
            }
            hrowScalarValues(src, base, out, blocks * lanes, dstW * 3);
        }

        /** Output columns {@code [dx0, dx1)} of the horizontal pass. */
        private void hrowScalar(byte[] src, int base, int[] out, int dx0, int dx1) {
            int[] o0 = xofs0;
            int[] o1 = xofs1;
            int[] a0 = alpha0;
            int[] a1 = alpha1;
            for (int dx = dx0, o = dx0 * 3; dx < dx1; dx++, o += 3) {
                int p = base + o0[dx];
                int q = base + o1[dx];
                int w0 = a0[dx];
                int w1 = a1[dx];
                out[o] = (src[p] & 0xFF) * w0 + (src[q] & 0xFF) * w1;
                out[o + 1] = (src[p + 1] & 0xFF) * w0 + (src[q + 1] & 0xFF) * w1;
                out[o + 2] = (src[p + 2] & 0xFF) * w0 + (src[q + 2] & 0xFF) * w1;
            }
        }

        /** Output values {@code [i0, i1)} (column * 3 + channel) of the horizontal pass. */
        private void hrowScalarValues(byte[] src, int base, int[] out, int i0, int i1) {
            for (int i = i0; i < i1; i++) {
                int dx = i / 3;
                int c = i - 3 * dx;
                out[i] = (src[base + xofs0[dx] + c] & 0xFF) * alpha0[dx] + (src[base + xofs1[dx] + c] & 0xFF) * alpha1[dx];
            }
        }

        private void linear(byte[] src, byte[] dst, int rowStart, int rowEnd) {
            int n = dstW * 3;
            int[] bufA = new int[n];
            int[] bufB = new int[n];
            int rowA = -1;
            int rowB = -1;
            for (int dy = rowStart; dy < rowEnd; dy++) {
                int r0 = row0[dy];
                int r1 = row1[dy];
                // Keep the two most recent horizontal rows, as OpenCV does.
                int[] h0;
                int[] h1;
                if (r0 == rowA) {
                    h0 = bufA;
                } else if (r0 == rowB) {
                    h0 = bufB;
                } else {
                    // Reuse the buffer that does not hold r1.
                    if (r1 == rowA) {
                        hrow(src, r0, bufB);
                        rowB = r0;
                        h0 = bufB;
                    } else {
                        hrow(src, r0, bufA);
                        rowA = r0;
                        h0 = bufA;
                    }
                }
                if (r1 == rowA) {
                    h1 = bufA;
                } else if (r1 == rowB) {
                    h1 = bufB;
                } else {
                    int[] target = h0 == bufA ? bufB : bufA;
                    hrow(src, r1, target);
                    if (target == bufA) {
                        rowA = r1;
                    } else {
                        rowB = r1;
                    }
                    h1 = target;
                }
                vertical(h0, h1, beta0[dy], beta1[dy], dst, dy * n, vector);
            }
        }
    }
}
