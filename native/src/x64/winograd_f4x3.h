// Winograd's F(4x4, 3x3) (Lavin and Gray, 2015), as the forward convolution
// (conv2d_nhwc_winograd_f32.cpp) and the kernel's gradient (conv2d_backward_weights_f32.cpp)
// use it: a 4x4 block of output pixels from a 6x6 block of input is Y = A^T [U (.) V] A with
// V = B^T d B and U = G g G^T, 36 products per channel pair where direct convolution takes 144.
//
// The kernel's gradient is the same identity read backwards. dW = sum over the blocks of the
// correlation of d with the block's output gradient dY, and for any dY,
// sum(dY (.) Y) = sum(U (.) V (.) A dY A^T), so dW = G^T [sum over the blocks of
// (A dY A^T) (.) V] G: the input's transform, the output gradient's through A, products summed
// over the blocks per position, and G^T ... G once at the end.
#pragma once
#include <algorithm>
#include <cstdint>

#include "../common/problems.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace winograd {

constexpr int kTile = 4, kInputTile = 6, kPositions = kInputTile * kInputTile;

// y = B^T x for a column of 6: B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
//                                     0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1].
inline void input_transform_6(const Vec (&x)[6], Vec (&y)[6]) {
    const Vec four = set1(4.f), five = set1(5.f), two = set1(2.f);
    const Vec a = fnmadd(four, x[2], x[4]), b = fnmadd(four, x[1], x[3]);  // x4 - 4 x2, x3 - 4 x1
    const Vec c = x[4] - x[2], e = two * (x[3] - x[1]);
    y[0] = fmadd(four, x[0], fnmadd(five, x[2], x[4]));
    y[1] = a + b;
    y[2] = a - b;
    y[3] = c + e;
    y[4] = c - e;
    y[5] = fmadd(four, x[1], fnmadd(five, x[3], x[5]));
}

// y = A^T m for a column of 6: A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
inline void output_transform_6(const Vec (&m)[6], Vec (&y)[4]) {
    const Vec a = m[1] + m[2], b = m[1] - m[2], c = m[3] + m[4], e = m[3] - m[4];
    y[0] = m[0] + a + c;
    y[1] = fmadd(set1(2.f), e, b);
    y[2] = fmadd(set1(4.f), c, a);
    y[3] = fmadd(set1(8.f), e, b) + m[5];
}

// y = A d for a column of 4 output gradients: the polynomial with coefficients d at the
// points 0, 1, -1, 2, -2 and its leading coefficient (the point at infinity).
inline void gradient_transform_4(const Vec (&d)[4], Vec (&y)[6]) {
    const Vec even = d[0] + d[2], odd = d[1] + d[3];
    const Vec even2 = fmadd(set1(4.f), d[2], d[0]), odd2 = set1(2.f) * fmadd(set1(4.f), d[3], d[1]);
    y[0] = d[0];
    y[1] = even + odd;
    y[2] = even - odd;
    y[3] = even2 + odd2;
    y[4] = even2 - odd2;
    y[5] = d[3];
}

// y = G (a, b, c)^T for the kernel transform G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6;
// 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1], its rows' shared sums taken once.
inline void kernel_transform_3(Vec a, Vec b, Vec c, Vec (&y)[6]) {
    const Vec sixth = set1(1.f / 6), outer = (a + c) * sixth, b_sixth = b * sixth;
    const Vec weighted = fmadd(a, set1(1.f / 24), c * sixth), middle = b * set1(1.f / 12);
    y[0] = a * set1(1.f / 4);
    y[1] = zero() - outer - b_sixth;
    y[2] = b_sixth - outer;
    y[3] = weighted + middle;
    y[4] = weighted - middle;
    y[5] = c;
}

// y = G^T m for a column of 6: the kernel transform's transpose, back to 3 taps.
inline void kernel_gradient_transform_6(const Vec (&m)[6], Vec (&y)[3]) {
    const Vec inner = m[1] + m[2], outer = m[3] + m[4];
    y[0] = fmadd(m[0], set1(1.f / 4), fmadd(outer, set1(1.f / 24), inner * set1(-1.f / 6)));
    y[1] = fmadd(m[3] - m[4], set1(1.f / 12), (m[1] - m[2]) * set1(-1.f / 6));
    y[2] = fmadd(outer - inner, set1(1.f / 6), m[5]);
}

// The 4x4 blocks of output pixels, image by image, row by row.
struct Tiles {
    int tiles_h, tiles_w;
    int64_t count;

    // Where tile `tile` lies: its image and its first output row and column.
    void locate(int64_t tile, int64_t &image, int &y0, int &x0) const {
        image = tile / (int64_t{tiles_h} * tiles_w);
        y0 = static_cast<int>(tile / tiles_w % tiles_h) * kTile;
        x0 = static_cast<int>(tile % tiles_w) * kTile;
    }
};

inline Tiles tiles_of(const nrt_conv2d_desc &d, int32_t batch) {
    Tiles t{static_cast<int>(ceil_div(d.out_h, kTile)), static_cast<int>(ceil_div(d.out_w, kTile)), 0};
    t.count = int64_t{batch} * t.tiles_h * t.tiles_w;
    return t;
}

// Floats from one position of a transformed block to the next: its tiles' channels and a
// cache line more, so that a tile's 36 positions fall in different L1 sets (64 channels on
// AVX-512 put them 3 KB apart, nine to a set: more than its eight ways).
inline int64_t position_stride(int64_t count, int channels) { return count * channels + kFloatsPerLine; }

// An NHWC batch of images, height x width x channels, read through pad_top rows and pad_left
// columns of zeros before them and zeros past their edges: the padding is never materialised
// (the copy of the seed CNN's conv2 output gradient, padded by 2 for its input's gradient, ran
// on one thread while the other waited).
struct Images {
    const float *data;
    int64_t height, width;
    int channels, pad_top, pad_left;
};

// out[position][tile][c] = T b T^T for the kSize x kSize block b of each of `count` tiles
// from first_tile and the images' channels [first_channel, first_channel + channels), T a
// transform from kSize points to 6 (B^T for the input's 6x6 blocks, A for the output
// gradient's 4x4), positions `stride` floats apart.
template <int kSize, void (*kTransform)(const Vec (&)[kSize], Vec (&)[kInputTile])>
inline void transform_tiles(const Images &in, int first_channel, int channels, const Tiles &g, int64_t first_tile, int count,
                            float *out, int64_t stride) {
    const int64_t height = in.height, width = in.width;
    for (int t = 0; t < count; ++t) {
        int64_t n;
        int y0, x0;
        g.locate(first_tile + t, n, y0, x0);
        y0 -= in.pad_top, x0 -= in.pad_left;  // the block's first row and column in the images
        const float *image = in.data + n * height * width * in.channels + first_channel;
        for (int c = 0; c < channels; c += kLanes) {
            const int lanes = std::min(kLanes, channels - c);
            Vec rows[kSize][kInputTile];  // b T^T, row by row
            for (int i = 0; i < kSize; ++i) {
                Vec b[kSize];
                const bool row_inside = y0 + i >= 0 && y0 + i < height;
                for (int j = 0; j < kSize; ++j)
                    b[j] = row_inside && x0 + j >= 0 && x0 + j < width
                               ? load_first(image + ((y0 + i) * width + x0 + j) * in.channels + c, lanes)
                               : zero();
                kTransform(b, rows[i]);
            }
            for (int j = 0; j < kInputTile; ++j) {
                Vec column[kSize], transformed[kInputTile];
                for (int i = 0; i < kSize; ++i) column[i] = rows[i][j];
                kTransform(column, transformed);
                for (int i = 0; i < kInputTile; ++i)
                    store_first(out + (i * kInputTile + j) * stride + int64_t{t} * channels + c, transformed[i], lanes);
            }
        }
    }
}

// V = B^T d B of the 6x6 blocks of p's input, padded as p says.
inline void transform_inputs(const Conv2dProblem &p, const Tiles &g, int64_t first_tile, int count, float *v,
                             int64_t stride) {
    const nrt_conv2d_desc &d = p.d;
    transform_tiles<kInputTile, input_transform_6>(Images{p.src, d.in_h, d.in_w, d.in_c, d.pad_top, d.pad_left}, 0, d.in_c, g,
                                                   first_tile, count, v, stride);
}

}  // namespace winograd
}  // namespace NRT_SIMD
}  // namespace neurite
