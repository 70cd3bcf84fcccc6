package io.freeanchor.kernels;

/**
 * Output rows [oh0, oh1) of a window op along H (a convolution or pool: kernel {@code k}, stride,
 * dilation, top padding, input height {@code inH}), and what computes them alone: input rows
 * [ih0, ih1) and the padding that stands in for the rows outside the map, so that the op on rows
 * [ih0, ih1) with pads (padTop, padBottom) yields exactly output rows [oh0, oh1) of the whole op.
 * Used to run an op a band of rows at a time with bounded scratch.
 */
record RowBand(int oh0, int oh1, int ih0, int ih1, int padTop, int padBottom) {
    static RowBand of(int oh0, int oh1, int k, int stride, int dilation, int padTop, int inH) {
        int first = oh0 * stride - padTop; // the top tap of output row oh0
        int end = (oh1 - 1) * stride - padTop + dilation * (k - 1) + 1; // past the bottom tap of row oh1 - 1
        int ih0 = Math.clamp(first, 0, inH), ih1 = Math.clamp(end, ih0, inH);
        return new RowBand(oh0, oh1, ih0, ih1, ih0 - first, end - ih1);
    }

    int outRows() {
        return oh1 - oh0;
    }

    int inRows() {
        return ih1 - ih0;
    }

    /**
     * Output rows per band: as many as {@code budgetFloats} holds at {@code floatsPerRow}, a
     * multiple of {@code align}, at least {@code align}; {@code outH} when everything fits.
     */
    static int rowsPerBand(int outH, long floatsPerRow, long budgetFloats, int align) {
        long rows = budgetFloats / Math.max(1, floatsPerRow) / align * align;
        return (int) Math.clamp(rows, align, Math.max(align, outH));
    }
}
