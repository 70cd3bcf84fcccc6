package io.freeanchor.kernels;

/**
 * Max-pool geometry (NCHW). Padding cells never win (they count as -infinity). With ceilMode the last
 * window may start inside the right/bottom padding-free extent, as ONNX and PyTorch define it.
 */
public record Pool2dParams(int kernelH, int kernelW, int strideH, int strideW, int padTop, int padLeft,
                           int padBottom, int padRight, int dilationH, int dilationW, boolean ceilMode) {
    public int outHeight(int inH) {
        return outSize(inH, kernelH, strideH, padTop, padBottom, dilationH);
    }

    public int outWidth(int inW) {
        return outSize(inW, kernelW, strideW, padLeft, padRight, dilationW);
    }

    private int outSize(int in, int k, int stride, int padBegin, int padEnd, int dilation) {
        int span = in + padBegin + padEnd - dilation * (k - 1) - 1;
        int out = (ceilMode ? Math.ceilDiv(span, stride) : Math.floorDiv(span, stride)) + 1;
        // A window that would start in the end padding is dropped (PyTorch's rule, which ONNX follows).
        if (ceilMode && (out - 1) * stride >= in + padBegin) {
            out--;
        }
        return out;
    }
}
