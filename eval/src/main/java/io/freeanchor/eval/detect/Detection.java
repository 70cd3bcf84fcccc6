package io.freeanchor.eval.detect;

/**
 * One final detection of an image: box corners in original-image pixels (float32, as MMDetection's
 * {@code pred_instances.bboxes}), the sigmoid score and the 0-based label.
 */
public record Detection(float x1, float y1, float x2, float y2, float score, int label) {}
