package io.freeanchor.kernels;

import static io.freeanchor.kernels.TestTensors.assertGuardIntact;
import static io.freeanchor.kernels.TestTensors.assertFloats;
import static io.freeanchor.kernels.TestTensors.assertLongs;
import static io.freeanchor.kernels.TestTensors.floats;
import static io.freeanchor.kernels.TestTensors.longs;
import static io.freeanchor.kernels.TestTensors.output;
import static io.freeanchor.kernels.TestTensors.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.freeanchor.kernels.ResizeParams.CoordinateTransform;
import io.freeanchor.kernels.ResizeParams.NearestRounding;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checks the oracle itself against values worked out by hand (and cross-checked with NumPy), so
 * that comparing another backend with it means something.
 */
class ReferenceBackendTest {
    private final ReferenceBackend ref = new ReferenceBackend();

    /** 1..16 as a 1x1x4x4 image. */
    private static Tensor ramp4x4() {
        float[] v = new float[16];
        for (int i = 0; i < 16; i++) {
            v[i] = i + 1;
        }
        return floats(shape(1, 1, 4, 4), v);
    }

    /** [[1, 2, 0], [0, -1, 0], [0, 0, 3]] as a 1x1x3x3 kernel. */
    private static Tensor kernel3x3() {
        return floats(shape(1, 1, 3, 3), 1, 2, 0, 0, -1, 0, 0, 0, 3);
    }

    private static Conv2dParams conv(int stride, int pad, int dilation, int group, Activation act) {
        return new Conv2dParams(stride, stride, pad, pad, pad, pad, dilation, dilation, group, act);
    }

    @Test
    void conv3x3ValidWithBias() {
        // out(0,0) = 1*1 + 2*2 - 1*6 + 3*11 + 0.5 = 32.5, and so on.
        Tensor y = output(1, 1, 2, 2);
        ref.conv2d(conv(1, 0, 1, 1, Activation.NONE), ramp4x4(), kernel3x3(), floats(shape(1), 0.5f), null, y);
        assertFloats(y, 32.5f, 37.5f, 52.5f, 57.5f);
        assertGuardIntact(y);
    }

    @Test
    void conv3x3PaddedStride2() {
        // (0,0): taps at (0,0) -> -1 and (1,1) -> 3*6, the rest in padding: 17 + 0.5.
        Tensor y = output(1, 1, 2, 2);
        ref.conv2d(conv(2, 1, 1, 1, Activation.NONE), ramp4x4(), kernel3x3(), floats(shape(1), 0.5f), null, y);
        assertFloats(y, 17.5f, 21.5f, 43.5f, 57.5f);
    }

    @Test
    void convResidualThenRelu() {
        // bias first, residual second, ReLU last: 32.5 - 40 < 0 -> 0; 52.5 - 50 = 2.5.
        Tensor y = output(1, 1, 2, 2);
        Tensor residual = floats(shape(1, 1, 2, 2), -40, 0, -50, 1);
        ref.conv2d(conv(1, 0, 1, 1, Activation.RELU), ramp4x4(), kernel3x3(), floats(shape(1), 0.5f), residual, y);
        assertFloats(y, 0f, 37.5f, 2.5f, 58.5f);
    }

    @Test
    void convDilation2() {
        // 5x5 ramp, dilated taps at (0,0), (0,2), (2,2), (4,4): 1 + 2*3 - 13 + 3*25 = 69.
        float[] v = new float[25];
        for (int i = 0; i < 25; i++) {
            v[i] = i + 1;
        }
        Tensor y = output(1, 1, 1, 1);
        ref.conv2d(conv(1, 0, 2, 1, Activation.NONE), floats(shape(1, 1, 5, 5), v), kernel3x3(), null, null, y);
        assertFloats(y, 69f);
    }

    @Test
    void convAsymmetricPads() {
        // [1, 2, 3] padded as [0, 0, 1, 2, 3] (2 left, 0 right), kernel [1, 10].
        Conv2dParams p = new Conv2dParams(1, 1, 0, 2, 0, 0, 1, 1, 1, Activation.NONE);
        Tensor y = output(1, 1, 1, 4);
        ref.conv2d(p, floats(shape(1, 1, 1, 3), 1, 2, 3), floats(shape(1, 1, 1, 2), 1, 10), null, null, y);
        assertFloats(y, 0f, 10f, 21f, 32f);
    }

    @Test
    void convGroupsAndBatch() {
        // group 2, 1x1: channel 0 scaled by 2 into output 0, channel 1 by 3 (plus -1) into output 1.
        Tensor x = floats(shape(2, 2, 1, 2), 1, 2, 3, 4, 5, 6, 7, 8);
        Tensor w = floats(shape(2, 1, 1, 1), 2, 3);
        Tensor y = output(2, 2, 1, 2);
        ref.conv2d(conv(1, 0, 1, 2, Activation.NONE), x, w, floats(shape(2), 0, -1), null, y);
        assertFloats(y, 2, 4, 8, 11, 10, 12, 20, 23);
    }

    @Test
    void convSumsOverInputChannels() {
        // two input channels, 1x1 kernel [1, 10], one output channel
        Tensor x = floats(shape(1, 2, 1, 2), 1, 2, 3, 4);
        Tensor y = output(1, 1, 1, 2);
        ref.conv2d(conv(1, 0, 1, 1, Activation.NONE), x, floats(shape(1, 2, 1, 1), 1, 10), null, null, y);
        assertFloats(y, 31, 42);
    }

    @Test
    void batchNorm() {
        // (1 - 0.5) / sqrt(0.25) * 2 + 0 = 2; (2 - 1) / sqrt(4) * 1 + 1 = 1.5
        Tensor y = output(1, 2, 1, 1);
        ref.batchNorm(0f, floats(shape(1, 2, 1, 1), 1, 2), floats(shape(2), 2, 1), floats(shape(2), 0, 1),
                floats(shape(2), 0.5f, 1), floats(shape(2), 0.25f, 4), y);
        assertFloats(y, 2f, 1.5f);
    }

    @Test
    void maxPoolPaddingNeverWins() {
        // -(1..16), 3x3 stride 2 pad 1: each window's best real cell, never a padding zero
        float[] v = new float[16];
        for (int i = 0; i < 16; i++) {
            v[i] = -(i + 1);
        }
        Pool2dParams p = new Pool2dParams(3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false);
        assertEquals(2, p.outHeight(4));
        Tensor y = output(1, 1, 2, 2);
        ref.maxPool2d(p, floats(shape(1, 1, 4, 4), v), y);
        assertFloats(y, -1, -2, -5, -6);

        Tensor y2 = output(1, 1, 2, 2);
        ref.maxPool2d(p, ramp4x4(), y2);
        assertFloats(y2, 6, 8, 14, 16);
    }

    @Test
    void maxPoolCeilMode() {
        // 5x5 ramp, 2x2 stride 2: ceil mode adds a last partial window (row/col 4)
        float[] v = new float[25];
        for (int i = 0; i < 25; i++) {
            v[i] = i + 1;
        }
        Pool2dParams p = new Pool2dParams(2, 2, 2, 2, 0, 0, 0, 0, 1, 1, true);
        assertEquals(3, p.outHeight(5));
        assertEquals(2, new Pool2dParams(2, 2, 2, 2, 0, 0, 0, 0, 1, 1, false).outHeight(5));
        Tensor y = output(1, 1, 3, 3);
        ref.maxPool2d(p, floats(shape(1, 1, 5, 5), v), y);
        assertFloats(y, 7, 9, 10, 17, 19, 20, 22, 24, 25);
        // a window that would start in the end padding is dropped: 1x1 stride 2 on 4 gives 2, not 3
        assertEquals(2, new Pool2dParams(1, 1, 2, 2, 0, 0, 0, 0, 1, 1, true).outHeight(4));
    }

    @Test
    void maxPoolDilation() {
        // 1x5 row, kernel 1x2 dilation 2: max of (x[i], x[i+2])
        Pool2dParams p = new Pool2dParams(1, 2, 1, 1, 0, 0, 0, 0, 1, 2, false);
        Tensor y = output(1, 1, 1, 3);
        ref.maxPool2d(p, floats(shape(1, 1, 1, 5), 5, 1, 2, 9, 0), y);
        assertFloats(y, 5, 9, 2);
    }

    @Test
    void binaryBroadcast() {
        // [2,1,3] + [2,1] -> [2,2,3]
        Tensor a = floats(shape(2, 1, 3), 1, 2, 3, 4, 5, 6);
        Tensor b = floats(shape(2, 1), 10, 20);
        Tensor y = output(2, 2, 3);
        ref.binary(BinaryOp.ADD, a, b, y);
        assertFloats(y, 11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26);

        Tensor y2 = output(2, 1, 3);
        ref.binary(BinaryOp.DIV, a, Tensor.scalar(2f), y2);
        assertFloats(y2, 0.5f, 1, 1.5f, 2, 2.5f, 3);

        Tensor y3 = output(2, 1, 3);
        ref.binary(BinaryOp.SUB, Tensor.scalar(1f), a, y3);
        assertFloats(y3, 0, -1, -2, -3, -4, -5);
    }

    @Test
    void int64DivisionTruncatesTowardZero() {
        Tensor y = output(DType.INT64, 4);
        ref.binary(BinaryOp.DIV, longs(shape(4), 7, -7, 7, -7), longs(shape(4), 2, 2, -2, -2), y);
        assertLongs(y, 3L, -3L, -3L, 3L);

        Tensor y2 = output(DType.INT64, 2, 2);
        ref.binary(BinaryOp.MUL, longs(shape(2, 1), 3, -4), longs(shape(2), 10, 100), y2);
        assertLongs(y2, 30L, 300L, -40L, -400L);
    }

    @Test
    void unary() {
        Tensor x = floats(shape(4), -1.5f, 0f, 2.25f, -0.25f);
        Tensor y = output(4);
        ref.unary(UnaryOp.RELU, x, y);
        assertFloats(y, 0, 0, 2.25f, 0);
        ref.unary(UnaryOp.FLOOR, x, y);
        assertFloats(y, -2, 0, 2, -1);
        ref.unary(UnaryOp.SIGMOID, floats(shape(4), 0f, 100f, -100f, 2f), y);
        // exp(100) overflows float, so sigmoid(-100) is exactly 0 in this formulation
        assertFloats(y, 0.5f, 1f, 0f, 1f / (1f + (float) Math.exp(-2.0)));
        assertEquals(0.880797f, y.floats()[3], 1e-6f);
    }

    @Test
    void resizeAsymmetricFloor2x() {
        ResizeParams p = new ResizeParams(new float[] {1, 1, 2, 2}, CoordinateTransform.ASYMMETRIC,
                NearestRounding.FLOOR);
        Tensor y = output(1, 1, 4, 4);
        ref.resizeNearest(p, floats(shape(1, 1, 2, 2), 1, 2, 3, 4), y);
        assertFloats(y, 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
    }

    @Test
    void resizeHalfPixelRoundPreferFloor2x() {
        // input coordinates -0.25, 0.25, 0.75, 1.25 round to 0, 0, 1, 1
        ResizeParams p = new ResizeParams(new float[] {1, 1, 2, 2}, CoordinateTransform.HALF_PIXEL,
                NearestRounding.ROUND_PREFER_FLOOR);
        Tensor y = output(1, 1, 4, 4);
        ref.resizeNearest(p, floats(shape(1, 1, 2, 2), 1, 2, 3, 4), y);
        assertFloats(y, 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
    }

    @Test
    void resizeTiesAndDownscale() {
        // 4 -> 6 (scale 1.5), half_pixel: coordinates -1/6, 0.5, 7/6, 11/6, 2.5, 19/6
        float[] in = {10, 11, 12, 13};
        Tensor y = output(6);
        ref.resizeNearest(new ResizeParams(new float[] {1.5f}, CoordinateTransform.HALF_PIXEL,
                NearestRounding.ROUND_PREFER_FLOOR), floats(shape(4), in), y);
        assertFloats(y, 10, 10, 11, 12, 12, 13);
        ref.resizeNearest(new ResizeParams(new float[] {1.5f}, CoordinateTransform.HALF_PIXEL,
                NearestRounding.ROUND_PREFER_CEIL), floats(shape(4), in), y);
        assertFloats(y, 10, 11, 11, 12, 13, 13);
        // 4 -> 2: asymmetric floor reads 0, 2; half_pixel prefer-ceil reads 1, 3 (coordinates 0.5, 2.5)
        Tensor y2 = output(2);
        ref.resizeNearest(new ResizeParams(new float[] {0.5f}, CoordinateTransform.ASYMMETRIC,
                NearestRounding.FLOOR), floats(shape(4), in), y2);
        assertFloats(y2, 10, 12);
        ref.resizeNearest(new ResizeParams(new float[] {0.5f}, CoordinateTransform.HALF_PIXEL,
                NearestRounding.ROUND_PREFER_CEIL), floats(shape(4), in), y2);
        assertFloats(y2, 11, 13);
    }

    @Test
    void transpose() {
        Tensor y = output(3, 2);
        ref.transpose(new int[] {1, 0}, floats(shape(2, 3), 1, 2, 3, 4, 5, 6), y);
        assertFloats(y, 1, 4, 2, 5, 3, 6);

        // [2,3,4] by (2,0,1): y[i][j][k] = x[j][k][i], x[a][b][c] = 100a + 10b + c
        float[] v = new float[24];
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 3; b++) {
                for (int c = 0; c < 4; c++) {
                    v[a * 12 + b * 4 + c] = 100 * a + 10 * b + c;
                }
            }
        }
        Tensor y3 = output(4, 2, 3);
        ref.transpose(new int[] {2, 0, 1}, floats(shape(2, 3, 4), v), y3);
        assertEquals(123f, y3.floats()[3 * 6 + 1 * 3 + 2]); // y[3][1][2] = x[1][2][3]
        assertEquals(10f, y3.floats()[0 * 6 + 0 * 3 + 1]);  // y[0][0][1] = x[0][1][0]
        assertEquals(102f, y3.floats()[2 * 6 + 1 * 3 + 0]); // y[2][1][0] = x[1][0][2]
    }

    @Test
    void concat() {
        Tensor y = output(2, 3);
        ref.concat(1, List.of(floats(shape(2, 2), 1, 2, 4, 5), floats(shape(2, 1), 3, 6)), y);
        assertFloats(y, 1, 2, 3, 4, 5, 6);
        Tensor yl = output(DType.INT64, 3, 1);
        ref.concat(-2, List.of(longs(shape(1, 1), 7), longs(shape(2, 1), 8, 9)), yl);
        assertLongs(yl, 7L, 8L, 9L);
    }

    @Test
    void sliceNegativeSteps() {
        float[] v = new float[10];
        for (int i = 0; i < 10; i++) {
            v[i] = i;
        }
        Tensor y = output(3);
        ref.slice(new int[] {8}, new int[] {-3}, floats(shape(10), v), y);
        assertFloats(y, 8, 5, 2);

        float[] m = new float[12];
        for (int i = 0; i < 12; i++) {
            m[i] = i;
        }
        Tensor y2 = output(3, 2);
        ref.slice(new int[] {2, 3}, new int[] {-1, -2}, floats(shape(3, 4), m), y2);
        assertFloats(y2, 11, 9, 7, 5, 3, 1);

        Tensor y3 = output(DType.INT64, 2);
        ref.slice(new int[] {1}, new int[] {2}, longs(shape(4), 0, 10, 20, 30), y3);
        assertLongs(y3, 10L, 30L);
    }

    @Test
    void gatherNegativeIndices() {
        Tensor x = floats(shape(3, 2), 1, 2, 3, 4, 5, 6);
        Tensor y = output(2, 2);
        ref.gather(0, x, longs(shape(2), -1, 0), y);
        assertFloats(y, 5, 6, 1, 2);

        // axis 1 with 2-D indices [[1], [-2]] -> y shape [3, 2, 1]
        Tensor y2 = output(3, 2, 1);
        ref.gather(1, x, longs(shape(2, 1), 1, -2), y2);
        assertFloats(y2, 2, 1, 4, 3, 6, 5);

        // scalar index drops the axis
        Tensor y3 = output(2);
        ref.gather(0, x, Tensor.scalar(1L), y3);
        assertFloats(y3, 3, 4);
    }

    @Test
    void castAndCopy() {
        Tensor yl = output(DType.INT64, 5);
        ref.cast(floats(shape(5), 1.7f, -1.7f, 2.5f, -0.5f, 3f), yl);
        assertLongs(yl, 1L, -1L, 2L, 0L, 3L);
        Tensor yf = output(2);
        ref.cast(longs(shape(2), -3, 1L << 40), yf);
        assertFloats(yf, -3f, 1.09951163e12f);

        Tensor y = output(2, 2);
        ref.copy(floats(shape(4), 1, 2, 3, 4), y);
        assertFloats(y, 1, 2, 3, 4);
        assertGuardIntact(y);
    }
}
