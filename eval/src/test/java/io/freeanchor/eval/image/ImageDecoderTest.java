package io.freeanchor.eval.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.freeanchor.eval.image.OpenCvReference.Diff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageDecoder} against cv2.imdecode(bytes, cv2.IMREAD_COLOR) of OpenCV 4.6. */
class ImageDecoderTest {
    @TempDir
    static Path tmp;

    private static JsonNode manifest;
    private static final List<String> SUMMARY = new ArrayList<>();

    @BeforeAll
    static void generateReferences() {
        Path inputs = tmp.resolve("java-written");
        JpegVariants.writeAll(inputs);
        manifest = OpenCvReference.generate(tmp, "decode", inputs);
    }

    @AfterAll
    static void printSummary() {
        System.out.println("ImageDecoder vs cv2.imdecode IMREAD_COLOR (OpenCV " + manifest.get("cv2_version").asText() + "):");
        SUMMARY.forEach(s -> System.out.println("  " + s));
    }

    private static Path file(String name) {
        for (JsonNode e : manifest.get("images")) {
            if (e.get("name").asText().equals(name)) {
                return Path.of(e.get("file").asText());
            }
        }
        throw new AssertionError("no reference image " + name);
    }

    /**
     * Every variant: PNG is lossless, so exact by definition of a correct decoder; for JPEG the
     * entropy decoding, islow IDCT and fancy upsampling of the JDK's libjpeg 6b agree bit for bit with
     * OpenCV's libjpeg-turbo 2.1 (measured: 0 differing values on every variant, 4:4:0 included after
     * we redo its vertical upsampling), so the bound asserted is 0 for both.
     */
    @TestFactory
    Stream<DynamicTest> matchesOpenCv() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode e : manifest.get("images")) {
            String name = e.get("name").asText();
            String kind = e.get("kind").asText();
            tests.add(DynamicTest.dynamicTest(name + " (" + kind + ")", () -> {
                Path f = Path.of(e.get("file").asText());
                assertTrue(e.get("decodes").asBoolean(), "OpenCV cannot decode " + name);
                BgrImage ours = ImageDecoder.decode(f);
                NpyFile ref = NpyFile.read(Path.of(e.get("npy").asText()));
                assertArrayEquals(ref.shape(), new int[] {ours.height(), ours.width(), 3}, name + " shape");
                Diff d = Diff.of(ours.data(), ref.u8());
                synchronized (SUMMARY) {
                    SUMMARY.add(String.format("%-32s %-58s %s", name, kind, d));
                }
                assertEquals(0, d.differing(), name + ": " + d);
            }));
        }
        return tests.stream();
    }

    @Test
    void javaWrittenVariantsHaveTheIntendedStructure() throws IOException {
        JpegDecoder.Header h = header("s440.jpg");
        assertArrayEquals(new int[] {1, 1, 1}, h.hSamp());
        assertArrayEquals(new int[] {2, 1, 1}, h.vSamp());
        assertTrue(h.jfif());
        h = header("s440_odd_517x333.jpg");
        assertArrayEquals(new int[] {2, 1, 1}, h.vSamp());
        assertEquals(333, h.height());
        h = header("s411.jpg");
        assertArrayEquals(new int[] {4, 1, 1}, h.hSamp());
        h = header("s22_21_21_odd.jpg");
        assertArrayEquals(new int[] {2, 2, 2}, h.hSamp());
        assertArrayEquals(new int[] {2, 1, 1}, h.vSamp());
        h = header("s444_ids012_nojfif.jpg");
        assertArrayEquals(new int[] {0, 1, 2}, h.componentIds());
        assertFalse(h.jfif() || h.adobe());
        assertEquals(JpegDecoder.ColorSpace.YCBCR, h.colorSpace());
        h = header("s444_idsRGB_nojfif.jpg");
        assertEquals(JpegDecoder.ColorSpace.RGB, h.colorSpace());
        h = header("raw3_nomarkers.jpg");
        assertFalse(h.jfif() || h.adobe());
        assertEquals(JpegDecoder.ColorSpace.YCBCR, h.colorSpace());
        assertEquals(JpegDecoder.ColorSpace.RGB, header("raw3_adobe_rgb.jpg").colorSpace());
        h = header("cmyk_nomarkers.jpg");
        assertFalse(h.adobe());
        assertEquals(JpegDecoder.ColorSpace.CMYK, h.colorSpace());
        assertEquals(JpegDecoder.ColorSpace.CMYK, header("cmyk_adobe0.jpg").colorSpace());
        assertEquals(JpegDecoder.ColorSpace.CMYK, header("cmyk.jpg").colorSpace());
        assertEquals(JpegDecoder.ColorSpace.YCCK, header("ycck_adobe2.jpg").colorSpace());
        assertEquals(JpegDecoder.ColorSpace.GRAY, header("gray.jpg").colorSpace());
        assertEquals(0xC2, header("q75_420_progressive.jpg").sofMarker());
        byte[] restart = Files.readAllBytes(file("s420_restart.jpg"));
        boolean dri = false;
        for (int i = 0; i + 1 < restart.length && !dri; i++) {
            dri = (restart[i] & 0xFF) == 0xFF && (restart[i + 1] & 0xFF) == 0xDD;
        }
        assertTrue(dri, "no DRI marker");
    }

    private static JpegDecoder.Header header(String name) throws IOException {
        return JpegDecoder.parseHeader(Files.readAllBytes(file(name)), name);
    }

    @Test
    void exifOrientation6TurnsA600x400JpegUpright() {
        BgrImage img = ImageDecoder.decode(file("exif_orientation_6.jpg"));
        assertEquals(400, img.width());
        assertEquals(600, img.height());
        // Orientation 6 = rotate 90 degrees clockwise: stored top-left ends up top-right.
        BgrImage plain = ImageDecoder.decode(file("exif_orientation_1.jpg"));
        assertEquals(600, plain.width());
        assertEquals(400, plain.height());
        for (int c = 0; c < 3; c++) {
            assertEquals(plain.get(0, 0, c), img.get(399, 0, c));
            assertEquals(plain.get(599, 0, c), img.get(399, 599, c));
            assertEquals(plain.get(0, 399, c), img.get(0, 0, c));
        }
    }

    @Test
    void allEightOrientationsAreTheExifTransforms() {
        BgrImage p = ImageDecoder.decode(file("exif_orientation_1.jpg"));
        int w = p.width();
        int h = p.height();
        for (int o = 1; o <= 8; o++) {
            BgrImage img = ImageDecoder.decode(file("exif_orientation_" + o + ".jpg"));
            boolean swap = o >= 5;
            assertEquals(swap ? h : w, img.width(), "orientation " + o);
            assertEquals(swap ? w : h, img.height(), "orientation " + o);
            for (int y = 0; y < img.height(); y += 7) {
                for (int x = 0; x < img.width(); x += 5) {
                    // Where the displayed pixel (x, y) is stored, per the EXIF definition of each value.
                    int[] s = switch (o) {
                        case 1 -> new int[] {x, y};
                        case 2 -> new int[] {w - 1 - x, y};
                        case 3 -> new int[] {w - 1 - x, h - 1 - y};
                        case 4 -> new int[] {x, h - 1 - y};
                        case 5 -> new int[] {y, x};
                        case 6 -> new int[] {y, h - 1 - x};
                        case 7 -> new int[] {w - 1 - y, h - 1 - x};
                        default -> new int[] {w - 1 - y, x};
                    };
                    assertEquals(p.get(s[0], s[1], 1), img.get(x, y, 1), "orientation " + o + " at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void orientationQuirksOfOpenCv() {
        // Only the first APP1 is parsed: an XMP packet before the EXIF hides the orientation.
        BgrImage xmp = ImageDecoder.decode(file("exif_after_xmp.jpg"));
        assertEquals(600, xmp.width());
        // Values outside 1..8 are ignored.
        assertEquals(600, ImageDecoder.decode(file("exif_orientation_9.jpg")).width());
        // PNG eXIf counts before and after the image data.
        assertEquals(400, ImageDecoder.decode(file("exif6_before_idat.png")).width());
        assertEquals(600, ImageDecoder.decode(file("exif3_after_idat.png")).width());
    }

    @Test
    void exifParserReadsBothByteOrdersAndStopsLikeOpenCv() {
        byte[] be = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0};
        assertEquals(6, ExifOrientation.parse(be, 0, be.length));
        byte[] le = {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(3, ExifOrientation.parse(le, 0, le.length));
        // Not a TIFF header.
        byte[] bad = {'M', 'M', 0, 43, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0};
        assertEquals(ExifOrientation.NONE, ExifOrientation.parse(bad, 0, bad.length));
        // A Make string pointing outside the block ends the parse before Orientation (OpenCV throws there).
        byte[] make = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 2,
            0x01, 0x0F, 0, 2, 0, 0, 0, 20, 0, 0, 0x7F, 0,
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0};
        assertEquals(ExifOrientation.NONE, ExifOrientation.parse(make, 0, make.length));
        // Orientation before the broken entry survives.
        byte[] first = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 2,
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 8, 0, 0,
            0x01, 0x0F, 0, 2, 0, 0, 0, 20, 0, 0, 0x7F, 0};
        assertEquals(8, ExifOrientation.parse(first, 0, first.length));
        // Truncated inside the entry table.
        assertEquals(ExifOrientation.NONE, ExifOrientation.parse(be, 0, 15));
    }

    @Test
    void cmykFormulaIsOpenCvs() {
        // icvCvt_CMYK2BGR_8u_C4C3R on the stored (Adobe-inverted) values: R = k - ((255 - c) * k >> 8).
        int[][] cases = {{255, 255, 255, 255}, {0, 0, 0, 255}, {0, 0, 0, 0}, {128, 64, 200, 255},
            {10, 250, 128, 100}, {255, 0, 77, 1}, {200, 200, 200, 254}};
        for (int[] v : cases) {
            int c = v[0];
            int m = v[1];
            int y = v[2];
            int k = v[3];
            byte[] bgr = JpegDecoder.cmykToBgr(c, m, y, k);
            assertEquals(k - ((255 - y) * k >> 8), bgr[0] & 0xFF, Arrays.toString(v));
            assertEquals(k - ((255 - m) * k >> 8), bgr[1] & 0xFF, Arrays.toString(v));
            assertEquals(k - ((255 - c) * k >> 8), bgr[2] & 0xFF, Arrays.toString(v));
        }
        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, (byte) 255}, JpegDecoder.cmykToBgr(255, 255, 255, 255));
        assertArrayEquals(new byte[] {1, 1, 1}, JpegDecoder.cmykToBgr(0, 0, 0, 255));
        // And whole CMYK/YCCK files against cv2 (also in matchesOpenCv).
        for (String n : new String[] {"cmyk.jpg", "cmyk_adobe0.jpg", "cmyk_nomarkers.jpg", "ycck_adobe2.jpg"}) {
            Path f = file(n);
            JsonNode e = entry(n);
            assertEquals(0, Diff.of(ImageDecoder.decode(f).data(), NpyFile.read(Path.of(e.get("npy").asText())).u8()).differing(), n);
        }
    }

    private static JsonNode entry(String name) {
        for (JsonNode e : manifest.get("images")) {
            if (e.get("name").asText().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no reference image " + name);
    }

    @Test
    void sixteenBitPngKeepsTheHighByte() {
        // 0x12FF -> 0x12 (png_set_strip_16), not rounded to 0x13.
        BgrImage img = ImageDecoder.decode(file("gray16.png"));
        NpyFile ref = NpyFile.read(Path.of(entry("gray16.png").get("npy").asText()));
        assertArrayEquals(ref.u8(), img.data());
    }

    // ---------------------------------------------------------------- errors

    private static void assertOneLineError(Path f, String expectedFragment) {
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(f));
        String m = e.getMessage();
        assertTrue(m.contains(f.toString()), m);
        assertFalse(m.contains("\n") || m.contains("\r"), m);
        assertTrue(m.toLowerCase().contains(expectedFragment), m);
        System.out.println("error message: " + m);
    }

    @Test
    void missingFile() {
        assertOneLineError(tmp.resolve("does-not-exist.jpg"), "no such file");
    }

    @Test
    void emptyAndGarbageFiles() throws IOException {
        Path empty = Files.write(tmp.resolve("empty.jpg"), new byte[0]);
        assertOneLineError(empty, "empty");
        Path garbage = Files.write(tmp.resolve("garbage.jpg"), "this is not an image\nat all".getBytes());
        assertOneLineError(garbage, "not a jpeg or png");
        Path dir = Files.createDirectories(tmp.resolve("a-directory.png"));
        assertOneLineError(dir, "cannot read");
    }

    @Test
    void truncatedJpegs() throws IOException {
        byte[] full = Files.readAllBytes(file("q90_420.jpg"));
        for (int len : new int[] {full.length / 2, full.length - 2, 3, 200, 1000}) {
            Path t = Files.write(tmp.resolve("truncated_" + len + ".jpg"), Arrays.copyOf(full, len));
            assertOneLineError(t, "truncated");
        }
        byte[] prog = Files.readAllBytes(file("q75_420_progressive.jpg"));
        Path t = Files.write(tmp.resolve("truncated_progressive.jpg"), Arrays.copyOf(prog, prog.length * 2 / 3));
        assertOneLineError(t, "truncated");
    }

    @Test
    void corruptJpegs() throws IOException {
        byte[] full = Files.readAllBytes(file("q90_420.jpg"));
        // Only a SOI and an EOI.
        assertOneLineError(Files.write(tmp.resolve("soi_eoi.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9}),
                "corrupt");
        // A segment length running past the end of the file.
        byte[] badLen = full.clone();
        badLen[4] = (byte) 0xFF;
        badLen[5] = (byte) 0xF0;
        assertOneLineError(Files.write(tmp.resolve("bad_length.jpg"), badLen), "jpeg");
        // Huffman data replaced by garbage with the EOI kept: libjpeg reports an error or a warning;
        // either the decode fails with our exception or it returns an image of the right size.
        byte[] garbled = full.clone();
        for (int i = full.length / 3; i < full.length - 2; i++) {
            garbled[i] = (byte) (i * 31);
        }
        Path g = Files.write(tmp.resolve("garbled.jpg"), garbled);
        try {
            BgrImage img = ImageDecoder.decode(g);
            assertEquals(640, img.width());
        } catch (ImageDecodeException e) {
            assertTrue(e.getMessage().contains(g.toString()));
        }
    }

    @Test
    void truncatedAndCorruptPngs() throws IOException {
        byte[] full = Files.readAllBytes(file("rgb8.png"));
        for (int len : new int[] {full.length / 2, full.length - 12, 9, 40}) {
            assertOneLineError(Files.write(tmp.resolve("truncated_" + len + ".png"), Arrays.copyOf(full, len)), "truncated");
        }
        byte[] badCrc = full.clone();
        badCrc[full.length / 2] ^= 0x55; // inside IDAT
        assertOneLineError(Files.write(tmp.resolve("bad_crc.png"), badCrc), "crc");
        byte[] sig = Arrays.copyOf(full, 8);
        assertOneLineError(Files.write(tmp.resolve("signature_only.png"), sig), "truncated");
    }
}
