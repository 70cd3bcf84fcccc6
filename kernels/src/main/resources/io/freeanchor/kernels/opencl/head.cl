// Backend.headCandidates on the device: per image and level, the best topK (anchor, class) pairs by
// sigmoid score (above the threshold, ties in pair order), then their decoded boxes. Bit-exact with
// the Java backends when the device has doubles (-DFA_FP64): the sigmoid and the box exp use a port
// of fdlibm's exp (Java's StrictMath.exp) rounded to float, and divisions run in double (a float
// quotient rounded once from double is the correctly rounded one). Without doubles, OpenCL's float
// exp and division are used: scores may differ by an ulp or two and equal-score ties may reorder.
#pragma OPENCL FP_CONTRACT OFF
#ifdef FA_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

// Order-preserving map of floats to uints (larger float, larger key; NaNs land past +-inf).
inline uint fkey(float x) {
    uint u = as_uint(x);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

inline float unkey(uint k) {
    return as_float((k & 0x80000000u) ? (k & 0x7fffffffu) : ~k);
}

#ifdef FA_FP64
inline int hi_word(double x) { return (int) (as_ulong(x) >> 32); }
inline uint lo_word(double x) { return (uint) as_ulong(x); }
inline double with_hi(double x, int hi) {
    return as_double((as_ulong(x) & 0xffffffffUL) | ((ulong) (uint) hi << 32));
}

// fdlibm's __ieee754_exp as in java.lang.FdLibm.Exp (StrictMath.exp), operation for operation.
double fdlibm_exp(double x) {
    const double twom1000 = 0x1.0p-1000;
    const double o_threshold = 0x1.62e42fefa39efp9, u_threshold = -0x1.74910d52d3051p9;
    const double ln2HI = 0x1.62e42feep-1, ln2LO = 0x1.a39ef35793c76p-33, invln2 = 0x1.71547652b82fep0;
    const double P1 = 0x1.555555555553ep-3, P2 = -0x1.6c16c16bebd93p-9, P3 = 0x1.1566aaf25de2cp-14;
    const double P4 = -0x1.bbd41c5d26bf1p-20, P5 = 0x1.6376972bea4d0p-25;
    double y, hi = 0.0, lo = 0.0, c, t;
    int k = 0;
    int hx = hi_word(x);
    int xsb = (hx >> 31) & 1;
    hx &= 0x7fffffff;
    if (hx >= 0x40862E42) {
        if (hx >= 0x7ff00000) {
            if (((hx & 0xfffff) | lo_word(x)) != 0) return x + x;
            return xsb == 0 ? x : 0.0;
        }
        if (x > o_threshold) return INFINITY;
        if (x < u_threshold) return 0.0;
    }
    if (hx > 0x3fd62e42) {
        if (hx < 0x3FF0A2B2) {
            hi = x - (xsb ? -ln2HI : ln2HI);
            lo = xsb ? -ln2LO : ln2LO;
            k = 1 - xsb - xsb;
        } else {
            k = (int) (invln2 * x + (xsb ? -0.5 : 0.5));
            t = k;
            hi = x - t * ln2HI;
            lo = t * ln2LO;
        }
        x = hi - lo;
    } else if (hx < 0x3e300000) {
        return 1.0 + x;
    }
    t = x * x;
    c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
    y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
    if (k >= -1021) return with_hi(y, hi_word(y) + (int) ((uint) k << 20));
    return with_hi(y, hi_word(y) + (int) ((uint) (k + 1000) << 20)) * twom1000;
}

inline float exp_f(float x) { return (float) fdlibm_exp((double) x); }
inline float score_of(float x) {
    float d = 1.0f + exp_f(-x);
    return (float) (1.0 / (double) d);
}
#else
inline float exp_f(float x) { return exp(x); }
inline float score_of(float x) { return 1.0f / (1.0f + exp(-x)); }
#endif

// Smallest key in (lo, hi] whose score is > s (strict) or >= s; the caller knows hi's is.
uint first_key(uint lo, uint hi, float s, int strict) {
    while (hi - lo > 1) {
        uint mid = lo + (hi - lo) / 2;
        float sc = score_of(unkey(mid));
        if (strict ? sc > s : sc >= s) hi = mid; else lo = mid;
    }
    return hi;
}

// Java's Math.min(Math.max(v, lo), hi) (torch.clamp): NaN stays NaN, -0 below lo = +0 becomes +0
// (fmin/fmax would drop the NaN and may keep -0).
inline float clampf(float v, float lo, float hi) {
    if (isnan(v)) return v;
    float r = v > lo ? v : lo;
    return r < hi ? r : hi;
}

#define KEY_INF 0xff800000u   // fkey(+inf)
#define NONE 0xffffffffu       // no non-NaN key reaches it

// One work-group per image (group id 0 = image). Writes the image's kept pairs, best first, as
// ascending keys (~fkey(score) << 32 | pair) to keys[n * cap ..] and their number to counts[n].
// Selection without scoring every pair: scores are monotone in logits, so a radix select on the
// logits' keys finds T, the topK-th largest logit of those above gate0 (= the score threshold's
// logit). Pairs scoring above s* = score(T) are all kept (fewer than topK); those scoring exactly
// s* (a band of logits [gB, gA)) fill the rest in pair order, found by a second radix select on the
// pair index when the band is larger than the room left.
__kernel void head_select(__global const store_t* cls, int channels, int hw, int k, int cap, float gate0,
                          __global ulong* keys, __global int* counts) {
    __local uint hist[256];
    __local uint sh[8];
    int n = get_group_id(0), lid = get_local_id(0), L = get_local_size(0);
    int total = channels * hw;
    __global const store_t* x = cls + (size_t) n * total;
    __global ulong* out = keys + (size_t) n * cap;

    // 1. Radix select on logit keys, 8 bits a pass from the top; the first pass also counts.
    uint prefix = 0, mask = 0, remaining = (uint) k;
    int all = 0;
    for (int shift = 24; shift >= 0; shift -= 8) {
        for (int i = lid; i < 256; i += L) hist[i] = 0;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int e = lid; e < total; e += L) {
            float v = LD(x, e);
            if (v >= gate0) {
                uint u = fkey(v);
                if ((u & mask) == prefix) atomic_inc(&hist[(u >> shift) & 255u]);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid == 0) {
            uint sum = 0;
            if (shift == 24) {
                for (int b = 0; b < 256; b++) sum += hist[b];
            }
            if (shift == 24 && sum <= (uint) k) {
                sh[2] = 1;
            } else {
                uint cum = 0;
                int b = 255;
                while (cum + hist[b] < remaining) cum += hist[b--];
                sh[0] = prefix | ((uint) b << shift);
                sh[1] = remaining - cum;
                sh[2] = 0;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        all = (int) sh[2];
        if (all) break;
        prefix = sh[0];
        remaining = sh[1];
        mask |= 255u << shift;
    }

    // 2. The band of logits scoring exactly s* = score(T), and how many of it fit.
    uint gA = NONE, gB = NONE, maxPair = NONE;
    float sstar = 0.0f;
    if (!all) {
        if (lid == 0) {
            sstar = score_of(unkey(prefix));
            sh[3] = score_of(INFINITY) > sstar ? first_key(prefix, KEY_INF, sstar, 1) : NONE;
            sh[4] = first_key(fkey(gate0) - 1u, prefix, sstar, 0);
            sh[5] = 0;
            sh[6] = 0;
            sh[7] = as_uint(sstar);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        gA = sh[3];
        gB = sh[4];
        sstar = as_float(sh[7]);
        uint cA = 0, cB = 0;
        for (int e = lid; e < total; e += L) {
            float v = LD(x, e);
            if (v >= gate0) {
                uint u = fkey(v);
                if (u >= gA) cA++;
                else if (u >= gB) cB++;
            }
        }
        atomic_add(&sh[5], cA);
        atomic_add(&sh[6], cB);
        barrier(CLK_LOCAL_MEM_FENCE);
        uint room = (uint) k - sh[5];
        if (sh[6] > room) {
            // 3. The room-th smallest pair index in the band (radix select again).
            uint pfx = 0, msk = 0, rem = room;
            for (int shift = 24; shift >= 0; shift -= 8) {
                barrier(CLK_LOCAL_MEM_FENCE);
                for (int i = lid; i < 256; i += L) hist[i] = 0;
                barrier(CLK_LOCAL_MEM_FENCE);
                for (int e = lid; e < total; e += L) {
                    float v = LD(x, e);
                    if (v >= gate0) {
                        uint u = fkey(v);
                        uint p = (uint) ((e % hw) * channels + e / hw);
                        if (u < gA && u >= gB && (p & msk) == pfx) atomic_inc(&hist[(p >> shift) & 255u]);
                    }
                }
                barrier(CLK_LOCAL_MEM_FENCE);
                if (lid == 0) {
                    uint cum = 0;
                    int b = 0;
                    while (cum + hist[b] < rem) cum += hist[b++];
                    sh[0] = pfx | ((uint) b << shift);
                    sh[1] = rem - cum;
                }
                barrier(CLK_LOCAL_MEM_FENCE);
                pfx = sh[0];
                rem = sh[1];
                msk |= 255u << shift;
            }
            maxPair = pfx;
        }
    }

    // 4. Compaction of the kept pairs with their exact scores.
    barrier(CLK_LOCAL_MEM_FENCE);
    if (lid == 0) sh[0] = 0;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int e = lid; e < total; e += L) {
        float v = LD(x, e);
        if (v >= gate0) {
            uint u = fkey(v);
            uint p = (uint) ((e % hw) * channels + e / hw);
            int above = all || u >= gA;
            if (above || (u >= gB && p <= maxPair)) {
                float s = above ? score_of(v) : sstar;
                uint slot = atomic_inc(&sh[0]);
                out[slot] = ((ulong) ~fkey(s) << 32) | p;
            }
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    uint m = sh[0];
    uint size = 1;
    while (size < m) size <<= 1;
    for (uint i = m + lid; i < size; i += L) out[i] = ~0UL;
    barrier(CLK_GLOBAL_MEM_FENCE);

    // 5. Bitonic sort of the kept keys (ascending: score descending, then pair ascending).
    for (uint span = 2; span <= size; span <<= 1) {
        for (uint stride = span >> 1; stride > 0; stride >>= 1) {
            for (uint i = lid; i < size / 2; i += L) {
                uint lo = 2 * i - (i & (stride - 1));
                uint hi = lo + stride;
                ulong a = out[lo], b = out[hi];
                if ((a > b) == ((lo & span) == 0)) {
                    out[lo] = b;
                    out[hi] = a;
                }
            }
            barrier(CLK_GLOBAL_MEM_FENCE);
        }
    }
    if (lid == 0) counts[n] = (int) m;
}

// One work-item per kept pair (global (k, N)): res[n][j] = (score, pair index as int bits, x1, y1,
// x2, y2), the box decoded by the steps of DeltaXywh.decode. prm = means[4], stds[4], maxRatio, then the base anchors [A][4].
__kernel void head_decode(__global const ulong* keys, __global const int* counts, __global const store_t* reg,
                          __global const float* prm, int channels, int K, int hw, int W, int k, int cap,
                          float stride, float maxW, float maxH, __global float* res) {
    int j = get_global_id(0), n = get_global_id(1);
    if (j >= k || j >= counts[n]) return;
    ulong key = keys[(size_t) n * cap + j];
    int p = (int) (uint) key;
    float s = unkey(~(uint) (key >> 32));
    int loc = p / channels, a = (p % channels) / K, A = channels / K;
    float sx = (float) (loc % W) * stride, sy = (float) (loc / W) * stride;
    float ax1 = prm[9 + 4 * a] + sx, ay1 = prm[10 + 4 * a] + sy;
    float ax2 = prm[11 + 4 * a] + sx, ay2 = prm[12 + 4 * a] + sy;
    __global const store_t* d = reg + ((size_t) n * 4 * A + 4 * a) * hw + loc;
    float dx = LD(d, 0) * prm[4] + prm[0];
    float dy = LD(d, hw) * prm[5] + prm[1];
    float dw = LD(d, 2 * hw) * prm[6] + prm[2];
    float dh = LD(d, 3 * hw) * prm[7] + prm[3];
    float px = (ax1 + ax2) * 0.5f, py = (ay1 + ay2) * 0.5f;
    float pw = ax2 - ax1, ph = ay2 - ay1;
    float dxw = pw * dx, dyh = ph * dy;
    float r = prm[8];
    dw = clampf(dw, -r, r);
    dh = clampf(dh, -r, r);
    float gx = px + dxw, gy = py + dyh;
    float gw = pw * exp_f(dw), gh = ph * exp_f(dh);
    __global float* o = res + 6 * ((size_t) n * k + j);
    o[0] = s;
    o[1] = as_float(p);
    o[2] = clampf(gx - gw * 0.5f, 0.0f, maxW);
    o[3] = clampf(gy - gh * 0.5f, 0.0f, maxH);
    o[4] = clampf(gx + gw * 0.5f, 0.0f, maxW);
    o[5] = clampf(gy + gh * 0.5f, 0.0f, maxH);
}
