package io.freeanchor.kernels.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** JavaBackend's headCandidates (gated selection) against ReferenceBackend's (score and sort all): bit-exact. */
class HeadCandidatesTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final JavaBackend JAVA = new JavaBackend(2);

    @AfterAll
    static void stop() {
        JAVA.close();
    }

    @Test
    void javaMatchesReferenceExactly() {
        for (HeadCases.Case c : HeadCases.all(true)) {
            HeadCases.assertSame(c, HeadCases.run(REF, c), HeadCases.run(JAVA, c), 0f, 0f);
        }
    }

    @Test
    void casesExerciseWhatTheyClaim() {
        HeadCases.Case none = HeadCases.all(false).get(3);
        HeadCases.Result r = HeadCases.run(REF, none);
        assertEquals(0, r.counts().longs()[0]);
        HeadCases.Case ties = HeadCases.ties("t", 5, 3, 3, 5, 7, 11, 50);
        r = HeadCases.run(REF, ties);
        assertEquals(50, r.counts().longs()[0]);
        assertEquals(1f, r.scores().floats()[49], "the top 50 are all saturated ties");
        for (int j = 1; j < 50; j++) {
            assertTrue(r.pairs().longs()[j] > r.pairs().longs()[j - 1], "ties in pair order");
        }
        HeadCases.Case small = HeadCases.all(false).getFirst();
        r = HeadCases.run(REF, small);
        assertTrue(r.counts().longs()[0] < 1000 && r.counts().longs()[0] > 0);
    }

    @Test
    void shapesAreChecked() {
        HeadCases.Case c = HeadCases.all(false).getFirst();
        Tensor wrongAnchors = Tensor.ofFloats(new int[] {8, 4}, new float[32]);
        assertThrows(IllegalArgumentException.class, () -> REF.headCandidates(c.p(), c.cls(), c.reg(), wrongAnchors,
                Tensor.zeros(io.freeanchor.kernels.DType.FLOAT32, new int[] {2, 1000}),
                Tensor.zeros(io.freeanchor.kernels.DType.INT64, new int[] {2, 1000}),
                Tensor.zeros(io.freeanchor.kernels.DType.FLOAT32, new int[] {2, 1000, 4}),
                Tensor.zeros(io.freeanchor.kernels.DType.INT64, new int[] {2})));
    }
}
