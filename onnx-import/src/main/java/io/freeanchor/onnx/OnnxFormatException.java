package io.freeanchor.onnx;

/**
 * A model file that cannot be loaded: missing, unreadable, not protobuf, truncated, or an ONNX
 * model that breaks a rule of the format or uses a feature this importer does not support. The
 * message is one line that names the file and, where relevant, the node, tensor or field at fault.
 */
public class OnnxFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OnnxFormatException(String message) {
        super(oneLine(message));
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String s) {
        return s == null ? null : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
