package io.freeanchor.eval.coco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The numpy behaviours the stats depend on, against values numpy itself produced (numpy 2.4.6, float64). */
class NumpyAndFormatTest {
    @Test
    void iouThresholdsAreNumpysLinspace() {
        double[] expected = {0x1.0000000000000p-1, 0x1.199999999999ap-1, 0x1.3333333333333p-1, 0x1.4cccccccccccdp-1,
                0x1.6666666666666p-1, 0x1.8000000000000p-1, 0x1.999999999999ap-1, 0x1.b333333333333p-1,
                0x1.cccccccccccccp-1, 0x1.e666666666666p-1};
        assertArrayEquals(expected, CocoEvalParams.defaultIouThrs());
        assertEquals(0.8999999999999999, CocoEvalParams.defaultIouThrs()[8]);
        assertEquals(0.5, CocoEvalParams.defaultIouThrs()[0]);
        assertEquals(0.75, CocoEvalParams.defaultIouThrs()[5]);
    }

    @Test
    void recallThresholdsAreTimesPointZeroOneNotOverHundred() {
        double[] r = CocoEvalParams.defaultRecThrs();
        assertEquals(101, r.length);
        List<Integer> differFromDivision = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            assertEquals(i * 0.01, r[i], 0.0, "recThrs[" + i + "]");
            if (r[i] != i / 100.0) {
                differFromDivision.add(i);
            }
        }
        // np.linspace(0, 1, 101) differs from i / 100 exactly here (checked with numpy).
        assertEquals(List.of(35, 41, 47, 57, 69, 70, 82, 83, 94, 95), differFromDivision);
    }

    /** a[i] = ((i * 7919) % 1000) / 997.0 * (1 + (i % 3) * 1e-3); np.mean(a) for these n, as hex. */
    @Test
    void meanIsBitIdenticalToNumpysPairwiseMean() {
        int[] sizes = {5, 8, 100, 129, 1010, 4040, 8193, 80800};
        double[] numpy = {0x1.47f99168de62ap-1, 0x1.3012ccb8d12dep-1, 0x1.f848a577dcb31p-2, 0x1.00173bdfc9a94p-1,
                0x1.00f4117259b4cp-1, 0x1.00bfec44287a9p-1, 0x1.00c25f5701510p-1, 0x1.00c4ceb3f718cp-1};
        int naiveDiffers = 0;
        for (int s = 0; s < sizes.length; s++) {
            int n = sizes[s];
            double[] a = new double[n];
            double naive = 0;
            for (int i = 0; i < n; i++) {
                a[i] = ((i * 7919L) % 1000) / 997.0 * (1 + (i % 3) * 1e-3);
                naive += a[i];
            }
            assertEquals(numpy[s], Numpy.mean(a, n), 0.0, "n=" + n);
            if (naive / n != numpy[s]) {
                naiveDiffers++;
            }
        }
        assertTrue(naiveDiffers >= 3, "a plain loop should differ from numpy for the larger sizes: " + naiveDiffers);
    }

    @Test
    void stableDescendingSortKeepsTiesInOrderAndPutsNanLast() {
        double[] score = {0.5, 0.9, Double.NaN, 0.5, -0.0, 0.9, 0.0, Double.NaN, 0.5};
        int[] idx = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        Numpy.sortByScoreDescending(idx, 0, idx.length, score, new int[idx.length]);
        // -0.0 and 0.0 tie (numpy compares them equal), so 4 stays before 6.
        assertArrayEquals(new int[] {1, 5, 0, 3, 8, 4, 6, 2, 7}, idx);
    }

    @Test
    void mergeSortIsStableOnLargeRandomInput() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int n : new int[] {0, 1, 23, 24, 25, 47, 48, 49, 1000, 4099}) {
            double[] score = new double[n];
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                score[i] = rnd.nextInt(10) / 10.0;
                idx[i] = i;
            }
            Numpy.sortByScoreDescending(idx, 0, n, score, new int[Math.max(1, n)]);
            for (int i = 1; i < n; i++) {
                double a = score[idx[i - 1]], b = score[idx[i]];
                assertTrue(a > b || (a == b && idx[i - 1] < idx[i]), "n=" + n + " at " + i);
            }
        }
    }

    @Test
    void searchsortedLeft() {
        double[] rc = {0.0, 0.25, 0.25, 0.5, 1.0};
        assertEquals(0, Numpy.searchLeft(rc, 5, 0.0));
        assertEquals(1, Numpy.searchLeft(rc, 5, 0.1));
        assertEquals(1, Numpy.searchLeft(rc, 5, 0.25));
        assertEquals(4, Numpy.searchLeft(rc, 5, 0.75));
        assertEquals(5, Numpy.searchLeft(rc, 5, 1.5));
        assertEquals(0, Numpy.searchLeft(rc, 0, 0.0));
    }

    @Test
    void pythonFixedPointFormatting() {
        // Python: '{:0.3f}'.format(x) rounds the exact binary value half to even.
        assertEquals("0.062", PyFormat.fixed(0.0625, 3));
        assertNotEquals("0.062", String.format("%.3f", 0.0625)); // why Java's %.3f is not used
        assertEquals("0.001", PyFormat.fixed(0.0005, 3));
        assertEquals("0.123", PyFormat.fixed(0.1235, 3));
        assertEquals("2.001", PyFormat.fixed(2.0005, 3));
        assertEquals("-1.000", PyFormat.fixed(-1, 3));
        assertEquals("-0.000", PyFormat.fixed(-0.0001, 3));
        assertEquals("0.12", PyFormat.fixed(0.125, 2));
        assertEquals("0.90", PyFormat.fixed(0.8999999999999999, 2));
        assertEquals("nan", PyFormat.fixed(Double.NaN, 3));
    }
}
