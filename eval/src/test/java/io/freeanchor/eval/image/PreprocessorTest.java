package io.freeanchor.eval.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Preprocessor} against the float32 tensors of tools/opencv_reference.py (numpy, checked against torch). */
class PreprocessorTest {
    @TempDir
    static Path tmp;

    private static JsonNode manifest;

    @BeforeAll
    static void generateReferences() {
        manifest = OpenCvReference.generate(tmp, "preprocess", null);
        System.out.println("preprocess reference: " + manifest.get("torch_check").asText());
    }

    private static void assertBitExact(float[] expected, float[] actual, int offset, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[offset + i])) {
                throw new AssertionError(what + ": first difference at " + i + ": expected " + expected[i] + " got "
                        + actual[offset + i]);
            }
        }
    }

    @Test
    void singleImagesAreBitExact() {
        Preprocessor pre = new Preprocessor();
        for (JsonNode e : manifest.get("images")) {
            String name = e.get("name").asText();
            BgrImage img = NpyFile.read(Path.of(e.get("src").asText())).image();
            NpyFile ref = NpyFile.read(Path.of(e.get("dst").asText()));
            int[] shape = ref.shape(); // 1, 3, H, W
            assertEquals(pre.padded(img.height()), shape[2], name);
            assertEquals(pre.padded(img.width()), shape[3], name);
            float[] ours = pre.toChw(img);
            assertEquals(ref.f32().length, ours.length, name);
            assertBitExact(ref.f32(), ours, 0, name);
            System.out.printf("preprocess %-18s %dx%d -> 3x%dx%d bit-exact%n", name, img.width(), img.height(), shape[2], shape[3]);
        }
    }

    @Test
    void batchWithPaddingToTheLargestImageIsBitExact() {
        Preprocessor pre = new Preprocessor();
        JsonNode batch = manifest.get("batch");
        NpyFile ref = NpyFile.read(Path.of(batch.get("dst").asText()));
        int[] shape = ref.shape(); // N, 3, H, W
        int n = shape[0];
        int per = 3 * shape[2] * shape[3];
        float[] ours = new float[n * per];
        Arrays.fill(ours, Float.NaN); // everything must be written, padding included
        for (int i = 0; i < n; i++) {
            String name = batch.get("names").get(i).asText();
            BgrImage img = NpyFile.read(tmp.resolve("preprocess").resolve(name + ".npy")).image();
            pre.toChw(img, ours, i * per, shape[2], shape[3]);
        }
        assertBitExact(ref.f32(), ours, 0, "batch");
        assertEquals(352, shape[2]); // largest height 333 rounded up to 32
        assertEquals(544, shape[3]); // largest width 517
    }

    @Test
    void paddingIsZeroAfterNormalisation() {
        Preprocessor pre = new Preprocessor();
        byte[] px = new byte[33 * 31 * 3]; // all black: normalised values are negative, padding is 0
        BgrImage img = new BgrImage(33, 31, px);
        assertEquals(64, pre.padded(33));
        assertEquals(32, pre.padded(31));
        assertEquals(32, pre.padded(32));
        float[] out = pre.toChw(img);
        assertEquals(3 * 32 * 64, out.length);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 64; x++) {
                    float v = out[(c * 32 + y) * 64 + x];
                    if (y < 31 && x < 33) {
                        assertTrue(v < 0, "inside " + c + "," + y + "," + x);
                    } else {
                        assertEquals(0f, v, "padding " + c + "," + y + "," + x);
                    }
                }
            }
        }
    }

    @Test
    void channelOrderIsRgbAndArithmeticIsSubtractThenDivide() {
        Preprocessor pre = new Preprocessor();
        BgrImage img = new BgrImage(1, 1, new byte[] {10, (byte) 128, (byte) 250}); // B, G, R
        float[] out = new float[3 * 32 * 32];
        pre.toChw(img, out, 0, 32, 32);
        float[] mean = {123.675f, 116.28f, 103.53f};
        float[] std = {58.395f, 57.12f, 57.375f};
        int[] rgb = {250, 128, 10};
        for (int c = 0; c < 3; c++) {
            float expected = ((float) rgb[c] - mean[c]) / std[c];
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[c * 1024]), "channel " + c);
        }
        // Multiplying by the reciprocal is not the same function: some input value differs.
        int differing = 0;
        for (int c = 0; c < 3; c++) {
            float inv = 1f / std[c];
            for (int v = 0; v < 256; v++) {
                if (((float) v - mean[c]) / std[c] != ((float) v - mean[c]) * inv) {
                    differing++;
                }
            }
        }
        assertNotEquals(0, differing);
    }

    @Test
    void writesAtAnOffsetAndLeavesTheRestAlone() {
        Preprocessor pre = new Preprocessor();
        BgrImage img = new BgrImage(2, 2, new byte[12]);
        float[] out = new float[10 + 3 * 32 * 32 + 5];
        Arrays.fill(out, 7f);
        pre.toChw(img, out, 10);
        for (int i = 0; i < 10; i++) {
            assertEquals(7f, out[i]);
        }
        for (int i = out.length - 5; i < out.length; i++) {
            assertEquals(7f, out[i]);
        }
        assertEquals((0f - 123.675f) / 58.395f, out[10]);
        assertThrows(IndexOutOfBoundsException.class, () -> pre.toChw(img, new float[3 * 32 * 32 - 1], 0));
        assertThrows(IllegalArgumentException.class, () -> pre.toChw(img, out, 0, 1, 32));
    }

    @Test
    void customParameters() {
        Preprocessor.Params p = new Preprocessor.Params(new float[] {0, 0, 0}, new float[] {255, 255, 255}, 1);
        Preprocessor pre = new Preprocessor(p);
        BgrImage img = new BgrImage(3, 1, new byte[] {0, 0, (byte) 255, 0, (byte) 255, 0, (byte) 255, 0, 0});
        float[] out = pre.toChw(img);
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, out);
        assertEquals(Preprocessor.Params.DEFAULT, new Preprocessor().params());
        assertEquals(32, Preprocessor.Params.DEFAULT.sizeDivisor());
        assertThrows(IllegalArgumentException.class, () -> new Preprocessor.Params(new float[2], new float[3], 32));
        assertThrows(IllegalArgumentException.class, () -> new Preprocessor.Params(new float[3], new float[3], 0));
    }
}
