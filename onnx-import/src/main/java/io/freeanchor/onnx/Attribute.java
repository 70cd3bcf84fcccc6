package io.freeanchor.onnx;

import java.util.Arrays;
import java.util.List;

/** A typed node attribute. Arrays are copied in and out, so an attribute is immutable. */
public sealed interface Attribute {
    String name();

    record Int(String name, long value) implements Attribute {}

    record Float(String name, float value) implements Attribute {}

    record Str(String name, String value) implements Attribute {}

    record Tensor(String name, TensorData value) implements Attribute {}

    record Strings(String name, List<String> values) implements Attribute {
        public Strings {
            values = List.copyOf(values);
        }
    }

    final class Ints implements Attribute {
        private final String name;
        private final long[] values;

        public Ints(String name, long[] values) {
            this.name = name;
            this.values = values.clone();
        }

        @Override
        public String name() {
            return name;
        }

        public long[] values() {
            return values.clone();
        }

        @Override
        public String toString() {
            return name + "=" + Arrays.toString(values);
        }
    }

    final class Floats implements Attribute {
        private final String name;
        private final float[] values;

        public Floats(String name, float[] values) {
            this.name = name;
            this.values = values.clone();
        }

        @Override
        public String name() {
            return name;
        }

        public float[] values() {
            return values.clone();
        }

        @Override
        public String toString() {
            return name + "=" + Arrays.toString(values);
        }
    }
}
