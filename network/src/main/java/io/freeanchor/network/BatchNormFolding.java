package io.freeanchor.network;

import io.freeanchor.kernels.Tensor;

/** Folds inference BatchNormalization into the weights and bias of the Conv before it. */
final class BatchNormFolding {
    private BatchNormFolding() {}

    /**
     * Per output channel m: factor = scale / sqrt(var + eps); w' = w * factor;
     * b' = (b - mean) * factor + beta. Computed in double, stored as float.
     *
     * @return {folded weights, folded bias}
     */
    static float[][] fold(Tensor w, Tensor bias, Tensor scale, Tensor beta, Tensor mean, Tensor var, float eps) {
        int m = w.dim(0);
        int perChannel = w.size() / m;
        float[] wIn = w.floats();
        float[] wOut = new float[w.size()];
        float[] bOut = new float[m];
        for (int o = 0; o < m; o++) {
            double factor = scale.floats()[o] / Math.sqrt((double) var.floats()[o] + eps);
            for (int k = 0; k < perChannel; k++) {
                wOut[o * perChannel + k] = (float) (wIn[o * perChannel + k] * factor);
            }
            double b = bias == null ? 0 : bias.floats()[o];
            bOut[o] = (float) ((b - mean.floats()[o]) * factor + beta.floats()[o]);
        }
        return new float[][] {wOut, bOut};
    }
}
