package io.freeanchor.eval.pipeline;

import io.freeanchor.eval.detect.Detection;
import io.freeanchor.eval.detect.DetectorConfig;
import io.freeanchor.eval.detect.HeadOutputs;
import io.freeanchor.eval.detect.PostProcessor;
import io.freeanchor.eval.image.BgrImage;
import io.freeanchor.eval.image.ImageDecodeException;
import io.freeanchor.eval.image.ImageDecoder;
import io.freeanchor.eval.image.LinearResize;
import io.freeanchor.eval.image.Preprocessor;
import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.Network;
import io.freeanchor.network.PlanOptions;
import io.freeanchor.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;

/**
 * Images to detections: decoding, resizing and normalization run on their own threads, a batch or
 * two ahead of the network, which runs batches in image order; post-processing follows each batch.
 * A short last batch runs at its own size (a second plan), never padded with repeated images.
 */
public final class EvalPipeline implements AutoCloseable {
    /** One image to run: its position in the data set, COCO id and file. */
    public record InputImage(int index, long imageId, Path file) {}

    /** What the pipeline did with the images it was given. */
    public record Outcome(int images, List<String> skipped, double inferenceSeconds) {}

    private final OnnxModel model;
    private final String inputName;
    private final DetectorConfig config;
    private final Backend backend;
    private final int batch;
    private final boolean skipBadImages;
    private final ExecutorService decoders;
    private final Preprocessor preprocessor = new Preprocessor();
    private final PostProcessor postProcessor;
    private final InputBuffers inputs = new InputBuffers();
    private Network network;
    private int networkBatch = -1;

    public EvalPipeline(OnnxModel model, DetectorConfig config, Backend backend, int batch, int decodeThreads,
                        boolean skipBadImages) {
        if (model.graph().inputs().size() != 1) {
            throw new IllegalArgumentException("a detector takes one input image tensor; the model has "
                    + model.graph().inputs().size() + " inputs");
        }
        this.model = model;
        this.inputName = model.graph().inputs().getFirst().name();
        this.config = config;
        this.backend = backend;
        this.batch = batch;
        this.skipBadImages = skipBadImages;
        this.postProcessor = new PostProcessor(config);
        this.decoders = Executors.newFixedThreadPool(Math.max(1, decodeThreads), r -> {
            Thread t = new Thread(r, "freeanchor-decode");
            t.setDaemon(true);
            return t;
        });
    }

    /** Padded network input height and width. */
    private int inputHeight() {
        return preprocessor.padded(config.inputHeight());
    }

    private int inputWidth() {
        return preprocessor.padded(config.inputWidth());
    }

    /**
     * Runs the images in batches; {@code sink} receives each batch's results in image order (failed
     * images are left out and listed in the outcome when skipping bad images, else they stop the run).
     * Each batch's input is handed to the network ({@link Network#prefetch}) while the batch before it
     * still runs, so that a device backend uploads it beside that batch's work; the two alternate
     * between two input buffers, reused from batch to batch.
     */
    public Outcome run(List<InputImage> images, Consumer<List<Checkpoint.ImageResult>> sink) {
        Decoding decoding = new Decoding(images);
        long inferenceNanos = 0;
        List<PreparedImage> group = decoding.nextGroup();
        Tensor input = group.isEmpty() ? null : inputs.fill(group);
        while (!group.isEmpty()) {
            Network network = networkFor(group.size());
            long start = System.nanoTime();
            Map<String, Tensor> outputs = network.runOnDevice(Map.of(inputName, input));
            long enqueued = System.nanoTime() - start;
            List<PreparedImage> next = decoding.nextGroup();
            Tensor nextInput = null;
            if (next.size() == group.size()) {
                nextInput = inputs.fill(next);
                network.prefetch(Map.of(inputName, nextInput));
            }
            // Inference time includes the candidate stage: on a device it is where the results come back.
            start = System.nanoTime();
            PostProcessor.BatchCandidates candidates = candidates(outputs);
            inferenceNanos += enqueued + System.nanoTime() - start;
            sink.accept(postProcess(group, candidates));
            group = next;
            input = nextInput != null || group.isEmpty() ? nextInput : inputs.fill(group);
        }
        return new Outcome(images.size(), decoding.skipped, inferenceNanos / 1e9);
    }

    /** The images in order, decoded and resized on the decode threads up to two batches ahead. */
    private final class Decoding {
        private final List<InputImage> images;
        private final Deque<Future<PreparedImage>> inFlight = new ArrayDeque<>();
        private final List<String> skipped = new ArrayList<>();
        private int next;

        Decoding(List<InputImage> images) {
            this.images = images;
        }

        /** The next batch of decoded images (fewer at the end; empty when none is left). */
        List<PreparedImage> nextGroup() {
            List<PreparedImage> group = new ArrayList<>();
            while (group.size() < batch && (next < images.size() || !inFlight.isEmpty())) {
                while (next < images.size() && inFlight.size() < 2 * batch) {
                    InputImage img = images.get(next++);
                    inFlight.add(decoders.submit(() -> prepare(img)));
                }
                PreparedImage p = await(inFlight.poll());
                if (p.failed()) {
                    if (!skipBadImages) {
                        throw p.error();
                    }
                    skipped.add(p.error().getMessage());
                    continue;
                }
                group.add(p);
            }
            return group;
        }
    }

    /**
     * Times {@code count} batches of {@code input} run back to back as {@link #run} runs them (each
     * batch's input prefetched while the one before it runs; a copy of {@code input} is the second
     * buffer) and passes each batch's seconds, from the end of the batch before it, to {@code timed}
     * (for --perf-only).
     */
    public void timeBatches(Tensor input, int count, DoubleConsumer timed) {
        Network network = networkFor(input.dim(0));
        Tensor[] buffers = {input, input.copy()};
        long last = System.nanoTime();
        Map<String, Tensor> outputs = network.runOnDevice(Map.of(inputName, buffers[0]));
        for (int i = 0; i < count; i++) {
            Tensor next = buffers[(i + 1) % 2];
            if (i + 1 < count) {
                network.prefetch(Map.of(inputName, next));
            }
            candidates(outputs);
            long now = System.nanoTime();
            timed.accept((now - last) / 1e9);
            last = now;
            if (i + 1 < count) {
                outputs = network.runOnDevice(Map.of(inputName, next));
            }
        }
    }

    /**
     * Steps 1-2 of post-processing on the backend that ran the network, then drops the raw head
     * outputs: on an OpenCL device they were never copied back, only the per-level candidates are
     * (not the ~2 GB of maps of a 32-image batch at 800x1344).
     */
    private PostProcessor.BatchCandidates candidates(Map<String, Tensor> outputs) {
        try {
            return postProcessor.candidates(backend, HeadOutputs.split(outputs, config), config.inputHeight(),
                    config.inputWidth());
        } finally {
            outputs.values().forEach(backend::discard);
        }
    }

    /** A batch of {@code size} prepared copies of one image, for timing runs. */
    public Tensor syntheticBatch(int size, InputImage image) {
        PreparedImage p = prepare(image);
        if (p.failed()) {
            throw p.error();
        }
        List<PreparedImage> group = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            group.add(p);
        }
        return assemble(group);
    }

    private PreparedImage prepare(InputImage img) {
        try {
            BgrImage decoded = ImageDecoder.decode(img.file());
            BgrImage resized = LinearResize.resize(decoded, config.inputWidth(), config.inputHeight());
            float[] chw = new float[3 * inputHeight() * inputWidth()];
            preprocessor.toChw(resized, chw, 0, inputHeight(), inputWidth());
            return new PreparedImage(img.index(), img.imageId(), img.file().toString(), decoded.height(),
                    decoded.width(), chw, null);
        } catch (ImageDecodeException e) {
            return new PreparedImage(img.index(), img.imageId(), img.file().toString(), 0, 0, null, e);
        }
    }

    private Tensor assemble(List<PreparedImage> group) {
        Tensor t = Tensor.zeros(DType.FLOAT32, new int[] {group.size(), 3, inputHeight(), inputWidth()});
        assembleInto(group, t);
        return t;
    }

    private void assembleInto(List<PreparedImage> group, Tensor t) {
        int per = 3 * inputHeight() * inputWidth();
        for (int i = 0; i < group.size(); i++) {
            System.arraycopy(group.get(i).chw(), 0, t.floats(), i * per, per);
        }
    }

    /**
     * Two network input buffers for the current batch size, filled in turn: the one a batch runs
     * from stays untouched while the next batch is written into the other.
     */
    private final class InputBuffers {
        private final Tensor[] buffers = new Tensor[2];
        private int turn;

        Tensor fill(List<PreparedImage> group) {
            if (buffers[0] == null || buffers[0].dim(0) != group.size()) {
                buffers[0] = null; // let a full batch's buffers go before allocating the short last one's
                buffers[1] = null;
                int[] shape = {group.size(), 3, inputHeight(), inputWidth()};
                buffers[0] = Tensor.zeros(DType.FLOAT32, shape);
                buffers[1] = Tensor.zeros(DType.FLOAT32, shape);
                turn = 0;
            }
            Tensor t = buffers[turn];
            turn ^= 1;
            assembleInto(group, t);
            return t;
        }
    }

    private List<Checkpoint.ImageResult> postProcess(List<PreparedImage> group, PostProcessor.BatchCandidates candidates) {
        List<Checkpoint.ImageResult> results = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            PreparedImage p = group.get(i);
            List<Detection> dets = postProcessor.process(candidates, i, p.originalHeight(), p.originalWidth());
            float[] boxes = new float[4 * dets.size()], scores = new float[dets.size()];
            int[] labels = new int[dets.size()];
            for (int k = 0; k < dets.size(); k++) {
                Detection d = dets.get(k);
                boxes[4 * k] = d.x1();
                boxes[4 * k + 1] = d.y1();
                boxes[4 * k + 2] = d.x2();
                boxes[4 * k + 3] = d.y2();
                scores[k] = d.score();
                labels[k] = d.label();
            }
            results.add(new Checkpoint.ImageResult(p.index(), p.imageId(), boxes, scores, labels));
        }
        return results;
    }

    /** The network planned for this batch size; planning again only when the size changes. */
    private Network networkFor(int size) {
        if (size != networkBatch) {
            network = null; // let the previous plan's buffers go before allocating the next
            network = Network.compile(model, Map.of(inputName, new int[] {size, 3, inputHeight(), inputWidth()}),
                    backend, PlanOptions.defaults());
            networkBatch = size;
        }
        return network;
    }

    private static PreparedImage await(Future<PreparedImage> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding images", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        decoders.shutdownNow();
    }
}
