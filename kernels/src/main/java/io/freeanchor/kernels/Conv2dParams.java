package io.freeanchor.kernels;

/**
 * Geometry of a 2-D convolution (NCHW input, OIHW weights with I = C / group). Output size per axis:
 * {@code (in + padBegin + padEnd - dilation * (k - 1) - 1) / stride + 1}.
 */
public record Conv2dParams(int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight,
                           int dilationH, int dilationW, int group, Activation activation) {
    public Conv2dParams {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || group < 1) {
            throw new IllegalArgumentException("strides, dilations and group must be >= 1: " + this);
        }
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("pads must be >= 0: " + this);
        }
    }

    public Conv2dParams withActivation(Activation a) {
        return new Conv2dParams(strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, group, a);
    }

    public int outHeight(int inH, int kH) {
        return (inH + padTop + padBottom - dilationH * (kH - 1) - 1) / strideH + 1;
    }

    public int outWidth(int inW, int kW) {
        return (inW + padLeft + padRight - dilationW * (kW - 1) - 1) / strideW + 1;
    }
}
