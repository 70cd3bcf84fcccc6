package io.freeanchor.eval.image;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops for {@link LinearResize}; used only when the incubator module is present. The
 * arithmetic is the same integer arithmetic as the scalar loops, so results are identical.
 */
final class VectorRows {
    private VectorRows() {}

    /** Whether the Vector API can be used (module present, vectors of at least 128 bits). */
    static boolean available() {
        try {
            return Holder.BYTES.vectorBitSize() >= 128;
        } catch (Throwable t) { // NoClassDefFoundError without --add-modules jdk.incubator.vector
            return false;
        }
    }

    /** Bytes per vector: the block length of {@link #horizontalBlock}. */
    static int byteLanes() {
        return Holder.BYTES.length();
    }

    private static final class Holder {
        static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED;
        /** Ints in a vector of the same size: a byte vector widens into 4 of them. */
        static final VectorSpecies<Integer> INTS =
                VectorSpecies.of(int.class, VectorShape.forBitSize(BYTES.vectorBitSize()));
        /** Ints whose narrowing to bytes fills a quarter-size vector. */
        static final VectorSpecies<Integer> INTS_PREFERRED = IntVector.SPECIES_PREFERRED;
        static final VectorSpecies<Byte> BYTES_QUARTER =
                VectorSpecies.of(byte.class, VectorShape.forBitSize(INTS_PREFERRED.vectorBitSize() / 4));
    }

    /**
     * One block of the horizontal pass: {@code byteLanes()} output values starting at {@code o},
     * {@code out[o+k] = win[idxL[o+k]] * w0[o+k] + win[idxR[o+k]] * w1[o+k]} where {@code win} is the
     * {@code byteLanes()} source bytes starting at {@code window} (all read as unsigned).
     */
    static void horizontalBlock(byte[] src, int window, byte[] idxL, byte[] idxR, int[] w0, int[] w1, int[] out, int o) {
        VectorSpecies<Byte> bs = Holder.BYTES;
        VectorSpecies<Integer> is = Holder.INTS;
        ByteVector win = ByteVector.fromArray(bs, src, window);
        ByteVector l = ByteVector.fromArray(bs, idxL, o).selectFrom(win);
        ByteVector r = ByteVector.fromArray(bs, idxR, o).selectFrom(win);
        int step = is.length();
        for (int part = 0; part < 4; part++) {
            int at = o + part * step;
            IntVector li = (IntVector) l.convertShape(VectorOperators.ZERO_EXTEND_B2I, is, part);
            IntVector ri = (IntVector) r.convertShape(VectorOperators.ZERO_EXTEND_B2I, is, part);
            li.mul(IntVector.fromArray(is, w0, at)).add(ri.mul(IntVector.fromArray(is, w1, at))).intoArray(out, at);
        }
    }

    /**
     * {@code dst[d + i] = ((b0 * (h0[i] >> 4)) >> 16) + ((b1 * (h1[i] >> 4)) >> 16) + 2) >> 2} for
     * i below the returned bound (a multiple of the vector length); the caller does the rest.
     */
    static int vertical(int[] h0, int[] h1, int b0, int b1, byte[] dst, int d) {
        VectorSpecies<Integer> is = Holder.INTS_PREFERRED;
        int up = is.loopBound(h0.length);
        for (int i = 0; i < up; i += is.length()) {
            IntVector v0 = IntVector.fromArray(is, h0, i).lanewise(VectorOperators.ASHR, 4).mul(b0)
                    .lanewise(VectorOperators.ASHR, 16);
            IntVector v1 = IntVector.fromArray(is, h1, i).lanewise(VectorOperators.ASHR, 4).mul(b1)
                    .lanewise(VectorOperators.ASHR, 16);
            IntVector r = v0.add(v1).add(2).lanewise(VectorOperators.ASHR, 2);
            ((ByteVector) r.convertShape(VectorOperators.I2B, Holder.BYTES_QUARTER, 0)).intoArray(dst, d + i);
        }
        return up;
    }
}
