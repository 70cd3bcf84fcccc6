package io.freeanchor.onnx;

import java.util.Map;

/**
 * A loaded model: its graph and metadata.
 *
 * @param opsetImports domain ("" for the default ONNX domain) to opset version
 * @param metadata     the model's metadata_props
 */
public record OnnxModel(long irVersion, String producerName, String producerVersion,
                        Map<String, Long> opsetImports, Map<String, String> metadata, Graph graph) {
    public OnnxModel {
        opsetImports = Map.copyOf(opsetImports);
        metadata = Map.copyOf(metadata);
    }

    /** The opset of the default ONNX domain. */
    public long opset() {
        Long v = opsetImports.get("");
        if (v == null) {
            v = opsetImports.get("ai.onnx");
        }
        return v == null ? 0 : v;
    }
}
