package io.freeanchor.kernels;

/**
 * A convolution a backend has prepared for weights that stay constant (see
 * {@link Backend#prepareConv}): typically the weights already transformed and packed for the
 * algorithm the backend chose for that layer. Opaque to callers; holds heap memory only.
 */
public interface PreparedConv {
    /** What the backend chose, for messages and profiles, e.g. "winograd-f4x4". */
    String algorithm();

    /**
     * Whether {@link Backend#conv2dPrepared} still reads the raw weights' values. When false the
     * prepared object holds the only form of the weights the backend needs: callers may drop their
     * raw copy and pass null for w (a bound network does, so weights are not held twice).
     */
    default boolean readsWeights() {
        return true;
    }
}
