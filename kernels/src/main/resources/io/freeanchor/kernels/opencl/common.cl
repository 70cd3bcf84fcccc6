// Storage of float tensors: FP32, or half with -DHALF_STORAGE (vload_half/vstore_half are core in
// OpenCL 1.2, so no extension is needed); arithmetic is FP32 except conv_gemm's with HALF_ARITH (below).
#ifdef HALF_STORAGE
typedef half store_t;
typedef ushort move_t;   // half bits, moved without conversion
#define LD(p, i) vload_half((i), (p))
#define ST(p, i, v) vstore_half_rte((v), (i), (p))
#else
typedef float store_t;
typedef float move_t;
#define LD(p, i) ((p)[i])
#define ST(p, i, v) ((p)[i] = (v))
#endif

// Arithmetic of conv_gemm's inner products, -DHALF_ARITH=N (1 and 2 need HALF_STORAGE):
//   0  FP32 (the default);
//   1  native half (cl_khr_fp16): half operands, local tiles, products and partial sums;
//   2  emulated: mode 1's code on float registers rounded to half (round to nearest even) after every
//      operation, so any OpenCL 1.2 device reproduces mode 1's numerics, for tests and accuracy
//      checks. Not bit for bit: a float fma rounded to half is a double rounding where mode 1's half
//      fma rounds once, so they differ where rounding to float lands exactly halfway between two
//      halves (rare); and a device that flushes half subnormals differs below 2^-14.
// op_t is an operand in registers (float in mode 0, half in 1, a float holding a half value in 2),
// tile_t one in local memory (2 bytes in modes 1 and 2: arrays of half need cl_khr_fp16, so mode 2
// keeps the bits as ushort). OP_LD(p, i) reads an operand from storage, TILE_LD/TILE_ST local element
// e. Modes 1 and 2 work on pairs: op2_t, OP_FMA2 (fma rounded to half), OP_WIDEN2 (to float2).
#ifndef HALF_ARITH
#define HALF_ARITH 0
#endif
#if HALF_ARITH && !defined(HALF_STORAGE)
#error "HALF_ARITH needs HALF_STORAGE"
#endif
#if HALF_ARITH == 0
typedef float op_t;
typedef float tile_t;
#define OP_LD(p, i) LD(p, i)
#define TILE_LD(e) (e)
#define TILE_ST(e, v) ((e) = (v))
#elif HALF_ARITH == 1
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
typedef half op_t;
typedef half2 op2_t;
typedef half tile_t;
#define OP_LD(p, i) ((p)[i])
#define TILE_LD(e) (e)
#define TILE_ST(e, v) ((e) = (v))
#define OP_FMA2(a, b, c) fma((a), (b), (c))
#define OP_WIDEN2(v) convert_float2(v)
#elif HALF_ARITH == 2
typedef float op_t;
typedef float2 op2_t;
typedef ushort tile_t;
#define OP_LD(p, i) vload_half((i), (p))
#define TILE_LD(e) vload_half(0, (__local const half*) &(e))
#define TILE_ST(e, v) vstore_half((v), 0, (__local half*) &(e))
#define OP_FMA2(a, b, c) round_to_half2(fma((a), (b), (c)))
#define OP_WIDEN2(v) (v)
inline float2 round_to_half2(float2 v) {
    ushort2 bits;
    vstore_half2_rte(v, 0, (half*) &bits);
    return vload_half2(0, (const half*) &bits);
}
#else
#error "HALF_ARITH must be 0, 1 or 2"
#endif

// Offset of row-major element i of a tensor of shape sh (rank r) read with strides st.
inline int strided_offset(int i, int r, const int* sh, const int* st) {
    int off = 0;
    for (int d = r - 1; d >= 0; d--) {
        int q = i / sh[d];
        off += (i - q * sh[d]) * st[d];
        i = q;
    }
    return off;
}

// Index of the residual element conv output yi (plane nm = n * M + m, position p) reads. rs packs the
// residual's nearest-upsampling factors sh | sw << 16: 1 | 1 << 16 when it has y's shape (index yi),
// larger when the FPN's Resize was fused into the conv and the residual is [N, M, OH / sh, OW / sw].
inline int residual_index(int rs, int yi, int nm, int p, int OH, int OW) {
    int sh = rs & 0xffff, sw = rs >> 16;
    if (sh == 1 && sw == 1) return yi;
    int oh = p / OW, ow = p - oh * OW;
    return (nm * (OH / sh) + oh / sh) * (OW / sw) + ow / sw;
}
