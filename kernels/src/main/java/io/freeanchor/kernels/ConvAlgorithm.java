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
     * The algorithm for a layer. Winograd wherever it applies and has enough channels to amortize
     * its transforms; see {@link #winogradPays} for the calibration.
     */
    static ConvAlgorithm choose(Conv2dParams p, int[] xShape, int[] wShape) {
        if (WINOGRAD_ENABLED && WINOGRAD.supports(p, wShape) && winogradPays(xShape[1], wShape[0])) {
            return WINOGRAD;
        }
        return GEMM;
    }

    /** Calibrated by ConvThroughput on the model's shapes (see README). */
    static boolean winogradPays(int inC, int outC) {
        return inC >= 16 && outC >= 16;
    }
}
