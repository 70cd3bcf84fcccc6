package io.freeanchor.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Conv2dParams;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.TestTensors;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
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

    /**
     * An eligible shape is timed as GEMM and as Winograd with every configuration that fits, the
     * fastest is kept (and written, Winograd as winograd:<tiles>), a new backend reloads it and runs
     * that path; off tunes GEMM only under its own key; a stride-2 shape never times Winograd.
     */
    @Test
    void winogradIsATimedCandidateWhereEligible() throws Exception {
        ClDevice d = OpenClTestDevice.get();
        String before = System.getProperty("freeanchor.cache");
        System.setProperty("freeanchor.cache", cache.toString());
        try {
            Random rnd = new Random(11);
            Tensor x = TestTensors.random(rnd, 2, 96, 40, 40), w = TestTensors.random(rnd, 96, 96, 3, 3);
            Tensor bias = TestTensors.random(rnd, 96);
            Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
            Tensor yShape = Tensor.zeros(DType.FLOAT32, new int[] {2, 96, 40, 40});
            Map<String, String> tuned;
            try (OpenClBackend b = new OpenClBackend(d, OpenClBackend.Precision.FP32, null)) {
                OpenClBackendTest.check(b, "tuned 3x3", yShape, (be, y) -> be.conv2d(p, x, w, bias, null, y));
                tuned = b.tunedConvolutions();
                assertEquals(1, tuned.size(), tuned.toString());
                Map<String, Long> times = b.convTuner().timings().values().iterator().next();
                assertTrue(times.keySet().stream().anyMatch(k -> k.startsWith("winograd:")), times.toString());
                assertTrue(times.keySet().stream().anyMatch(k -> !k.startsWith("winograd:")), times.toString());
                String fastest = times.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
                assertEquals(fastest, tuned.values().iterator().next(), times.toString());
                System.out.println("tuner on " + d.name() + " (under load if the machine is busy): " + times);
            }
            String choice = tuned.values().iterator().next();
            Properties file = new Properties();
            try (Stream<Path> files = Files.list(cache.resolve("opencl"))) {
                Path f = files.filter(n -> n.getFileName().toString().startsWith("tune-")).findFirst().orElseThrow();
                file.load(new StringReader(Files.readString(f)));
            }
            assertEquals(Map.of(tuned.keySet().iterator().next(), choice), Map.copyOf(file), "the tuning file");
            try (OpenClBackend again = new OpenClBackend(d, OpenClBackend.Precision.FP32, null)) {
                assertEquals(tuned, again.tunedConvolutions(), "loaded from disk, not re-tuned");
                OpenClBackendTest.check(again, "reloaded 3x3", yShape, (be, y) -> be.conv2d(p, x, w, bias, null, y));
                assertEquals(choice.startsWith("winograd:"), again.winograd().runs() > 0, choice);
                assertTrue(again.convTuner().timings().isEmpty(), "not re-tuned");
            }
            try (OpenClBackend off = OpenClWinogradTest.withProperty("freeanchor.opencl.winograd", "off",
                    () -> new OpenClBackend(d, OpenClBackend.Precision.FP32, null))) {
                OpenClBackendTest.check(off, "winograd off", yShape, (be, y) -> be.conv2d(p, x, w, bias, null, y));
                assertEquals(0, off.winograd().runs());
                Map<String, Map<String, Long>> timings = off.convTuner().timings();
                assertEquals(1, timings.size(), timings.toString());
                assertTrue(timings.keySet().iterator().next().startsWith("gemm-only "), timings.toString());
                assertTrue(timings.values().iterator().next().keySet().stream().noneMatch(k -> k.startsWith("winograd:")));
            }
            Conv2dParams s2 = new Conv2dParams(2, 2, 1, 1, 1, 1, 1, 1, 1, Activation.NONE);
            Tensor x2 = TestTensors.random(rnd, 1, 96, 80, 80);
            Tensor y2Shape = Tensor.zeros(DType.FLOAT32, new int[] {1, 96, 40, 40});
            try (OpenClBackend b = new OpenClBackend(d, OpenClBackend.Precision.FP32, null)) {
                OpenClBackendTest.check(b, "stride 2", y2Shape, (be, y) -> be.conv2d(s2, x2, w, null, null, y));
                Map<String, Map<String, Long>> timings = b.convTuner().timings();
                assertEquals(1, timings.size(), timings.toString());
                assertTrue(timings.values().iterator().next().keySet().stream().noneMatch(k -> k.startsWith("winograd:")));
                assertEquals(0, b.winograd().runs());
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
