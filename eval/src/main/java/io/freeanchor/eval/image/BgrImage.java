package io.freeanchor.eval.image;

/**
 * An 8-bit, 3-channel image in OpenCV's layout: rows top to bottom, pixels left to right, channels
 * B, G, R interleaved (HWC). {@code data[(y * width + x) * 3 + c]} is channel c (0 = blue) of pixel
 * (x, y), read as unsigned.
 *
 * <p>The array is shared, not copied: whoever holds the image may write into it.
 */
public final class BgrImage {
    /** The largest pixel count whose HWC byte array still fits a Java array. */
    public static final long MAX_PIXELS = (Integer.MAX_VALUE - 8) / 3;

    private final int width;
    private final int height;
    private final byte[] data;

    /** Wraps {@code data} (length {@code width * height * 3}) without copying. */
    public BgrImage(int width, int height, byte[] data) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height > MAX_PIXELS) {
            throw new IllegalArgumentException("image " + width + "x" + height + " is too large");
        }
        if (data.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + width * height * 3 + " bytes for a " + width + "x"
                    + height + " BGR image, got " + data.length);
        }
        this.width = width;
        this.height = height;
        this.data = data;
    }

    /** A zero-filled image. */
    public static BgrImage zeros(int width, int height) {
        if (width <= 0 || height <= 0 || (long) width * height > MAX_PIXELS) {
            throw new IllegalArgumentException("bad image size " + width + "x" + height);
        }
        return new BgrImage(width, height, new byte[width * height * 3]);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The HWC BGR bytes (not a copy). */
    public byte[] data() {
        return data;
    }

    /** Channel {@code c} (0 = B, 1 = G, 2 = R) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return data[(y * width + x) * 3 + c] & 0xFF;
    }

    @Override
    public String toString() {
        return "BgrImage[" + width + "x" + height + "]";
    }
}
