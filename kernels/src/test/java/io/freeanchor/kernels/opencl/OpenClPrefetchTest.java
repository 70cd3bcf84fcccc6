package io.freeanchor.kernels.opencl;

import static io.freeanchor.kernels.TestTensors.output;
import static io.freeanchor.kernels.TestTensors.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Conv2dParams;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link OpenClBackend#prefetch}: inputs uploaded on the transfer queue while the compute queue still
 * runs the previous batch. A convolution big enough to keep PoCL busy for a while (~0.3 GFLOP) runs
 * on alternating input buffers; every result must equal the reference on the data its input held
 * when it was enqueued, whatever the uploads overlapped (FP32 1e-4, FP16 storage 1e-2 of max|ref|).
 */
class OpenClPrefetchTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final int[] X = {2, 32, 48, 64};
    private static final int SIZE = X[0] * X[1] * X[2] * X[3];
    private static final Conv2dParams CONV = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);

    /** Standard-normal values for one input (the test helpers' tensors have a guard tail). */
    private static float[] data(Random rnd) {
        return Arrays.copyOf(random(rnd, X).floats(), SIZE);
    }

    private static OpenClBackend open(OpenClBackend.Precision precision) {
        // Fixed tiles: no tuning runs (they would wait for the queue and hide a race).
        return new OpenClBackend(OpenClTestDevice.get(), precision, TileConfig.defaultFor(OpenClTestDevice.get(), false));
    }

    private static Tensor conv(OpenClBackend b, Tensor x, Tensor w) {
        Tensor y = Tensor.zeros(DType.FLOAT32, new int[] {X[0], w.dim(0), X[2], X[3]});
        b.conv2d(CONV, x, w, null, null, y);
        return y;
    }

    private static void assertMatchesReference(OpenClBackend b, Tensor y, float[] xData, Tensor w, String what) {
        Tensor ref = output(DType.FLOAT32, y.shape());
        REF.conv2d(CONV, Tensor.ofFloats(X, xData), w, null, null, ref);
        b.syncToHost(y);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < y.size(); i++) {
            maxDiff = Math.max(maxDiff, Math.abs(y.floats()[i] - ref.floats()[i]));
            maxRef = Math.max(maxRef, Math.abs(ref.floats()[i]));
        }
        double tol = b.precision() == OpenClBackend.Precision.FP16 ? 1e-2 : 1e-4;
        assertTrue(maxDiff <= tol * maxRef, what + ": max|ocl - ref| = " + maxDiff + " > " + tol + " x " + maxRef);
    }

    @ParameterizedTest
    @EnumSource(OpenClBackend.Precision.class)
    void batchesOnAlternatingPrefetchedBuffersMatchTheReference(OpenClBackend.Precision precision) {
        Random rnd = new Random(1);
        Tensor w = random(rnd, 32, 32, 3, 3);
        Tensor[] buffers = {Tensor.zeros(DType.FLOAT32, X), Tensor.zeros(DType.FLOAT32, X)};
        int batches = 5;
        float[][] data = new float[batches][];
        for (int i = 0; i < batches; i++) {
            data[i] = data(rnd);
        }
        try (OpenClBackend b = open(precision)) {
            System.arraycopy(data[0], 0, buffers[0].floats(), 0, data[0].length);
            for (int i = 0; i < batches; i++) {
                Tensor y = conv(b, buffers[i % 2], w);
                if (i + 1 < batches) { // the next batch uploads while this one computes
                    System.arraycopy(data[i + 1], 0, buffers[(i + 1) % 2].floats(), 0, data[i + 1].length);
                    b.prefetch(buffers[(i + 1) % 2]);
                }
                assertMatchesReference(b, y, data[i], w, precision + " batch " + i);
            }
            long inputBytes = (long) buffers[0].size() * (precision == OpenClBackend.Precision.FP16 ? 2 : 4);
            assertEquals((batches - 1) * inputBytes, b.bytesPrefetched(), "prefetched bytes");
            long weightBytes = (long) w.floats().length * (precision == OpenClBackend.Precision.FP16 ? 2 : 4);
            assertEquals(inputBytes + weightBytes, b.bytesUploaded(), "only the first input and the weights upload on use");
        }
    }

    @ParameterizedTest
    @EnumSource(OpenClBackend.Precision.class)
    void prefetchIntoAStoreAnEnqueuedOpStillReadsWaitsForIt(OpenClBackend.Precision precision) {
        Random rnd = new Random(2);
        Tensor w = random(rnd, 32, 32, 3, 3);
        Tensor x = Tensor.ofFloats(X, data(rnd));
        float[] first = x.floats().clone(), second = data(rnd);
        try (OpenClBackend b = open(precision)) {
            conv(b, x, w); // warm-up: weights uploaded, kernel built
            b.syncToHost(conv(b, x, w));
            Tensor y0 = conv(b, x, w); // enqueued, still reading x's device copy
            System.arraycopy(second, 0, x.floats(), 0, second.length);
            b.prefetch(x); // must not overwrite the device copy under y0's conv
            Tensor y1 = conv(b, x, w);
            assertMatchesReference(b, y0, first, w, precision + " the op enqueued before the prefetch");
            assertMatchesReference(b, y1, second, w, precision + " the op after it");
        }
    }

    @ParameterizedTest
    @EnumSource(OpenClBackend.Precision.class)
    void aHostWriteAfterAPrefetchWins(OpenClBackend.Precision precision) {
        Random rnd = new Random(3);
        Tensor w = random(rnd, 32, 32, 3, 3);
        Tensor x = Tensor.ofFloats(X, data(rnd));
        float[] latest = data(rnd);
        try (OpenClBackend b = open(precision)) {
            b.prefetch(x);
            System.arraycopy(latest, 0, x.floats(), 0, latest.length);
            b.hostWritten(x);
            assertMatchesReference(b, conv(b, x, w), latest, w, precision + " rewritten after the prefetch");
        }
    }

    @ParameterizedTest
    @EnumSource(OpenClBackend.Precision.class)
    void discardingOrClosingWithAnUploadInFlight(OpenClBackend.Precision precision) {
        Random rnd = new Random(4);
        Tensor x = random(rnd, X), x2 = random(rnd, X);
        try (OpenClBackend b = open(precision)) {
            b.prefetch(x);
            long held = b.deviceBytes();
            b.discard(x);
            assertEquals(0, b.deviceBytes(), "device bytes after discarding the only store (held " + held + ")");
            b.prefetch(x2); // closed with this upload still pending
        }
    }
}
