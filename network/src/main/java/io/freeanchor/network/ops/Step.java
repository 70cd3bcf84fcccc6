package io.freeanchor.network.ops;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.ValueType;
import java.util.List;

/**
 * One executable node after planning: its output types are fixed, its attributes parsed. The executor
 * passes inputs by node position (null for absent ones) and outputs already allocated.
 */
public interface Step {
    List<ValueType> outputTypes();

    void run(Backend backend, Tensor[] inputs, Tensor[] outputs);

    /**
     * Backend state made once when a plan is bound to a backend, e.g. a convolution's constant
     * weights transformed for the backend's kernel; null when the step has none.
     * {@code constants[i]} is input i when it is a plan-time constant (else null) and
     * {@code inputTypes[i]} its planned type (null for absent inputs).
     */
    default Object prepare(Backend backend, Tensor[] constants, ValueType[] inputTypes) {
        return null;
    }

    /**
     * Whether {@link #run(Backend, Object, Tensor[], Tensor[])} with this prepared state still reads
     * input {@code input}'s values. When false for every use of a constant, a bound network drops
     * the constant and passes null for it.
     */
    default boolean readsInput(Object prepared, int input) {
        return true;
    }

    /** Runs with what {@link #prepare} returned for this backend (null: nothing prepared). */
    default void run(Backend backend, Object prepared, Tensor[] inputs, Tensor[] outputs) {
        run(backend, inputs, outputs);
    }

    /**
     * True when output 0 is input 0 with another shape (Reshape, Flatten, Squeeze, ...): the executor
     * then passes a view instead of running the step, and the memory plan shares the buffer.
     */
    default boolean isView() {
        return false;
    }

    /** Multiply-accumulates per run, for {@code info}. */
    default long macs() {
        return 0;
    }

    /** The body of a single-output step. */
    @FunctionalInterface
    interface Body {
        void run(Backend backend, Tensor[] inputs, Tensor[] outputs);
    }

    /** A single-output step of the given type running {@code body}. */
    static Step of(ValueType output, Body body) {
        return new Step() {
            @Override
            public List<ValueType> outputTypes() {
                return List.of(output);
            }

            @Override
            public void run(Backend backend, Tensor[] inputs, Tensor[] outputs) {
                body.run(backend, inputs, outputs);
            }
        };
    }
}
