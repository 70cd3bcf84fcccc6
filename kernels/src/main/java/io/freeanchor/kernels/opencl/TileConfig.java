package io.freeanchor.kernels.opencl;

import java.util.List;

/**
 * Tile sizes of the implicit-GEMM convolution: a work-group computes tm x tn outputs (channels x
 * pixels) in tk-deep steps; each work-item an rm x rn register block, so the work-group is
 * (tn / rn) x (tm / rm). With {@code local} the tiles are staged in local memory (GPUs); without,
 * read from global memory through the caches (CPU devices), and tk is unused. The local tiles hold
 * FP32 operands, or half ones ({@code halfTiles}) when conv_gemm runs with half arithmetic; Winograd's
 * batched GEMM always stages FP32.
 */
public record TileConfig(int tm, int tn, int tk, int rm, int rn, boolean local) {
    /** The candidates the autotuner times. */
    public static final List<TileConfig> CANDIDATES = List.of(
            new TileConfig(32, 32, 16, 2, 2, true),
            new TileConfig(64, 64, 8, 4, 4, true),
            new TileConfig(64, 32, 16, 4, 2, true),
            new TileConfig(16, 64, 16, 2, 4, true),
            new TileConfig(16, 64, 1, 2, 4, false),
            new TileConfig(32, 128, 1, 4, 8, false));

    /**
     * The configuration used without tuning: staged in local memory on GPUs, through the caches on
     * CPU devices (fastest of the candidates on PoCL).
     */
    public static TileConfig defaultFor(ClDevice d, boolean halfTiles) {
        TileConfig gpu = CANDIDATES.get(1), cpu = CANDIDATES.get(5);
        TileConfig pick = d.type().equals("CPU") ? cpu : gpu;
        return pick.fits(d, halfTiles) ? pick
                : CANDIDATES.stream().filter(c -> c.fits(d, halfTiles)).findFirst().orElse(pick);
    }

    public int localX() {
        return tn / rn;
    }

    public int localY() {
        return tm / rm;
    }

    public long localMemBytes(boolean halfTiles) {
        return local ? (long) (tm + tn) * tk * (halfTiles ? 2 : Float.BYTES) : 0;
    }

    String options() {
        return "-DTM=" + tm + " -DTN=" + tn + " -DTK=" + tk + " -DRM=" + rm + " -DRN=" + rn + " -DUSE_LOCAL=" + (local ? 1 : 0);
    }

    /** As written in the tuning cache: tm,tn,tk,rm,rn,local|global. */
    public String id() {
        return tm + "," + tn + "," + tk + "," + rm + "," + rn + "," + (local ? "local" : "global");
    }

    static TileConfig parse(String id) {
        String[] p = id.split(",");
        return new TileConfig(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                Integer.parseInt(p[3]), Integer.parseInt(p[4]), p[5].equals("local"));
    }

    boolean fits(ClDevice d, boolean halfTiles) {
        return (long) localX() * localY() <= d.maxWorkGroupSize() && localMemBytes(halfTiles) <= d.localMemBytes();
    }
}
