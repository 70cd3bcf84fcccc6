package io.freeanchor.eval.image;

import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * JPEG to BGR as OpenCV 4.6's {@code JpegDecoder} with libjpeg(-turbo) does for {@code IMREAD_COLOR}.
 *
 * <p>The entropy decoding, IDCT (islow) and chroma upsampling (fancy) are done by the JDK's libjpeg
 * through TwelveMonkeys' reader, read as a raw raster (no colour conversion). The colour conversion is
 * ours and follows libjpeg: the JPEG colour space is guessed from the JFIF/Adobe markers and
 * component ids exactly as libjpeg's {@code default_decompress_parms}; YCbCr and YCCK use libjpeg's
 * 16-bit fixed-point tables; CMYK/YCCK go to BGR with OpenCV's integer formula
 * {@code R = k - ((255 - c) * k >> 8)} (likewise G from m, B from y).
 *
 * <p>Stricter than libjpeg: a file that ends before its EOI marker is an error here (libjpeg warns,
 * pads the missing data and OpenCV returns the partial image).
 */
final class JpegDecoder {
    /** OpenCV's {@code CV_IO_MAX_IMAGE_WIDTH/HEIGHT}. */
    private static final int MAX_SIDE = 1 << 20;

    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        // libjpeg's build_ycc_rgb_table: SCALEBITS = 16, FIX(x) = (int) (x * 65536 + 0.5).
        final int half = 1 << 15;
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + half) >> 16;
            CB_B[i] = (fix(1.77200) * x + half) >> 16;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + half;
        }
    }

    private JpegDecoder() {}

    private static int fix(double x) {
        return (int) (x * 65536 + 0.5);
    }

    static boolean isJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF;
    }

    enum ColorSpace { GRAY, YCBCR, RGB, CMYK, YCCK }

    /** What libjpeg learns from the markers before the first scan, plus whether the file is complete. */
    record Header(int precision, int width, int height, int[] componentIds, int[] hSamp, int[] vSamp,
                  int sofMarker, boolean jfif, boolean adobe, int adobeTransform, int exifOffset, int exifLength) {
        ColorSpace colorSpace() {
            int n = componentIds.length;
            if (n == 1) {
                return ColorSpace.GRAY;
            }
            if (n == 3) {
                if (jfif) {
                    return ColorSpace.YCBCR;
                }
                if (adobe) {
                    return adobeTransform == 0 ? ColorSpace.RGB : ColorSpace.YCBCR;
                }
                int c0 = componentIds[0];
                int c1 = componentIds[1];
                int c2 = componentIds[2];
                if (c0 == 82 && c1 == 71 && c2 == 66) {
                    return ColorSpace.RGB; // 'R', 'G', 'B'
                }
                return ColorSpace.YCBCR; // ids 1, 2, 3 or anything else
            }
            if (n == 4) {
                if (adobe) {
                    return adobeTransform == 0 ? ColorSpace.CMYK : ColorSpace.YCCK;
                }
                return ColorSpace.CMYK;
            }
            return null;
        }
    }

    static BgrImage decode(byte[] bytes, String name) {
        Header h = parseHeader(bytes, name);
        ColorSpace cs = h.colorSpace();
        if (cs == null) {
            throw new ImageDecodeException(name, "JPEG with " + h.componentIds().length
                    + " components cannot be converted to colour");
        }
        Raster raster = readRaster(bytes, name);
        if (raster.getWidth() != h.width() || raster.getHeight() != h.height()
                || raster.getNumBands() != h.componentIds().length) {
            throw new ImageDecodeException(name, "JPEG decoder returned " + raster.getWidth() + "x"
                    + raster.getHeight() + "x" + raster.getNumBands() + " for a " + h.width() + "x" + h.height()
                    + "x" + h.componentIds().length + " image");
        }
        byte[] raw = components(raster);
        refineVerticalUpsampling(raw, h);
        BgrImage img = convert(raw, h.width(), h.height(), raster.getNumBands(), cs);
        if (h.exifLength() > 0) {
            img = ExifOrientation.apply(img, ExifOrientation.parse(bytes, h.exifOffset(), h.exifLength()));
        }
        return img;
    }

    // ---------------------------------------------------------------- markers

    private static ImageDecodeException corrupt(String name, String why) {
        return new ImageDecodeException(name, "corrupt JPEG: " + why);
    }

    private static ImageDecodeException truncated(String name) {
        return new ImageDecodeException(name, "truncated JPEG (the data ends before the end-of-image marker)");
    }

    /**
     * Walks the marker structure: header facts from the markers before the first SOS (what libjpeg's
     * {@code jpeg_read_header} sees), then every scan up to EOI, so that a truncated file is found.
     */
    static Header parseHeader(byte[] b, String name) {
        int n = b.length;
        int pos = 2; // after SOI
        int precision = -1;
        int width = 0;
        int height = 0;
        int[] ids = null;
        int[] hs = null;
        int[] vs = null;
        int sof = -1;
        boolean jfif = false;
        boolean adobe = false;
        int transform = 0;
        int exifOff = 0;
        int exifLen = 0;
        boolean sawApp1 = false;
        boolean inScans = false;
        while (true) {
            // libjpeg's next_marker: skip garbage up to 0xFF, then any fill 0xFF bytes.
            while (pos < n && (b[pos] & 0xFF) != 0xFF) {
                pos++;
            }
            while (pos < n && (b[pos] & 0xFF) == 0xFF) {
                pos++;
            }
            if (pos >= n) {
                throw truncated(name);
            }
            int marker = b[pos++] & 0xFF;
            if (marker == 0xD9) {
                if (!inScans) {
                    throw corrupt(name, "end-of-image marker before any image data");
                }
                break;
            }
            if (marker == 0xD8) {
                throw corrupt(name, "unexpected start-of-image marker");
            }
            if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 || marker == 0x00) {
                continue; // standalone markers (RSTn, TEM) or a stuffed byte outside a scan
            }
            if (pos + 2 > n) {
                throw truncated(name);
            }
            int len = (b[pos] & 0xFF) << 8 | (b[pos + 1] & 0xFF);
            if (len < 2) {
                throw corrupt(name, String.format("bad length %d of marker 0x%02X", len, marker));
            }
            int seg = pos + 2;          // payload start
            int segLen = len - 2;       // payload length
            if (seg + segLen > n) {
                throw truncated(name);
            }
            if (!inScans) {
                if (isSof(marker)) {
                    if (sof >= 0) {
                        throw corrupt(name, "more than one frame header");
                    }
                    if (segLen < 6) {
                        throw corrupt(name, "short frame header");
                    }
                    sof = marker;
                    precision = b[seg] & 0xFF;
                    height = (b[seg + 1] & 0xFF) << 8 | (b[seg + 2] & 0xFF);
                    width = (b[seg + 3] & 0xFF) << 8 | (b[seg + 4] & 0xFF);
                    int nc = b[seg + 5] & 0xFF;
                    if (segLen < 6 + 3 * nc || nc == 0) {
                        throw corrupt(name, "bad frame header");
                    }
                    ids = new int[nc];
                    hs = new int[nc];
                    vs = new int[nc];
                    for (int i = 0; i < nc; i++) {
                        ids[i] = b[seg + 6 + 3 * i] & 0xFF;
                        hs[i] = (b[seg + 7 + 3 * i] & 0xFF) >> 4;
                        vs[i] = b[seg + 7 + 3 * i] & 0x0F;
                        if (hs[i] < 1 || hs[i] > 4 || vs[i] < 1 || vs[i] > 4) {
                            throw corrupt(name, "bad sampling factors");
                        }
                    }
                } else if (marker == 0xE0) {
                    if (segLen >= 14 && b[seg] == 'J' && b[seg + 1] == 'F' && b[seg + 2] == 'I'
                            && b[seg + 3] == 'F' && b[seg + 4] == 0) {
                        jfif = true;
                    }
                } else if (marker == 0xEE) {
                    if (segLen >= 12 && b[seg] == 'A' && b[seg + 1] == 'd' && b[seg + 2] == 'o'
                            && b[seg + 3] == 'b' && b[seg + 4] == 'e') {
                        adobe = true;
                        transform = b[seg + 11] & 0xFF;
                    }
                } else if (marker == 0xE1) {
                    // OpenCV parses the first APP1 whatever it holds, skipping 6 bytes ("Exif\0\0").
                    if (!sawApp1) {
                        sawApp1 = true;
                        if (segLen > 6) {
                            exifOff = seg + 6;
                            exifLen = segLen - 6;
                        }
                    }
                }
            }
            pos = seg + segLen;
            if (marker == 0xDA) {
                if (sof < 0) {
                    throw corrupt(name, "scan before the frame header");
                }
                inScans = true;
                pos = skipEntropyData(b, pos);
            }
        }
        if (sof < 0) {
            throw corrupt(name, "no frame header");
        }
        if (sof == 0xC3 || sof == 0xC7 || sof == 0xCB || sof == 0xCF) {
            throw new ImageDecodeException(name, "lossless JPEG is not supported (OpenCV 4.6 cannot read it either)");
        }
        if (sof >= 0xC9) {
            throw new ImageDecodeException(name, "arithmetic-coded JPEG is not supported");
        }
        if (precision != 8) {
            throw new ImageDecodeException(name, precision + "-bit JPEG is not supported (OpenCV reads 8-bit only)");
        }
        if (width == 0 || height == 0) {
            throw corrupt(name, "empty image " + width + "x" + height);
        }
        if (width > MAX_SIDE || height > MAX_SIDE || (long) width * height > BgrImage.MAX_PIXELS) {
            throw new ImageDecodeException(name, "image " + width + "x" + height + " is too large");
        }
        return new Header(precision, width, height, ids, hs, vs, sof, jfif, adobe, transform, exifOff, exifLen);
    }

    private static boolean isSof(int m) {
        return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    }

    /** Skips entropy-coded data; returns the index of the 0xFF that starts the next real marker. */
    private static int skipEntropyData(byte[] b, int pos) {
        int n = b.length;
        while (pos < n) {
            if ((b[pos] & 0xFF) != 0xFF) {
                pos++;
                continue;
            }
            int q = pos + 1;
            while (q < n && (b[q] & 0xFF) == 0xFF) {
                q++;
            }
            if (q >= n) {
                return n;
            }
            int m = b[q] & 0xFF;
            if (m == 0x00 || (m >= 0xD0 && m <= 0xD7)) {
                pos = q + 1; // stuffed zero or restart marker: still in the scan
                continue;
            }
            return q - 1;
        }
        return n;
    }

    // ---------------------------------------------------------------- pixels

    private static ImageReader newReader() {
        ImageReader fallback = null;
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
            ImageReader r = it.next();
            if (r.getClass().getName().startsWith("com.twelvemonkeys.")) {
                if (fallback != null) {
                    fallback.dispose();
                }
                return r;
            }
            if (fallback == null) {
                fallback = r;
            } else {
                r.dispose();
            }
        }
        if (fallback != null) {
            return fallback;
        }
        throw new IllegalStateException("no JPEG ImageReader available");
    }

    private static Raster readRaster(byte[] bytes, String name) {
        ImageReader reader = newReader();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            return reader.readRaster(0, null);
        } catch (IOException | RuntimeException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ImageDecodeException(name, "cannot decode JPEG: " + msg, e);
        } finally {
            reader.dispose();
        }
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** The raster's samples as interleaved bytes, {@code numBands} per pixel, rows top to bottom. */
    private static byte[] components(Raster r) {
        int w = r.getWidth();
        int h = r.getHeight();
        int nb = r.getNumBands();
        byte[] out = new byte[w * h * nb];
        DataBuffer db = r.getDataBuffer();
        if (db instanceof DataBufferByte dbb && dbb.getNumBanks() == 1
                && r.getSampleModel() instanceof ComponentSampleModel sm) {
            boolean oneBank = true;
            for (int c = 0; c < nb; c++) {
                oneBank &= sm.getBankIndices()[c] == 0;
            }
            if (oneBank) {
                byte[] src = dbb.getData();
                int ps = sm.getPixelStride();
                int ss = sm.getScanlineStride();
                int[] bo = sm.getBandOffsets();
                int base = dbb.getOffset() - r.getSampleModelTranslateY() * ss - r.getSampleModelTranslateX() * ps;
                boolean packed = ps == nb;
                for (int c = 0; c < nb && packed; c++) {
                    packed = bo[c] == c;
                }
                int o = 0;
                for (int y = 0; y < h; y++) {
                    int p = base + y * ss;
                    if (packed) {
                        System.arraycopy(src, p, out, o, w * nb);
                        o += w * nb;
                        continue;
                    }
                    for (int x = 0; x < w; x++, p += ps) {
                        for (int c = 0; c < nb; c++) {
                            out[o++] = src[p + bo[c]];
                        }
                    }
                }
                return out;
            }
        }
        int[] row = new int[w * nb];
        int o = 0;
        for (int y = 0; y < h; y++) {
            r.getPixels(r.getMinX(), r.getMinY() + y, w, 1, row);
            for (int v : row) {
                out[o++] = (byte) v;
            }
        }
        return out;
    }

    /**
     * libjpeg-turbo upsamples a component sampled 1:1 horizontally and 2:1 vertically relative to the
     * frame (4:4:0 chroma) with a triangle filter ("fancy", {@code h1v2_fancy_upsample}); the JDK's
     * libjpeg 6b only replicates rows. The replicated rows give back the component's own rows, which we
     * upsample as libjpeg-turbo does: row 2k = (3 c[k] + c[k-1] + 1) >> 2, row 2k+1 = (3 c[k] + c[k+1] + 2) >> 2,
     * neighbours clamped to the component's first and last rows. Other sampling ratios already agree.
     * Skipped when the rows are not pairwise equal, i.e. the decoder did not replicate them.
     */
    private static void refineVerticalUpsampling(byte[] raw, Header hdr) {
        int nb = hdr.componentIds().length;
        int hmax = 0;
        int vmax = 0;
        for (int c = 0; c < nb; c++) {
            hmax = Math.max(hmax, hdr.hSamp()[c]);
            vmax = Math.max(vmax, hdr.vSamp()[c]);
        }
        int w = hdr.width();
        int h = hdr.height();
        for (int c = 0; c < nb; c++) {
            if (hdr.hSamp()[c] != hmax || 2 * hdr.vSamp()[c] != vmax) {
                continue;
            }
            if (!rowsReplicated(raw, w, h, nb, c)) {
                continue; // the decoder already upsampled smoothly (e.g. a JDK built on libjpeg-turbo)
            }
            int rows = (h + 1) / 2;
            int[] plane = new int[rows * w];
            for (int k = 0; k < rows; k++) {
                int p = (2 * k) * w * nb + c;
                for (int x = 0; x < w; x++, p += nb) {
                    plane[k * w + x] = raw[p] & 0xFF;
                }
            }
            for (int y = 0; y < h; y++) {
                int k = y >> 1;
                int other = (y & 1) == 0 ? Math.max(k - 1, 0) : Math.min(k + 1, rows - 1);
                int bias = (y & 1) == 0 ? 1 : 2;
                int p = y * w * nb + c;
                for (int x = 0; x < w; x++, p += nb) {
                    raw[p] = (byte) ((3 * plane[k * w + x] + plane[other * w + x] + bias) >> 2);
                }
            }
        }
    }

    /** Whether rows 2k and 2k+1 of component {@code c} are equal everywhere (row replication). */
    private static boolean rowsReplicated(byte[] raw, int w, int h, int nb, int c) {
        for (int y = 0; y + 1 < h; y += 2) {
            int p = y * w * nb + c;
            int q = p + w * nb;
            for (int x = 0; x < w; x++, p += nb, q += nb) {
                if (raw[p] != raw[q]) {
                    return false;
                }
            }
        }
        return true;
    }

    private static BgrImage convert(byte[] raw, int w, int h, int nb, ColorSpace cs) {
        byte[] out = new byte[w * h * 3];
        int n = w * h;
        if (cs == ColorSpace.GRAY) {
            for (int i = 0, o = 0; i < n; i++, o += 3) {
                byte g = raw[i * nb];
                out[o] = g;
                out[o + 1] = g;
                out[o + 2] = g;
            }
        } else {
            for (int i = 0, p = 0, o = 0; i < n; i++, p += nb, o += 3) {
                store(out, o, cs, raw[p] & 0xFF, raw[p + 1] & 0xFF, raw[p + 2] & 0xFF, nb > 3 ? raw[p + 3] & 0xFF : 0);
            }
        }
        return new BgrImage(w, h, out);
    }

    /** OpenCV's CMYK formula for one pixel of stored (Adobe-inverted) values: {B, G, R}. */
    static byte[] cmykToBgr(int c, int m, int y, int k) {
        byte[] out = new byte[3];
        store(out, 0, ColorSpace.CMYK, c, m, y, k);
        return out;
    }

    /** Converts one pixel's raw components to B, G, R at {@code out[o..o+2]}. */
    private static void store(byte[] out, int o, ColorSpace cs, int c0, int c1, int c2, int c3) {
        int r;
        int g;
        int b;
        switch (cs) {
            case RGB -> {
                r = c0;
                g = c1;
                b = c2;
            }
            case YCBCR -> {
                r = clamp(c0 + CR_R[c2]);
                g = clamp(c0 + ((CB_G[c1] + CR_G[c2]) >> 16));
                b = clamp(c0 + CB_B[c1]);
            }
            case CMYK, YCCK -> {
                int c = c0;
                int m = c1;
                int yy = c2;
                if (cs == ColorSpace.YCCK) {
                    // libjpeg's ycck_cmyk_convert: YCC -> RGB, then inverted to CMY; K passes through.
                    c = 255 - clamp(c0 + CR_R[c2]);
                    m = 255 - clamp(c0 + ((CB_G[c1] + CR_G[c2]) >> 16));
                    yy = 255 - clamp(c0 + CB_B[c1]);
                }
                int k = c3;
                // OpenCV's icvCvt_CMYK2BGR_8u_C4C3R.
                r = k - ((255 - c) * k >> 8);
                g = k - ((255 - m) * k >> 8);
                b = k - ((255 - yy) * k >> 8);
            }
            default -> throw new IllegalStateException(cs.toString());
        }
        out[o] = (byte) b;
        out[o + 1] = (byte) g;
        out[o + 2] = (byte) r;
    }
}
