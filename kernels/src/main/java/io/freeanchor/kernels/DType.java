package io.freeanchor.kernels;

/** Element types a {@link Tensor} can hold. FP16 data is widened to FLOAT32 on load. */
public enum DType {
    FLOAT32(4), INT64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }
}
