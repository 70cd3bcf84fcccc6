package io.freeanchor.kernels;

/**
 * Geometry of a 2-D convolution (NCHW input, OIHW weights with I = C / group). Output size per axis:
 * {@code (in + padBegin + padEnd - dilation * (k - 1) - 1) / stride + 1}.
 *
 * <p>{@code residualScaleH/W} (1 unless a nearest upsampling was fused into the residual): the
 * residual is [N, M, outH / residualScaleH, outW / residualScaleW] and output (oh, ow) adds
 * {@code residual[oh / residualScaleH][ow / residualScaleW]}, so the upsampled map (the FPN's
 * top-down path) is never materialized.
 */
public record Conv2dParams(int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight,
                           int dilationH, int dilationW, int group, Activation activation,
                           int residualScaleH, int residualScaleW) {
    public Conv2dParams {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || group < 1) {
            throw new IllegalArgumentException("strides, dilations and group must be >= 1: " + this);
        }
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("pads must be >= 0: " + this);
        }
        if (residualScaleH < 1 || residualScaleW < 1) {
            throw new IllegalArgumentException("residual scales must be >= 1: " + this);
        }
    }

    /** A convolution whose residual, if any, has the output's shape. */
    public Conv2dParams(int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight,
                        int dilationH, int dilationW, int group, Activation activation) {
        this(strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, group, activation, 1, 1);
    }

    public Conv2dParams withActivation(Activation a) {
        return new Conv2dParams(strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, group, a,
                residualScaleH, residualScaleW);
    }

    /** The same convolution reading its residual nearest-upsampled by integer factors (sh, sw). */
    public Conv2dParams withResidualScale(int sh, int sw) {
        return new Conv2dParams(strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, group,
                activation, sh, sw);
    }

    /** Whether the residual is read upsampled (a smaller map than the output). */
    public boolean residualUpsampled() {
        return residualScaleH != 1 || residualScaleW != 1;
    }

    public int outHeight(int inH, int kH) {
        return (inH + padTop + padBottom - dilationH * (kH - 1) - 1) / strideH + 1;
    }

    public int outWidth(int inW, int kW) {
        return (inW + padLeft + padRight - dilationW * (kW - 1) - 1) / strideW + 1;
    }
}
