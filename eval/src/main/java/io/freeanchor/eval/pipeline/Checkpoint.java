package io.freeanchor.eval.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freeanchor.eval.cli.UserInputException;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable progress of a long eval: one JSON line per finished image, appended and forced to
 * disk after each batch, so a killed run resumes where it stopped. The first line fingerprints the
 * run's settings; resuming with other settings is refused. Floats are written with their shortest
 * round-trip text, so resumed and uninterrupted runs give byte-identical results.
 */
public final class Checkpoint implements AutoCloseable {
    /** Decimal text is kept exact, so each float is parsed from its own shortest text, not via double. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final JsonFactory FACTORY = new JsonFactory();

    /** One finished image: its detections as (x1, y1, x2, y2, score, label) in original pixels. */
    public record ImageResult(int index, long imageId, float[] boxes, float[] scores, int[] labels) {
        public int count() {
            return scores.length;
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final List<ImageResult> done;

    private Checkpoint(Path file, FileChannel channel, List<ImageResult> done) {
        this.file = file;
        this.channel = channel;
        this.done = done;
    }

    /**
     * Opens the checkpoint for a run. With {@code resume} an existing file is read back (a torn last
     * line from a kill is dropped); without it any old checkpoint is replaced.
     */
    public static Checkpoint open(Path file, String fingerprint, boolean resume) {
        try {
            List<ImageResult> done = new ArrayList<>();
            long validBytes = 0;
            if (resume && Files.exists(file)) {
                byte[] all = Files.readAllBytes(file);
                int start = 0, lineNo = 0;
                for (int i = 0; i < all.length; i++) {
                    if (all[i] != '\n') {
                        continue;
                    }
                    String line = new String(all, start, i - start, StandardCharsets.UTF_8);
                    if (lineNo == 0) {
                        String had = JSON.readTree(line).path("fingerprint").asText();
                        if (!had.equals(fingerprint)) {
                            throw new UserInputException("--resume: " + file + " belongs to a run with other settings ("
                                    + had + "); this run is " + fingerprint + ". Remove it or run without --resume");
                        }
                    } else {
                        done.add(parse(JSON.readTree(line), file, lineNo));
                    }
                    lineNo++;
                    start = i + 1;
                    validBytes = start;
                }
            }
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            ch.truncate(validBytes);
            ch.position(validBytes);
            Checkpoint c = new Checkpoint(file, ch, done);
            if (validBytes == 0) {
                c.write(JSON.writeValueAsString(java.util.Map.of("fingerprint", fingerprint)) + "\n");
            }
            return c;
        } catch (IOException e) {
            throw new UserInputException("cannot use checkpoint " + file + ": " + e.getMessage());
        }
    }

    /** Images finished by an earlier run, in the order they were written. */
    public List<ImageResult> done() {
        return done;
    }

    /** Appends finished images and forces them to disk. */
    public void append(List<ImageResult> results) {
        StringBuilder sb = new StringBuilder();
        for (ImageResult r : results) {
            sb.append(format(r)).append('\n');
        }
        try {
            write(sb.toString());
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file, e);
        }
    }

    private void write(String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** Removes the checkpoint once the final results are safely written. */
    public void delete() {
        close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove checkpoint " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close checkpoint " + file, e);
        }
    }

    static String format(ImageResult r) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            g.writeNumberField("index", r.index());
            g.writeNumberField("image_id", r.imageId());
            g.writeArrayFieldStart("dets");
            for (int i = 0; i < r.count(); i++) {
                g.writeStartArray();
                for (int k = 0; k < 4; k++) {
                    g.writeRawValue(Float.toString(r.boxes()[4 * i + k]));
                }
                g.writeRawValue(Float.toString(r.scores()[i]));
                g.writeNumber(r.labels()[i]);
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot format checkpoint line", e);
        }
        return w.toString();
    }

    private static ImageResult parse(JsonNode n, Path file, int line) {
        JsonNode dets = n.path("dets");
        if (!n.path("index").isInt() || !n.path("image_id").canConvertToLong() || !dets.isArray()) {
            throw new UserInputException("--resume: " + file + " line " + (line + 1) + " is not a checkpoint entry");
        }
        int k = dets.size();
        float[] boxes = new float[4 * k], scores = new float[k];
        int[] labels = new int[k];
        for (int i = 0; i < k; i++) {
            JsonNode d = dets.get(i);
            for (int j = 0; j < 4; j++) {
                boxes[4 * i + j] = Float.parseFloat(d.get(j).decimalValue().toString());
            }
            scores[i] = Float.parseFloat(d.get(4).decimalValue().toString());
            labels[i] = d.get(5).asInt();
        }
        return new ImageResult(n.get("index").asInt(), n.get("image_id").asLong(), boxes, scores, labels);
    }

    /** An I/O failure while writing progress: the run stops, what was forced to disk stays. */
    public static final class UncheckedIOException extends java.io.UncheckedIOException {
        UncheckedIOException(String message, IOException cause) {
            super(message + ": " + cause.getMessage(), cause);
        }
    }
}
