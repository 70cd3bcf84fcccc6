package io.freeanchor.eval.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnchorGeneratorTest {
    private final AnchorGenerator gen = new AnchorGenerator(DetectorConfig.defaults());

    @Test
    void strideEightBaseAnchorsAreTorchsFloat32Values() {
        float[] expected = {
            -22.627416610717773f, -11.313708305358887f, 22.627416610717773f, 11.313708305358887f,
            -28.508758544921875f, -14.254379272460938f, 28.508758544921875f, 14.254379272460938f,
            -35.918785095214844f, -17.959392547607422f, 35.918785095214844f, 17.959392547607422f,
            -16.0f, -16.0f, 16.0f, 16.0f,
            -20.158737182617188f, -20.158737182617188f, 20.158737182617188f, 20.158737182617188f,
            -25.39841651916504f, -25.39841651916504f, 25.39841651916504f, 25.39841651916504f,
            -11.313708305358887f, -22.627416610717773f, 11.313708305358887f, 22.627416610717773f,
            -14.254379272460938f, -28.508758544921875f, 14.254379272460938f, 28.508758544921875f,
            -17.959392547607422f, -35.918785095214844f, 17.959392547607422f, 35.918785095214844f};
        assertArrayEquals(expected, gen.baseAnchors(0));
        // the spec's rounded values
        assertEquals(-22.627417f, gen.baseAnchors(0)[0], 1e-6f);
        assertEquals(35.918785f, gen.baseAnchors(0)[8 * 4 + 3], 1e-6f);
        // scales 4, f32(4 * 2^(1/3)), f32(4 * 2^(2/3)): the square anchors' half sizes are 4 * scale
        assertEquals(5.039684295654297f * 4, gen.baseAnchors(0)[4 * 4 + 2]);
        assertEquals(6.34960412979126f * 4, gen.baseAnchors(0)[5 * 4 + 2]);
    }

    @Test
    void totalsFor800x1344() {
        int[][] sizes = {{100, 168}, {50, 84}, {25, 42}, {13, 21}, {7, 11}};
        int[] perLevel = {151200, 37800, 9450, 2457, 693};
        for (int l = 0; l < 5; l++) {
            assertEquals(perLevel[l] * 4, gen.gridAnchors(l, sizes[l][0], sizes[l][1]).length);
        }
        assertEquals(201600, AnchorGenerator.totalAnchors(9, sizes));
    }

    @Test
    void rowMajorLocationsThenAnchorsWithoutCentreOffset() {
        float[] grid = gen.gridAnchors(2, 25, 42);
        float[] base = gen.baseAnchors(2);
        int y = 4;
        int x = 11;
        for (int a = 0; a < 9; a++) {
            int row = (y * 42 + x) * 9 + a;
            float[] one = new float[4];
            gen.anchor(2, 42, row, one, 0);
            assertArrayEquals(Arrays.copyOfRange(grid, row * 4, row * 4 + 4), one);
            assertEquals(base[a * 4] + 11 * 32f, one[0]);
            assertEquals(base[a * 4 + 1] + 4 * 32f, one[1]);
        }
        assertArrayEquals(Arrays.copyOfRange(base, 0, 36), Arrays.copyOfRange(grid, 0, 36), "location (0, 0) = base");
    }

    @Test
    void everyAnchorMatchesTheReference(@TempDir Path tmp) throws Exception {
        PythonReference.run("anchors", "--out", tmp.toString());
        int[][] sizes = {{100, 168}, {50, 84}, {25, 42}, {13, 21}, {7, 11}};
        for (int l = 0; l < 5; l++) {
            Tensor ref = Npy.read(tmp.resolve("anchors_" + l + ".npy"));
            float[] ours = gen.gridAnchors(l, sizes[l][0], sizes[l][1]);
            assertArrayEquals(Arrays.copyOf(ref.floats(), ref.size()), ours, "level " + l);
        }
    }

    @Test
    void otherAnchorConfigurations() {
        DetectorConfig c = DetectorConfig.fromJson("""
                {"anchor_generator": {"strides": [4, 8], "octave_base_scale": 8, "scales_per_octave": 2,
                 "ratios": [1.0, 3.0]}}""", "test");
        AnchorGenerator g = new AnchorGenerator(c);
        assertEquals(4, g.numAnchors());
        assertEquals(2, g.numLevels());
        float[] b = g.baseAnchors(0);
        assertEquals(-16f, b[0]); // ratio 1, scale 8, stride 4: 32 wide
        float h = (float) Math.sqrt(3f);
        float w = 1f / h;
        assertEquals(0.5f * ((4f * w) * 8f), b[2 * 4 + 2]); // ratio 3 (tall), scale 8
        assertEquals(0.5f * ((4f * h) * 8f), b[2 * 4 + 3]);
    }
}
