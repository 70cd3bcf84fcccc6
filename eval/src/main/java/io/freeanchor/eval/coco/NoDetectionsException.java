package io.freeanchor.eval.coco;

/**
 * The results list is empty. pycocotools' {@code COCO.loadRes} fails on it (it reads the first element to pick the
 * result type) and MMDetection's CocoMetric then logs an error and reports no metrics; we report no metrics either,
 * with this exception instead of an IndexError.
 */
public final class NoDetectionsException extends CocoFormatException {
    public NoDetectionsException(String source) {
        super(source + ": the results list is empty, so there are no detections to evaluate"
                + " (pycocotools' loadRes fails on an empty list and MMDetection's CocoMetric reports no metrics)");
    }
}
