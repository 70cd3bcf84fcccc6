package io.freeanchor.kernels;

/**
 * A convolution a backend has prepared for weights that stay constant (see
 * {@link Backend#prepareConv}): typically the weights already transformed and packed for the
 * algorithm the backend chose for that layer. Opaque to callers; holds heap memory only.
 */
public interface PreparedConv {
    /** What the backend chose, for messages and profiles, e.g. "winograd-f4x4". */
    String algorithm();
}
