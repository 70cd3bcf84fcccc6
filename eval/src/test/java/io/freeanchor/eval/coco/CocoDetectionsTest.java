package io.freeanchor.eval.coco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** In-memory detections: MMDetection's results2json float handling, and the results writer. */
class CocoDetectionsTest {
    private static final CocoGroundTruth GT = CocoGroundTruth.builder().image(7).image(9).category(1, "person").build();

    /** freeanchor-inference.md section 12: float32 corners -> the COCO bbox MMDetection writes. */
    @Test
    void workedExampleFromTheSpec() {
        CocoDetections.Detection d = CocoDetections.Detection.fromXyxy(7, 1, 31.074612f, 0.0f, 80.429848f, 56.559132f,
                0.8175744414329529f);
        assertEquals(new CocoDetections.Detection(7, 1, 31.07461166381836, 0.0, 49.3552360534668, 56.55913162231445,
                0.8175744414329529), d);
    }

    /** Widen first, subtract in double (numpy: float(x2) - float(x1)), not a float32 subtraction widened later. */
    @Test
    void widthIsTheDoubleDifferenceOfTheWidenedCorners() {
        CocoDetections.Detection d = CocoDetections.Detection.fromXyxy(7, 1, 0.1f, 0f, 0.3f, 1f, 0.5f);
        assertEquals(0.20000001043081284, d.w()); // numpy: float(np.float32(.3)) - float(np.float32(.1))
        assertNotEquals((double) (0.3f - 0.1f), d.w());
        CocoDetections viaBuilder = CocoDetections.builder(GT).addXyxy(7, 1, 0.1f, 0f, 0.3f, 1f, 0.5f).build();
        assertEquals(d, viaBuilder.detection(0));
        assertEquals(d.w() * d.h(), viaBuilder.area(0));
    }

    @Test
    void writtenResultsReadBackToTheSameDoubles() {
        CocoDetections dets = CocoDetections.of(GT, List.of(
                CocoDetections.Detection.fromXyxy(7, 1, 31.074612f, 0.0f, 80.429848f, 56.559132f, 0.8175744414329529f),
                new CocoDetections.Detection(9, 1, 1e-300, 123456789.123, 0.1 + 0.2, 1e16, 0.35000000000000003)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            dets.writeJson(out);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        String json = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, json.indexOf("[{\"image_id\":7,\"bbox\":[31.07461166381836,0.0,49.3552360534668,56.55913162231445],"
                + "\"score\":0.8175744414329529,\"category_id\":1}"), json);
        CocoDetections back = CocoDetections.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "r.json", GT);
        assertEquals(dets.size(), back.size());
        for (int i = 0; i < dets.size(); i++) {
            assertEquals(dets.detection(i), back.detection(i));
        }
    }
}
