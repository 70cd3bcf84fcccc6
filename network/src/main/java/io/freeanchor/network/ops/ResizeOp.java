package io.freeanchor.network.ops;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.ResizeParams;
import io.freeanchor.kernels.ResizeParams.CoordinateTransform;
import io.freeanchor.kernels.ResizeParams.NearestRounding;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.ValueType;
import java.util.List;

/** Resize in nearest mode (what the FPN's upsampling exports to), from scales or sizes. */
public final class ResizeOp {
    private ResizeOp() {}

    static void register(OpRegistry r) {
        r.add("Resize", ResizeOp::resize);
    }

    private static Step resize(NodeContext c) {
        ValueType x = c.inputType(0);
        int rank = x.rank();
        String mode = c.attrString("mode", "nearest");
        if (!mode.equals("nearest")) {
            throw c.error("mode '" + mode + "' is not supported (only nearest)");
        }
        if (c.hasAttribute("axes")) {
            throw c.error("the 'axes' attribute is not supported");
        }
        String policy = c.attrString("keep_aspect_ratio_policy", "stretch");
        if (!policy.equals("stretch")) {
            throw c.error("keep_aspect_ratio_policy '" + policy + "' is not supported");
        }
        CoordinateTransform transform = c.opset() < 11 ? CoordinateTransform.ASYMMETRIC
                : coordinateTransform(c, c.attrString("coordinate_transformation_mode", "half_pixel"));
        NearestRounding rounding = c.opset() < 11 ? NearestRounding.FLOOR
                : nearestRounding(c, c.attrString("nearest_mode", "round_prefer_floor"));

        // Opset 10: Resize(X, scales). Opset 11+: Resize(X, roi, scales, sizes), one of scales/sizes.
        int scalesInput = c.opset() < 11 ? 1 : 2;
        Tensor scalesT = c.hasInput(scalesInput) ? c.requireConstant(scalesInput, "scales") : null;
        Tensor sizesT = c.opset() >= 11 && c.hasInput(3) ? c.requireConstant(3, "sizes") : null;
        if (scalesT != null && scalesT.size() == 0) {
            scalesT = null;
        }
        if ((scalesT == null) == (sizesT == null)) {
            throw c.error("exactly one of scales and sizes must be given");
        }
        float[] scales = new float[rank];
        int[] out = new int[rank];
        if (scalesT != null) {
            if (scalesT.size() != rank) {
                throw c.error("scales has " + scalesT.size() + " entries for an input of rank " + rank);
            }
            float[] s = scalesT.toFloatArray();
            for (int i = 0; i < rank; i++) {
                if (!(s[i] > 0)) {
                    throw c.error("scale " + s[i] + " on axis " + i + " must be positive");
                }
                scales[i] = s[i];
                out[i] = c.dimension((long) Math.floor(x.dim(i) * s[i]), "output size on axis " + i);
            }
        } else {
            long[] sizes = sizesT.toLongArray();
            if (sizes.length != rank) {
                throw c.error("sizes has " + sizes.length + " entries for an input of rank " + rank);
            }
            for (int i = 0; i < rank; i++) {
                out[i] = c.dimension(sizes[i], "sizes entry " + i);
                scales[i] = (float) out[i] / x.dim(i);
            }
        }
        return new ResizeStep(new ResizeParams(scales, transform, rounding), new ValueType(x.dtype(), out));
    }

    /** A nearest resize; its parameters are visible so the planner can fuse it into a conv's residual. */
    public record ResizeStep(ResizeParams params, ValueType output) implements Step {
        @Override
        public List<ValueType> outputTypes() {
            return List.of(output);
        }

        @Override
        public void run(Backend backend, Tensor[] in, Tensor[] out) {
            backend.resizeNearest(params, in[0], out[0]);
        }
    }

    private static CoordinateTransform coordinateTransform(NodeContext c, String mode) {
        return switch (mode) {
            case "half_pixel" -> CoordinateTransform.HALF_PIXEL;
            case "pytorch_half_pixel" -> CoordinateTransform.PYTORCH_HALF_PIXEL;
            case "align_corners" -> CoordinateTransform.ALIGN_CORNERS;
            case "asymmetric" -> CoordinateTransform.ASYMMETRIC;
            case "tf_half_pixel_for_nn" -> CoordinateTransform.TF_HALF_PIXEL_FOR_NN;
            default -> throw c.error("coordinate_transformation_mode '" + mode + "' is not supported");
        };
    }

    private static NearestRounding nearestRounding(NodeContext c, String mode) {
        return switch (mode) {
            case "round_prefer_floor" -> NearestRounding.ROUND_PREFER_FLOOR;
            case "round_prefer_ceil" -> NearestRounding.ROUND_PREFER_CEIL;
            case "floor" -> NearestRounding.FLOOR;
            case "ceil" -> NearestRounding.CEIL;
            default -> throw c.error("nearest_mode '" + mode + "' is not supported");
        };
    }
}
