package io.freeanchor.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.freeanchor.eval.coco.CocoDetections;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * COCO-val-sized synthetic ground truth and results files (5,000 images, 80 categories with COCO's ids,
 * about 36k ground truths, 20 detections an image), for the evaluator's benchmark.
 */
public final class SyntheticCoco {
    static final long[] COCO_IDS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
            27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57,
            58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90};

    private SyntheticCoco() {}

    /** A COCO-like scene: category frequencies skewed like COCO (person ~ a quarter), sizes from 10 to 200k px^2. */
    public static int[] write(Path gtFile, Path dtFile, int images, int detsPerImage, SplittableRandom rnd) throws IOException {
        JsonFactory f = new JsonFactory();
        double[][] boxes = new double[images * 16][];
        long[] boxCat = new long[images * 16];
        int[] perImageStart = new int[images + 1];
        int nGt = 0, nDt = 0;
        try (JsonGenerator g = f.createGenerator(gtFile.toFile(), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeObjectFieldStart("info");
            g.writeStringField("description", "synthetic");
            g.writeEndObject();
            g.writeArrayFieldStart("images");
            for (int i = 0; i < images; i++) {
                g.writeStartObject();
                g.writeNumberField("id", 100000 + 7L * i);
                g.writeStringField("file_name", String.format("%012d.jpg", 100000 + 7L * i));
                g.writeNumberField("width", 640);
                g.writeNumberField("height", 480);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("annotations");
            for (int i = 0; i < images; i++) {
                perImageStart[i] = nGt;
                int n = rnd.nextInt(15);
                for (int j = 0; j < n; j++) {
                    long cat = rnd.nextInt(4) == 0 ? 1 : COCO_IDS[rnd.nextInt(COCO_IDS.length)];
                    double area = Math.exp(Math.log(10) + rnd.nextDouble() * (Math.log(200000) - Math.log(10)));
                    double aspect = Math.exp(rnd.nextDouble() * 2 - 1);
                    double w = Math.min(639, Math.sqrt(area * aspect)), h = Math.min(479, Math.sqrt(area / aspect));
                    double x = rnd.nextDouble() * (640 - w), y = rnd.nextDouble() * (480 - h);
                    x = Math.round(x * 100) / 100.0;
                    y = Math.round(y * 100) / 100.0;
                    w = Math.round(w * 100) / 100.0;
                    h = Math.round(h * 100) / 100.0;
                    boxes[nGt] = new double[] {x, y, w, h};
                    boxCat[nGt] = cat;
                    g.writeStartObject();
                    g.writeArrayFieldStart("segmentation");
                    g.writeStartArray();
                    for (double v : new double[] {x, y, x + w, y, x + w, y + h, x, y + h}) {
                        g.writeNumber(v);
                    }
                    g.writeEndArray();
                    g.writeEndArray();
                    g.writeNumberField("area", w * h * 0.8);
                    g.writeNumberField("iscrowd", rnd.nextInt(100) == 0 ? 1 : 0);
                    g.writeNumberField("image_id", 100000 + 7L * i);
                    g.writeArrayFieldStart("bbox");
                    g.writeNumber(x);
                    g.writeNumber(y);
                    g.writeNumber(w);
                    g.writeNumber(h);
                    g.writeEndArray();
                    g.writeNumberField("category_id", cat);
                    g.writeNumberField("id", 1 + nGt);
                    g.writeEndObject();
                    nGt++;
                }
            }
            perImageStart[images] = nGt;
            g.writeEndArray();
            g.writeArrayFieldStart("categories");
            for (long id : COCO_IDS) {
                g.writeStartObject();
                g.writeStringField("supercategory", "thing");
                g.writeNumberField("id", id);
                g.writeStringField("name", "class" + id);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        try (JsonGenerator g = f.createGenerator(dtFile.toFile(), JsonEncoding.UTF8)) {
            g.writeStartArray();
            for (int i = 0; i < images; i++) {
                for (int j = 0; j < detsPerImage; j++) {
                    int from = perImageStart[i], to = perImageStart[i + 1];
                    float x1, y1, x2, y2;
                    long cat;
                    if (to > from && rnd.nextInt(3) > 0) {
                        int pick = from + rnd.nextInt(to - from);
                        double[] b = boxes[pick];
                        cat = rnd.nextInt(5) == 0 ? COCO_IDS[rnd.nextInt(COCO_IDS.length)] : boxCat[pick];
                        double jit = 0.2 * Math.sqrt(b[2] * b[3]);
                        x1 = (float) (b[0] + jit * (rnd.nextDouble() - 0.5));
                        y1 = (float) (b[1] + jit * (rnd.nextDouble() - 0.5));
                        x2 = (float) (b[0] + b[2] + jit * (rnd.nextDouble() - 0.5));
                        y2 = (float) (b[1] + b[3] + jit * (rnd.nextDouble() - 0.5));
                    } else {
                        cat = COCO_IDS[rnd.nextInt(COCO_IDS.length)];
                        x1 = (float) (rnd.nextDouble() * 600);
                        y1 = (float) (rnd.nextDouble() * 440);
                        x2 = x1 + (float) (4 + rnd.nextDouble() * 200);
                        y2 = y1 + (float) (4 + rnd.nextDouble() * 200);
                    }
                    CocoDetections.Detection d = CocoDetections.Detection.fromXyxy(100000 + 7L * i, cat, x1, y1, x2, y2,
                            (float) rnd.nextDouble());
                    g.writeStartObject();
                    g.writeNumberField("image_id", d.imageId());
                    g.writeArrayFieldStart("bbox");
                    g.writeNumber(d.x());
                    g.writeNumber(d.y());
                    g.writeNumber(d.w());
                    g.writeNumber(d.h());
                    g.writeEndArray();
                    g.writeNumberField("score", d.score());
                    g.writeNumberField("category_id", d.categoryId());
                    g.writeEndObject();
                    nDt++;
                }
            }
            g.writeEndArray();
        }
        return new int[] {nGt, nDt};
    }
}
