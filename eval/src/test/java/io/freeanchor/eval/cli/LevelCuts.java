package io.freeanchor.eval.cli;

import io.freeanchor.eval.coco.CocoGroundTruth;
import io.freeanchor.eval.detect.DetectorConfig;
import io.freeanchor.eval.detect.HeadOutputs;
import io.freeanchor.eval.image.BgrImage;
import io.freeanchor.eval.image.ImageDecoder;
import io.freeanchor.eval.image.LinearResize;
import io.freeanchor.eval.image.Preprocessor;
import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.Network;
import io.freeanchor.network.PlanOptions;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per image, the score at which each level's nms_pre cut falls in an FP32 run (spec section 7: the
 * nms_pre-th best (anchor, class) score above score_thr; NaN where fewer pairs pass score_thr),
 * which {@link Top100} needs to tell a detection cut there from a real difference: the cut is not
 * visible in the results JSON.
 */
final class LevelCuts {
    private LevelCuts() {}

    /** The first {@code limit} images of the demo val split, as {@code eval --demo --limit} takes them. */
    static Map<Long, double[]> ofDemo(int limit) {
        DemoFiles demo = DemoFiles.locate();
        OnnxModel model = OnnxLoader.load(demo.model());
        DetectorConfig config = DetectorConfig.resolve(model.metadata(), null);
        List<CocoGroundTruth.Image> images = CocoGroundTruth.load(demo.annotations()).images();
        Preprocessor preprocessor = new Preprocessor();
        int h = preprocessor.padded(config.inputHeight()), w = preprocessor.padded(config.inputWidth());
        String input = model.graph().inputs().getFirst().name();
        Map<Long, double[]> cuts = new TreeMap<>();
        try (JavaBackend backend = new JavaBackend(2)) {
            Network network = Network.compile(model, Map.of(input, new int[] {1, 3, h, w}), backend, PlanOptions.defaults());
            for (CocoGroundTruth.Image image : images.subList(0, Math.min(limit, images.size()))) {
                BgrImage resized = LinearResize.resize(ImageDecoder.decode(demo.images().resolve(image.fileName())),
                        config.inputWidth(), config.inputHeight());
                float[] chw = new float[3 * h * w];
                preprocessor.toChw(resized, chw, 0, h, w);
                HeadOutputs outputs = HeadOutputs.split(network.run(Map.of(input, Tensor.ofFloats(new int[] {1, 3, h, w}, chw))),
                        config);
                double[] levelCuts = new double[outputs.levels()];
                for (int l = 0; l < levelCuts.length; l++) {
                    levelCuts[l] = cut(outputs.scores(l).floats(), config.scoreThr(), config.nmsPre());
                }
                cuts.put(image.id(), levelCuts);
            }
        }
        return cuts;
    }

    private static double cut(float[] logits, double scoreThr, int nmsPre) {
        double[] passing = new double[logits.length];
        int n = 0;
        for (float logit : logits) {
            double score = 1 / (1 + Math.exp(-logit));
            if (score > scoreThr) {
                passing[n++] = score;
            }
        }
        if (n < nmsPre) {
            return Double.NaN;
        }
        Arrays.sort(passing, 0, n);
        return passing[n - nmsPre];
    }
}
