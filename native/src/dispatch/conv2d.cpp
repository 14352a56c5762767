// Conv2D (and Conv1D, as height 1): validation, weight packing and the kernel list.
#include <xmmintrin.h>

#include <algorithm>

#include "../common/activation.h"
#include "../common/dispatch.h"
#include "../common/packing.h"
#include "../common/scratch.h"
#include "../common/thread_pool.h"
#include "../ref/kernels_ref.h"
#include "../x64/kernels_x64.h"
#include "checks.h"
#include "conv2d.h"
#include "dense.h"

namespace neurite {
namespace {

const char *direct_declines(const Conv2dProblem &p) {
    return p.depthwise_layout() ? "one input channel per group: depthwise layout" : nullptr;
}

const char *depthwise_declines(const Conv2dProblem &p) {
    return p.depthwise_layout() ? nullptr : "more than one input channel per group";
}

// Never a choice by batch size: a sample's result must not depend on the batch it came in.
const char *winograd_declines(const Conv2dProblem &p) {
    return conv2d_winograd_layout(p.d) ? nullptr : "not a 3x3 stride-1 undilated ungrouped convolution of 16+ channels";
}

const Kernel<WinogradPackProblem> kWinogradPackKernels[] = {
    NRT_X64_CANDIDATES(conv2d_winograd_pack_f32, nullptr),
    {"conv2d_winograd_pack_f32_ref", NRT_ISA_REF, nullptr, conv2d_winograd_pack_f32_ref},
};

const Kernel<Conv2dProblem> kConv2dKernels[] = {
    NRT_X64_CANDIDATES(conv2d_nhwc_winograd_f32, winograd_declines),
    NRT_X64_CANDIDATES(conv2d_nhwc_direct_f32, direct_declines),
    NRT_X64_CANDIDATES(depthwise_conv2d_nhwc_f32, depthwise_declines),
    {"conv2d_nhwc_f32_ref", NRT_ISA_REF, nullptr, conv2d_nhwc_f32_ref},
};
// The same without Winograd, for weights packed without its layout.
const Kernel<Conv2dProblem> kConv2dDirectKernels[] = {
    NRT_X64_CANDIDATES(conv2d_nhwc_direct_f32, direct_declines),
    NRT_X64_CANDIDATES(depthwise_conv2d_nhwc_f32, depthwise_declines),
    {"conv2d_nhwc_f32_ref", NRT_ISA_REF, nullptr, conv2d_nhwc_f32_ref},
};

void backward_data_as_forward(const Conv2dBackwardDataProblem &p);
void backward_data_as_gemm(const Conv2dBackwardDataProblem &p);
void backward_weights_as_gemm(const Conv2dBackwardWeightsProblem &p);

const char *unless_stride_one(const Conv2dBackwardDataProblem &p) {
    return p.d.stride_h == 1 && p.d.stride_w == 1 ? nullptr : "strided: not a forward convolution";
}

// Winograd pays for its 4x4 output tiles on images of 8x8 and more (the input's, here).
bool winograd_backward_data(const nrt_conv2d_desc &d) {
    return d.stride_h == 1 && d.stride_w == 1 && d.kernel_h == 3 && d.kernel_w == 3 && d.dilation_h == 1 &&
           d.dilation_w == 1 && d.groups == 1 && d.in_c >= 16 && d.out_c >= 16 && d.in_h >= 8 && d.in_w >= 8;
}

const char *unless_winograd(const Conv2dBackwardDataProblem &p) {
    return winograd_backward_data(p.d) ? nullptr : "not a 3x3 stride-1 ungrouped convolution of 16+ channels on 8x8+ images";
}

const char *unless_one_group_data(const Conv2dBackwardDataProblem &p) {
    return p.d.groups == 1 ? nullptr : "grouped";
}

const char *unless_one_group(const Conv2dBackwardWeightsProblem &p) {
    return p.d.groups == 1 ? nullptr : "grouped";
}

// The first two run the fastest forward kernels the ISA cap allows, so they serve every tier.
const Kernel<Conv2dBackwardDataProblem> kBackwardDataKernels[] = {
    {"conv2d_backward_data_winograd", NRT_ISA_REF, unless_winograd, backward_data_as_forward},
    {"conv2d_backward_data_as_gemm", NRT_ISA_REF, unless_one_group_data, backward_data_as_gemm},
    {"conv2d_backward_data_as_forward", NRT_ISA_REF, unless_stride_one, backward_data_as_forward},
    {"conv2d_nhwc_backward_data_f32_ref", NRT_ISA_REF, nullptr, conv2d_nhwc_backward_data_f32_ref},
};
// Winograd's 4x4 output blocks take 36 products per channel pair where each output pixel
// takes 9: it pays from a 3x3 output on (81 against 36), and costs 4 times more on a 1x1.
const char *unless_winograd_weights(const Conv2dBackwardWeightsProblem &p) {
    return conv2d_winograd_layout(p.d) && p.d.out_h >= 3 && p.d.out_w >= 3
               ? nullptr
               : "not a 3x3 stride-1 undilated ungrouped convolution of 16+ channels with a 3x3+ output";
}

const Kernel<Conv2dBackwardWeightsProblem> kBackwardWeightsKernels[] = {
    NRT_X64_CANDIDATES(conv2d_backward_weights_winograd_f32, unless_winograd_weights),
    NRT_X64_CANDIDATES(conv2d_backward_weights_f32, unless_one_group),
    {"conv2d_backward_weights_as_gemm", NRT_ISA_REF, unless_one_group, backward_weights_as_gemm},
    {"conv2d_nhwc_backward_weights_f32_ref", NRT_ISA_REF, nullptr, conv2d_nhwc_backward_weights_f32_ref},
};

int check_desc(const nrt_conv2d_desc *d) {
    if (d == nullptr) return fail(NRT_INVALID_ARGUMENT, "conv2d: descriptor is null");
    if (d->in_h <= 0 || d->in_w <= 0 || d->in_c <= 0 || d->out_h <= 0 || d->out_w <= 0 || d->out_c <= 0)
        return fail(NRT_INVALID_ARGUMENT, "conv2d: sizes must be positive (input %dx%dx%d, output %dx%dx%d)",
                    d->in_h, d->in_w, d->in_c, d->out_h, d->out_w, d->out_c);
    if (d->kernel_h <= 0 || d->kernel_w <= 0 || d->stride_h <= 0 || d->stride_w <= 0 || d->dilation_h <= 0 ||
        d->dilation_w <= 0)
        return fail(NRT_INVALID_ARGUMENT, "conv2d: kernel %dx%d, strides %dx%d and dilations %dx%d must be positive",
                    d->kernel_h, d->kernel_w, d->stride_h, d->stride_w, d->dilation_h, d->dilation_w);
    // Padding past the kernel's reach would only add windows made wholly of zeros.
    if (d->pad_top < 0 || d->pad_left < 0 || d->pad_top > (d->kernel_h - 1) * d->dilation_h ||
        d->pad_left > (d->kernel_w - 1) * d->dilation_w)
        return fail(NRT_INVALID_ARGUMENT, "conv2d: padding %d,%d outside [0, kernel reach - 1]", d->pad_top, d->pad_left);
    if (d->groups <= 0 || d->in_c % d->groups != 0 || d->out_c % d->groups != 0)
        return fail(NRT_INVALID_ARGUMENT, "conv2d: %d groups do not divide %d input and %d output channels", d->groups,
                    d->in_c, d->out_c);
    if (!valid_activation(d->activation)) return fail(NRT_INVALID_ARGUMENT, "conv2d: unknown activation %d", d->activation);
    return NRT_OK;
}

// Where the Winograd weights start in a packed array (after the general layout).
int64_t winograd_offset(const nrt_conv2d_desc &d) {
    return checked_product({d.groups, conv2d_oc_blocks_per_group(d), conv2d_block_floats(d)});
}

int64_t packed_size(const nrt_conv2d_desc &d) {
    if (conv2d_depthwise_layout(d)) return checked_product({d.kernel_h, d.kernel_w, d.out_c});
    if (!conv2d_winograd_layout(d)) return winograd_offset(d);
    const int64_t winograd = checked_product({kWinogradPositions, conv2d_winograd_position_floats(d)});
    return winograd < 0 || winograd_offset(d) < 0 ? -1 : winograd_offset(d) + winograd;
}

void pack_conv2d_weights(const nrt_conv2d_desc &d, const float *hwio, float *packed, bool winograd = true) {
    if (conv2d_depthwise_layout(d)) {
        std::copy(hwio, hwio + packed_size(d), packed);
        return;
    }
    const int icg = d.in_c / d.groups, ocg = d.out_c / d.groups;
    for (int g = 0; g < d.groups; ++g)
        pack_column_panels(hwio + int64_t{g} * ocg, int64_t{d.kernel_h} * d.kernel_w * icg, ocg, d.out_c,
                           packed + g * conv2d_oc_blocks_per_group(d) * conv2d_block_floats(d));
    if (winograd && conv2d_winograd_layout(d))
        run_selected(kWinogradPackKernels, WinogradPackProblem{d, hwio, packed + winograd_offset(d)});
}

// With stride 1, the input's gradient is a forward convolution of the output's gradient by
// the kernel flipped in space with its channel axes swapped, padded so every output cell
// meets each tap once: it runs on the forward kernels, Winograd included.
//
// Each thread takes whole samples: it flips and packs the kernel for itself, then runs the
// forward kernel on its samples alone. The packed kernel (Winograd's: 295 KB for the seed
// CNN's conv2) made by one thread alone and read by both cost a serial pack and, with the two
// vCPUs far apart, a slow read from the other core. With fewer samples than threads, one
// packed kernel serves a forward pass on every thread.
void backward_data_as_forward(const Conv2dBackwardDataProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const int icg = d.in_c / d.groups, ocg = d.out_c / d.groups, taps = d.kernel_h * d.kernel_w;
    nrt_conv2d_desc b = d;
    b.in_h = d.out_h;
    b.in_w = d.out_w;
    b.in_c = d.out_c;
    b.out_h = d.in_h;
    b.out_w = d.in_w;
    b.out_c = d.in_c;
    b.pad_top = (d.kernel_h - 1) * d.dilation_h - d.pad_top;
    b.pad_left = (d.kernel_w - 1) * d.dilation_w - d.pad_left;
    b.activation = NRT_ACT_NONE;
    b.alpha = 0.f;
    const bool winograd = winograd_backward_data(d);
    const int64_t parts = std::min<int64_t>(p.batch, resolve_threads(p.threads));
    const int64_t dy_sample = int64_t{d.out_h} * d.out_w * d.out_c, dx_sample = int64_t{d.in_h} * d.in_w * d.in_c;
    parallel_for(parts, p.threads, [&](int64_t begin, int64_t end) {
        float *flipped = thread_scratch(int64_t{taps} * ocg * d.in_c, ScratchSlot::kGradientLeft);
        for (int kh = 0; kh < d.kernel_h; ++kh)
            for (int kw = 0; kw < d.kernel_w; ++kw) {
                const int64_t tap = int64_t{kh} * d.kernel_w + kw;
                const int64_t mirror = int64_t{d.kernel_h - 1 - kh} * d.kernel_w + (d.kernel_w - 1 - kw);
                for (int g = 0; g < d.groups; ++g)
                    for (int o = 0; o < ocg; ++o)
                        for (int i = 0; i < icg; ++i)
                            flipped[(tap * ocg + o) * d.in_c + g * icg + i] = p.hwio[(mirror * icg + i) * d.out_c + g * ocg + o];
            }
        float *packed = thread_scratch(packed_size(b), ScratchSlot::kGradientRight);
        pack_conv2d_weights(b, flipped, packed, winograd);
        for (int64_t part = begin; part < end; ++part) {
            const int64_t first = p.batch * part / parts, last = p.batch * (part + 1) / parts;
            const Conv2dProblem transposed{b, static_cast<int32_t>(last - first), p.d_pre + first * dy_sample, packed, nullptr,
                                           p.d_src + first * dx_sample, parts == 1 ? p.threads : 1};
            if (winograd) run_selected(kConv2dKernels, transposed);
            else run_selected(kConv2dDirectKernels, transposed);
        }
    });
}

// to[o][lane] = from[lane][o] for `lanes` rows of `cols` floats `stride` apart, into rows of
// kDenseOcBlock floats: 4x4 blocks through SSE registers (every x86-64 has them), 2.9x the
// speed of one float at a time, whose stores each went to another line.
void transpose_into_panel(const float *from, int64_t stride, int64_t lanes, int cols, float *to) {
    int64_t lane = 0;
    for (; lane + 4 <= lanes; lane += 4) {
        const float *r = from + lane * stride;
        int o = 0;
        for (; o + 4 <= cols; o += 4) {
            __m128 a = _mm_loadu_ps(r + o), b = _mm_loadu_ps(r + stride + o);
            __m128 c = _mm_loadu_ps(r + 2 * stride + o), e = _mm_loadu_ps(r + 3 * stride + o);
            _MM_TRANSPOSE4_PS(a, b, c, e);
            float *t = to + int64_t{o} * kDenseOcBlock + lane;
            _mm_storeu_ps(t, a);
            _mm_storeu_ps(t + kDenseOcBlock, b);
            _mm_storeu_ps(t + 2 * kDenseOcBlock, c);
            _mm_storeu_ps(t + 3 * kDenseOcBlock, e);
        }
        for (; o < cols; ++o)
            for (int i = 0; i < 4; ++i) to[int64_t{o} * kDenseOcBlock + lane + i] = r[i * stride + o];
    }
    for (; lane < lanes; ++lane)
        for (int o = 0; o < cols; ++o) to[int64_t{o} * kDenseOcBlock + lane] = from[lane * stride + o];
}

// dCol [pixels, taps * in_c] = dY [pixels, out_c] times the kernel transposed, as the dense
// GEMM, then each pixel's taps added into the input cells they read (one sample at a time, in
// one fixed order): only the products that exist, whatever the stride; a 1x1 kernel over 1x1
// images (a dense layer) needs no scatter.
//
// Each thread takes whole samples and does all of their work: it packs the kernel for itself
// (the one piece done twice), multiplies its samples' rows and scatters them into its samples.
// Nothing one thread writes is read by another: when the host puts two vCPUs far apart, the
// packed kernel and dCol's rows handed between them cost more than the products (the seed
// CNN's dense1 took 25 us on 2 threads and 14 on 1). Its samples go in blocks whose dCol stays
// in L2. With fewer samples than threads, the GEMM runs on every thread.
void backward_data_as_gemm(const Conv2dBackwardDataProblem &p) {
    constexpr int64_t kBlockFloats = int64_t{1} << 16;  // a block's dCol: 256 KB
    const nrt_conv2d_desc &d = p.d;
    const int taps = d.kernel_h * d.kernel_w;
    const int64_t sample_pixels = int64_t{d.out_h} * d.out_w, columns = int64_t{taps} * d.in_c;
    const bool direct = taps == 1 && d.in_h == d.out_h && d.in_w == d.out_w && d.stride_h == 1 && d.stride_w == 1;
    // dCol's rows padded to whole vectors on either tier, so that the GEMM stores no partial
    // vector (AVX2's masked store is slow on AMD); the padding columns multiply zeros.
    const int64_t col_stride = direct ? columns : ceil_div(columns, 16) * 16;
    const nrt_dense_desc gemm{d.out_c, static_cast<int32_t>(col_stride), NRT_ACT_NONE, 0.f};
    const int64_t panel = dense_panel_floats(gemm), sample = int64_t{d.in_h} * d.in_w * d.in_c;
    const int64_t block_samples = std::max<int64_t>(1, kBlockFloats / (sample_pixels * col_stride));
    const int64_t parts = std::min<int64_t>(p.batch, resolve_threads(p.threads));
    parallel_for(parts, p.threads, [&](int64_t begin_part, int64_t end_part) {
        // The kernel [columns, out_c] transposed into the GEMM's panels: column m of row o at [m / 32][o][m % 32],
        // each panel's lanes past the last column zeroed.
        float *packed = thread_scratch(dense_packed_size(gemm), ScratchSlot::kGradientRight);
        for (int64_t block = 0; block < ceil_div(columns, kDenseOcBlock); ++block) {
            float *to = packed + block * panel;
            const int64_t first = block * kDenseOcBlock, lanes = std::min<int64_t>(kDenseOcBlock, columns - first);
            transpose_into_panel(p.hwio + first * d.out_c, d.out_c, lanes, d.out_c, to);
            if (lanes < kDenseOcBlock)
                for (int o = 0; o < d.out_c; ++o) std::fill(to + int64_t{o} * kDenseOcBlock + lanes, to + (int64_t{o} + 1) * kDenseOcBlock, 0.f);
        }
        float *col = direct ? nullptr : thread_scratch(block_samples * sample_pixels * col_stride, ScratchSlot::kGradientLeft);
        for (int64_t part = begin_part; part < end_part; ++part)
            for (int64_t first = p.batch * part / parts, last = p.batch * (part + 1) / parts; first < last; first += block_samples) {
                const int64_t samples = std::min(block_samples, last - first);
                float *out = direct ? p.d_src + first * sample : col;
                run_dense(DenseProblem{gemm, static_cast<int32_t>(samples * sample_pixels), p.d_pre + first * sample_pixels * d.out_c,
                                       packed, nullptr, out, parts == 1 ? p.threads : 1});
                if (direct) continue;
                std::fill(p.d_src + first * sample, p.d_src + (first + samples) * sample, 0.f);
                for (int64_t n = 0; n < samples; ++n)
                    for (int oh = 0; oh < d.out_h; ++oh)
                        for (int kh = 0; kh < d.kernel_h; ++kh) {
                            const int ih = oh * d.stride_h + kh * d.dilation_h - d.pad_top;
                            if (ih < 0 || ih >= d.in_h) continue;
                            float *dx_row = p.d_src + ((first + n) * d.in_h + ih) * d.in_w * d.in_c;
                            const float *col_row = col + (n * d.out_h + oh) * d.out_w * col_stride + int64_t{kh} * d.kernel_w * d.in_c;
                            for (int kw = 0; kw < d.kernel_w; ++kw) {
                                // The outputs whose tap kw lands inside the row (iw = ow * stride + offset), found
                                // once rather than tested per output: a one-channel image adds a float per test.
                                const int offset = kw * d.dilation_w - d.pad_left;
                                const int first_ow = offset < 0 ? static_cast<int>(ceil_div(-offset, d.stride_w)) : 0;
                                const int end_ow = std::min<int>(d.out_w, static_cast<int>(ceil_div(d.in_w - offset, d.stride_w)));
                                for (int ow = first_ow; ow < end_ow; ++ow) {
                                    float *dx = dx_row + int64_t{ow * d.stride_w + offset} * d.in_c;
                                    const float *from = col_row + ow * col_stride + int64_t{kw} * d.in_c;
                                    for (int c = 0; c < d.in_c; ++c) dx[c] += from[c];
                                }
                            }
                        }
            }
    });
}

// The kernel's gradient, transposed: dW^T [out_c, taps * in_c] = dY^T [out_c, pixels] times
// im2col(x) [pixels, taps * in_c], as the dense GEMM with im2col packed straight into its
// weight panels. Every entry sums over the pixels in order, whatever the threads.
void backward_weights_as_gemm(const Conv2dBackwardWeightsProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const int taps = d.kernel_h * d.kernel_w, oc = d.out_c;
    const int64_t pixels = int64_t{p.batch} * d.out_h * d.out_w, columns = int64_t{taps} * d.in_c;
    const nrt_dense_desc gemm{static_cast<int32_t>(pixels), static_cast<int32_t>(columns), NRT_ACT_NONE, 0.f};
    float *dy_t = thread_scratch(pixels * oc, ScratchSlot::kGradientLeft);
    constexpr int64_t kTransposeBlock = 64;  // pixels per block: the block's rows of dY stay in L1
    parallel_for(ceil_div(pixels, kTransposeBlock), p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t block = begin; block < end; ++block) {
            const int64_t first = block * kTransposeBlock, last = std::min(pixels, first + kTransposeBlock);
            for (int o = 0; o < oc; ++o)
                for (int64_t k = first; k < last; ++k) dy_t[o * pixels + k] = p.d_pre[k * oc + o];
        }
    });
    // im2col in the dense kernel's panels: column m of pixel k at [m / 32][k][m % 32]
    const int64_t panel = dense_panel_floats(gemm);
    float *col = thread_scratch(dense_packed_size(gemm), ScratchSlot::kGradientRight);
    parallel_for(pixels, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t k = begin; k < end; ++k) {
            const int64_t n = k / (int64_t{d.out_h} * d.out_w);
            const int oh = static_cast<int>(k / d.out_w % d.out_h), ow = static_cast<int>(k % d.out_w);
            // Column m of this pixel sits at [m / 32][k][m % 32]: a tap's channels are runs of
            // consecutive floats, broken only where they cross into the next panel.
            auto put = [&](int64_t m, const float *from, int64_t count) {
                while (count > 0) {
                    const int64_t lane = m % kDenseOcBlock, run = std::min(count, kDenseOcBlock - lane);
                    float *to = col + m / kDenseOcBlock * panel + k * kDenseOcBlock + lane;
                    // A plain loop: runs are short (one float for a single-channel image), too short for memcpy.
                    for (int64_t i = 0; i < run; ++i) to[i] = from != nullptr ? from[i] : 0.f;
                    m += run;
                    count -= run;
                    if (from != nullptr) from += run;
                }
            };
            for (int tap = 0; tap < taps; ++tap) {
                const int ih = oh * d.stride_h + tap / d.kernel_w * d.dilation_h - d.pad_top;
                const int iw = ow * d.stride_w + tap % d.kernel_w * d.dilation_w - d.pad_left;
                const bool inside = ih >= 0 && ih < d.in_h && iw >= 0 && iw < d.in_w;
                put(int64_t{tap} * d.in_c, inside ? p.src + ((n * d.in_h + ih) * d.in_w + iw) * d.in_c : nullptr, d.in_c);
            }
            put(columns, nullptr, ceil_div(columns, kDenseOcBlock) * kDenseOcBlock - columns);
        }
    });
    float *dw_t = thread_scratch(oc * columns, ScratchSlot::kOperand);
    run_dense(DenseProblem{gemm, oc, dy_t, col, nullptr, dw_t, p.threads});
    for (int64_t m = 0; m < columns; ++m)
        for (int o = 0; o < oc; ++o) p.d_hwio[m * oc + o] = dw_t[o * columns + m];
    if (p.d_bias == nullptr) return;
    std::fill(p.d_bias, p.d_bias + oc, 0.f);
    for (int64_t k = 0; k < pixels; ++k)
        for (int o = 0; o < oc; ++o) p.d_bias[o] += p.d_pre[k * oc + o];
}

}  // namespace

nrt_conv2d_desc dense_as_conv(int in, int out, int activation, float alpha) {
    nrt_conv2d_desc c{};
    c.in_h = c.in_w = c.out_h = c.out_w = 1;
    c.in_c = in;
    c.out_c = out;
    c.kernel_h = c.kernel_w = c.stride_h = c.stride_w = c.dilation_h = c.dilation_w = c.groups = 1;
    c.activation = activation;
    c.alpha = alpha;
    return c;
}

void run_conv2d_backward_data(const Conv2dBackwardDataProblem &p) { run_selected(kBackwardDataKernels, p); }
void run_conv2d_backward_weights(const Conv2dBackwardWeightsProblem &p) { run_selected(kBackwardWeightsKernels, p); }

}  // namespace neurite

using namespace neurite;

extern "C" {

int64_t nrt_conv2d_packed_size(const nrt_conv2d_desc *desc) {
    if (check_desc(desc) != NRT_OK) return -1;
    return packed_size(*desc);
}

int nrt_conv2d_pack_weights(const nrt_conv2d_desc *desc, const float *hwio, int64_t hwio_size, float *packed,
                            int64_t packed_floats) {
    NRT_CHECK(check_desc(desc));
    const nrt_conv2d_desc &d = *desc;
    const int icg = d.in_c / d.groups;
    NRT_CHECK(check_buffer("conv2d pack", "weights", hwio, hwio_size,
                           checked_product({d.kernel_h, d.kernel_w, icg, d.out_c})));
    NRT_CHECK(check_buffer("conv2d pack", "packed weights", packed, packed_floats, packed_size(d)));
    pack_conv2d_weights(d, hwio, packed);
    return NRT_OK;
}

int nrt_conv2d_forward(const nrt_conv2d_desc *desc, int32_t batch, const float *src, int64_t src_size,
                       const float *packed, int64_t packed_floats, const float *bias, int64_t bias_size, float *dst,
                       int64_t dst_size, int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_conv2d_desc &d = *desc;
    if (batch <= 0) return fail(NRT_INVALID_ARGUMENT, "conv2d: batch %d must be positive", batch);
    NRT_CHECK(check_buffer("conv2d", "input", src, src_size, checked_product({batch, d.in_h, d.in_w, d.in_c})));
    NRT_CHECK(check_buffer("conv2d", "packed weights", packed, packed_floats, packed_size(d)));
    if (bias != nullptr) NRT_CHECK(check_buffer("conv2d", "bias", bias, bias_size, d.out_c));
    NRT_CHECK(check_buffer("conv2d", "output", dst, dst_size, checked_product({batch, d.out_h, d.out_w, d.out_c})));
    return guarded("conv2d", [&] {
        run_selected(kConv2dKernels, Conv2dProblem{d, batch, src, packed, bias, dst, num_threads});
        return NRT_OK;
    });
}

int nrt_conv2d_backward_data(const nrt_conv2d_desc *desc, int32_t batch, const float *hwio, int64_t hwio_size,
                             const float *d_pre, int64_t d_pre_size, float *d_src, int64_t d_src_size,
                             int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_conv2d_desc &d = *desc;
    if (batch <= 0) return fail(NRT_INVALID_ARGUMENT, "conv2d backward: batch %d must be positive", batch);
    NRT_CHECK(check_buffer("conv2d backward", "weights", hwio, hwio_size,
                           checked_product({d.kernel_h, d.kernel_w, d.in_c / d.groups, d.out_c})));
    NRT_CHECK(check_buffer("conv2d backward", "output gradient", d_pre, d_pre_size,
                           checked_product({batch, d.out_h, d.out_w, d.out_c})));
    NRT_CHECK(check_buffer("conv2d backward", "input gradient", d_src, d_src_size,
                           checked_product({batch, d.in_h, d.in_w, d.in_c})));
    return guarded("conv2d backward", [&] {
        run_conv2d_backward_data(Conv2dBackwardDataProblem{d, batch, hwio, d_pre, d_src, num_threads});
        return NRT_OK;
    });
}

int nrt_conv2d_backward_weights(const nrt_conv2d_desc *desc, int32_t batch, const float *src, int64_t src_size,
                                const float *d_pre, int64_t d_pre_size, float *d_hwio, int64_t d_hwio_size,
                                float *d_bias, int64_t d_bias_size, int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_conv2d_desc &d = *desc;
    if (batch <= 0) return fail(NRT_INVALID_ARGUMENT, "conv2d backward: batch %d must be positive", batch);
    NRT_CHECK(check_buffer("conv2d backward", "input", src, src_size, checked_product({batch, d.in_h, d.in_w, d.in_c})));
    NRT_CHECK(check_buffer("conv2d backward", "output gradient", d_pre, d_pre_size,
                           checked_product({batch, d.out_h, d.out_w, d.out_c})));
    NRT_CHECK(check_buffer("conv2d backward", "weight gradient", d_hwio, d_hwio_size,
                           checked_product({d.kernel_h, d.kernel_w, d.in_c / d.groups, d.out_c})));
    if (d_bias != nullptr) NRT_CHECK(check_buffer("conv2d backward", "bias gradient", d_bias, d_bias_size, d.out_c));
    return guarded("conv2d backward", [&] {
        run_conv2d_backward_weights(Conv2dBackwardWeightsProblem{d, batch, src, d_pre, d_hwio, d_bias, num_threads});
        return NRT_OK;
    });
}

}  // extern "C"
