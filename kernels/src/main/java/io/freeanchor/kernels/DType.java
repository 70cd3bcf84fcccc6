package io.freeanchor.kernels;

/**
 * Element types a {@link Tensor} can hold. FLOAT16 (IEEE half bit patterns in a short[]) is a
 * storage type only: the half-storage backend keeps activations and constant weights in it and
 * computes in FLOAT32. Models and .npy files never produce it (FP16 data is widened on load).
 */
public enum DType {
    FLOAT32(4), FLOAT16(2), INT64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }
}
