package io.freeanchor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species the fast kernels use: {@link FloatVector#SPECIES_PREFERRED} unless the system
 * property {@code freeanchor.vectorBits} (64, 128, 256 or 512) names another width. The override is
 * a testing aid (it lets one machine exercise the tail logic of other widths); a width wider than
 * the hardware's runs correctly but very slowly.
 */
final class Vectors {
    static final VectorSpecies<Float> FLOATS = choose();

    private Vectors() {}

    private static VectorSpecies<Float> choose() {
        String bits = System.getProperty("freeanchor.vectorBits");
        if (bits == null || bits.isBlank()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        return FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(Integer.parseInt(bits.trim())));
    }
}
