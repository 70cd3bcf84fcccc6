package io.freeanchor.eval.cli;

/** A problem with what the user gave us (options, files); reported as one line with exit code 2. */
public final class UserInputException extends RuntimeException {
    public UserInputException(String message) {
        super(message);
    }
}
