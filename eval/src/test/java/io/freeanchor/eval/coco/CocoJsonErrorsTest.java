package io.freeanchor.eval.coco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad ground-truth and results JSON: one-line messages naming the file and the JSON path. */
class CocoJsonErrorsTest {
    @TempDir
    Path tmp;

    private static final String IMAGES = "\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":10,\"height\":20},{\"id\":2}]";
    private static final String CATS = "\"categories\":[{\"id\":3,\"name\":\"cat\",\"supercategory\":\"animal\"}]";
    private static final String ANN0 = "{\"id\":1,\"image_id\":1,\"category_id\":3,\"bbox\":[1,2,3,4],\"area\":12,\"iscrowd\":0,\"segmentation\":[[1,2,3,4,5,6]]}";

    private static CocoGroundTruth gt(String json) {
        return CocoGroundTruth.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "instances.json");
    }

    private static CocoGroundTruth gtWithAnnotation(String secondAnnotation) {
        return gt("{" + IMAGES + ",\"annotations\":[" + ANN0 + "," + secondAnnotation + "]," + CATS + "}");
    }

    private static CocoGroundTruth goodGt() {
        return gt("{\"info\":{\"year\":2017}," + IMAGES + ",\"annotations\":[" + ANN0 + "]," + CATS + ",\"licenses\":[]}");
    }

    private static CocoDetections dets(String json) {
        return CocoDetections.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "results.json", goodGt());
    }

    private static void assertMessage(Runnable r, String... parts) {
        CocoFormatException e = assertThrows(CocoFormatException.class, r::run);
        String m = e.getMessage();
        for (String part : parts) {
            assertTrue(m.contains(part), "'" + part + "' missing from: " + m);
        }
        assertFalse(m.contains("\n"), "one line: " + m);
    }

    @Test
    void goodGroundTruthKeepsWhatItShould() {
        CocoGroundTruth g = goodGt();
        assertEquals(List.of(new CocoGroundTruth.Image(1, "a.jpg", 10, 20), new CocoGroundTruth.Image(2, null, -1, -1)), g.images());
        assertEquals(List.of(new CocoGroundTruth.Category(3, "cat")), g.categories());
        assertEquals(1, g.annotationCount());
        CocoGroundTruth.Annotation a = g.annotation(0);
        assertEquals(12, a.area());
        assertEquals(4, a.h());
        assertTrue(a.ignore().isEmpty());
    }

    @Test
    void bboxWithThreeNumbers() {
        assertMessage(() -> gtWithAnnotation("{\"id\":2,\"image_id\":1,\"category_id\":3,\"bbox\":[1,2,3],\"area\":1,\"iscrowd\":0}"),
                "instances.json: $.annotations[1].bbox: expected an array of 4 numbers, got 3 elements");
    }

    @Test
    void bboxWithAString() {
        assertMessage(() -> gtWithAnnotation("{\"id\":2,\"image_id\":1,\"category_id\":3,\"bbox\":[1,\"2\",3,4],\"area\":1,\"iscrowd\":0}"),
                "instances.json: $.annotations[1].bbox: expected an array of 4 numbers, element 1 is a string");
    }

    @Test
    void bboxNotAnArray() {
        assertMessage(() -> gtWithAnnotation("{\"id\":2,\"image_id\":1,\"category_id\":3,\"bbox\":{},\"area\":1,\"iscrowd\":0}"),
                "$.annotations[1].bbox: expected an array of 4 numbers, got an object");
    }

    @Test
    void missingArea() {
        assertMessage(() -> gtWithAnnotation("{\"id\":2,\"image_id\":1,\"category_id\":3,\"bbox\":[1,2,3,4],\"iscrowd\":0}"),
                "instances.json: $.annotations[1]: missing required field \"area\"");
    }

    @Test
    void stringImageId() {
        assertMessage(() -> gtWithAnnotation("{\"id\":2,\"image_id\":\"1\",\"category_id\":3,\"bbox\":[1,2,3,4],\"area\":1,\"iscrowd\":0}"),
                "$.annotations[1].image_id: expected an integer, got a string");
    }

    @Test
    void fractionalId() {
        assertMessage(() -> gtWithAnnotation("{\"id\":2.5,\"image_id\":1,\"category_id\":3,\"bbox\":[1,2,3,4],\"area\":1,\"iscrowd\":0}"),
                "$.annotations[1].id: expected an integer, got 2.5");
    }

    @Test
    void hugeId() {
        assertMessage(() -> gtWithAnnotation("{\"id\":123456789012345678901234567890,\"image_id\":1,\"category_id\":3,\"bbox\":[1,2,3,4],\"area\":1,\"iscrowd\":0}"),
                "$.annotations[1].id: integer 123456789012345678901234567890 is out of the 64-bit range");
    }

    @Test
    void nullIscrowd() {
        assertMessage(() -> gtWithAnnotation("{\"id\":2,\"image_id\":1,\"category_id\":3,\"bbox\":[1,2,3,4],\"area\":1,\"iscrowd\":null}"),
                "$.annotations[1].iscrowd: expected a number or a boolean, got null");
    }

    @Test
    void imageWithoutId() {
        assertMessage(() -> gt("{\"images\":[{\"id\":1},{\"file_name\":\"x.jpg\"}]," + CATS + "}"),
                "instances.json: $.images[1]: missing required field \"id\"");
    }

    @Test
    void imagesNotAnArray() {
        assertMessage(() -> gt("{\"images\":{\"id\":1}," + CATS + "}"), "instances.json: $.images: expected an array of images, got an object");
    }

    @Test
    void categoryNameNotAString() {
        assertMessage(() -> gt("{" + IMAGES + ",\"categories\":[{\"id\":1,\"name\":7}]}"), "$.categories[0].name: expected a string, got an integer");
    }

    @Test
    void missingCategories() {
        assertMessage(() -> gt("{" + IMAGES + "}"), "instances.json: $: missing required field \"categories\"");
    }

    @Test
    void resultsListGivenAsGroundTruth() {
        assertMessage(() -> gt("[{\"image_id\":1}]"), "instances.json: $: expected a COCO ground-truth object", "--results");
    }

    @Test
    void truncatedFileNamesThePathAndLine() {
        String full = "{" + IMAGES + ",\n\"annotations\":[" + ANN0 + ",\n" + ANN0 + "]," + CATS + "}";
        String cut = full.substring(0, full.indexOf("\"bbox\"", full.indexOf('\n', full.indexOf("annotations"))) + 12);
        assertMessage(() -> gt(cut), "instances.json: $.annotations[1].bbox: invalid JSON at line 3", "end-of-input");
    }

    @Test
    void garbage() {
        assertMessage(() -> gt("{\"images\": [nope]}"), "instances.json: $.images[0]: invalid JSON at line 1", "nope");
    }

    @Test
    void trailingContent() {
        assertMessage(() -> gt("{" + IMAGES + "," + CATS + "} {}"), "instances.json: unexpected content after the top-level JSON value");
    }

    @Test
    void repeatedKeysKeepTheLastValueLikePython() {
        CocoGroundTruth g = gt("{\"images\":[{\"id\":9}]," + IMAGES + "," + CATS + ",\"annotations\":[" + ANN0 + "," + ANN0 + "],\"annotations\":[" + ANN0 + "]}");
        assertEquals(2, g.images().size());
        assertEquals(1, g.annotationCount());
    }

    @Test
    void nanAndInfinityAreNumbersAsInPython() {
        CocoDetections d = dets("[{\"image_id\":1,\"category_id\":3,\"bbox\":[NaN,2,Infinity,4],\"score\":-Infinity}]");
        assertTrue(Double.isNaN(d.detection(0).x()));
        assertEquals(Double.POSITIVE_INFINITY, d.area(0));
    }

    @Test
    void missingFile() {
        Path nope = tmp.resolve("nope.json");
        assertMessage(() -> CocoGroundTruth.load(nope), nope + ": no such file");
        assertMessage(() -> CocoDetections.load(nope, goodGt()), nope + ": no such file");
    }

    @Test
    void directoryInsteadOfFile() {
        assertMessage(() -> CocoGroundTruth.load(tmp), tmp + ": is a directory");
    }

    @Test
    void emptyFile() throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.json"));
        assertMessage(() -> CocoGroundTruth.load(empty), "empty.json: $: expected a COCO ground-truth object", "the end of the file");
    }

    // ---- results ----

    @Test
    void resultsLoadWithLoadResSemantics() {
        CocoDetections d = dets("[{\"image_id\":1,\"category_id\":3,\"bbox\":[1.5,2,3,-4],\"score\":0.25,\"id\":77,\"area\":5,\"iscrowd\":1,\"segmentation\":[[0,0]]},"
                + "{\"image_id\":2,\"category_id\":8,\"bbox\":[0,0,1,1],\"score\":1}]");
        assertEquals(2, d.size());
        assertEquals(new CocoDetections.Detection(1, 3, 1.5, 2, 3, -4, 0.25), d.detection(0));
        assertEquals(1, d.id(0)); // the file's id is replaced by position + 1
        assertEquals(-12, d.area(0)); // w * h, negative allowed; the file's area is ignored
        assertEquals(2, d.id(1));
    }

    @Test
    void unknownImageIdIsRejectedWithItsPath() {
        assertMessage(() -> dets("[{\"image_id\":1,\"category_id\":3,\"bbox\":[0,0,1,1],\"score\":1},"
                        + "{\"image_id\":1234,\"category_id\":3,\"bbox\":[0,0,1,1],\"score\":1}]"),
                "results.json: $[1].image_id: image id 1234 is not in the ground truth instances.json",
                "Results do not correspond to current coco set");
    }

    @Test
    void unknownImageIdInMemoryIsRejected() {
        CocoGroundTruth g = goodGt();
        assertMessage(() -> CocoDetections.of(g, List.of(new CocoDetections.Detection(5, 3, 0, 0, 1, 1, 1))),
                "detection 0: image id 5 is not in the ground truth instances.json");
    }

    @Test
    void emptyResults() {
        NoDetectionsException e = assertThrows(NoDetectionsException.class, () -> dets("[]"));
        assertTrue(e.getMessage().startsWith("results.json: the results list is empty"), e.getMessage());
        assertThrows(NoDetectionsException.class, () -> CocoDetections.of(goodGt(), List.of()));
    }

    @Test
    void resultsNotAList() {
        assertMessage(() -> dets("{\"images\":[]}"), "results.json: $: expected an array of detections", "--gt");
    }

    @Test
    void resultWithoutScore() {
        assertMessage(() -> dets("[{\"image_id\":1,\"category_id\":3,\"bbox\":[0,0,1,1]}]"), "results.json: $[0]: missing required field \"score\"");
    }

    @Test
    void resultWithFiveNumberBox() {
        assertMessage(() -> dets("[{\"image_id\":1,\"category_id\":3,\"bbox\":[0,0,1,1,1],\"score\":1}]"),
                "results.json: $[0].bbox: expected an array of 4 numbers, got more than 4 elements");
    }

    @Test
    void resultElementNotAnObject() {
        assertMessage(() -> dets("[{\"image_id\":1,\"category_id\":3,\"bbox\":[0,0,1,1],\"score\":1}, 5]"),
                "results.json: $[1]: expected a detection object", "got an integer");
    }

    @Test
    void stringScore() {
        assertMessage(() -> dets("[{\"image_id\":1,\"category_id\":3,\"bbox\":[0,0,1,1],\"score\":\"0.5\"}]"),
                "results.json: $[0].score: expected a number, got a string");
    }
}
