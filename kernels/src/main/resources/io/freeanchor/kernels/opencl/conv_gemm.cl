// Convolution (group 1) as an implicit GEMM per image: Y[M, P] = W[M, K] * im2col(X)[K, P] with
// K = C*KH*KW and P = OH*OW, never materializing im2col. A work-group computes a TM x TN tile of Y,
// staging TK-deep slices of W and of the im2col patch in local memory; each work-item accumulates an
// RM x RN register block. TM, TN, TK, RM, RN are -D compile-time parameters (autotuned per shape).
// With -DUSE_LOCAL=0 the tiles are read straight from global memory instead (no local memory, no
// barriers): CPU devices such as PoCL, whose caches do the staging, run that variant much faster.
// Epilogue: + bias, + residual (y-shaped or nearest-upsampled), ReLU, fused, in FP32. Dims as conv_direct.
// With HALF_ARITH (common.cl) operands, local tiles, products and the partial sums of each chunk of
// HALF_CHUNK k-steps are half (pairs of columns as half2), each chunk then added into FP32 sums: short
// half sums keep the rounding error small, FP32 between chunks keeps long K exact enough. Chunks are
// aligned on k, so both variants and every tile size give the same numerics.
#ifndef USE_LOCAL
#define USE_LOCAL 1
#endif
#define LX (TN / RN)
#define LY (TM / RM)
#define HALF_CHUNK 16
#if HALF_ARITH && RN % 2
#error "HALF_ARITH needs an even RN"
#endif
#if HALF_ARITH && USE_LOCAL && HALF_CHUNK % TK
#error "HALF_ARITH needs TK to divide HALF_CHUNK"
#endif

// A work-item's register block: FP32 sums and, with HALF_ARITH, the half sums of the current chunk.
typedef struct {
    float acc[RM][RN];
#if HALF_ARITH
    op2_t part[RM][RN / 2]; // columns 2j, 2j + 1
#endif
} block_t;

inline void block_zero(block_t* r) {
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN; j++) r->acc[i][j] = 0.0f;
#if HALF_ARITH
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN / 2; j++) r->part[i][j] = (op2_t) (0.0f);
#endif
}

// One k-step: the outer product of a column of W and a row of the im2col patch.
inline void block_mac(block_t* r, const op_t wr[RM], const op_t xr[RN]) {
#if HALF_ARITH
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN / 2; j++)
            r->part[i][j] = OP_FMA2((op2_t) (wr[i]), (op2_t) (xr[2 * j], xr[2 * j + 1]), r->part[i][j]);
#else
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN; j++) r->acc[i][j] = fma(wr[i], xr[j], r->acc[i][j]);
#endif
}

// End of a chunk: its half sums into the FP32 sums (nothing to do without HALF_ARITH).
inline void block_flush(block_t* r) {
#if HALF_ARITH
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN / 2; j++) {
            float2 s = OP_WIDEN2(r->part[i][j]);
            r->acc[i][2 * j] += s.s0;
            r->acc[i][2 * j + 1] += s.s1;
            r->part[i][j] = (op2_t) (0.0f);
        }
#endif
}

__kernel __attribute__((reqd_work_group_size(LX, LY, 1)))
void conv_gemm(__global const store_t* x, __global const store_t* w, __global const store_t* bias,
               __global const store_t* res, __global store_t* y, int8 a, int8 b, int4 c) {
    const int C = a.s1, H = a.s2, W = a.s3, M = a.s4, KH = a.s6, KW = a.s7;
    const int OH = b.s0, OW = b.s1, P = OH * OW, KK = KH * KW, K = C * KK;
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * LX + tx;
    const int p0 = get_group_id(0) * TN, m0 = get_group_id(1) * TM, n = get_group_id(2);
    block_t blk;
    block_zero(&blk);
    const int xBase = n * C * H * W;
#if USE_LOCAL
    __local tile_t ws[TK][TM];
    __local tile_t xs[TK][TN];
    for (int k0 = 0; k0 < K; k0 += TK) {
        for (int i = tid; i < TM * TK; i += LX * LY) {
            int mm = i / TK, kk = i - mm * TK;
            int m = m0 + mm, k = k0 + kk;
            TILE_ST(ws[kk][mm], (m < M && k < K) ? OP_LD(w, m * K + k) : (op_t) 0);
        }
        for (int i = tid; i < TK * TN; i += LX * LY) {
            int kk = i / TN, pp = i - kk * TN;
            int k = k0 + kk, p = p0 + pp;
            op_t v = 0;
            if (k < K && p < P) {
                int ch = k / KK, r = k - ch * KK, kh = r / KW, kw = r - kh * KW;
                int oh = p / OW, ow = p - oh * OW;
                int ih = oh * b.s2 - b.s4 + kh * b.s6, iw = ow * b.s3 - b.s5 + kw * b.s7;
                if (ih >= 0 && ih < H && iw >= 0 && iw < W) v = OP_LD(x, xBase + (ch * H + ih) * W + iw);
            }
            TILE_ST(xs[kk][pp], v);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TK; kk++) {
            op_t wr[RM], xr[RN];
            for (int i = 0; i < RM; i++) wr[i] = TILE_LD(ws[kk][ty + i * LY]);
            for (int j = 0; j < RN; j++) xr[j] = TILE_LD(xs[kk][tx + j * LX]);
            block_mac(&blk, wr, xr);
        }
        if (HALF_ARITH && (k0 + TK) % HALF_CHUNK == 0) block_flush(&blk);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
#else
    int ih0[RN], iw0[RN];
    for (int j = 0; j < RN; j++) {
        int p = min(p0 + tx + j * LX, P - 1); // clamped: out-of-range columns are computed, never stored
        int oh = p / OW, ow = p - oh * OW;
        ih0[j] = oh * b.s2 - b.s4;
        iw0[j] = ow * b.s3 - b.s5;
    }
    int wRow[RM];
    for (int i = 0; i < RM; i++) wRow[i] = min(m0 + ty + i * LY, M - 1) * K;
    for (int ch = 0; ch < C; ch++) {
        for (int kh = 0; kh < KH; kh++) {
            for (int kw = 0; kw < KW; kw++) {
                int k = (ch * KH + kh) * KW + kw;
                op_t wr[RM], xr[RN];
                for (int i = 0; i < RM; i++) wr[i] = OP_LD(w, wRow[i] + k);
                for (int j = 0; j < RN; j++) {
                    int ih = ih0[j] + kh * b.s6, iw = iw0[j] + kw * b.s7;
                    xr[j] = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? OP_LD(x, xBase + (ch * H + ih) * W + iw) : (op_t) 0;
                }
                block_mac(&blk, wr, xr);
                if (HALF_ARITH && (k + 1) % HALF_CHUNK == 0) block_flush(&blk);
            }
        }
    }
#endif
    if (HALF_ARITH) block_flush(&blk); // the last, partial chunk
    for (int i = 0; i < RM; i++) {
        int m = m0 + ty + i * LY;
        if (m >= M) continue;
        float bv = c.s1 ? LD(bias, m) : 0.0f;
        for (int j = 0; j < RN; j++) {
            int p = p0 + tx + j * LX;
            if (p >= P) continue;
            int yi = (n * M + m) * P + p;
            float v = blk.acc[i][j] + bv;
            if (c.s2) v += LD(res, residual_index(c.s2, yi, n * M + m, p, OH, OW));
            if (c.s3) v = fmax(v, 0.0f);
            ST(y, yi, v);
        }
    }
}

// Winograd F(2x2,3x3) batched GEMM over the 16 transform positions xi (work-group dimension 2):
// out[xi][M][N] = a[xi][M][K] * b[xi][K][N], with a = U (output x input channels), b = V (input
// channels x tiles). FP32 scratch on both sides whatever the storage precision. Same tiling and
// -D parameters as conv_gemm above (so one tuned configuration id names either kernel).
__kernel __attribute__((reqd_work_group_size(LX, LY, 1)))
void wino_gemm(__global const float* a, __global const float* b, __global float* out, int M, int N, int K) {
    const size_t xi = get_group_id(2);
    a += xi * (size_t) M * K;
    b += xi * (size_t) K * N;
    out += xi * (size_t) M * N;
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * LX + tx;
    const int n0 = get_group_id(0) * TN, m0 = get_group_id(1) * TM;
    float acc[RM][RN];
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN; j++) acc[i][j] = 0.0f;
#if USE_LOCAL
    __local float as[TK][TM];
    __local float bs[TK][TN];
    for (int k0 = 0; k0 < K; k0 += TK) {
        for (int i = tid; i < TM * TK; i += LX * LY) {
            int mm = i / TK, kk = i - mm * TK;
            int m = m0 + mm, k = k0 + kk;
            as[kk][mm] = (m < M && k < K) ? a[(size_t) m * K + k] : 0.0f;
        }
        for (int i = tid; i < TK * TN; i += LX * LY) {
            int kk = i / TN, nn = i - kk * TN;
            int k = k0 + kk, n = n0 + nn;
            bs[kk][nn] = (k < K && n < N) ? b[(size_t) k * N + n] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TK; kk++) {
            float ar[RM], br[RN];
            for (int i = 0; i < RM; i++) ar[i] = as[kk][ty + i * LY];
            for (int j = 0; j < RN; j++) br[j] = bs[kk][tx + j * LX];
            for (int i = 0; i < RM; i++)
                for (int j = 0; j < RN; j++) acc[i][j] = fma(ar[i], br[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
#else
    // Clamped rows and columns: out-of-range ones are computed, never stored (no branches inside).
    size_t aRow[RM];
    int col[RN];
    for (int i = 0; i < RM; i++) aRow[i] = (size_t) min(m0 + ty + i * LY, M - 1) * K;
    for (int j = 0; j < RN; j++) col[j] = min(n0 + tx + j * LX, N - 1);
    for (int k = 0; k < K; k++) {
        float ar[RM], br[RN];
        for (int i = 0; i < RM; i++) ar[i] = a[aRow[i] + k];
        for (int j = 0; j < RN; j++) br[j] = b[(size_t) k * N + col[j]];
        for (int i = 0; i < RM; i++)
            for (int j = 0; j < RN; j++) acc[i][j] = fma(ar[i], br[j], acc[i][j]);
    }
#endif
    for (int i = 0; i < RM; i++) {
        int m = m0 + ty + i * LY;
        if (m >= M) continue;
        for (int j = 0; j < RN; j++) {
            int n = n0 + tx + j * LX;
            if (n < N) out[(size_t) m * N + n] = acc[i][j];
        }
    }
}
