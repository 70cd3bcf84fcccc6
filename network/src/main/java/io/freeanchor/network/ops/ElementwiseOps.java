package io.freeanchor.network.ops;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.BinaryOp;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Shapes;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.UnaryOp;
import io.freeanchor.network.ValueType;
import java.util.List;

/** Add, Sub, Mul, Div with broadcasting; Relu, Sigmoid, Floor. */
public final class ElementwiseOps {
    private ElementwiseOps() {}

    static void register(OpRegistry r) {
        r.add("Add", c -> binary(c, BinaryOp.ADD));
        r.add("Sub", c -> binary(c, BinaryOp.SUB));
        r.add("Mul", c -> binary(c, BinaryOp.MUL));
        r.add("Div", c -> binary(c, BinaryOp.DIV));
        r.add("Relu", c -> unary(c, UnaryOp.RELU));
        r.add("Sigmoid", c -> unary(c, UnaryOp.SIGMOID));
        r.add("Floor", c -> unary(c, UnaryOp.FLOOR));
    }

    /** An element-wise binary op; output shape is the broadcast of the inputs. */
    public record BinaryStep(BinaryOp op, ValueType output) implements Step {
        @Override
        public List<ValueType> outputTypes() {
            return List.of(output);
        }

        @Override
        public void run(Backend backend, Tensor[] in, Tensor[] out) {
            backend.binary(op, in[0], in[1], out[0]);
        }
    }

    /** An element-wise unary op; output shape is the input's. */
    public record UnaryStep(UnaryOp op, ValueType output) implements Step {
        @Override
        public List<ValueType> outputTypes() {
            return List.of(output);
        }

        @Override
        public void run(Backend backend, Tensor[] in, Tensor[] out) {
            backend.unary(op, in[0], out[0]);
        }
    }

    private static Step binary(NodeContext c, BinaryOp op) {
        ValueType a = c.inputType(0), b = c.inputType(1);
        if (a.dtype() != b.dtype()) {
            throw c.error("inputs must have the same element type, got " + a + " and " + b);
        }
        try {
            return new BinaryStep(op, new ValueType(a.dtype(), Shapes.broadcast(a.shape(), b.shape())));
        } catch (IllegalArgumentException e) {
            throw c.error(e.getMessage());
        }
    }

    private static Step unary(NodeContext c, UnaryOp op) {
        ValueType x = c.inputType(0);
        if (x.dtype() != DType.FLOAT32) {
            throw c.error("only float input is supported, got " + x);
        }
        return new UnaryStep(op, x);
    }
}
