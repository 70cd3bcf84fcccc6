package io.freeanchor.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one-layer model ONNX Runtime runs per shape computes what our conv2d with bias and ReLU computes. */
class SingleConvModelTest {
    @Test
    void onnxRuntimeOnTheOneLayerModelMatchesTheReferenceConvolution() {
        for (String token : List.of("n1c5h9w11m7k3s1p1", "n2c4h8w13m6k3s2p1", "n1c6h7w5m4k3x1s2x1p1x0x0x1g2d2x1", "n1c3h20w22m8k7s2p3")) {
            ConvShape s = ConvShape.parse(token);
            ConvOperands ops = ConvOperands.random(s, 42);
            Tensor want = Tensor.zeros(DType.FLOAT32, s.outputShape());
            try (ReferenceBackend ref = new ReferenceBackend()) {
                ref.conv2d(s.params(Activation.RELU), ops.x(), ops.w(), ops.bias(), null, want);
            }
            Tensor got;
            try (OrtRunner ort = OrtRunner.open(null, SingleConvModel.build(s, ops), 1)) {
                ort.feed(Map.of("x", ops.x()));
                got = ort.run().get("y");
            }
            double diff = BenchCommand.maxRelativeDifference(Map.of("y", got), Map.of("y", want));
            assertTrue(diff <= 1e-5, token + ": max relative difference " + diff);
        }
    }
}
