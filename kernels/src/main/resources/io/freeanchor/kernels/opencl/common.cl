// Storage of float tensors: FP32, or half with -DHALF_STORAGE (vload_half/vstore_half are core in
// OpenCL 1.2, so no extension is needed); arithmetic is FP32 either way.
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
