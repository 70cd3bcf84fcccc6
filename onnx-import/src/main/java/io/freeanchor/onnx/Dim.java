package io.freeanchor.onnx;

/** One dimension of a declared value shape: a fixed size, a named symbol, or unknown. */
public sealed interface Dim {
    record Fixed(long size) implements Dim {
        @Override
        public String toString() {
            return Long.toString(size);
        }
    }

    record Symbolic(String name) implements Dim {
        @Override
        public String toString() {
            return name;
        }
    }

    record Unknown() implements Dim {
        @Override
        public String toString() {
            return "?";
        }
    }
}
