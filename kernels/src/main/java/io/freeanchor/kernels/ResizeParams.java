package io.freeanchor.kernels;

/**
 * Nearest-neighbour resize over any rank. For each output axis coordinate {@code o} the input
 * coordinate is {@code coordinate.toInput(o, scale, inSize, outSize)}, then rounded by
 * {@code rounding} and clamped into {@code [0, inSize - 1]}. An axis with scale exactly 1 and equal
 * sizes is copied as it is (ONNX Runtime's rule; tf_half_pixel_for_nn with ceil would shift it).
 *
 * @param scales per-axis scale (output / input), as ONNX uses it in the coordinate transform
 */
public record ResizeParams(float[] scales, CoordinateTransform coordinate, NearestRounding rounding) {
    public ResizeParams {
        scales = scales.clone();
    }

    @Override
    public float[] scales() {
        return scales.clone();
    }

    /**
     * The integer factor per axis when resizing {@code inShape} to {@code outShape} is an exact
     * nearest upsampling, i.e. every output index {@code o} of axis d reads input {@code o / f[d]}
     * (with {@code outShape[d] == inShape[d] * f[d]}); null otherwise. Decided by running the very
     * index mapping the backends use over every output index, so a fused consumer reading
     * {@code o / f} computes exactly what this resize would have: true for asymmetric + floor (what
     * PyTorch exports), half_pixel + round_prefer_*, tf_half_pixel_for_nn + floor at any factor, for
     * asymmetric + round_prefer_floor at factor 2, not for align_corners or ceil.
     */
    public int[] exactIntegerFactors(int[] inShape, int[] outShape) {
        if (inShape.length != scales.length || outShape.length != scales.length) {
            return null;
        }
        int[] factors = new int[scales.length];
        for (int d = 0; d < scales.length; d++) {
            int in = inShape[d], out = outShape[d];
            if (in < 1 || out % in != 0) {
                return null;
            }
            int f = out / in;
            for (int o = 0; o < out; o++) {
                if (ReferenceBackend.nearestIndex(this, scales[d], o, in, out) != o / f) {
                    return null;
                }
            }
            factors[d] = f;
        }
        return factors;
    }

    /** ONNX coordinate_transformation_mode values that apply to nearest resize. */
    public enum CoordinateTransform {
        HALF_PIXEL, PYTORCH_HALF_PIXEL, ALIGN_CORNERS, ASYMMETRIC, TF_HALF_PIXEL_FOR_NN;

        /** Computed in float, as ONNX Runtime does, so that ties round the same way. */
        public float toInput(int out, float scale, int inSize, int outSize) {
            return switch (this) {
                case HALF_PIXEL -> (out + 0.5f) / scale - 0.5f;
                case PYTORCH_HALF_PIXEL -> outSize > 1 ? (out + 0.5f) / scale - 0.5f : 0f;
                case ALIGN_CORNERS -> outSize == 1 ? 0f : out * (float) (inSize - 1) / (outSize - 1);
                case ASYMMETRIC -> out / scale;
                case TF_HALF_PIXEL_FOR_NN -> (out + 0.5f) / scale;
            };
        }
    }

    /** ONNX nearest_mode values. */
    public enum NearestRounding {
        ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL;

        public int round(float x) {
            return switch (this) {
                case ROUND_PREFER_FLOOR -> (int) Math.ceil(x - 0.5f);
                case ROUND_PREFER_CEIL -> (int) Math.floor(x + 0.5f);
                case FLOOR -> (int) Math.floor(x);
                case CEIL -> (int) Math.ceil(x);
            };
        }
    }
}
