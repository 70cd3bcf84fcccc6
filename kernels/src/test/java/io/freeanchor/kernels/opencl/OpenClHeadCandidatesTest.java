package io.freeanchor.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.head.HeadCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The head kernels against ReferenceBackend on HeadCases (which JavaBackend matches bit for bit):
 * same counts and pair indices, scores within 1e-6 and boxes within 1e-4 (bit-exact on a device with
 * doubles, which PoCL's CPU device has); only the candidates are read back.
 */
class OpenClHeadCandidatesTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static OpenClBackend fp32;

    @BeforeAll
    static void start() {
        fp32 = new OpenClBackend(OpenClTestDevice.get(), OpenClBackend.Precision.FP32, null);
    }

    @AfterAll
    static void stop() {
        if (fp32 != null) {
            fp32.close();
        }
    }

    @Test
    void matchesReference() {
        boolean exact = fp32.headCandidatesExact();
        for (HeadCases.Case c : HeadCases.all(true)) {
            HeadCases.Result want = HeadCases.run(REF, c);
            HeadCases.Result got = HeadCases.run(fp32, c);
            HeadCases.assertSame(c, want, got, exact ? 0f : 1e-6f, exact ? 0f : 1e-4f);
        }
    }

    @Test
    void readsBackOnlyTheCandidates() {
        HeadCases.Case c = HeadCases.gaussian("residency", 11, 2, 9, 80, 13, 21, 100, 3f, 0f);
        fp32.hostWritten(c.cls());
        fp32.hostWritten(c.reg());
        long before = fp32.bytesRead();
        HeadCases.run(fp32, c);
        long read = fp32.bytesRead() - before;
        // counts (4 B per image) and topK rows of (score, pair, box) (24 B), against 2 x 720 x 273 x 4 B of logits
        assertEquals(2 * 4 + 2 * 100 * 24, read);
        assertTrue(read * 100 < 4L * c.cls().size());
    }
}
