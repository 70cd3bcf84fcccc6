package io.freeanchor.network;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's committed fixtures from any module's test run. */
public final class Fixtures {
    private Fixtures() {}

    /** The repository root: the surefire property, else the nearest parent holding fixtures/. */
    public static Path repoRoot() {
        String prop = System.getProperty("freeanchor.repo");
        if (prop != null && Files.isDirectory(Path.of(prop, "fixtures"))) {
            return Path.of(prop);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("fixtures"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository's fixtures/ directory");
        }
        return p;
    }

    /** fixtures/NAME, e.g. "tiny". */
    public static Path dir(String name) {
        return repoRoot().resolve("fixtures").resolve(name);
    }
}
