package io.freeanchor.eval.coco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

/** Every reference case reproduced to 1e-12 (stats and per-category AP), and the check itself shown to bite. */
class CocoCasesTest {
    @Test
    void theCasesAreThere() {
        List<Path> cases = CocoCases.all();
        assertTrue(cases.size() >= 6, "expected at least the 6 documented cases in " + CocoCases.dir() + ", found " + cases);
    }

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesPycocotools() {
        return CocoCases.all().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            CocoGroundTruth gt = CocoGroundTruth.load(dir.resolve("gt.json"));
            CocoDetections dt = CocoDetections.load(dir.resolve("dt.json"), gt);
            CocoEvalResult r = CocoEvaluator.evaluate(gt, dt);
            CocoCases.assertMatches(CocoCases.Expected.read(dir), r, dir.getFileName().toString());
        }));
    }

    /** The same cases through the in-memory path (a list of detections) give bit-identical results. */
    @TestFactory
    Stream<DynamicTest> inMemoryDetectionsGiveTheSameNumbers() {
        return CocoCases.all().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            CocoGroundTruth gt = CocoGroundTruth.load(dir.resolve("gt.json"));
            CocoDetections fromFile = CocoDetections.load(dir.resolve("dt.json"), gt);
            List<CocoDetections.Detection> list = java.util.stream.IntStream.range(0, fromFile.size())
                    .mapToObj(fromFile::detection).toList();
            CocoEvalResult a = CocoEvaluator.evaluate(gt, fromFile);
            CocoEvalResult b = CocoEvaluator.evaluate(gt, CocoDetections.of(gt, list));
            assertEquals(java.util.Arrays.toString(a.stats()), java.util.Arrays.toString(b.stats()));
            assertEquals(java.util.Arrays.toString(a.perCategoryAp()), java.util.Arrays.toString(b.perCategoryAp()));
        }));
    }

    @Test
    void aPerturbedExpectedStatIsDetected() {
        Path dir = CocoCases.dir().resolve("basic");
        CocoGroundTruth gt = CocoGroundTruth.load(dir.resolve("gt.json"));
        CocoEvalResult r = CocoEvaluator.evaluate(gt, CocoDetections.load(dir.resolve("dt.json"), gt));
        CocoCases.Expected good = CocoCases.Expected.read(dir);
        CocoCases.assertMatches(good, r, "unperturbed");
        for (int i = 0; i < 12; i++) {
            double[] stats = good.stats().clone();
            stats[i] += 2e-12;
            CocoCases.Expected bad = new CocoCases.Expected(stats, good.perCategoryAp());
            int stat = i;
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> CocoCases.assertMatches(bad, r, "perturbed"));
            assertTrue(e.getMessage().contains(CocoEvalResult.STAT_NAMES.get(stat)), e.getMessage());
        }
    }

    @Test
    void aPerturbedPerCategoryApIsDetected() {
        Path dir = CocoCases.dir().resolve("basic");
        CocoGroundTruth gt = CocoGroundTruth.load(dir.resolve("gt.json"));
        CocoEvalResult r = CocoEvaluator.evaluate(gt, CocoDetections.load(dir.resolve("dt.json"), gt));
        CocoCases.Expected good = CocoCases.Expected.read(dir);
        Map<Long, Double> per = new java.util.LinkedHashMap<>(good.perCategoryAp());
        per.put(2L, per.get(2L) - 2e-12);
        CocoCases.Expected bad = new CocoCases.Expected(good.stats(), per);
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> CocoCases.assertMatches(bad, r, "perturbed"));
        assertTrue(e.getMessage().contains("category 2"), e.getMessage());
    }
}
