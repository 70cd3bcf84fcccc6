package io.freeanchor.eval.detect;

import java.util.List;

/**
 * COCO 2017's 80 detection classes in MMDetection's label order ({@code CocoDataset.METAINFO}) and the
 * category id of each label: the ids of {@code instances_val2017.json}'s {@code categories} list, which
 * is what {@code COCO.getCatIds(catNms=classes)} returns for these names (spec section 10).
 */
public final class Coco80 {
    private Coco80() {}

    /** Label i's class name. */
    public static final List<String> CLASS_NAMES = List.of(
            "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
            "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
            "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
            "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
            "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
            "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
            "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant", "bed",
            "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
            "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
            "teddy bear", "hair drier", "toothbrush");

    /** Label i's COCO category id. */
    public static final List<Long> CATEGORY_IDS = List.of(
            1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L, 21L,
            22L, 23L, 24L, 25L, 27L, 28L, 31L, 32L, 33L, 34L, 35L, 36L, 37L, 38L, 39L, 40L, 41L, 42L, 43L,
            44L, 46L, 47L, 48L, 49L, 50L, 51L, 52L, 53L, 54L, 55L, 56L, 57L, 58L, 59L, 60L, 61L, 62L, 63L,
            64L, 65L, 67L, 70L, 72L, 73L, 74L, 75L, 76L, 77L, 78L, 79L, 80L, 81L, 82L, 84L, 85L, 86L, 87L,
            88L, 89L, 90L);
}
