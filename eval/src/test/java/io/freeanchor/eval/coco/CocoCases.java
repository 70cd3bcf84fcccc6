package io.freeanchor.eval.coco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The reference cases in {@code <repo>/../shared/coco-cases}: where they are, what they expect, and the 1e-12 check. */
public final class CocoCases {
    public static final double TOLERANCE = 1e-12;

    private CocoCases() {}

    /** {@code <repo>/../shared/coco-cases}; the repo is the surefire property {@code freeanchor.repo}, else found upward from the cwd. */
    public static Path dir() {
        String repo = System.getProperty("freeanchor.repo");
        if (repo != null && !repo.isBlank()) {
            Path p = Path.of(repo).toAbsolutePath().resolve("../shared/coco-cases").normalize();
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared/coco-cases");
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return fail("shared/coco-cases not found beside the repository (freeanchor.repo=" + repo + ")");
    }

    /** Every case directory (one holding gt.json, dt.json and expected.json), sorted by name. */
    public static List<Path> all() {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(p -> Files.isRegularFile(p.resolve("expected.json"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A case's expected.json: the 12 stats and per-category AP by id. */
    public record Expected(double[] stats, Map<Long, Double> perCategoryAp) {
        public static Expected read(Path caseDir) {
            try {
                JsonNode root = new ObjectMapper().readTree(caseDir.resolve("expected.json").toFile());
                double[] stats = new double[12];
                for (int i = 0; i < 12; i++) {
                    stats[i] = root.get("stats").get(i).doubleValue();
                }
                Map<Long, Double> per = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : root.get("per_category_ap").properties()) {
                    per.put(Long.parseLong(e.getKey()), e.getValue().doubleValue());
                }
                return new Expected(stats, per);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Fails unless every stat and every per-category AP is within {@link #TOLERANCE} of the expected value. */
    public static void assertMatches(Expected expected, CocoEvalResult actual, String what) {
        double[] stats = actual.stats();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            if (!(Math.abs(stats[i] - expected.stats()[i]) <= TOLERANCE)) {
                problems.add(CocoEvalResult.STAT_NAMES.get(i) + " " + stats[i] + " != " + expected.stats()[i]);
            }
        }
        long[] ids = actual.categoryIds();
        double[] ap = actual.perCategoryAp();
        assertEquals(expected.perCategoryAp().keySet().size(), ids.length, what + ": category count");
        for (int k = 0; k < ids.length; k++) {
            Double e = expected.perCategoryAp().get(ids[k]);
            if (e == null) {
                problems.add("category " + ids[k] + " is not in expected.json");
            } else if (!(Math.abs(ap[k] - e) <= TOLERANCE)) {
                problems.add("category " + ids[k] + " AP " + ap[k] + " != " + e);
            }
        }
        if (!problems.isEmpty()) {
            fail(what + ": " + String.join("; ", problems));
        }
    }
}
