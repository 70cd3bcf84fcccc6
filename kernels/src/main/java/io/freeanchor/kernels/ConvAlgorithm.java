package io.freeanchor.kernels;

/** The convolution algorithms of {@link JavaBackend}, and the rule that picks one per layer. */
enum ConvAlgorithm {
    /** Packed im2col GEMM ({@link ConvGemm}): every geometry. */
    GEMM("gemm"),
    /** Winograd F(4x4, 3x3) ({@link ConvWinograd}): 3x3, stride 1, dilation 1, group 1. */
    WINOGRAD("winograd-f4x4");

    /**
     * {@code -Dfreeanchor.winograd=false} turns Winograd off (every layer then runs as GEMM): a
     * diagnostic switch for comparing whole-model speed and accuracy, not a fallback.
     */
    static final boolean WINOGRAD_ENABLED = !"false".equals(System.getProperty("freeanchor.winograd"));

    private final String label;

    ConvAlgorithm(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    boolean supports(Conv2dParams p, int[] wShape) {
        return this == GEMM || ConvWinograd.supports(p, wShape[2], wShape[3], p.group());
    }

    /**
     * The algorithm for a layer: Winograd wherever it applies and pays, see {@link #winogradPays}.
     */
    static ConvAlgorithm choose(Conv2dParams p, int[] xShape, int[] wShape) {
        if (!WINOGRAD_ENABLED || !WINOGRAD.supports(p, wShape)) {
            return GEMM;
        }
        // per image, not per batch: an image's results must not depend on the batch it is in
        long tiles = (long) Math.ceilDiv(p.outHeight(xShape[2], 3), 4) * Math.ceilDiv(p.outWidth(xShape[3], 3), 4);
        return winogradPays(xShape[1], wShape[0], tiles) ? WINOGRAD : GEMM;
    }

    /**
     * Rule calibrated with {@code ConvThroughput} (single thread, CPU time, AMD Zen 2 with AVX2, so
     * 16-tile panels; README has the table): Winograd F(4x4, 3x3) was 1.5 to 3x faster than GEMM on
     * every stride-1 3x3 shape of the model whose image has at least one full panel of 4x4 output
     * tiles, and also on narrow layers (8->8, 64->4 channels); it lost with 3 input channels (the
     * input transform is not amortized) and tied or lost below one panel of tiles (7x11 and 2x2
     * maps, where most vector lanes of the micro-kernel carry no tile).
     */
    static boolean winogradPays(int inC, int outC, long tilesPerImage) {
        return inC >= 8 && outC >= 4 && tilesPerImage >= ConvWinograd.NR;
    }
}
