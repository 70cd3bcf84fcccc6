package io.freeanchor.kernels.opencl;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.head.HeadParams;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@code Backend.headCandidates} as the kernels of {@code head.cl}: {@code head_select} (a work-group
 * per image: radix select, compaction, bitonic sort of the kept keys) then {@code head_decode} (a
 * work-item per kept pair). Only the candidates come back to the host: topK scores, pair indices and
 * boxes and a count per image. Built on first use, so models that never call it pay nothing.
 */
final class ClHeadCandidates {
    private final ClContext ctx;
    private final ClKernel select;
    private final ClKernel decode;
    private final long groupSize;
    /** Whether scores and boxes are bit-exact with the Java backends (the device has doubles). */
    private final boolean exact;

    ClHeadCandidates(ClContext ctx, String source, String options) {
        this.ctx = ctx;
        this.exact = ctx.device().fp64();
        List<ClKernel> ks = ctx.build("head.cl", source, options + (exact ? " -DFA_FP64" : ""), "head_select",
                "head_decode");
        select = ks.get(0);
        decode = ks.get(1);
        long g = 1;
        while (g * 2 <= Math.min(256, ctx.device().maxWorkGroupSize())) {
            g *= 2;
        }
        groupSize = g;
    }

    boolean exact() {
        return exact;
    }

    /**
     * Runs both kernels on the device copies of cls and reg and reads the results into the host
     * tensors; returns the bytes read back.
     */
    long run(HeadParams p, int numAnchors, ClBuffer cls, ClBuffer reg, Tensor clsShape, Tensor anchors, Tensor scores,
            Tensor pairs, Tensor boxes, Tensor counts) {
        int n = clsShape.dim(0), channels = clsShape.dim(1), w = clsShape.dim(3), hw = clsShape.dim(2) * w;
        int k = p.topK();
        int cap = Integer.highestOneBit(Math.max(k, 1));
        cap = cap < k ? cap * 2 : cap;
        float[] prm = new float[9 + 4 * numAnchors];
        System.arraycopy(p.means(), 0, prm, 0, 4);
        System.arraycopy(p.stds(), 0, prm, 4, 4);
        prm[8] = p.maxRatio();
        System.arraycopy(anchors.floats(), 0, prm, 9, 4 * numAnchors);
        try (Arena arena = Arena.ofConfined();
             ClBuffer keys = ctx.buffer((long) n * cap * 8);
             ClBuffer cnt = ctx.buffer(4L * n);
             ClBuffer prmB = ctx.buffer(4L * prm.length);
             ClBuffer res = ctx.buffer(24L * n * k)) {
            ctx.write(prmB, 0, arena.allocateFrom(JAVA_FLOAT, prm), 4L * prm.length);
            select.args(cls, channels, hw, k, cap, p.logitGate(), keys, cnt);
            ctx.launch(select, new long[] {groupSize * n}, new long[] {groupSize});
            decode.args(keys, cnt, reg, prmB, channels, p.numClasses(), hw, w, k, cap, p.stride(), p.maxW(), p.maxH(),
                    res);
            ctx.launch(decode, new long[] {(k + 63L) / 64 * 64, n}, new long[] {64, 1});
            MemorySegment c = arena.allocate(JAVA_INT, n);
            MemorySegment r = arena.allocate(JAVA_FLOAT, 6L * n * k);
            ctx.read(cnt, 0, c, 4L * n);
            ctx.read(res, 0, r, 24L * n * k);
            for (int i = 0; i < n; i++) {
                int m = c.getAtIndex(JAVA_INT, i);
                counts.longs()[i] = m;
                for (int j = 0; j < m; j++) {
                    int o = i * k + j;
                    scores.floats()[o] = r.getAtIndex(JAVA_FLOAT, 6L * o);
                    pairs.longs()[o] = r.getAtIndex(JAVA_INT, 6L * o + 1);
                    MemorySegment.copy(r, JAVA_FLOAT, 24L * o + 8, boxes.floats(), 4 * o, 4);
                }
            }
            return 4L * n + 24L * n * k;
        }
    }
}
