package io.freeanchor.eval.coco;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Detections as pycocotools' {@code COCO.loadRes} makes them from a bbox results list, held as columns. Detection
 * {@code i} (list order) gets {@code id = i + 1}, {@code iscrowd = 0} and {@code area = w * h} (double, negative if a
 * side is); any id/area/iscrowd given in the file is ignored, and the x2/y2 that loadRes computes only feed a
 * segmentation polygon that bbox evaluation never reads. Every image id must belong to the ground truth (loadRes
 * asserts it); category ids, sizes and scores are not checked, as in pycocotools. An empty list is refused with a
 * {@link NoDetectionsException}.
 */
public final class CocoDetections {
    /** One detection in COCO form: box {@code [x, y, w, h]} in original-image pixels. */
    public record Detection(long imageId, long categoryId, double x, double y, double w, double h, double score) {
        /**
         * A detection from float32 corner boxes as MMDetection's {@code results2json} writes it: every float widened to
         * double first, then {@code w = double(x2) - double(x1)} and {@code h = double(y2) - double(y1)} in double.
         */
        public static Detection fromXyxy(long imageId, long categoryId, float x1, float y1, float x2, float y2,
                                         float score) {
            double dx1 = x1, dy1 = y1;
            return new Detection(imageId, categoryId, dx1, dy1, (double) x2 - dx1, (double) y2 - dy1, score);
        }
    }

    /** Writes NaN/Infinity bare, as Python's json.dump does. */
    private static final JsonFactory WRITER = JsonFactory.builder().disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();

    private final String source;
    final int n;
    final long[] imageId, categoryId;
    final double[] box, score, area;

    private CocoDetections(String source, Columns c) {
        if (c.n == 0) {
            throw new NoDetectionsException(source);
        }
        this.source = source;
        this.n = c.n;
        this.imageId = Arrays.copyOf(c.image, c.n);
        this.categoryId = Arrays.copyOf(c.cat, c.n);
        this.box = Arrays.copyOf(c.box, 4 * c.n);
        this.score = Arrays.copyOf(c.score, c.n);
        this.area = new double[c.n];
        for (int i = 0; i < c.n; i++) {
            area[i] = box[4 * i + 2] * box[4 * i + 3];
        }
    }

    /**
     * Streams a results file ({@code [{image_id, category_id, bbox: [x, y, w, h], score}, ...]}, 100 MB and more is
     * fine) against {@code gt}. Errors are one-line {@link CocoFormatException}s naming the file and JSON path; an
     * image id missing from the ground truth is named with its path ({@code $[17].image_id}).
     */
    public static CocoDetections load(Path file, CocoGroundTruth gt) {
        Parser parser = new Parser(file.toString(), gt);
        parser.readFile(file);
        return new CocoDetections(file.toString(), parser.cols);
    }

    /** Like {@link #load} from a stream; {@code sourceName} prefixes error messages. */
    public static CocoDetections parse(InputStream in, String sourceName, CocoGroundTruth gt) {
        Parser parser = new Parser(sourceName, gt);
        try {
            parser.readStream(in);
        } catch (IOException e) {
            throw new CocoFormatException(sourceName + ": cannot read: " + CocoJsonReader.oneLine(e.getMessage()), e);
        }
        return new CocoDetections(sourceName, parser.cols);
    }

    /** The detections of an in-memory list, with exactly the semantics of {@link #load} on the same list. */
    public static CocoDetections of(CocoGroundTruth gt, List<Detection> detections) {
        Builder b = builder(gt);
        for (Detection d : detections) {
            b.add(d);
        }
        return b.build();
    }

    /** For a pipeline that produces detections one by one without a {@link Detection} per box. */
    public static Builder builder(CocoGroundTruth gt) {
        return new Builder(gt);
    }

    public int size() {
        return n;
    }

    public Detection detection(int i) {
        return new Detection(imageId[i], categoryId[i], box[4 * i], box[4 * i + 1], box[4 * i + 2], box[4 * i + 3],
                score[i]);
    }

    /** loadRes' {@code id}: position in the list plus one. */
    public long id(int i) {
        return i + 1L;
    }

    /** loadRes' {@code area}: {@code w * h}. */
    public double area(int i) {
        return area[i];
    }

    public String source() {
        return source;
    }

    /**
     * Writes the list as MMDetection's results2json does ({@code image_id, bbox, score, category_id}), each double in
     * its shortest round-trip form, so that reading it back (here or with Python's json) gives the same doubles.
     */
    public void writeJson(OutputStream out) throws IOException {
        try (JsonGenerator g = WRITER.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartArray();
            for (int i = 0; i < n; i++) {
                g.writeStartObject();
                g.writeNumberField("image_id", imageId[i]);
                g.writeArrayFieldStart("bbox");
                for (int j = 0; j < 4; j++) {
                    g.writeNumber(box[4 * i + j]);
                }
                g.writeEndArray();
                g.writeNumberField("score", score[i]);
                g.writeNumberField("category_id", categoryId[i]);
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }

    /** Collects detections in list order; {@link #build()} refuses an empty list. */
    public static final class Builder {
        private final CocoGroundTruth gt;
        private final Columns cols = new Columns();

        private Builder(CocoGroundTruth gt) {
            this.gt = gt;
        }

        /** Adds a detection with box {@code [x, y, w, h]}; its image must be in the ground truth. */
        public Builder add(long imageId, long categoryId, double x, double y, double w, double h, double score) {
            if (!gt.hasImage(imageId)) {
                throw new CocoFormatException("detection " + cols.n + ": image id " + imageId
                        + " is not in the ground truth " + gt.source()
                        + " (pycocotools: Results do not correspond to current coco set)");
            }
            int i = cols.add();
            cols.image[i] = imageId;
            cols.cat[i] = categoryId;
            cols.box[4 * i] = x;
            cols.box[4 * i + 1] = y;
            cols.box[4 * i + 2] = w;
            cols.box[4 * i + 3] = h;
            cols.score[i] = score;
            return this;
        }

        public Builder add(Detection d) {
            return add(d.imageId(), d.categoryId(), d.x(), d.y(), d.w(), d.h(), d.score());
        }

        /** {@link Detection#fromXyxy} without the record. */
        public Builder addXyxy(long imageId, long categoryId, float x1, float y1, float x2, float y2, float score) {
            double dx1 = x1, dy1 = y1;
            return add(imageId, categoryId, dx1, dy1, (double) x2 - dx1, (double) y2 - dy1, score);
        }

        public int size() {
            return cols.n;
        }

        public CocoDetections build() {
            return new CocoDetections("<in-memory detections>", cols);
        }
    }

    private static final class Columns {
        int n;
        long[] image = new long[64], cat = new long[64];
        double[] box = new double[256], score = new double[64];

        int add() {
            if (n == image.length) {
                int cap = Math.multiplyExact(n, 2);
                image = Arrays.copyOf(image, cap);
                cat = Arrays.copyOf(cat, cap);
                box = Arrays.copyOf(box, Math.multiplyExact(cap, 4));
                score = Arrays.copyOf(score, cap);
            }
            return n++;
        }
    }

    private static final class Parser extends CocoJsonReader {
        private final CocoGroundTruth gt;
        final Columns cols = new Columns();

        Parser(String source, CocoGroundTruth gt) {
            super(source);
            this.gt = gt;
        }

        private static final int IMAGE = 1, CAT = 2, BBOX = 4, SCORE = 8, ALL = 15;

        @Override
        void read() throws IOException {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_ARRAY) {
                throw error("expected an array of detections {image_id, category_id, bbox, score}, got " + describe(t)
                        + (t == JsonToken.START_OBJECT ? " (ground truth? it belongs to --gt)" : ""));
            }
            for (index = 0; p.nextToken() != JsonToken.END_ARRAY; index++) {
                expectObject("a detection object {image_id, category_id, bbox, score}");
                int i = cols.add();
                int seen = 0;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "image_id" -> {
                            long id = integer();
                            if (!gt.hasImage(id)) {
                                throw error("image id " + id + " is not in the ground truth " + gt.source()
                                        + " (pycocotools: Results do not correspond to current coco set)");
                            }
                            cols.image[i] = id;
                            seen |= IMAGE;
                        }
                        case "category_id" -> {
                            cols.cat[i] = integer();
                            seen |= CAT;
                        }
                        case "bbox" -> {
                            bbox(cols.box, 4 * i);
                            seen |= BBOX;
                        }
                        case "score" -> {
                            cols.score[i] = number();
                            seen |= SCORE;
                        }
                        default -> skipValue();
                    }
                    field = null;
                }
                if (seen != ALL) {
                    String[] names = {"image_id", "category_id", "bbox", "score"};
                    for (int b = 0; b < names.length; b++) {
                        if ((seen & (1 << b)) == 0) {
                            throw missing(names[b]);
                        }
                    }
                }
            }
            index = -1;
        }
    }
}
