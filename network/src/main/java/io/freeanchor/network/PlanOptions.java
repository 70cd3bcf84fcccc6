package io.freeanchor.network;

/**
 * Which graph rewrites the planner applies. All on by default; tests turn them off to check that
 * each rewrite leaves the results unchanged.
 *
 * @param foldBatchNorm fold inference BatchNormalization into the preceding Conv
 * @param fuseConv      fuse Relu and residual Add into the preceding Conv
 */
public record PlanOptions(boolean foldBatchNorm, boolean fuseConv) {
    public static PlanOptions defaults() {
        return new PlanOptions(true, true);
    }

    public static PlanOptions none() {
        return new PlanOptions(false, false);
    }
}
