package io.freeanchor.eval.detect;

import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The head's raw outputs split into per-level score maps ({@code N x A*K x H x W}) and box-regression
 * maps ({@code N x A*4 x H x W}), spec section 1. Outputs are identified by channel count, never by
 * name: {@code A*4} channels is a regression map, anything else a score map; each group keeps the
 * graph's output order, which must run from the largest map to the smallest (P3..P7). When
 * {@code A*K == A*4} (4 classes) the channel counts cannot tell them apart and the export's order
 * decides: the first half are score maps.
 */
public final class HeadOutputs {
    private final Tensor[] scores;
    private final Tensor[] deltas;
    private final int batch;

    private HeadOutputs(Tensor[] scores, Tensor[] deltas, int batch) {
        this.scores = scores;
        this.deltas = deltas;
        this.batch = batch;
    }

    /** Splits the network's outputs, given in graph-output order (a LinkedHashMap). */
    public static HeadOutputs split(Map<String, Tensor> outputs, DetectorConfig config) {
        return split(List.copyOf(outputs.keySet()), List.copyOf(outputs.values()), config);
    }

    /** Splits outputs given in graph-output order. */
    public static HeadOutputs split(List<Tensor> outputs, DetectorConfig config) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            names.add(null);
        }
        return split(names, outputs, config);
    }

    private static HeadOutputs split(List<String> names, List<Tensor> outputs, DetectorConfig config) {
        int levels = config.numLevels();
        int regC = config.regressionChannels();
        int clsC = config.classificationChannels();
        if (outputs.size() != 2 * levels) {
            throw new IllegalArgumentException("expected " + 2 * levels + " head outputs (score and box maps for "
                    + levels + " levels), got " + outputs.size() + ": " + describeAll(names, outputs));
        }
        List<Integer> clsIdx = new ArrayList<>();
        List<Integer> regIdx = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            Tensor t = outputs.get(i);
            String what = describe(names, outputs, i);
            if (t.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException(what + " is " + t.dtype() + ", expected FLOAT32");
            }
            if (t.rank() != 4) {
                throw new IllegalArgumentException(what + " has rank " + t.rank() + ", expected 4 (N, C, H, W)");
            }
            if (clsC == regC) {
                (i < levels ? clsIdx : regIdx).add(i);
            } else if (t.dim(1) == regC) {
                regIdx.add(i);
            } else if (t.dim(1) == clsC) {
                clsIdx.add(i);
            } else {
                throw new IllegalArgumentException(what + " has " + t.dim(1) + " channels; a score map has "
                        + clsC + " (" + config.numAnchors() + " anchors x " + config.numClasses()
                        + " classes) and a box map " + regC + " (" + config.numAnchors() + " anchors x 4)");
            }
        }
        if (regIdx.size() != levels || clsIdx.size() != levels) {
            throw new IllegalArgumentException("expected " + levels + " score maps (" + clsC + " channels) and "
                    + levels + " box maps (" + regC + " channels), got " + clsIdx.size() + " and " + regIdx.size()
                    + ": " + describeAll(names, outputs));
        }
        int batch = outputs.get(0).dim(0);
        for (int i = 0; i < outputs.size(); i++) {
            if (outputs.get(i).dim(0) != batch) {
                throw new IllegalArgumentException("batch sizes differ: " + describe(names, outputs, 0) + " vs "
                        + describe(names, outputs, i));
            }
        }
        Tensor[] scores = new Tensor[levels];
        Tensor[] deltas = new Tensor[levels];
        for (int l = 0; l < levels; l++) {
            int ci = clsIdx.get(l);
            int ri = regIdx.get(l);
            Tensor c = outputs.get(ci);
            Tensor r = outputs.get(ri);
            if (c.dim(2) != r.dim(2) || c.dim(3) != r.dim(3)) {
                throw new IllegalArgumentException("level " + l + ": score map " + describe(names, outputs, ci)
                        + " and box map " + describe(names, outputs, ri) + " differ in spatial size");
            }
            if (c.dim(2) < 1 || c.dim(3) < 1) {
                throw new IllegalArgumentException("level " + l + ": empty feature map " + describe(names, outputs, ci));
            }
            if (l > 0 && (c.dim(2) > scores[l - 1].dim(2) || c.dim(3) > scores[l - 1].dim(3))) {
                throw new IllegalArgumentException("level " + l + " (" + describe(names, outputs, ci)
                        + ") is larger than level " + (l - 1) + " (" + Arrays.toString(scores[l - 1].shape())
                        + "): outputs must run from the largest map (stride " + config.strides().get(0)
                        + ") to the smallest");
            }
            scores[l] = c;
            deltas[l] = r;
        }
        return new HeadOutputs(scores, deltas, batch);
    }

    public int batch() {
        return batch;
    }

    public int levels() {
        return scores.length;
    }

    /** Level's score (logit) map, {@code N x A*K x H x W}. */
    public Tensor scores(int level) {
        return scores[level];
    }

    /** Level's box-regression map, {@code N x A*4 x H x W}. */
    public Tensor deltas(int level) {
        return deltas[level];
    }

    public int height(int level) {
        return scores[level].dim(2);
    }

    public int width(int level) {
        return scores[level].dim(3);
    }

    private static String describe(List<String> names, List<Tensor> outputs, int i) {
        String name = names.get(i);
        return "output #" + i + (name != null ? " '" + name + "'" : "") + " " + Arrays.toString(outputs.get(i).shape());
    }

    private static String describeAll(List<String> names, List<Tensor> outputs) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            parts.add(describe(names, outputs, i));
        }
        return String.join(", ", parts);
    }
}
