package io.freeanchor.eval.image;

/**
 * An image file that cannot be read or decoded (missing, unreadable, truncated, corrupt, or in a
 * format we do not decode). The message is one line and names the file.
 */
public final class ImageDecodeException extends RuntimeException {
    public ImageDecodeException(String file, String problem) {
        super(oneLine(file + ": " + problem));
    }

    public ImageDecodeException(String file, String problem, Throwable cause) {
        super(oneLine(file + ": " + problem), cause);
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
