package io.freeanchor.kernels;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files: versions 1.0, 2.0 and 3.0 headers, C order, little-endian float32,
 * float16 (widened to FLOAT32 on read) and int64. The header is checked against the file size
 * before any array is allocated. Writes go to a temporary file that is then moved into place.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Element encodings we write. */
    public enum Format {
        FLOAT32("<f4", 4), FLOAT16("<f2", 2), INT64("<i8", 8);

        final String descr;
        final int bytes;

        Format(String descr, int bytes) {
            this.descr = descr;
            this.bytes = bytes;
        }
    }

    private Npy() {}

    public static Tensor read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, head, 0, file);
            for (int i = 0; i < MAGIC.length; i++) {
                if (head.get(i) != MAGIC[i]) {
                    throw bad(file, "not a .npy file (bad magic)");
                }
            }
            int major = head.get(6);
            long headerLen;
            int prefix;
            if (major == 1) {
                headerLen = Short.toUnsignedInt(head.getShort(8));
                prefix = 10;
            } else if (major == 2 || major == 3) {
                headerLen = Integer.toUnsignedLong(head.getInt(8));
                prefix = 12;
            } else {
                throw bad(file, "unsupported .npy version " + major);
            }
            if (prefix + headerLen > fileSize || headerLen > 1 << 20) {
                throw bad(file, "header length " + headerLen + " does not fit the file (" + fileSize + " bytes)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, prefix, file);
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String descr = field(DESCR, header, "descr", file);
            if (field(FORTRAN, header, "fortran_order", file).equals("True")) {
                throw bad(file, "Fortran-order arrays are not supported (save with C order)");
            }
            int[] shape = parseShape(field(SHAPE, header, "shape", file), file);
            Format format = switch (descr) {
                case "<f4" -> Format.FLOAT32;
                case "<f2" -> Format.FLOAT16;
                case "<i8" -> Format.INT64;
                default -> throw bad(file, "dtype '" + descr + "' is not supported (expected little-endian"
                        + " float32 '<f4', float16 '<f2' or int64 '<i8')");
            };
            long count = 1;
            for (int d : shape) {
                count *= d;
                if (count > Integer.MAX_VALUE - 8) {
                    throw bad(file, "shape has more elements than a Java array holds");
                }
            }
            long dataBytes = count * format.bytes;
            long offset = prefix + headerLen;
            if (fileSize - offset != dataBytes) {
                throw bad(file, "shape and dtype need " + dataBytes + " data bytes, the file has " + (fileSize - offset)
                        + (fileSize - offset < dataBytes ? " (truncated?)" : ""));
            }
            ByteBuffer data = ch.map(FileChannel.MapMode.READ_ONLY, offset, dataBytes).order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) count;
            return switch (format) {
                case FLOAT32 -> {
                    float[] f = new float[n];
                    data.asFloatBuffer().get(f);
                    yield Tensor.ofFloats(shape, f);
                }
                case FLOAT16 -> {
                    float[] f = new float[n];
                    for (int i = 0; i < n; i++) {
                        f[i] = Float.float16ToFloat(data.getShort(2 * i));
                    }
                    yield Tensor.ofFloats(shape, f);
                }
                case INT64 -> {
                    long[] l = new long[n];
                    data.asLongBuffer().get(l);
                    yield Tensor.ofLongs(shape, l);
                }
            };
        } catch (NoSuchFileException e) {
            throw new NpyException(file + ": no such file");
        } catch (IOException e) {
            throw new NpyException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Writes FLOAT32 tensors as float32 and INT64 tensors as int64. */
    public static void write(Path file, Tensor t) {
        write(file, t, t.dtype() == DType.FLOAT32 ? Format.FLOAT32 : Format.INT64);
    }

    /** Writes atomically (temporary file, then rename). */
    public static void write(Path file, Tensor t, Format format) {
        if ((format == Format.INT64) != (t.dtype() == DType.INT64)) {
            throw new IllegalArgumentException("cannot write " + t + " as " + format);
        }
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < t.rank(); i++) {
            shape.append(t.dim(i)).append(t.rank() == 1 ? "," : i < t.rank() - 1 ? ", " : "");
        }
        shape.append(')');
        String dict = "{'descr': '" + format.descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        // Version 1.0 unless the header needs more than 65535 bytes; total header padded to 64 bytes.
        int version = dict.length() + 11 > 65535 ? 2 : 1;
        int prefix = version == 1 ? 10 : 12;
        int total = ((prefix + dict.length() + 1 + 63) / 64) * 64;
        String padded = dict + " ".repeat(total - prefix - dict.length() - 1) + "\n";
        ByteBuffer head = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            head.putShort((short) padded.length());
        } else {
            head.putInt(padded.length());
        }
        head.put(padded.getBytes(StandardCharsets.ISO_8859_1));
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            // Not Files.createTempFile: its 0600 mode would stay on the result after the move.
            Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
            try {
                try (OutputStream out = new java.io.BufferedOutputStream(
                        Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16)) {
                    out.write(head.array());
                    writeData(out, t, format);
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new NpyException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static void writeData(OutputStream out, Tensor t, Format format) throws IOException {
        int n = t.size();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (buf.remaining() < 8) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            switch (format) {
                case FLOAT32 -> buf.putFloat(t.floats()[i]);
                case FLOAT16 -> buf.putShort(Float.floatToFloat16(t.floats()[i]));
                case INT64 -> buf.putLong(t.longs()[i]);
            }
        }
        out.write(buf.array(), 0, buf.position());
    }

    private static int[] parseShape(String s, Path file) {
        List<Integer> dims = new ArrayList<>();
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (p.endsWith("L")) {
                p = p.substring(0, p.length() - 1);
            }
            try {
                long d = Long.parseLong(p);
                if (d < 0 || d > Integer.MAX_VALUE) {
                    throw bad(file, "invalid dimension " + p + " in shape (" + s + ")");
                }
                dims.add((int) d);
            } catch (NumberFormatException e) {
                throw bad(file, "invalid dimension '" + p + "' in shape (" + s + ")");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String field(Pattern p, String header, String name, Path file) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw bad(file, "header has no valid '" + name + "' entry: " + header.strip());
        }
        return m.group(1);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, position + buf.position());
            if (r < 0) {
                throw bad(file, "truncated .npy header");
            }
        }
    }

    private static NpyException bad(Path file, String why) {
        return new NpyException(file + ": " + why);
    }

    /** A .npy file that cannot be read or written; the message names the file. */
    public static final class NpyException extends RuntimeException {
        NpyException(String message) {
            super(message);
        }

        NpyException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
