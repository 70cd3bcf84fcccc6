package io.freeanchor.kernels;

import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species the fast kernels use: {@link FloatVector#SPECIES_PREFERRED} unless the system
 * property {@code freeanchor.vectorBits} (64, 128, 256 or 512) names another width. The override is
 * a testing aid (it lets one machine exercise the tail logic of other widths); a width wider than
 * the hardware's runs correctly but very slowly.
 */
final class Vectors {
    static final VectorSpecies<Float> FLOATS = choose();
    /**
     * Two-vector shuffles for {@code a.rearrange(s, b)}: the even and the odd lanes of the 2 x VL
     * floats (a, b) (indexes past VL pick from b), i.e. a stride-2 read of 2 x VL consecutive floats.
     */
    static final VectorShuffle<Float> EVEN = shuffle(i -> 2 * i), ODD = shuffle(i -> 2 * i + 1);

    private Vectors() {}

    /** The shuffle whose lane i reads index f(i) (for two-vector rearranges: [0, 2 x VL)). */
    static VectorShuffle<Float> shuffle(IntUnaryOperator f) {
        int[] index = new int[FLOATS.length()];
        for (int i = 0; i < index.length; i++) {
            index[i] = f.applyAsInt(i);
        }
        return VectorShuffle.fromArray(FLOATS, index, 0);
    }

    private static VectorSpecies<Float> choose() {
        String bits = System.getProperty("freeanchor.vectorBits");
        if (bits == null || bits.isBlank()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        return FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(Integer.parseInt(bits.trim())));
    }
}
