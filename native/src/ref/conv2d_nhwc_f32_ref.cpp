// Direct convolution and its gradients, one value at a time, every input read bounds-checked: the
// padding is never materialised.
#include <algorithm>
#include <vector>

#include "../common/activation.h"
#include "../common/packing.h"
#include "../common/thread_pool.h"
#include "kernels_ref.h"

namespace neurite {

void conv2d_nhwc_f32_ref(const Conv2dProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const int icg = p.in_c_per_group(), ocg = p.out_c_per_group();
    const int64_t block = conv2d_block_floats(d), blocks_per_group = conv2d_oc_blocks_per_group(d);

    // Weight of (kh, kw, input channel within group, output channel) in the packed layout.
    auto weight = [&](int kh, int kw, int ic, int oc) -> float {
        if (p.depthwise_layout()) return p.packed[(int64_t{kh} * d.kernel_w + kw) * d.out_c + oc];
        const int g = oc / ocg, o = oc % ocg;
        const float *b = p.packed + (g * blocks_per_group + o / kConvOcBlock) * block;
        return b[((int64_t{kh} * d.kernel_w + kw) * icg + ic) * kConvOcBlock + o % kConvOcBlock];
    };

    parallel_for(int64_t{p.batch} * d.out_h, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int64_t n = row / d.out_h;
            const int oh = static_cast<int>(row % d.out_h);
            for (int ow = 0; ow < d.out_w; ++ow) {
                float *out = p.dst + (row * d.out_w + ow) * d.out_c;
                for (int oc = 0; oc < d.out_c; ++oc) {
                    const int g = oc / ocg;
                    float acc = p.bias != nullptr ? p.bias[oc] : 0.f;
                    for (int kh = 0; kh < d.kernel_h; ++kh) {
                        const int ih = oh * d.stride_h + kh * d.dilation_h - d.pad_top;
                        if (ih < 0 || ih >= d.in_h) continue;
                        for (int kw = 0; kw < d.kernel_w; ++kw) {
                            const int iw = ow * d.stride_w + kw * d.dilation_w - d.pad_left;
                            if (iw < 0 || iw >= d.in_w) continue;
                            const float *in = p.src + ((n * d.in_h + ih) * d.in_w + iw) * d.in_c + g * icg;
                            for (int ic = 0; ic < icg; ++ic) acc += in[ic] * weight(kh, kw, ic, oc);
                        }
                    }
                    out[oc] = activate(acc, d.activation, d.alpha);
                }
            }
        }
    });
}

// One sample per task: overlapping windows add into the same input cells in one fixed order.
void conv2d_nhwc_backward_data_f32_ref(const Conv2dBackwardDataProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const int icg = d.in_c / d.groups, ocg = d.out_c / d.groups;
    const int64_t sample = int64_t{d.in_h} * d.in_w * d.in_c;
    parallel_for(p.batch, p.threads, [&](int64_t first, int64_t last) {
        std::fill(p.d_src + first * sample, p.d_src + last * sample, 0.f);
        for (int64_t n = first; n < last; ++n) {
            for (int oh = 0; oh < d.out_h; ++oh) {
                for (int ow = 0; ow < d.out_w; ++ow) {
                    const float *dy = p.d_pre + ((n * d.out_h + oh) * d.out_w + ow) * d.out_c;
                    for (int kh = 0; kh < d.kernel_h; ++kh) {
                        const int ih = oh * d.stride_h + kh * d.dilation_h - d.pad_top;
                        if (ih < 0 || ih >= d.in_h) continue;
                        for (int kw = 0; kw < d.kernel_w; ++kw) {
                            const int iw = ow * d.stride_w + kw * d.dilation_w - d.pad_left;
                            if (iw < 0 || iw >= d.in_w) continue;
                            float *dx = p.d_src + ((n * d.in_h + ih) * d.in_w + iw) * d.in_c;
                            const float *w = p.hwio + (int64_t{kh} * d.kernel_w + kw) * icg * d.out_c;
                            for (int c = 0; c < d.in_c; ++c) {
                                const int g = c / icg;
                                const float *wc = w + int64_t{c % icg} * d.out_c + g * ocg;
                                float sum = 0.f;
                                for (int o = 0; o < ocg; ++o) sum += dy[g * ocg + o] * wc[o];
                                dx[c] += sum;
                            }
                        }
                    }
                }
            }
        }
    });
}

// Each task owns whole (tap, input channel) rows of the kernel's gradient and sums over every
// output pixel in order, so the result does not depend on the thread count.
void conv2d_nhwc_backward_weights_f32_ref(const Conv2dBackwardWeightsProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const int icg = d.in_c / d.groups, ocg = d.out_c / d.groups;
    parallel_for(int64_t{d.kernel_h} * d.kernel_w * d.in_c, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t item = begin; item < end; ++item) {
            const int tap = static_cast<int>(item / d.in_c), c = static_cast<int>(item % d.in_c);
            const int kh = tap / d.kernel_w, kw = tap % d.kernel_w, g = c / icg;
            float *dw = p.d_hwio + (int64_t{tap} * icg + c % icg) * d.out_c + g * ocg;
            std::fill(dw, dw + ocg, 0.f);
            for (int64_t n = 0; n < p.batch; ++n) {
                for (int oh = 0; oh < d.out_h; ++oh) {
                    const int ih = oh * d.stride_h + kh * d.dilation_h - d.pad_top;
                    if (ih < 0 || ih >= d.in_h) continue;
                    for (int ow = 0; ow < d.out_w; ++ow) {
                        const int iw = ow * d.stride_w + kw * d.dilation_w - d.pad_left;
                        if (iw < 0 || iw >= d.in_w) continue;
                        const float x = p.src[((n * d.in_h + ih) * d.in_w + iw) * d.in_c + c];
                        const float *dy = p.d_pre + ((n * d.out_h + oh) * d.out_w + ow) * d.out_c + g * ocg;
                        for (int o = 0; o < ocg; ++o) dw[o] += x * dy[o];
                    }
                }
            }
        }
    });
    if (p.d_bias == nullptr) return;
    std::fill(p.d_bias, p.d_bias + d.out_c, 0.f);
    const int64_t pixels = int64_t{p.batch} * d.out_h * d.out_w;
    for (int64_t i = 0; i < pixels; ++i)
        for (int o = 0; o < d.out_c; ++o) p.d_bias[o] += p.d_pre[i * d.out_c + o];
}

// U = G g G^T for each input-output channel pair, in double, G being F(4x4, 3x3)'s kernel
// transform (Lavin and Gray; interpolation points 0, 1, -1, 2, -2 and infinity). Output
// channels past the last one of an oc block get zeros. An input channel's pairs are all
// transformed before any is stored, then stored a position at a time: a pair's 36 positions
// lie a multiple of 4 KB apart, in one L1 set.
void conv2d_winograd_pack_f32_ref(const WinogradPackProblem &p) {
    static constexpr double kG[6][3] = {{1. / 4, 0., 0.},           {-1. / 6, -1. / 6, -1. / 6}, {-1. / 6, 1. / 6, -1. / 6},
                                        {1. / 24, 1. / 12, 1. / 6}, {1. / 24, -1. / 12, 1. / 6}, {0., 0., 1.}};
    const nrt_conv2d_desc &d = p.d;
    const int64_t position = conv2d_winograd_position_floats(d), padded = ceil_div(d.out_c, kConvOcBlock) * kConvOcBlock;
    std::vector<double> v(static_cast<size_t>(kWinogradPositions * padded));  // [position][output channel]
    for (int ic = 0; ic < d.in_c; ++ic) {
        for (int64_t oc = 0; oc < padded; ++oc) {
            double g[3][3] = {}, gg[6][3] = {};
            if (oc < d.out_c)
                for (int kh = 0; kh < 3; ++kh)
                    for (int kw = 0; kw < 3; ++kw) g[kh][kw] = p.hwio[((int64_t{kh} * 3 + kw) * d.in_c + ic) * d.out_c + oc];
            for (int i = 0; i < 6; ++i)
                for (int kw = 0; kw < 3; ++kw)
                    for (int kh = 0; kh < 3; ++kh) gg[i][kw] += kG[i][kh] * g[kh][kw];
            for (int i = 0; i < 6; ++i)
                for (int j = 0; j < 6; ++j) {
                    double sum = 0;
                    for (int kw = 0; kw < 3; ++kw) sum += gg[i][kw] * kG[j][kw];
                    v[(i * 6 + j) * padded + oc] = sum;
                }
        }
        for (int at = 0; at < kWinogradPositions; ++at)
            for (int64_t oc = 0; oc < padded; ++oc)
                p.u[at * position + oc / kConvOcBlock * (int64_t{d.in_c} * kConvOcBlock) + int64_t{ic} * kConvOcBlock +
                    oc % kConvOcBlock] = static_cast<float>(v[at * padded + oc]);
    }
}

}  // namespace neurite
