// Every op of the Backend interface but the tiled convolution (conv_gemm.cl). One program, so that
// PoCL's LLVM compiles it once per precision. Work-item = one output element unless stated.

// Direct convolution, any group: one work-item per output element. Dims a = (N, C, H, W, M, Cg, KH, KW),
// b = (OH, OW, strideH, strideW, padTop, padLeft, dilH, dilW), c = (group, hasBias, residual, relu) where
// residual is 0 (none) or its upsampling factors (see residual_index).
__kernel void conv_direct(__global const store_t* x, __global const store_t* w, __global const store_t* bias,
                          __global const store_t* res, __global store_t* y, int8 a, int8 b, int4 c) {
    int p = get_global_id(0), m = get_global_id(1), n = get_global_id(2);
    int C = a.s1, H = a.s2, W = a.s3, M = a.s4, Cg = a.s5, KH = a.s6, KW = a.s7;
    int OH = b.s0, OW = b.s1;
    if (p >= OH * OW) return;
    int oh = p / OW, ow = p - oh * OW;
    int g = m / (M / c.s0);
    float acc = 0.0f;
    for (int ci = 0; ci < Cg; ci++) {
        int ch = g * Cg + ci;
        for (int kh = 0; kh < KH; kh++) {
            int ih = oh * b.s2 - b.s4 + kh * b.s6;
            if (ih < 0 || ih >= H) continue;
            for (int kw = 0; kw < KW; kw++) {
                int iw = ow * b.s3 - b.s5 + kw * b.s7;
                if (iw < 0 || iw >= W) continue;
                acc += LD(x, ((n * C + ch) * H + ih) * W + iw) * LD(w, ((m * Cg + ci) * KH + kh) * KW + kw);
            }
        }
    }
    int yi = (n * M + m) * OH * OW + p;
    if (c.s1) acc += LD(bias, m);
    if (c.s2) acc += LD(res, residual_index(c.s2, yi, n * M + m, p, OH, OW));
    if (c.s3) acc = fmax(acc, 0.0f);
    ST(y, yi, acc);
}

__kernel void batch_norm(__global const store_t* x, __global const store_t* scale, __global const store_t* bias,
                         __global const store_t* mean, __global const store_t* var, __global store_t* y,
                         float eps, int channels, int inner, int total) {
    int i = get_global_id(0);
    if (i >= total) return;
    int c = (i / inner) % channels;
    float sd = sqrt(LD(var, c) + eps);
    ST(y, i, (LD(x, i) - LD(mean, c)) / sd * LD(scale, c) + LD(bias, c));
}

// a = (N*C, H, W, OH, OW, kernelH, kernelW, 0), b = (strideH, strideW, padTop, padLeft, dilH, dilW, 0, 0)
__kernel void max_pool(__global const store_t* x, __global store_t* y, int8 a, int8 b) {
    int i = get_global_id(0);
    int H = a.s1, W = a.s2, OH = a.s3, OW = a.s4;
    if (i >= a.s0 * OH * OW) return;
    int ow = i % OW, oh = (i / OW) % OH, plane = i / (OW * OH);
    float m = -INFINITY; // padding cells never win
    for (int kh = 0; kh < a.s5; kh++) {
        int ih = oh * b.s0 - b.s2 + kh * b.s4;
        if (ih < 0 || ih >= H) continue;
        for (int kw = 0; kw < a.s6; kw++) {
            int iw = ow * b.s1 - b.s3 + kw * b.s5;
            if (iw < 0 || iw >= W) continue;
            m = fmax(m, LD(x, (plane * H + ih) * W + iw));
        }
    }
    ST(y, i, m);
}

// op: 0 add, 1 sub, 2 mul, 3 div. Broadcasting by strides (0 on broadcast axes), rank <= 8.
__kernel void binary_f(__global const store_t* a, __global const store_t* b, __global store_t* y, int op, int rank,
                       int8 shape, int8 as, int8 bs, int total) {
    int i = get_global_id(0);
    if (i >= total) return;
    int sh[8], sa[8], sb[8];
    vstore8(shape, 0, sh); vstore8(as, 0, sa); vstore8(bs, 0, sb);
    float u = LD(a, strided_offset(i, rank, sh, sa)), v = LD(b, strided_offset(i, rank, sh, sb));
    float r = op == 0 ? u + v : op == 1 ? u - v : op == 2 ? u * v : u / v;
    ST(y, i, r);
}

// INT64 version; a division by zero sets *error = 1 (the host turns it into an exception).
__kernel void binary_l(__global const long* a, __global const long* b, __global long* y, int op, int rank,
                       int8 shape, int8 as, int8 bs, int total, __global int* error) {
    int i = get_global_id(0);
    if (i >= total) return;
    int sh[8], sa[8], sb[8];
    vstore8(shape, 0, sh); vstore8(as, 0, sa); vstore8(bs, 0, sb);
    long u = a[strided_offset(i, rank, sh, sa)], v = b[strided_offset(i, rank, sh, sb)];
    long r;
    if (op == 3 && v == 0) { *error = 1; r = 0; }
    else r = op == 0 ? u + v : op == 1 ? u - v : op == 2 ? u * v : u / v;
    y[i] = r;
}

// op: 0 relu, 1 sigmoid, 2 floor
__kernel void unary_f(__global const store_t* x, __global store_t* y, int op, int total) {
    int i = get_global_id(0);
    if (i >= total) return;
    float v = LD(x, i);
    ST(y, i, op == 0 ? fmax(v, 0.0f) : op == 1 ? 1.0f / (1.0f + exp(-v)) : floor(v));
}

__kernel void cast_f_to_l(__global const store_t* x, __global long* y, int total) {
    int i = get_global_id(0);
    if (i >= total) return;
    float v = LD(x, i);
    // Java's (long) conversion: NaN -> 0, saturating; C leaves these undefined.
    y[i] = isnan(v) ? 0 : v >= 9.223372e18f ? LONG_MAX : v <= -9.223372e18f ? LONG_MIN : (long) v;
}

__kernel void cast_l_to_f(__global const long* x, __global store_t* y, int total) {
    int i = get_global_id(0);
    if (i >= total) return;
    ST(y, i, (float) x[i]);
}

// Data movement for both element types: float storage (moved as raw bits) and long.
#define MOVE_KERNELS(SUF, T)                                                                                  \
__kernel void strided_copy_##SUF(__global const T* src, int srcOff, __global T* dst, int dstOff, int rank,     \
                                 int8 shape, int8 sst, int8 dstr, int total) {                                \
    int i = get_global_id(0);                                                                                 \
    if (i >= total) return;                                                                                   \
    int sh[8], ss[8], ds[8];                                                                                  \
    vstore8(shape, 0, sh); vstore8(sst, 0, ss); vstore8(dstr, 0, ds);                                         \
    dst[dstOff + strided_offset(i, rank, sh, ds)] = src[srcOff + strided_offset(i, rank, sh, ss)];            \
}                                                                                                             \
/* maps holds, for each axis d from mapOff[d], the input index of every output index. */                     \
__kernel void resize_nearest_##SUF(__global const T* src, __global T* dst, __global const int* maps, int rank, \
                                   int8 outShape, int8 mapOff, int8 inStrides, int total) {                   \
    int i = get_global_id(0);                                                                                 \
    if (i >= total) return;                                                                                   \
    int sh[8], mo[8], st[8];                                                                                  \
    vstore8(outShape, 0, sh); vstore8(mapOff, 0, mo); vstore8(inStrides, 0, st);                              \
    int rest = i, off = 0;                                                                                    \
    for (int d = rank - 1; d >= 0; d--) {                                                                     \
        int q = rest / sh[d];                                                                                 \
        off += maps[mo[d] + rest - q * sh[d]] * st[d];                                                        \
        rest = q;                                                                                             \
    }                                                                                                         \
    dst[i] = src[off];                                                                                        \
}                                                                                                             \
/* y[o, j, r] = x[o, idx[j], r]; an index outside [-axisLen, axisLen) sets *error. */                        \
__kernel void gather_##SUF(__global const T* x, __global const long* idx, __global T* y, int axisLen,         \
                           int count, int inner, int total, __global int* error) {                            \
    int i = get_global_id(0);                                                                                 \
    if (i >= total) return;                                                                                   \
    int r = i % inner, j = (i / inner) % count, o = i / (inner * count);                                      \
    long k = idx[j];                                                                                          \
    if (k < 0) k += axisLen;                                                                                  \
    if (k < 0 || k >= axisLen) { *error = 1; return; }                                                        \
    y[i] = x[((long) o * axisLen + k) * inner + r];                                                           \
}

MOVE_KERNELS(f, move_t)
MOVE_KERNELS(l, long)
