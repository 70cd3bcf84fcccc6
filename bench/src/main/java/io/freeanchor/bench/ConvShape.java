package io.freeanchor.bench;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Conv2dParams;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The geometry of one convolution: input [n, c, h, w], weights [m, c / group, kh, kw], strides, pads
 * and dilations. Written as a compact token such as {@code n1c256h100w168m256k3s1p1} so it can be a
 * JMH parameter (no commas or spaces); non-square kernels, strides or pads, groups and dilations get
 * longer forms ({@code k3x1}, {@code s2x1}, {@code p1x0x1x0}, {@code g2}, {@code d2x2}).
 */
public record ConvShape(int n, int c, int h, int w, int m, int kh, int kw, int strideH, int strideW,
                        int padTop, int padLeft, int padBottom, int padRight, int dilationH, int dilationW, int group) {
    private static final Pattern TOKEN = Pattern.compile(
            "n(\\d+)c(\\d+)h(\\d+)w(\\d+)m(\\d+)k(\\d+)(?:x(\\d+))?s(\\d+)(?:x(\\d+))?p(\\d+)(?:x(\\d+)x(\\d+)x(\\d+))?"
                    + "(?:g(\\d+))?(?:d(\\d+)x(\\d+))?");

    public ConvShape {
        // Fields are not assigned yet inside a compact constructor: check the parameters themselves.
        String text = "input [" + n + ", " + c + ", " + h + ", " + w + "], " + m + " filters " + kh + "x" + kw + ", group " + group;
        if (n < 1 || c < 1 || h < 1 || w < 1 || m < 1 || kh < 1 || kw < 1 || group < 1 || c % group != 0 || m % group != 0) {
            throw new IllegalArgumentException("not a valid convolution: " + text);
        }
        Conv2dParams p = new Conv2dParams(strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW,
                group, Activation.NONE);
        if (p.outHeight(h, kh) < 1 || p.outWidth(w, kw) < 1) {
            throw new IllegalArgumentException("convolution has an empty output: " + text);
        }
    }

    public static ConvShape of(int[] x, int[] weights, Conv2dParams p) {
        return new ConvShape(x[0], x[1], x[2], x[3], weights[0], weights[2], weights[3], p.strideH(), p.strideW(),
                p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.dilationH(), p.dilationW(), p.group());
    }

    public Conv2dParams params(Activation activation) {
        return new Conv2dParams(strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, group, activation);
    }

    public int outHeight() {
        return params(Activation.NONE).outHeight(h, kh);
    }

    public int outWidth() {
        return params(Activation.NONE).outWidth(w, kw);
    }

    public int[] inputShape() {
        return new int[] {n, c, h, w};
    }

    public int[] weightShape() {
        return new int[] {m, c / group, kh, kw};
    }

    public int[] outputShape() {
        return new int[] {n, m, outHeight(), outWidth()};
    }

    /** Multiply-accumulates of one run. */
    public long macs() {
        return (long) n * m * outHeight() * outWidth() * (c / group) * kh * kw;
    }

    /** Floating-point operations of one run: a multiply-accumulate is two. */
    public double flops() {
        return 2.0 * macs();
    }

    /** A short layer class for grouping, e.g. "3x3/s1", "1x1/s2", "7x7/s2". */
    public String layerClass() {
        String k = kh + "x" + kw;
        String s = strideH == strideW ? "s" + strideH : "s" + strideH + "x" + strideW;
        return k + "/" + s + (group > 1 ? "/g" + group : "") + (dilationH > 1 || dilationW > 1 ? "/d" + dilationH + "x" + dilationW : "");
    }

    /** The compact token; {@link #parse} reads it back. */
    public String token() {
        StringBuilder sb = new StringBuilder();
        sb.append('n').append(n).append('c').append(c).append('h').append(h).append('w').append(w).append('m').append(m);
        sb.append('k').append(kh);
        if (kw != kh) {
            sb.append('x').append(kw);
        }
        sb.append('s').append(strideH);
        if (strideW != strideH) {
            sb.append('x').append(strideW);
        }
        sb.append('p').append(padTop);
        if (padLeft != padTop || padBottom != padTop || padRight != padTop) {
            sb.append('x').append(padLeft).append('x').append(padBottom).append('x').append(padRight);
        }
        if (group != 1) {
            sb.append('g').append(group);
        }
        if (dilationH != 1 || dilationW != 1) {
            sb.append('d').append(dilationH).append('x').append(dilationW);
        }
        return sb.toString();
    }

    public static ConvShape parse(String token) {
        Matcher mt = TOKEN.matcher(token);
        if (!mt.matches()) {
            throw new IllegalArgumentException("'" + token + "' is not a conv shape like n1c256h100w168m256k3s1p1");
        }
        int kh = num(mt, 6, -1), sh = num(mt, 8, -1), pt = num(mt, 10, -1);
        try {
            return new ConvShape(num(mt, 1, -1), num(mt, 2, -1), num(mt, 3, -1), num(mt, 4, -1), num(mt, 5, -1),
                    kh, num(mt, 7, kh), sh, num(mt, 9, sh), pt, num(mt, 11, pt), num(mt, 12, pt), num(mt, 13, pt),
                    num(mt, 15, 1), num(mt, 16, 1), num(mt, 14, 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + token + "' has a number too large for a conv shape");
        }
    }

    private static int num(Matcher mt, int group, int fallback) {
        String s = mt.group(group);
        return s == null ? fallback : Integer.parseInt(s);
    }

    @Override
    public String toString() {
        return token();
    }
}
