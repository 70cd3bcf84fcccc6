package io.freeanchor.bench;

import com.google.protobuf.ByteString;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.proto.OnnxProto.AttributeProto;
import io.freeanchor.onnx.proto.OnnxProto.GraphProto;
import io.freeanchor.onnx.proto.OnnxProto.ModelProto;
import io.freeanchor.onnx.proto.OnnxProto.NodeProto;
import io.freeanchor.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.freeanchor.onnx.proto.OnnxProto.TensorProto;
import io.freeanchor.onnx.proto.OnnxProto.TensorShapeProto;
import io.freeanchor.onnx.proto.OnnxProto.TypeProto;
import io.freeanchor.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A one-layer ONNX model (opset 13), input {@code x} of the shape's fixed size, weights and bias as
 * initializers, Conv then Relu into output {@code y}: what ONNX Runtime runs for a per-shape
 * comparison with our conv2d with fused bias and ReLU.
 */
final class SingleConvModel {
    private static final int FLOAT = 1;

    private SingleConvModel() {}

    static byte[] build(ConvShape s, ConvOperands ops) {
        NodeProto conv = NodeProto.newBuilder().setOpType("Conv").setName("conv").addInput("x").addInput("w").addInput("b")
                .addOutput("c")
                .addAttribute(ints("kernel_shape", s.kh(), s.kw()))
                .addAttribute(ints("strides", s.strideH(), s.strideW()))
                .addAttribute(ints("pads", s.padTop(), s.padLeft(), s.padBottom(), s.padRight()))
                .addAttribute(ints("dilations", s.dilationH(), s.dilationW()))
                .addAttribute(AttributeProto.newBuilder().setName("group").setType(AttributeProto.AttributeType.INT_VALUE)
                        .setI(s.group()))
                .build();
        NodeProto relu = NodeProto.newBuilder().setOpType("Relu").setName("relu").addInput("c").addOutput("y").build();
        GraphProto graph = GraphProto.newBuilder().setName("single_conv").addNode(conv).addNode(relu)
                .addInitializer(tensor("w", ops.w())).addInitializer(tensor("b", ops.bias()))
                .addInput(value("x", s.inputShape())).addOutput(value("y", s.outputShape()))
                .build();
        return ModelProto.newBuilder().setIrVersion(7).setProducerName("freeanchor-bench").setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .build().toByteArray();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS_VALUE);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    private static TensorProto tensor(String name, Tensor t) {
        ByteBuffer raw = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(t.floats(), 0, t.size());
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(FLOAT).setRawData(ByteString.copyFrom(raw.array()));
        for (int d : t.shape()) {
            b.addDims(d);
        }
        return b.build();
    }

    private static ValueInfoProto value(String name, int[] shape) {
        TensorShapeProto.Builder sb = TensorShapeProto.newBuilder();
        for (int d : shape) {
            sb.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(sb)))
                .build();
    }
}
