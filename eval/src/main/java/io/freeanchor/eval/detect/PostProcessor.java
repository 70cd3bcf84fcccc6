package io.freeanchor.eval.detect;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.head.HeadParams;
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
 * Steps 1-2 are {@code Backend.headCandidates}, per level for the whole batch, on the backend that ran
 * the network ({@link #candidates}): on a device backend the raw head outputs never come back to
 * the host, only the candidates. Steps 3-5 run on the host per image ({@link #process(BatchCandidates,
 * int, int, int)}).
 *
 * <p>Immutable and thread-safe: one instance serves any number of workers; each call allocates only
 * small per-image buffers (a few thousand candidates).
 */
public final class PostProcessor {
    /** Runs steps 1-2 for the host-tensor convenience overloads ({@link #process(HeadOutputs, int, int, int)}). */
    private static final Backend HOST = new JavaBackend(1);

    private final DetectorConfig config;
    private final AnchorGenerator anchors;
    private final BoxCoder coder;
    private final float scoreThr;
    private final float iouThr;
    private final boolean minSizeFilter;
    private final float minSize;

    public PostProcessor(DetectorConfig config) {
        this.config = config;
        this.anchors = new AnchorGenerator(config);
        this.coder = new BoxCoder(config);
        this.scoreThr = (float) config.scoreThr();
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
        if (image < 0 || image >= outputs.batch()) {
            throw new IndexOutOfBoundsException("image " + image + " of a batch of " + outputs.batch());
        }
        checkSizes(originalHeight, originalWidth, resizedHeight, resizedWidth);
        return process(candidates(HOST, outputs, resizedHeight, resizedWidth), image, originalHeight, originalWidth);
    }

    /**
     * Detections of batch row {@code image} of candidates from {@link #candidates}, whose original
     * (decoded) size is {@code originalHeight x originalWidth}: boxes are mapped back from the resized
     * size the candidates were clipped to by the factors resized/original.
     */
    public List<Detection> process(BatchCandidates batch, int image, int originalHeight, int originalWidth) {
        checkSizes(originalHeight, originalWidth, batch.resizedHeight, batch.resizedWidth);
        Candidates c = batch.image(image);
        // scale_factor = (w_scale, h_scale) = (resized / original) in double; boxes * f32(1 / factor).
        double wScale = (double) batch.resizedWidth / originalWidth;
        double hScale = (double) batch.resizedHeight / originalHeight;
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

    private static void checkSizes(int originalHeight, int originalWidth, int resizedHeight, int resizedWidth) {
        if (originalHeight < 1 || originalWidth < 1 || resizedHeight < 1 || resizedWidth < 1) {
            throw new IllegalArgumentException("image sizes must be >= 1: original " + originalHeight + "x"
                    + originalWidth + ", resized " + resizedHeight + "x" + resizedWidth + " (h x w)");
        }
    }

    /** Every image of the batch; {@code originalSizes[i] = {height, width}}. */
    public List<List<Detection>> processBatch(HeadOutputs outputs, int[][] originalSizes) {
        if (originalSizes.length != outputs.batch()) {
            throw new IllegalArgumentException(originalSizes.length + " image sizes for a batch of " + outputs.batch());
        }
        BatchCandidates c = candidates(HOST, outputs, config.inputHeight(), config.inputWidth());
        List<List<Detection>> out = new ArrayList<>();
        for (int i = 0; i < originalSizes.length; i++) {
            out.add(process(c, i, originalSizes[i][0], originalSizes[i][1]));
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

    /**
     * Steps 1-2 for every image of a batch: {@code Backend.headCandidates} per level on
     * {@code backend} (the one that computed the outputs, so that a device backend reads its own
     * copies), boxes in resized-image coordinates clipped to {@code resizedHeight x resizedWidth}.
     */
    public BatchCandidates candidates(Backend backend, HeadOutputs outputs, int resizedHeight, int resizedWidth) {
        int levels = anchors.numLevels();
        int numAnchors = anchors.numAnchors();
        int numClasses = config.numClasses();
        int clsC = numAnchors * numClasses;
        int regC = numAnchors * 4;
        if (outputs.levels() != levels) {
            throw new IllegalArgumentException(outputs.levels() + " output levels, the config has " + levels);
        }
        checkSizes(1, 1, resizedHeight, resizedWidth);
        int n = outputs.batch();
        int k = config.nmsPre();
        BatchCandidates out = new BatchCandidates(n, levels, k, numClasses, resizedHeight, resizedWidth);
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
            HeadParams p = coder.params(numClasses, scoreThr, k, stride, resizedWidth, resizedHeight);
            Tensor base = Tensor.ofFloats(new int[] {numAnchors, 4}, anchors.baseAnchors(l));
            backend.headCandidates(p, s, outputs.deltas(l), base, out.scores[l], out.pairs[l], out.boxes[l],
                    out.counts[l]);
        }
        return out;
    }

    /**
     * What {@link #candidates} returns: per level, the backend op's outputs for the whole batch
     * (scores [N, k], pairs [N, k], boxes [N, k, 4], counts [N]) and the resized size they were
     * clipped to. Read-only once made; {@link #image} copies an image's rows out.
     */
    public static final class BatchCandidates {
        private final Tensor[] scores;
        private final Tensor[] pairs;
        private final Tensor[] boxes;
        private final Tensor[] counts;
        private final int batch;
        private final int k;
        private final int numClasses;
        private final int resizedHeight;
        private final int resizedWidth;

        BatchCandidates(int batch, int levels, int k, int numClasses, int resizedHeight, int resizedWidth) {
            this.batch = batch;
            this.k = k;
            this.numClasses = numClasses;
            this.resizedHeight = resizedHeight;
            this.resizedWidth = resizedWidth;
            scores = new Tensor[levels];
            pairs = new Tensor[levels];
            boxes = new Tensor[levels];
            counts = new Tensor[levels];
            for (int l = 0; l < levels; l++) {
                scores[l] = Tensor.zeros(DType.FLOAT32, new int[] {batch, k});
                pairs[l] = Tensor.zeros(DType.INT64, new int[] {batch, k});
                boxes[l] = Tensor.zeros(DType.FLOAT32, new int[] {batch, k, 4});
                counts[l] = Tensor.zeros(DType.INT64, new int[] {batch});
            }
        }

        public int batch() {
            return batch;
        }

        /** Image {@code image}'s candidates, levels concatenated P3..P7 (spec section 7). */
        Candidates image(int image) {
            if (image < 0 || image >= batch) {
                throw new IndexOutOfBoundsException("image " + image + " of a batch of " + batch);
            }
            int total = 0;
            for (Tensor c : counts) {
                total += (int) c.longs()[image];
            }
            Candidates c = new Candidates();
            c.boxes = new float[4 * total];
            c.scores = new float[total];
            c.labels = new int[total];
            int n = 0;
            for (int l = 0; l < counts.length; l++) {
                int m = (int) counts[l].longs()[image];
                int row = image * k;
                System.arraycopy(boxes[l].floats(), 4 * row, c.boxes, 4 * n, 4 * m);
                System.arraycopy(scores[l].floats(), row, c.scores, n, m);
                for (int j = 0; j < m; j++) {
                    c.labels[n + j] = (int) (pairs[l].longs()[row + j] % numClasses);
                }
                n += m;
            }
            c.n = n;
            return c;
        }
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
