package io.freeanchor.kernels.opencl;

import java.util.List;

/**
 * Tile sizes of the implicit-GEMM convolution: a work-group computes tm x tn outputs (channels x
 * pixels) in tk-deep steps; each work-item an rm x rn register block, so the work-group is
 * (tn / rn) x (tm / rm).
 */
public record TileConfig(int tm, int tn, int tk, int rm, int rn) {
    /** The candidates the autotuner times; the first is the default when tuning is off. */
    public static final List<TileConfig> CANDIDATES = List.of(
            new TileConfig(32, 32, 16, 2, 2),
            new TileConfig(64, 64, 8, 4, 4),
            new TileConfig(64, 32, 16, 4, 2),
            new TileConfig(16, 64, 16, 2, 4));

    public int localX() {
        return tn / rn;
    }

    public int localY() {
        return tm / rm;
    }

    public long localMemBytes() {
        return (long) (tm + tn) * tk * Float.BYTES;
    }

    String options() {
        return "-DTM=" + tm + " -DTN=" + tn + " -DTK=" + tk + " -DRM=" + rm + " -DRN=" + rn;
    }

    /** As written in the tuning cache: tm,tn,tk,rm,rn. */
    public String id() {
        return tm + "," + tn + "," + tk + "," + rm + "," + rn;
    }

    static TileConfig parse(String id) {
        String[] p = id.split(",");
        return new TileConfig(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                Integer.parseInt(p[3]), Integer.parseInt(p[4]));
    }

    boolean fits(ClDevice d) {
        return (long) localX() * localY() <= d.maxWorkGroupSize() && localMemBytes() <= d.localMemBytes();
    }
}
