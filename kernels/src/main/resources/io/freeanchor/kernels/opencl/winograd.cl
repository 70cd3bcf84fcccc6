// Winograd F(2x2,3x3) transforms for stride-1, dilation-1, group-1 3x3 convolutions (Lavin & Gray):
// Y = A^T [ (G g G^T) . (B^T d B) ] A per 2x2 output tile, d its 4x4 input tile (2-pixel overlap).
// The 16 products of each tile position xi = 4*i + j are summed over input channels by wino_gemm
// (conv_gemm.cl), so the chain is: wino_filter (once per weight tensor), wino_input, wino_gemm,
// wino_output. Scratch U, V, M are FP32 whatever the storage precision (LD/ST from common.cl).
// Layouts: U[16][K][C], V[16][C][T], M[16][K][T]; T = tiles of every image of the batch,
// t = (img * tilesH + ty) * tilesW + tx.

// U = G g G^T with G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]. One work-item per (c, k).
__kernel void wino_filter(__global const store_t* w, __global float* u, int K, int C) {
    const int c = get_global_id(0), k = get_global_id(1);
    if (c >= C || k >= K) return;
    float g[3][3], t[4][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) g[i][j] = LD(w, ((k * C + c) * 3 + i) * 3 + j);
    for (int j = 0; j < 3; j++) {
        t[0][j] = g[0][j];
        t[1][j] = 0.5f * (g[0][j] + g[1][j] + g[2][j]);
        t[2][j] = 0.5f * (g[0][j] - g[1][j] + g[2][j]);
        t[3][j] = g[2][j];
    }
    const size_t plane = (size_t) K * C, at = (size_t) k * C + c;
    for (int i = 0; i < 4; i++) {
        u[(4 * i + 0) * plane + at] = t[i][0];
        u[(4 * i + 1) * plane + at] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
        u[(4 * i + 2) * plane + at] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
        u[(4 * i + 3) * plane + at] = t[i][2];
    }
}

// V = B^T d B with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]; pixels outside the image (the
// padding, and the bottom/right overhang of odd sizes) read as zero. One work-item per (t, c).
// dims: C, H, W, T; geo: tilesH, tilesW, padTop, padLeft.
__kernel void wino_input(__global const store_t* x, __global float* v, int4 dims, int4 geo) {
    const int t = get_global_id(0), c = get_global_id(1);
    const int C = dims.s0, H = dims.s1, W = dims.s2, T = dims.s3;
    if (t >= T || c >= C) return;
    const int perImage = geo.s0 * geo.s1, img = t / perImage, r = t - img * perImage;
    const int ty = r / geo.s1, tx = r - ty * geo.s1;
    const int ih0 = 2 * ty - geo.s2, iw0 = 2 * tx - geo.s3;
    const size_t base = ((size_t) img * C + c) * H * W;
    float d[4][4], e[4][4];
    for (int i = 0; i < 4; i++) {
        int ih = ih0 + i;
        for (int j = 0; j < 4; j++) {
            int iw = iw0 + j;
            d[i][j] = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? LD(x, base + (size_t) ih * W + iw) : 0.0f;
        }
    }
    for (int j = 0; j < 4; j++) {
        e[0][j] = d[0][j] - d[2][j];
        e[1][j] = d[1][j] + d[2][j];
        e[2][j] = d[2][j] - d[1][j];
        e[3][j] = d[1][j] - d[3][j];
    }
    const size_t plane = (size_t) C * T, at = (size_t) c * T + t;
    for (int i = 0; i < 4; i++) {
        v[(4 * i + 0) * plane + at] = e[i][0] - e[i][2];
        v[(4 * i + 1) * plane + at] = e[i][1] + e[i][2];
        v[(4 * i + 2) * plane + at] = e[i][2] - e[i][1];
        v[(4 * i + 3) * plane + at] = e[i][1] - e[i][3];
    }
}

// Y = A^T m A with A^T = [1 1 1 0; 0 1 -1 -1], then the conv_gemm epilogue: + bias, + residual,
// ReLU; only the pixels inside the OH x OW output are stored. One work-item per (t, k).
// dims: K, OH, OW, T; geo: tilesH, tilesW, hasBias, hasResidual.
__kernel void wino_output(__global const float* m, __global const store_t* bias, __global const store_t* res,
                          __global store_t* y, int4 dims, int4 geo, int relu) {
    const int t = get_global_id(0), k = get_global_id(1);
    const int K = dims.s0, OH = dims.s1, OW = dims.s2, T = dims.s3;
    if (t >= T || k >= K) return;
    const int perImage = geo.s0 * geo.s1, img = t / perImage, r = t - img * perImage;
    const int ty = r / geo.s1, tx = r - ty * geo.s1;
    const size_t plane = (size_t) K * T, at = (size_t) k * T + t;
    float s[4][4], e[2][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) s[i][j] = m[(4 * i + j) * plane + at];
    for (int j = 0; j < 4; j++) {
        e[0][j] = s[0][j] + s[1][j] + s[2][j];
        e[1][j] = s[1][j] - s[2][j] - s[3][j];
    }
    const float bv = geo.s2 ? LD(bias, k) : 0.0f;
    for (int i = 0; i < 2; i++) {
        int oh = 2 * ty + i;
        if (oh >= OH) break;
        float out[2] = {e[i][0] + e[i][1] + e[i][2], e[i][1] - e[i][2] - e[i][3]};
        for (int j = 0; j < 2; j++) {
            int ow = 2 * tx + j;
            if (ow >= OW) break;
            size_t yi = (((size_t) img * K + k) * OH + oh) * OW + ow;
            float val = out[j] + bv;
            if (geo.s3) val += LD(res, yi);
            if (relu) val = fmax(val, 0.0f);
            ST(y, yi, val);
        }
    }
}
