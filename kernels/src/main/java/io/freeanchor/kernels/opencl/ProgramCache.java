package io.freeanchor.kernels.opencl;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Compiled program binaries on disk, keyed by a hash of device, driver, OpenCL version, build options
 * and source, so a changed kernel, driver or device never reuses a stale binary. Written atomically
 * (temporary file, then rename); an unreadable or refused entry is rebuilt from source. The directory
 * is {@code $FREEANCHOR_CACHE/opencl}, else {@code ~/.cache/freeanchor/opencl}.
 */
final class ProgramCache {
    private final ClDevice device;
    private final Path dir;

    ProgramCache(ClDevice device) {
        this.device = device;
        this.dir = cacheDir();
    }

    static Path cacheDir() {
        String env = System.getenv("FREEANCHOR_CACHE");
        String prop = System.getProperty("freeanchor.cache");
        Path base = prop != null ? Path.of(prop) : env != null ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "freeanchor");
        return base.resolve("opencl");
    }

    /** A stable hash of the device key and the given parts. */
    static String key(ClDevice device, String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(device.cacheKey().getBytes(StandardCharsets.UTF_8));
            for (String p : parts) {
                md.update((byte) 0);
                md.update(p.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    MemorySegment load(ClContext ctx, String source, String options) {
        Path file = dir.resolve(key(device, source, options) + ".bin");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return ctx.programFromBinary(Files.readAllBytes(file), options);
        } catch (IOException e) {
            return null;
        }
    }

    void store(ClContext ctx, MemorySegment program, String source, String options) {
        try {
            byte[] binary = ctx.binaryOf(program);
            if (binary.length > 0) {
                writeAtomically(dir.resolve(key(device, source, options) + ".bin"), binary);
            }
        } catch (IOException | OpenClException e) {
            // The cache only saves time: a read-only home or a driver without binaries still runs.
        }
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
