package io.freeanchor.eval.coco;

/**
 * A COCO ground-truth or results file (or an in-memory equivalent) that cannot be evaluated: unreadable, malformed
 * JSON, a missing or mistyped field, a detection on an image the ground truth does not have. The message is one
 * line that names the file and the JSON path, e.g. {@code instances.json: $.annotations[17].bbox: expected an array
 * of 4 numbers, got 3 elements}.
 */
public class CocoFormatException extends RuntimeException {
    public CocoFormatException(String message) {
        super(message);
    }

    public CocoFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
