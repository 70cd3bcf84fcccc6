package io.freeanchor.eval.detect;

import io.freeanchor.kernels.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * MMDetection's {@code BaseDenseHead.predict_by_feat} for one image with {@code rescale=True},
 * {@code with_nms=True} (spec sections 7-9), bit-exact in float32:
 * <ol>
 *   <li>per level: sigmoid scores, pairs with score &gt; f32(score_thr), top {@code nms_pre} by score
 *       (ties in row-major (anchor, class) order), levels concatenated P3..P7;</li>
 *   <li>delta decoding against the anchors, clipped to the RESIZED image;</li>
 *   <li>rescale by f32(1 / scale_factor) with scale_factor = resized / original (double);</li>
 *   <li>drop boxes with w or h not above f32(min_bbox_size) (when min_bbox_size &gt;= 0);</li>
 *   <li>class-aware batched NMS, first {@code max_per_img} kept boxes.</li>
 * </ol>
 * Immutable and thread-safe: one instance serves any number of workers; each call allocates only
 * small per-image buffers (a few thousand candidates).
 */
public final class PostProcessor {
    private final DetectorConfig config;
    private final AnchorGenerator anchors;
    private final BoxCoder coder;
    private final float scoreThr;
    private final float scoreGate;
    private final float iouThr;
    private final boolean minSizeFilter;
    private final float minSize;

    public PostProcessor(DetectorConfig config) {
        this.config = config;
        this.anchors = new AnchorGenerator(config);
        this.coder = new BoxCoder(config);
        this.scoreThr = (float) config.scoreThr();
        this.scoreGate = Sigmoid.minLogitAbove(scoreThr);
        this.iouThr = (float) config.iouThreshold();
        this.minSizeFilter = config.minBboxSize() >= 0;
        this.minSize = (float) config.minBboxSize();
    }

    public DetectorConfig config() {
        return config;
    }

    public AnchorGenerator anchors() {
        return anchors;
    }

    /**
     * Detections of batch row {@code image} whose original (decoded) size is
     * {@code originalHeight x originalWidth}, resized to the config's input size.
     */
    public List<Detection> process(HeadOutputs outputs, int image, int originalHeight, int originalWidth) {
        return process(outputs, image, originalHeight, originalWidth, config.inputHeight(), config.inputWidth());
    }

    /**
     * Detections of batch row {@code image}: boxes are clipped to {@code resizedHeight x resizedWidth}
     * (the image as fed to the network, MMDetection's img_shape) and mapped back to the original
     * {@code originalHeight x originalWidth} (ori_shape) by the factors resized/original.
     */
    public List<Detection> process(HeadOutputs outputs, int image, int originalHeight, int originalWidth,
            int resizedHeight, int resizedWidth) {
        if (originalHeight < 1 || originalWidth < 1 || resizedHeight < 1 || resizedWidth < 1) {
            throw new IllegalArgumentException("image sizes must be >= 1: original " + originalHeight + "x"
                    + originalWidth + ", resized " + resizedHeight + "x" + resizedWidth + " (h x w)");
        }
        Candidates c = candidates(outputs, image, resizedHeight, resizedWidth);
        // scale_factor = (w_scale, h_scale) = (resized / original) in double; boxes * f32(1 / factor).
        double wScale = (double) resizedWidth / originalWidth;
        double hScale = (double) resizedHeight / originalHeight;
        rescale(c, (float) (1.0 / wScale), (float) (1.0 / hScale));
        if (minSizeFilter) {
            filterMinSize(c, minSize);
        }
        int[] keep = BatchedNms.run(c.boxes, c.scores, c.labels, c.n, iouThr, config.maxPerImg());
        List<Detection> out = new ArrayList<>(keep.length);
        for (int i : keep) {
            out.add(new Detection(c.boxes[4 * i], c.boxes[4 * i + 1], c.boxes[4 * i + 2], c.boxes[4 * i + 3],
                    c.scores[i], c.labels[i]));
        }
        return out;
    }

    /** Every image of the batch; {@code originalSizes[i] = {height, width}}. */
    public List<List<Detection>> processBatch(HeadOutputs outputs, int[][] originalSizes) {
        if (originalSizes.length != outputs.batch()) {
            throw new IllegalArgumentException(originalSizes.length + " image sizes for a batch of " + outputs.batch());
        }
        List<List<Detection>> out = new ArrayList<>();
        for (int i = 0; i < originalSizes.length; i++) {
            out.add(process(outputs, i, originalSizes[i][0], originalSizes[i][1]));
        }
        return out;
    }

    /** Per-image candidates: boxes (n x 4), scores, labels. */
    static final class Candidates {
        float[] boxes;
        float[] scores;
        int[] labels;
        int n;
    }

    /** Steps 1-2: per-level top-k and decoding (boxes in resized-image coordinates). */
    Candidates candidates(HeadOutputs outputs, int image, int resizedHeight, int resizedWidth) {
        int levels = anchors.numLevels();
        int numAnchors = anchors.numAnchors();
        int numClasses = config.numClasses();
        int clsC = numAnchors * numClasses;
        int regC = numAnchors * 4;
        if (outputs.levels() != levels) {
            throw new IllegalArgumentException(outputs.levels() + " output levels, the config has " + levels);
        }
        if (image < 0 || image >= outputs.batch()) {
            throw new IndexOutOfBoundsException("image " + image + " of a batch of " + outputs.batch());
        }
        long[][] kept = new long[levels][];
        int total = 0;
        for (int l = 0; l < levels; l++) {
            Tensor s = outputs.scores(l);
            if (s.dim(1) != clsC || outputs.deltas(l).dim(1) != regC) {
                throw new IllegalArgumentException("level " + l + ": " + s.dim(1) + " score and "
                        + outputs.deltas(l).dim(1) + " box channels, the config needs " + clsC + " and " + regC);
            }
            int stride = anchors.stride(l);
            long needH = ((long) resizedHeight + stride - 1) / stride;
            long needW = ((long) resizedWidth + stride - 1) / stride;
            if (outputs.height(l) < needH || outputs.width(l) < needW) {
                throw new IllegalArgumentException("level " + l + " map is " + outputs.height(l) + "x"
                        + outputs.width(l) + " but a " + resizedHeight + "x" + resizedWidth + " (h x w) input gives at"
                        + " least " + needH + "x" + needW + " at stride " + stride
                        + ": is the detector config's input_size the size the network ran at?");
            }
            int hw = outputs.height(l) * outputs.width(l);
            kept[l] = TopKSelector.select(s.floats(), image * clsC * hw, clsC, hw, scoreThr, scoreGate,
                    config.nmsPre());
            total += kept[l].length;
        }
        Candidates c = new Candidates();
        c.boxes = new float[4 * total];
        c.scores = new float[total];
        c.labels = new int[total];
        float maxW = resizedWidth;
        float maxH = resizedHeight;
        float[] anchor = new float[4];
        int n = 0;
        for (int l = 0; l < levels; l++) {
            int w = outputs.width(l);
            int hw = outputs.height(l) * w;
            float[] d = outputs.deltas(l).floats();
            int dBase = image * regC * hw;
            for (long key : kept[l]) {
                int pair = TopKSelector.pair(key);
                int loc = pair / clsC;
                int ch = pair % clsC;
                int a = ch / numClasses;
                anchors.anchor(l, w, loc * numAnchors + a, anchor, 0);
                int o = dBase + a * 4 * hw + loc;
                coder.decode(anchor, 0, d[o], d[o + hw], d[o + 2 * hw], d[o + 3 * hw], maxW, maxH, c.boxes, 4 * n);
                c.scores[n] = TopKSelector.score(key);
                c.labels[n] = ch % numClasses;
                n++;
            }
        }
        c.n = n;
        return c;
    }

    /** Step 3: boxes * [rw, rh, rw, rh] in float32. */
    static void rescale(Candidates c, float rw, float rh) {
        for (int i = 0; i < c.n; i++) {
            c.boxes[4 * i] *= rw;
            c.boxes[4 * i + 1] *= rh;
            c.boxes[4 * i + 2] *= rw;
            c.boxes[4 * i + 3] *= rh;
        }
    }

    /** Step 4: keep (x2 - x1) &gt; min and (y2 - y1) &gt; min, in order. */
    static void filterMinSize(Candidates c, float min) {
        int m = 0;
        for (int i = 0; i < c.n; i++) {
            float w = c.boxes[4 * i + 2] - c.boxes[4 * i];
            float h = c.boxes[4 * i + 3] - c.boxes[4 * i + 1];
            if (w > min && h > min) {
                if (m != i) {
                    System.arraycopy(c.boxes, 4 * i, c.boxes, 4 * m, 4);
                    c.scores[m] = c.scores[i];
                    c.labels[m] = c.labels[i];
                }
                m++;
            }
        }
        c.n = m;
    }
}
