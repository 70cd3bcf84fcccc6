package io.freeanchor.eval.coco;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Python's {@code '{:0.Nf}'.format(x)}: the exact binary value rounded half-to-even (so 0.0625 -> "0.062" and
 * 0.0005 -> "0.001", where Java's {@code %.3f} gives "0.063"), "-0.000" for small negatives, "nan" and "inf".
 */
final class PyFormat {
    private PyFormat() {}

    static String fixed(double x, int decimals) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        BigDecimal rounded = new BigDecimal(x).setScale(decimals, RoundingMode.HALF_EVEN);
        String s = rounded.toPlainString();
        boolean negative = x < 0 || (x == 0 && 1 / x < 0);
        if (negative && rounded.signum() == 0) {
            s = "-" + s;
        }
        return s;
    }
}
