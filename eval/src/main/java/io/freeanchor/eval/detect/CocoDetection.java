package io.freeanchor.eval.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One entry of a COCO results file as MMDetection's {@code CocoMetric.results2json} writes it (spec
 * section 10): {@code bbox = [x1, y1, x2 - x1, y2 - y1]} with the float32 corners widened to double
 * BEFORE the subtraction, the float32 score widened to double, and the label's category id.
 *
 * @param bbox [x, y, width, height]; equality and hashing compare its contents
 */
public record CocoDetection(long imageId, long categoryId, double[] bbox, double score) {
    public CocoDetection {
        if (bbox.length != 4) {
            throw new IllegalArgumentException("bbox must have 4 numbers, got " + bbox.length);
        }
        bbox = bbox.clone();
    }

    /** The COCO entry of one detection. */
    public static CocoDetection of(long imageId, Detection d, DetectorConfig config) {
        double x1 = d.x1();
        double y1 = d.y1();
        double[] bbox = {x1, y1, (double) d.x2() - x1, (double) d.y2() - y1};
        return new CocoDetection(imageId, config.categoryId(d.label()), bbox, d.score());
    }

    /** The COCO entries of one image's detections, in result order. */
    public static List<CocoDetection> of(long imageId, List<Detection> detections, DetectorConfig config) {
        List<CocoDetection> out = new ArrayList<>(detections.size());
        for (Detection d : detections) {
            out.add(of(imageId, d, config));
        }
        return out;
    }

    @Override
    public double[] bbox() {
        return bbox.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CocoDetection c && c.imageId == imageId && c.categoryId == categoryId
                && Arrays.equals(c.bbox, bbox) && Double.compare(c.score, score) == 0;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(imageId) * 31 * 31 * 31 + Long.hashCode(categoryId) * 31 * 31 + Arrays.hashCode(bbox) * 31
                + Double.hashCode(score);
    }

    @Override
    public String toString() {
        return "CocoDetection[imageId=" + imageId + ", categoryId=" + categoryId + ", bbox=" + Arrays.toString(bbox)
                + ", score=" + score + "]";
    }
}
