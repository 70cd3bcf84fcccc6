package io.freeanchor.eval.image;

/**
 * The EXIF Orientation tag (0x0112) as OpenCV 4.6's {@code ExifReader} finds it, and the transform
 * {@code imdecode} applies for it.
 *
 * <p>OpenCV's reader looks only at IFD0 of the TIFF structure, reads the tag's value as an unsigned
 * 16-bit number at the entry's value field whatever the declared type, keeps the first occurrence of
 * a tag, and stops at the first entry it cannot read: the entries before it stay valid. Besides
 * Orientation it also dereferences the values of a few other IFD0 tags (strings and rationals); an
 * out-of-range offset there ends the parse the same way, which we reproduce. A byte order mark other
 * than {@code II} is read as big-endian, as OpenCV does.
 */
final class ExifOrientation {
    static final int NONE = 0;

    private static final int TAG_ORIENTATION = 0x0112;

    private ExifOrientation() {}

    /**
     * The Orientation value in a TIFF-structured EXIF block ({@code data[off .. off+len)}, starting with
     * the byte order mark), or {@link #NONE} when there is none or the block cannot be parsed up to it.
     */
    static int parse(byte[] data, int off, int len) {
        Reader r = new Reader(data, off, len);
        try {
            if (len < 1) {
                return NONE;
            }
            r.littleEndian = data[off] == 'I' && (len < 2 || data[off + 1] == 'I');
            if (r.u16(2) != 0x2A) {
                return NONE;
            }
            long ifd = r.u32(4);
            int count = r.u16(ifd);
            long entry = ifd + 2;
            for (int i = 0; i < count; i++, entry += 12) {
                int tag = r.u16(entry);
                switch (tag) {
                    case TAG_ORIENTATION -> {
                        return r.u16(entry + 8);
                    }
                    // Tags OpenCV dereferences: strings (count at +4, data inline when <= 4 bytes).
                    case 0x010E, 0x010F, 0x0110, 0x0131, 0x0132, 0x8298 -> {
                        long size = r.u32(entry + 4);
                        long dataOffset = size > 4 ? r.u32(entry + 8) : 8;
                        if (dataOffset > len || dataOffset + size > len) {
                            return NONE;
                        }
                    }
                    // Rational tags: number of unsigned rationals OpenCV reads at the offset.
                    case 0x011A, 0x011B -> r.rationals(r.u32(entry + 8), 1);
                    case 0x013E -> r.rationals(r.u32(entry + 8), 2);
                    case 0x013F, 0x0214 -> r.rationals(r.u32(entry + 8), 6);
                    case 0x0211 -> r.rationals(r.u32(entry + 8), 3);
                    // Short tags read at the value field.
                    case 0x0128, 0x0213 -> r.u16(entry + 8);
                    default -> { }
                }
            }
            return NONE;
        } catch (OutOfRange e) {
            return NONE;
        }
    }

    /** Applies orientation {@code o} (1..8; anything else leaves the image as it is). */
    static BgrImage apply(BgrImage img, int o) {
        if (o < 2 || o > 8) {
            return img;
        }
        int w = img.width();
        int h = img.height();
        boolean transpose = o >= 5;
        int ow = transpose ? h : w;
        int oh = transpose ? w : h;
        // After the optional transpose: flip columns (mirror left-right) and/or rows (upside down).
        boolean flipX = o == 2 || o == 3 || o == 6 || o == 7;
        boolean flipY = o == 3 || o == 4 || o == 7 || o == 8;
        byte[] src = img.data();
        byte[] dst = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            int ty = flipY ? oh - 1 - y : y;
            int d = y * ow * 3;
            for (int x = 0; x < ow; x++, d += 3) {
                int tx = flipX ? ow - 1 - x : x;
                // (tx, ty) in the transposed-or-not frame; source pixel:
                int sx = transpose ? ty : tx;
                int sy = transpose ? tx : ty;
                int s = (sy * w + sx) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return new BgrImage(ow, oh, dst);
    }

    private static final class OutOfRange extends Exception {
        OutOfRange() {
            super(null, null, false, false);
        }
    }

    private static final class Reader {
        final byte[] data;
        final int off;
        final int len;
        boolean littleEndian;

        Reader(byte[] data, int off, int len) {
            this.data = data;
            this.off = off;
            this.len = len;
        }

        int u16(long at) throws OutOfRange {
            if (at < 0 || at + 1 >= len) {
                throw new OutOfRange();
            }
            int a = data[off + (int) at] & 0xFF;
            int b = data[off + (int) at + 1] & 0xFF;
            return littleEndian ? a | b << 8 : a << 8 | b;
        }

        long u32(long at) throws OutOfRange {
            if (at < 0 || at + 3 >= len) {
                throw new OutOfRange();
            }
            int p = off + (int) at;
            long a = data[p] & 0xFF;
            long b = data[p + 1] & 0xFF;
            long c = data[p + 2] & 0xFF;
            long d = data[p + 3] & 0xFF;
            return littleEndian ? a | b << 8 | c << 16 | d << 24 : a << 24 | b << 16 | c << 8 | d;
        }

        void rationals(long at, int n) throws OutOfRange {
            for (int i = 0; i < n; i++) {
                u32(at + 8L * i);
                u32(at + 8L * i + 4);
            }
        }
    }
}
