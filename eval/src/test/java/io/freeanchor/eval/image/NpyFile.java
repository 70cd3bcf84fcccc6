package io.freeanchor.eval.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the uint8 and float32 .npy files tools/opencv_reference.py writes (C order). */
record NpyFile(int[] shape, byte[] u8, float[] f32) {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    static NpyFile read(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if ((b[0] & 0xFF) != 0x93 || b[1] != 'N') {
            throw new IllegalArgumentException(file + ": not .npy");
        }
        int major = b[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
            start = 10;
        } else {
            headerLen = ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            start = 12;
        }
        String header = new String(b, start, headerLen, StandardCharsets.ISO_8859_1);
        if (header.contains("'fortran_order': True")) {
            throw new IllegalArgumentException(file + ": Fortran order");
        }
        Matcher d = DESCR.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !s.find()) {
            throw new IllegalArgumentException(file + ": bad header " + header);
        }
        int[] shape = Arrays.stream(s.group(1).split(",")).map(String::strip).filter(x -> !x.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
        int data = start + headerLen;
        int count = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        return switch (d.group(1)) {
            case "|u1" -> new NpyFile(shape, Arrays.copyOfRange(b, data, data + count), null);
            case "<f4" -> {
                float[] f = new float[count];
                ByteBuffer.wrap(b, data, count * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
                yield new NpyFile(shape, null, f);
            }
            default -> throw new IllegalArgumentException(file + ": unsupported dtype " + d.group(1));
        };
    }

    /** An HxWx3 uint8 array as an image. */
    BgrImage image() {
        if (shape.length != 3 || shape[2] != 3 || u8 == null) {
            throw new IllegalArgumentException("not an HxWx3 uint8 array: " + Arrays.toString(shape));
        }
        return new BgrImage(shape[1], shape[0], u8);
    }
}
