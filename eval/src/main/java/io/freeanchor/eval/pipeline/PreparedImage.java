package io.freeanchor.eval.pipeline;

import io.freeanchor.eval.image.ImageDecodeException;

/**
 * One image ready for the network: its normalized CHW data at the network's input size and the
 * decoded size the detections are mapped back to. {@code chw} is null when decoding failed.
 */
record PreparedImage(int index, long imageId, String file, int originalHeight, int originalWidth, float[] chw,
                     ImageDecodeException error) {
    boolean failed() {
        return chw == null;
    }
}
