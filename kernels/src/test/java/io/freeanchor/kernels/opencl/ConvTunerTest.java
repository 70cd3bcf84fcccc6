package io.freeanchor.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Conv2dParams;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.TestTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The autotuner picks a candidate for a convolution big enough to tune, writes the choice and the
 * program binaries to the cache directory, and a new backend reuses both; the tuned result still
 * matches the reference (1e-4 relative to max|ref|).
 */
class ConvTunerTest {
    @TempDir
    Path cache;

    @Test
    void tunesOncePersistsAndReloads() throws Exception {
        ClDevice d = OpenClTestDevice.get();
        String before = System.getProperty("freeanchor.cache");
        System.setProperty("freeanchor.cache", cache.toString());
        try {
            Random rnd = new Random(9);
            Tensor x = TestTensors.random(rnd, 1, 128, 32, 32), w = TestTensors.random(rnd, 128, 128, 3, 3);
            Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
            Tensor yShape = Tensor.zeros(DType.FLOAT32, new int[] {1, 128, 32, 32});
            Map<String, String> tuned;
            try (OpenClBackend b = new OpenClBackend(d, OpenClBackend.Precision.FP32, null)) {
                assertTrue(b.tunedConvolutions().isEmpty());
                OpenClBackendTest.check(b, "tuned conv", yShape, (be, y) -> be.conv2d(p, x, w, null, null, y));
                tuned = b.tunedConvolutions();
                assertEquals(1, tuned.size(), tuned.toString());
            }
            Path dir = cache.resolve("opencl");
            try (Stream<Path> files = Files.list(dir)) {
                var names = files.map(f -> f.getFileName().toString()).toList();
                assertTrue(names.stream().anyMatch(n -> n.startsWith("tune-") && n.endsWith(".properties")), names.toString());
                assertTrue(names.stream().filter(n -> n.endsWith(".bin")).count() >= 2, "ops and conv binaries: " + names);
                assertTrue(names.stream().noneMatch(n -> n.endsWith(".tmp")), names.toString());
            }
            try (OpenClBackend again = new OpenClBackend(d, OpenClBackend.Precision.FP32, null)) {
                assertEquals(tuned, again.tunedConvolutions(), "loaded from disk, not re-tuned");
            }
        } finally {
            if (before == null) {
                System.clearProperty("freeanchor.cache");
            } else {
                System.setProperty("freeanchor.cache", before);
            }
        }
    }
}
