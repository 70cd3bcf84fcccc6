package io.freeanchor.eval.detect;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What post-processing needs to know about a RetinaNet-family detector: the network input (= resized
 * image) size, the anchor generator, the box coder, MMDetection's {@code test_cfg} and the label
 * names and COCO category ids. {@link #defaults()} is {@code retinanet_free_anchor_r50_fpn_1x_coco}
 * as the zoo evaluates it (spec sections 2, 6-10).
 *
 * <p>JSON form (a sidecar file, or the ONNX metadata value under {@link #METADATA_KEY}); every key is
 * optional and takes its default, unknown keys are errors:
 *
 * <pre>{@code
 * {
 *   "input_size":       {"width": 1344, "height": 800},
 *   "num_classes":      80,
 *   "anchor_generator": {"strides": [8, 16, 32, 64, 128], "octave_base_scale": 4,
 *                        "scales_per_octave": 3, "ratios": [0.5, 1.0, 2.0]},
 *   "bbox_coder":       {"target_means": [0, 0, 0, 0], "target_stds": [0.1, 0.1, 0.2, 0.2],
 *                        "wh_ratio_clip": 0.016},
 *   "test_cfg":         {"nms_pre": 1000, "min_bbox_size": 0, "score_thr": 0.05,
 *                        "nms": {"type": "nms", "iou_threshold": 0.5}, "max_per_img": 100},
 *   "classes":          ["person", ...],
 *   "category_ids":     [1, 2, ...]
 * }
 * }</pre>
 *
 * {@code classes} defaults to COCO's 80 names only when {@code num_classes} is 80; {@code category_ids}
 * defaults to COCO 2017's ids only when the classes are COCO's. A negative {@code min_bbox_size}
 * disables the size filter (MMDetection's {@code min_bbox_size >= 0} test). Errors name the JSON path.
 *
 * @param inputWidth      network input width = resized image width (max_shape for clipping)
 * @param inputHeight     network input height
 * @param strides         anchor strides (= base sizes) per level, in output order
 * @param octaveBaseScale {@code octave_base_scale}
 * @param scalesPerOctave {@code scales_per_octave}
 * @param ratios          anchor ratios h/w, outer loop of the anchor order
 * @param numClasses      sigmoid classes (no background column)
 * @param targetMeans     box coder means (dx, dy, dw, dh)
 * @param targetStds      box coder stds
 * @param whRatioClip     the dw/dh clamp is |ln(wh_ratio_clip)|
 * @param scoreThr        keep scores strictly above f32(score_thr)
 * @param nmsPre          per-level top-k
 * @param iouThreshold    NMS suppresses IoU strictly above f32(iou_threshold)
 * @param maxPerImg       detections kept per image
 * @param minBboxSize     keep w, h strictly above f32(min_bbox_size); negative disables
 * @param classNames      label -> name
 * @param categoryIds     label -> COCO category id
 */
public record DetectorConfig(
        int inputWidth,
        int inputHeight,
        List<Integer> strides,
        double octaveBaseScale,
        int scalesPerOctave,
        List<Double> ratios,
        int numClasses,
        List<Double> targetMeans,
        List<Double> targetStds,
        double whRatioClip,
        double scoreThr,
        int nmsPre,
        double iouThreshold,
        int maxPerImg,
        double minBboxSize,
        List<String> classNames,
        List<Long> categoryIds) {

    /** ONNX model metadata key ({@code metadata_props}) whose value is this config as JSON. */
    public static final String METADATA_KEY = "freeanchor.config";

    private static final DetectorConfig DEFAULTS = new DetectorConfig(1344, 800, List.of(8, 16, 32, 64, 128), 4.0, 3,
            List.of(0.5, 1.0, 2.0), 80, List.of(0.0, 0.0, 0.0, 0.0), List.of(0.1, 0.1, 0.2, 0.2), 16.0 / 1000.0,
            0.05, 1000, 0.5, 100, 0.0, Coco80.CLASS_NAMES, Coco80.CATEGORY_IDS);

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public DetectorConfig {
        positive(inputWidth, "$.input_size.width");
        positive(inputHeight, "$.input_size.height");
        strides = List.copyOf(req(strides, "$.anchor_generator.strides"));
        if (strides.isEmpty()) {
            throw bad("$.anchor_generator.strides", "must list at least one level");
        }
        for (int i = 0; i < strides.size(); i++) {
            positive(strides.get(i), "$.anchor_generator.strides[" + i + "]");
        }
        if (!(octaveBaseScale > 0) || Double.isInfinite(octaveBaseScale)) {
            throw bad("$.anchor_generator.octave_base_scale", "must be a finite number > 0, got " + octaveBaseScale);
        }
        positive(scalesPerOctave, "$.anchor_generator.scales_per_octave");
        ratios = List.copyOf(req(ratios, "$.anchor_generator.ratios"));
        if (ratios.isEmpty()) {
            throw bad("$.anchor_generator.ratios", "must list at least one ratio");
        }
        for (int i = 0; i < ratios.size(); i++) {
            double r = ratios.get(i);
            if (!(r > 0) || Double.isInfinite(r)) {
                throw bad("$.anchor_generator.ratios[" + i + "]", "must be a finite number > 0, got " + r);
            }
        }
        positive(numClasses, "$.num_classes");
        long channels = (long) ratios.size() * scalesPerOctave * Math.max(numClasses, 4);
        if (channels > Integer.MAX_VALUE) {
            throw bad("$.num_classes", "anchors x classes = " + channels + " channels is too many");
        }
        targetMeans = List.copyOf(req(targetMeans, "$.bbox_coder.target_means"));
        targetStds = List.copyOf(req(targetStds, "$.bbox_coder.target_stds"));
        four(targetMeans, "$.bbox_coder.target_means", false);
        four(targetStds, "$.bbox_coder.target_stds", true);
        if (!(whRatioClip > 0 && whRatioClip <= 1)) {
            throw bad("$.bbox_coder.wh_ratio_clip", "must be in (0, 1], got " + whRatioClip);
        }
        if (!(scoreThr >= 0 && scoreThr < 1)) {
            throw bad("$.test_cfg.score_thr", "must be in [0, 1), got " + scoreThr);
        }
        positive(nmsPre, "$.test_cfg.nms_pre");
        if (!(iouThreshold >= 0 && iouThreshold <= 1)) {
            throw bad("$.test_cfg.nms.iou_threshold", "must be in [0, 1], got " + iouThreshold);
        }
        positive(maxPerImg, "$.test_cfg.max_per_img");
        if (Double.isNaN(minBboxSize) || Double.isInfinite(minBboxSize)) {
            throw bad("$.test_cfg.min_bbox_size", "must be a finite number (negative disables the filter), got "
                    + minBboxSize);
        }
        classNames = List.copyOf(req(classNames, "$.classes"));
        if (classNames.size() != numClasses) {
            throw bad("$.classes", "has " + classNames.size() + " names but num_classes is " + numClasses);
        }
        for (int i = 0; i < classNames.size(); i++) {
            if (classNames.get(i).isBlank()) {
                throw bad("$.classes[" + i + "]", "is blank");
            }
        }
        categoryIds = List.copyOf(req(categoryIds, "$.category_ids"));
        if (categoryIds.size() != numClasses) {
            throw bad("$.category_ids", "has " + categoryIds.size() + " ids but num_classes is " + numClasses);
        }
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < categoryIds.size(); i++) {
            long id = categoryIds.get(i);
            if (id < 0) {
                throw bad("$.category_ids[" + i + "]", "must be >= 0, got " + id);
            }
            if (!seen.add(id)) {
                throw bad("$.category_ids[" + i + "]", "repeats category id " + id);
            }
        }
    }

    /** The spec's configuration: FreeAnchor R50-FPN 1x COCO at 1344x800. */
    public static DetectorConfig defaults() {
        return DEFAULTS;
    }

    /** Anchors per location: ratios x scales. */
    public int numAnchors() {
        return ratios.size() * scalesPerOctave;
    }

    public int numLevels() {
        return strides.size();
    }

    /** Channels of a box-regression map: anchors x 4. */
    public int regressionChannels() {
        return numAnchors() * 4;
    }

    /** Channels of a score map: anchors x classes. */
    public int classificationChannels() {
        return numAnchors() * numClasses;
    }

    /** The COCO category id of a label. */
    public long categoryId(int label) {
        return categoryIds.get(label);
    }

    /** A copy with another input (resized image) size. */
    public DetectorConfig withInputSize(int width, int height) {
        return new DetectorConfig(width, height, strides, octaveBaseScale, scalesPerOctave, ratios, numClasses,
                targetMeans, targetStds, whRatioClip, scoreThr, nmsPre, iouThreshold, maxPerImg, minBboxSize,
                classNames, categoryIds);
    }

    // ---------------------------------------------------------------------------------------------- JSON

    /** Parses the JSON form; {@code source} names it in error messages (a file name, "metadata ..."). */
    public static DetectorConfig fromJson(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** Reads a JSON sidecar file. */
    public static DetectorConfig fromJson(Path file) {
        String json;
        try {
            json = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read detector config " + file + ": " + e.getMessage(), e);
        }
        return fromJson(json, file.toString());
    }

    /**
     * From ONNX model metadata: the JSON under {@link #METADATA_KEY}, or {@link #defaults()} when the
     * key is absent.
     */
    public static DetectorConfig fromMetadata(Map<String, String> metadata) {
        String json = metadata.get(METADATA_KEY);
        return json == null ? DEFAULTS : fromJson(json, "ONNX metadata '" + METADATA_KEY + "'");
    }

    /** The sidecar file when given, else the model metadata, else the defaults. */
    public static DetectorConfig resolve(Map<String, String> metadata, Path sidecarOrNull) {
        return sidecarOrNull != null ? fromJson(sidecarOrNull) : fromMetadata(metadata);
    }

    /** The complete JSON form (every key written). */
    public String toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode size = root.putObject("input_size");
        size.put("width", inputWidth);
        size.put("height", inputHeight);
        root.put("num_classes", numClasses);
        ObjectNode ag = root.putObject("anchor_generator");
        ArrayNode st = ag.putArray("strides");
        strides.forEach(st::add);
        ag.put("octave_base_scale", octaveBaseScale);
        ag.put("scales_per_octave", scalesPerOctave);
        ArrayNode ra = ag.putArray("ratios");
        ratios.forEach(ra::add);
        ObjectNode bc = root.putObject("bbox_coder");
        ArrayNode me = bc.putArray("target_means");
        targetMeans.forEach(me::add);
        ArrayNode sd = bc.putArray("target_stds");
        targetStds.forEach(sd::add);
        bc.put("wh_ratio_clip", whRatioClip);
        ObjectNode tc = root.putObject("test_cfg");
        tc.put("nms_pre", nmsPre);
        tc.put("min_bbox_size", minBboxSize);
        tc.put("score_thr", scoreThr);
        ObjectNode nms = tc.putObject("nms");
        nms.put("type", "nms");
        nms.put("iou_threshold", iouThreshold);
        tc.put("max_per_img", maxPerImg);
        ArrayNode cl = root.putArray("classes");
        classNames.forEach(cl::add);
        ArrayNode ids = root.putArray("category_ids");
        categoryIds.forEach(ids::add);
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DetectorConfig parse(JsonNode root) {
        DetectorConfig d = DEFAULTS;
        object(root, "$", "input_size", "num_classes", "anchor_generator", "bbox_coder", "test_cfg", "classes",
                "category_ids");
        int width = d.inputWidth;
        int height = d.inputHeight;
        JsonNode size = root.get("input_size");
        if (size != null) {
            object(size, "$.input_size", "width", "height");
            width = intField(size, "width", "$.input_size", width);
            height = intField(size, "height", "$.input_size", height);
        }
        int numClasses = intField(root, "num_classes", "$", d.numClasses);

        List<Integer> strides = d.strides;
        double obs = d.octaveBaseScale;
        int spo = d.scalesPerOctave;
        List<Double> ratios = d.ratios;
        JsonNode ag = root.get("anchor_generator");
        if (ag != null) {
            String p = "$.anchor_generator";
            object(ag, p, "type", "strides", "octave_base_scale", "scales_per_octave", "ratios");
            typeField(ag, p, "AnchorGenerator");
            if (ag.has("strides")) {
                strides = intList(ag.get("strides"), p + ".strides");
            }
            obs = numberField(ag, "octave_base_scale", p, obs);
            spo = intField(ag, "scales_per_octave", p, spo);
            if (ag.has("ratios")) {
                ratios = numberList(ag.get("ratios"), p + ".ratios");
            }
        }

        List<Double> means = d.targetMeans;
        List<Double> stds = d.targetStds;
        double clip = d.whRatioClip;
        JsonNode bc = root.get("bbox_coder");
        if (bc != null) {
            String p = "$.bbox_coder";
            object(bc, p, "type", "target_means", "target_stds", "wh_ratio_clip");
            typeField(bc, p, "DeltaXYWHBBoxCoder");
            if (bc.has("target_means")) {
                means = numberList(bc.get("target_means"), p + ".target_means");
            }
            if (bc.has("target_stds")) {
                stds = numberList(bc.get("target_stds"), p + ".target_stds");
            }
            clip = numberField(bc, "wh_ratio_clip", p, clip);
        }

        int nmsPre = d.nmsPre;
        double minSize = d.minBboxSize;
        double scoreThr = d.scoreThr;
        double iou = d.iouThreshold;
        int maxPerImg = d.maxPerImg;
        JsonNode tc = root.get("test_cfg");
        if (tc != null) {
            String p = "$.test_cfg";
            object(tc, p, "nms_pre", "min_bbox_size", "score_thr", "nms", "max_per_img");
            nmsPre = intField(tc, "nms_pre", p, nmsPre);
            minSize = numberField(tc, "min_bbox_size", p, minSize);
            scoreThr = numberField(tc, "score_thr", p, scoreThr);
            maxPerImg = intField(tc, "max_per_img", p, maxPerImg);
            JsonNode nms = tc.get("nms");
            if (nms != null) {
                object(nms, p + ".nms", "type", "iou_threshold");
                typeField(nms, p + ".nms", "nms");
                iou = numberField(nms, "iou_threshold", p + ".nms", iou);
            }
        }

        List<String> classes;
        if (root.has("classes")) {
            classes = stringList(root.get("classes"), "$.classes");
        } else if (numClasses == Coco80.CLASS_NAMES.size()) {
            classes = Coco80.CLASS_NAMES;
        } else {
            throw bad("$.classes", "is required when num_classes is " + numClasses
                    + " (the default names are COCO's 80)");
        }
        List<Long> ids;
        if (root.has("category_ids")) {
            ids = longList(root.get("category_ids"), "$.category_ids");
        } else if (classes.equals(Coco80.CLASS_NAMES)) {
            ids = Coco80.CATEGORY_IDS;
        } else {
            throw bad("$.category_ids", "is required when the classes are not COCO's 80 (the default ids are COCO 2017's)");
        }
        return new DetectorConfig(width, height, strides, obs, spo, ratios, numClasses, means, stds, clip, scoreThr,
                nmsPre, iou, maxPerImg, minSize, classes, ids);
    }

    private static void object(JsonNode node, String path, String... known) {
        if (!node.isObject()) {
            throw bad(path, "expected a JSON object, got " + describe(node));
        }
        Set<String> allowed = new TreeSet<>(List.of(known));
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw bad(path + "." + name, "unknown key (known here: " + String.join(", ", allowed) + ")");
            }
        }
    }

    private static void typeField(JsonNode node, String path, String expected) {
        JsonNode t = node.get("type");
        if (t != null && !(t.isTextual() && t.asText().equals(expected))) {
            throw bad(path + ".type", "only \"" + expected + "\" is supported, got " + describe(t));
        }
    }

    private static int intField(JsonNode node, String name, String path, int dflt) {
        JsonNode v = node.get(name);
        return v == null ? dflt : intValue(v, path + "." + name);
    }

    private static double numberField(JsonNode node, String name, String path, double dflt) {
        JsonNode v = node.get(name);
        return v == null ? dflt : numberValue(v, path + "." + name);
    }

    private static int intValue(JsonNode v, String path) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw bad(path, "expected an integer, got " + describe(v));
        }
        return v.intValue();
    }

    private static double numberValue(JsonNode v, String path) {
        if (!v.isNumber()) {
            throw bad(path, "expected a number, got " + describe(v));
        }
        double x = v.doubleValue();
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            throw bad(path, "expected a finite number, got " + describe(v));
        }
        return x;
    }

    private static void array(JsonNode v, String path) {
        if (!v.isArray()) {
            throw bad(path, "expected a JSON array, got " + describe(v));
        }
    }

    private static List<Integer> intList(JsonNode v, String path) {
        array(v, path);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(intValue(v.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    private static List<Long> longList(JsonNode v, String path) {
        array(v, path);
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToLong()) {
                throw bad(path + "[" + i + "]", "expected an integer, got " + describe(e));
            }
            out.add(e.longValue());
        }
        return out;
    }

    private static List<Double> numberList(JsonNode v, String path) {
        array(v, path);
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(numberValue(v.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    private static List<String> stringList(JsonNode v, String path) {
        array(v, path);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual()) {
                throw bad(path + "[" + i + "]", "expected a string, got " + describe(e));
            }
            out.add(e.asText());
        }
        return out;
    }

    private static String describe(JsonNode v) {
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static <T> T req(T value, String path) {
        if (value == null) {
            throw bad(path, "is missing (null)");
        }
        return value;
    }

    private static void positive(int v, String path) {
        if (v < 1) {
            throw bad(path, "must be an integer >= 1, got " + v);
        }
    }

    private static void four(List<Double> values, String path, boolean strictlyPositive) {
        if (values.size() != 4) {
            throw bad(path, "must have 4 numbers (dx, dy, dw, dh), got " + values.size());
        }
        for (int i = 0; i < 4; i++) {
            double v = values.get(i);
            boolean ok = strictlyPositive ? v > 0 && !Double.isInfinite(v) : !Double.isNaN(v) && !Double.isInfinite(v);
            if (!ok) {
                throw bad(path + "[" + i + "]", (strictlyPositive ? "must be a finite number > 0" : "must be finite")
                        + ", got " + v);
            }
        }
    }

    private static IllegalArgumentException bad(String path, String message) {
        return new IllegalArgumentException(path + ": " + message);
    }
}
