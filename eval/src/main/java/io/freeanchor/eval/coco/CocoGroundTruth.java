package io.freeanchor.eval.coco;

import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * COCO "instances" ground truth: images and categories in file order, annotations as columns (no object per
 * annotation). Loaded by streaming, so a 25 MB {@code instances_val2017.json} never becomes a tree; fields the
 * evaluation does not use ({@code segmentation}, {@code info}, {@code licenses}, ...) are skipped unread.
 *
 * <p>Required: top-level {@code images} and {@code categories} (pycocotools' loadRes copies both), {@code images[].id},
 * {@code categories[].id}, and for each annotation {@code id, image_id, category_id, bbox [x, y, w, h], area, iscrowd}.
 * {@code annotations} may be absent (no objects). {@code file_name}, {@code width}, {@code height}, {@code name} and
 * {@code ignore} are kept when present. A key given twice keeps its last value, as Python's json module does.
 */
public final class CocoGroundTruth {
    /** An image; {@code fileName} is null and width/height are -1 when the file does not give them. */
    public record Image(long id, String fileName, int width, int height) {}

    /** A category; {@code name} is null when the file does not give one. */
    public record Category(long id, String name) {}

    /**
     * An annotation. {@code area} is the annotation's own area field (the segmentation area for COCO, which is what
     * the area ranges use), {@code iscrowd} its value (true/false read as 1/0), {@code ignore} the optional ignore
     * field, which COCOeval overwrites and so never uses.
     */
    public record Annotation(long id, long imageId, long categoryId, double x, double y, double w, double h,
                             double area, double iscrowd, OptionalDouble ignore) {}

    private final String source;
    private final List<Image> images;
    private final List<Category> categories;
    final int annCount;
    final long[] annId, annImage, annCat;
    /** x, y, w, h per annotation. */
    final double[] annBox;
    final double[] annArea, annCrowd, annIgnore;
    final boolean[] annHasIgnore;
    private final long[] imageIds, categoryIds;
    private final Map<Long, String> categoryNames = new HashMap<>();

    private CocoGroundTruth(String source, List<Image> images, List<Category> categories, Columns a) {
        this.source = source;
        this.images = List.copyOf(images);
        this.categories = List.copyOf(categories);
        this.annCount = a.n;
        this.annId = Arrays.copyOf(a.id, a.n);
        this.annImage = Arrays.copyOf(a.image, a.n);
        this.annCat = Arrays.copyOf(a.cat, a.n);
        this.annBox = Arrays.copyOf(a.box, 4 * a.n);
        this.annArea = Arrays.copyOf(a.area, a.n);
        this.annCrowd = Arrays.copyOf(a.crowd, a.n);
        this.annIgnore = Arrays.copyOf(a.ignore, a.n);
        this.annHasIgnore = Arrays.copyOf(a.hasIgnore, a.n);
        this.imageIds = sortedUnique(images.stream().mapToLong(Image::id).toArray());
        this.categoryIds = sortedUnique(categories.stream().mapToLong(Category::id).toArray());
        for (Category c : categories) {
            categoryNames.put(c.id(), c.name()); // a repeated id keeps the last entry, like COCO.cats
        }
    }

    /** Streams a ground-truth file; errors are one-line {@link CocoFormatException}s naming the file and JSON path. */
    public static CocoGroundTruth load(Path file) {
        Parser parser = new Parser(file.toString());
        parser.readFile(file);
        return parser.build();
    }

    /** Streams ground truth from {@code in}; {@code sourceName} prefixes error messages. */
    public static CocoGroundTruth parse(InputStream in, String sourceName) {
        Parser parser = new Parser(sourceName);
        try {
            parser.readStream(in);
        } catch (IOException e) {
            throw new CocoFormatException(sourceName + ": cannot read: " + CocoJsonReader.oneLine(e.getMessage()), e);
        }
        return parser.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where this ground truth came from (the file name as given), for messages. */
    public String source() {
        return source;
    }

    /** Images in file order. */
    public List<Image> images() {
        return images;
    }

    /** Categories in file order (MMDetection maps label i to the i-th id of this list). */
    public List<Category> categories() {
        return categories;
    }

    public int annotationCount() {
        return annCount;
    }

    /** Annotation {@code i} in file order. */
    public Annotation annotation(int i) {
        return new Annotation(annId[i], annImage[i], annCat[i], annBox[4 * i], annBox[4 * i + 1], annBox[4 * i + 2],
                annBox[4 * i + 3], annArea[i], annCrowd[i],
                annHasIgnore[i] ? OptionalDouble.of(annIgnore[i]) : OptionalDouble.empty());
    }

    /** The image ids, sorted and de-duplicated ({@code sorted(coco.getImgIds())}). */
    public long[] imageIds() {
        return imageIds.clone();
    }

    /** The category ids, sorted and de-duplicated ({@code sorted(coco.getCatIds())}). */
    public long[] categoryIds() {
        return categoryIds.clone();
    }

    public boolean hasImage(long id) {
        return Arrays.binarySearch(imageIds, id) >= 0;
    }

    /** The category's name (the last entry with that id), or null if there is no such category or it has no name. */
    public String categoryName(long id) {
        return categoryNames.get(id);
    }

    static long[] sortedUnique(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if (i == 0 || s[i] != s[i - 1]) {
                s[n++] = s[i];
            }
        }
        return Arrays.copyOf(s, n);
    }

    /** Builds ground truth in memory (tests, converters), with the same semantics as a loaded file. */
    public static final class Builder {
        private final List<Image> images = new ArrayList<>();
        private final List<Category> categories = new ArrayList<>();
        private final Columns anns = new Columns();

        public Builder image(long id, String fileName, int width, int height) {
            images.add(new Image(id, fileName, width, height));
            return this;
        }

        public Builder image(long id) {
            return image(id, null, -1, -1);
        }

        public Builder category(long id, String name) {
            categories.add(new Category(id, name));
            return this;
        }

        /** Adds an annotation; {@code iscrowd} is 0 or 1 in COCO (any non-zero value is a crowd). */
        public Builder annotation(long id, long imageId, long categoryId, double x, double y, double w, double h,
                                  double area, double iscrowd) {
            int i = anns.add();
            anns.id[i] = id;
            anns.image[i] = imageId;
            anns.cat[i] = categoryId;
            anns.box[4 * i] = x;
            anns.box[4 * i + 1] = y;
            anns.box[4 * i + 2] = w;
            anns.box[4 * i + 3] = h;
            anns.area[i] = area;
            anns.crowd[i] = iscrowd;
            return this;
        }

        public CocoGroundTruth build() {
            return new CocoGroundTruth("<in-memory ground truth>", images, categories, anns);
        }
    }

    /** Growable annotation columns. */
    private static final class Columns {
        int n;
        long[] id = new long[16], image = new long[16], cat = new long[16];
        double[] box = new double[64], area = new double[16], crowd = new double[16], ignore = new double[16];
        boolean[] hasIgnore = new boolean[16];

        int add() {
            if (n == id.length) {
                int cap = Math.multiplyExact(n, 2);
                id = Arrays.copyOf(id, cap);
                image = Arrays.copyOf(image, cap);
                cat = Arrays.copyOf(cat, cap);
                box = Arrays.copyOf(box, Math.multiplyExact(cap, 4));
                area = Arrays.copyOf(area, cap);
                crowd = Arrays.copyOf(crowd, cap);
                ignore = Arrays.copyOf(ignore, cap);
                hasIgnore = Arrays.copyOf(hasIgnore, cap);
            }
            return n++;
        }

        void clear() {
            n = 0;
        }
    }

    private static final class Parser extends CocoJsonReader {
        private final List<Image> images = new ArrayList<>();
        private final List<Category> categories = new ArrayList<>();
        private final Columns anns = new Columns();
        private boolean sawImages, sawCategories;

        Parser(String source) {
            super(source);
        }

        CocoGroundTruth build() {
            return new CocoGroundTruth(source, images, categories, anns);
        }

        @Override
        void read() throws IOException {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw error("expected a COCO ground-truth object with images, annotations and categories, got "
                        + describe(t) + (t == JsonToken.START_ARRAY ? " (a results list? it belongs to --results)" : ""));
            }
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                section = name;
                switch (name) {
                    case "images" -> readImages();
                    case "categories" -> readCategories();
                    case "annotations" -> readAnnotations();
                    default -> skipValue();
                }
                section = null;
            }
            if (!sawImages) {
                throw error("missing required field \"images\"");
            }
            if (!sawCategories) {
                throw error("missing required field \"categories\"");
            }
        }

        private void readImages() throws IOException {
            expectArray("an array of images");
            sawImages = true;
            images.clear();
            for (index = 0; p.nextToken() != JsonToken.END_ARRAY; index++) {
                expectObject("an image object {id, file_name, width, height}");
                long id = 0;
                boolean hasId = false;
                String fileName = null;
                int width = -1, height = -1;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "id" -> {
                            id = integer();
                            hasId = true;
                        }
                        case "file_name" -> fileName = string();
                        case "width" -> width = size();
                        case "height" -> height = size();
                        default -> skipValue();
                    }
                    field = null;
                }
                if (!hasId) {
                    throw missing("id");
                }
                images.add(new Image(id, fileName, width, height));
            }
            index = -1;
        }

        private int size() throws IOException {
            long v = integer();
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw error("expected a non-negative image size, got " + v);
            }
            return (int) v;
        }

        private void readCategories() throws IOException {
            expectArray("an array of categories");
            sawCategories = true;
            categories.clear();
            for (index = 0; p.nextToken() != JsonToken.END_ARRAY; index++) {
                expectObject("a category object {id, name}");
                long id = 0;
                boolean hasId = false;
                String name = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "id" -> {
                            id = integer();
                            hasId = true;
                        }
                        case "name" -> name = string();
                        default -> skipValue();
                    }
                    field = null;
                }
                if (!hasId) {
                    throw missing("id");
                }
                categories.add(new Category(id, name));
            }
            index = -1;
        }

        private static final int ID = 1, IMAGE = 2, CAT = 4, BBOX = 8, AREA = 16, CROWD = 32, ALL = 63;

        private void readAnnotations() throws IOException {
            expectArray("an array of annotations");
            anns.clear();
            for (index = 0; p.nextToken() != JsonToken.END_ARRAY; index++) {
                expectObject("an annotation object {id, image_id, category_id, bbox, area, iscrowd}");
                int i = anns.add();
                int seen = 0;
                anns.hasIgnore[i] = false;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "id" -> {
                            anns.id[i] = integer();
                            seen |= ID;
                        }
                        case "image_id" -> {
                            anns.image[i] = integer();
                            seen |= IMAGE;
                        }
                        case "category_id" -> {
                            anns.cat[i] = integer();
                            seen |= CAT;
                        }
                        case "bbox" -> {
                            bbox(anns.box, 4 * i);
                            seen |= BBOX;
                        }
                        case "area" -> {
                            anns.area[i] = number();
                            seen |= AREA;
                        }
                        case "iscrowd" -> {
                            anns.crowd[i] = numberOrBoolean();
                            seen |= CROWD;
                        }
                        case "ignore" -> {
                            if (p.currentToken() == JsonToken.VALUE_NULL) {
                                anns.hasIgnore[i] = false;
                            } else {
                                anns.ignore[i] = numberOrBoolean();
                                anns.hasIgnore[i] = true;
                            }
                        }
                        default -> skipValue();
                    }
                    field = null;
                }
                if (seen != ALL) {
                    String[] names = {"id", "image_id", "category_id", "bbox", "area", "iscrowd"};
                    for (int b = 0; b < names.length; b++) {
                        if ((seen & (1 << b)) == 0) {
                            throw missing(names[b]);
                        }
                    }
                }
            }
            index = -1;
        }
    }
}
