package io.freeanchor.network;

/**
 * A model the planner cannot run as given: unsupported ops, bad attributes, inconsistent shapes,
 * or a plan that would not fit in memory. The message is one line naming the node or tensor.
 */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
