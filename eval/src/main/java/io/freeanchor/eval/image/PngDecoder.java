package io.freeanchor.eval.image;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * PNG to BGR as OpenCV 4.6's {@code PngDecoder} with libpng 1.6 does for {@code IMREAD_COLOR}: alpha
 * stripped without compositing (also a tRNS chunk), 16-bit samples reduced to their high byte
 * ({@code png_set_strip_16}), grey of 1, 2 or 4 bits scaled to 8 bits by bit replication, palette
 * expanded (an index beyond the palette gives black, like libpng's zero-filled 256-entry palette),
 * grey replicated to three channels, the first valid eXIf chunk (before or after the image data)
 * giving the orientation. No gamma or colour-profile handling (OpenCV does none).
 *
 * <p>Errors as libpng treats them: a bad CRC on a critical chunk, a missing IEND (truncated file),
 * missing or short image data, a corrupt zlib stream or a bad filter type. A bad CRC on an ancillary
 * chunk only drops that chunk.
 */
final class PngDecoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    /** libpng's default user limit on width and height. */
    private static final int MAX_SIDE = 1_000_000;

    private PngDecoder() {}

    static boolean isPng(byte[] b) {
        if (b.length < SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (b[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    private static int u32(byte[] b, int p) {
        return (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
    }

    private static ImageDecodeException corrupt(String name, String why) {
        return new ImageDecodeException(name, "corrupt PNG: " + why);
    }

    static BgrImage decode(byte[] b, String name) {
        int n = b.length;
        int pos = SIGNATURE.length;
        int width = 0;
        int height = 0;
        int depth = 0;
        int colorType = -1;
        int interlace = 0;
        byte[] palette = null; // RGB triplets
        int exifOff = -1;
        int exifLen = 0;
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        boolean idatDone = false;
        boolean sawIdat = false;
        boolean first = true;
        CRC32 crc = new CRC32();
        while (true) {
            if (pos + 8 > n) {
                throw new ImageDecodeException(name, "truncated PNG (the data ends before the IEND chunk)");
            }
            long len = u32(b, pos) & 0xFFFFFFFFL;
            if (len > 0x7FFFFFFFL) {
                throw corrupt(name, "chunk length " + len + " out of range");
            }
            int typePos = pos + 4;
            int data = pos + 8;
            if (data + len + 4 > n) {
                throw new ImageDecodeException(name, "truncated PNG (the data ends before the IEND chunk)");
            }
            String type = new String(b, typePos, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            int dlen = (int) len;
            if (sawIdat && !type.equals("IDAT")) {
                idatDone = true;
            }
            crc.reset();
            crc.update(b, typePos, 4 + dlen);
            boolean crcOk = (int) crc.getValue() == u32(b, data + dlen);
            boolean critical = (b[typePos] & 0x20) == 0;
            pos = data + dlen + 4;
            if (!crcOk) {
                if (critical) {
                    throw corrupt(name, "CRC error in chunk " + type);
                }
                continue; // libpng warns and drops an ancillary chunk with a bad CRC
            }
            if (first) {
                if (!type.equals("IHDR") || dlen != 13) {
                    throw corrupt(name, "the first chunk is not a valid IHDR");
                }
                first = false;
                width = u32(b, data);
                height = u32(b, data + 4);
                depth = b[data + 8] & 0xFF;
                colorType = b[data + 9] & 0xFF;
                int compression = b[data + 10] & 0xFF;
                int filter = b[data + 11] & 0xFF;
                interlace = b[data + 12] & 0xFF;
                if (width <= 0 || height <= 0) {
                    throw corrupt(name, "bad image size " + Integer.toUnsignedString(width) + "x"
                            + Integer.toUnsignedString(height));
                }
                if (width > MAX_SIDE || height > MAX_SIDE || (long) width * height > BgrImage.MAX_PIXELS) {
                    throw new ImageDecodeException(name, "image " + width + "x" + height + " is too large");
                }
                boolean okDepth = switch (colorType) {
                    case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
                    case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
                    case 2, 4, 6 -> depth == 8 || depth == 16;
                    default -> false;
                };
                if (!okDepth || compression != 0 || filter != 0 || interlace > 1) {
                    throw corrupt(name, "invalid IHDR (colour type " + colorType + ", bit depth " + depth
                            + ", compression " + compression + ", filter " + filter + ", interlace " + interlace + ")");
                }
                continue;
            }
            switch (type) {
                case "IHDR" -> throw corrupt(name, "duplicate IHDR");
                case "PLTE" -> {
                    if (sawIdat) {
                        continue;
                    }
                    if (dlen % 3 != 0 || dlen == 0 || dlen > 256 * 3) {
                        if (colorType == 3) {
                            throw corrupt(name, "invalid palette");
                        }
                        continue;
                    }
                    if (palette == null) {
                        palette = new byte[256 * 3]; // zero-filled beyond the given entries, like libpng
                        System.arraycopy(b, data, palette, 0, dlen);
                    }
                }
                case "IDAT" -> {
                    if (idatDone) {
                        continue; // libpng: "Too many IDATs found" (benign), ignored
                    }
                    if (colorType == 3 && palette == null) {
                        throw corrupt(name, "missing PLTE before IDAT");
                    }
                    sawIdat = true;
                    idat.write(b, data, dlen);
                }
                case "eXIf" -> {
                    if (exifOff < 0 && dlen >= 2 && (b[data] == 'M' || b[data] == 'I') && b[data + 1] == b[data]) {
                        exifOff = data;
                        exifLen = dlen;
                    }
                }
                case "IEND" -> {
                    if (!sawIdat) {
                        throw corrupt(name, "no image data");
                    }
                    BgrImage img = pixels(idat.toByteArray(), width, height, depth, colorType, interlace, palette, name);
                    if (exifOff >= 0) {
                        img = ExifOrientation.apply(img, ExifOrientation.parse(b, exifOff, exifLen));
                    }
                    return img;
                }
                default -> {
                    if (critical) {
                        throw corrupt(name, "unknown critical chunk " + type);
                    }
                }
            }
        }
    }

    /** Channels per pixel in the stored data. */
    private static int channels(int colorType) {
        return switch (colorType) {
            case 0, 3 -> 1;
            case 4 -> 2;
            case 2 -> 3;
            case 6 -> 4;
            default -> throw new IllegalArgumentException();
        };
    }

    private static final int[][] ADAM7 = {
        // x0, y0, dx, dy
        {0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2},
    };

    private static BgrImage pixels(byte[] z, int w, int h, int depth, int colorType, int interlace,
                                   byte[] palette, String name) {
        int ch = channels(colorType);
        int bitsPerPixel = ch * depth;
        int bpp = Math.max(1, bitsPerPixel / 8); // filter byte distance
        long needed = 0;
        int[][] passes = interlace == 1 ? ADAM7 : new int[][] {{0, 0, 1, 1}};
        for (int[] p : passes) {
            long pw = (w - p[0] + p[2] - 1L) / p[2];
            long ph = (h - p[1] + p[3] - 1L) / p[3];
            if (pw > 0 && ph > 0) {
                needed += ph * (1 + (pw * bitsPerPixel + 7) / 8);
            }
        }
        if (needed > Integer.MAX_VALUE - 8) {
            throw new ImageDecodeException(name, "image " + w + "x" + h + " is too large");
        }
        byte[] raw = new byte[(int) needed];
        Inflater inf = new Inflater();
        try {
            inf.setInput(z);
            int got = 0;
            while (got < raw.length) {
                int k = inf.inflate(raw, got, raw.length - got);
                got += k;
                if (k == 0) {
                    if (inf.finished() || inf.needsInput()) {
                        throw corrupt(name, "not enough image data");
                    }
                    if (inf.needsDictionary()) {
                        throw corrupt(name, "zlib stream needs a preset dictionary");
                    }
                }
            }
        } catch (DataFormatException e) {
            throw corrupt(name, "zlib error: " + e.getMessage());
        } finally {
            inf.end();
        }

        byte[] out = new byte[w * h * 3];
        int pos = 0;
        for (int[] p : passes) {
            int pw = (int) ((w - p[0] + p[2] - 1L) / p[2]);
            int ph = (int) ((h - p[1] + p[3] - 1L) / p[3]);
            if (pw <= 0 || ph <= 0) {
                continue;
            }
            int rowBytes = (int) (((long) pw * bitsPerPixel + 7) / 8);
            byte[] prev = new byte[rowBytes];
            byte[] cur = new byte[rowBytes];
            for (int r = 0; r < ph; r++) {
                int filter = raw[pos++] & 0xFF;
                System.arraycopy(raw, pos, cur, 0, rowBytes);
                pos += rowBytes;
                unfilter(filter, cur, prev, bpp, name);
                emitRow(cur, pw, p[1] + r * p[3], p[0], p[2], w, depth, colorType, palette, out);
                byte[] t = prev;
                prev = cur;
                cur = t;
            }
        }
        return new BgrImage(w, h, out);
    }

    private static void unfilter(int filter, byte[] cur, byte[] prev, int bpp, String name) {
        int n = cur.length;
        switch (filter) {
            case 0 -> { }
            case 1 -> {
                for (int i = bpp; i < n; i++) {
                    cur[i] += cur[i - bpp];
                }
            }
            case 2 -> {
                for (int i = 0; i < n; i++) {
                    cur[i] += prev[i];
                }
            }
            case 3 -> {
                for (int i = 0; i < n; i++) {
                    int left = i >= bpp ? cur[i - bpp] & 0xFF : 0;
                    cur[i] += (byte) ((left + (prev[i] & 0xFF)) >>> 1);
                }
            }
            case 4 -> {
                for (int i = 0; i < n; i++) {
                    int a = i >= bpp ? cur[i - bpp] & 0xFF : 0;
                    int bb = prev[i] & 0xFF;
                    int c = i >= bpp ? prev[i - bpp] & 0xFF : 0;
                    int pa = Math.abs(bb - c);
                    int pb = Math.abs(a - c);
                    int pc = Math.abs(a + bb - 2 * c);
                    int pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? bb : c);
                    cur[i] += (byte) pred;
                }
            }
            default -> throw corrupt(name, "bad filter type " + filter);
        }
    }

    /** Writes one decoded row of a pass into the BGR output. */
    private static void emitRow(byte[] row, int pw, int y, int x0, int dx, int w, int depth, int colorType,
                                byte[] palette, byte[] out) {
        int base = y * w * 3;
        int ch = channels(colorType);
        for (int i = 0; i < pw; i++) {
            int o = base + (x0 + i * dx) * 3;
            int r;
            int g;
            int b;
            if (depth < 8) {
                int bit = i * depth;
                int v = (row[bit >>> 3] >>> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
                if (colorType == 3) {
                    r = palette[v * 3] & 0xFF;
                    g = palette[v * 3 + 1] & 0xFF;
                    b = palette[v * 3 + 2] & 0xFF;
                } else {
                    int s = v * 255 / ((1 << depth) - 1);
                    r = s;
                    g = s;
                    b = s;
                }
            } else {
                int stride = depth / 8; // 1 or 2; for 16 bits the high byte comes first
                int p = i * ch * stride;
                switch (colorType) {
                    case 3 -> {
                        int v = row[p] & 0xFF;
                        r = palette[v * 3] & 0xFF;
                        g = palette[v * 3 + 1] & 0xFF;
                        b = palette[v * 3 + 2] & 0xFF;
                    }
                    case 0, 4 -> {
                        int s = row[p] & 0xFF;
                        r = s;
                        g = s;
                        b = s;
                    }
                    default -> { // 2, 6
                        r = row[p] & 0xFF;
                        g = row[p + stride] & 0xFF;
                        b = row[p + 2 * stride] & 0xFF;
                    }
                }
            }
            out[o] = (byte) b;
            out[o + 1] = (byte) g;
            out[o + 2] = (byte) r;
        }
    }
}
