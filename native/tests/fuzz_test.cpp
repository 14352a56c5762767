// A randomized shape fuzzer: convolution, pooling and dense layers, forward and backward, with
// odd sizes, size-1 dimensions, large strides and dilations, padding and groups, on every ISA
// tier this CPU has, each result compared with the reference kernels' (the backward
// convolutions with a plain double-precision definition here). Every buffer has a
// guard zone behind it that must stay untouched; built with NEURITE_SANITIZE=ON, AddressSanitizer
// and UBSan watch every access too. Cases: argv[1] per op (default 300); seed: argv[2].
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "neurite.h"

namespace {

constexpr int kGuard = 16;
constexpr float kGuardValue = 12345.f;
std::mt19937 rng;
int failures = 0, cases = 0;

int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

// n floats followed by a guard zone.
constexpr float kPoison = 7777.f;  // what an output holds before the call: every op must write all of it

struct Buffer {
    std::vector<float> v;
    enum Fill { kRandom, kPoisoned };
    explicit Buffer(int64_t n, Fill fill = kRandom) : v(static_cast<size_t>(n) + kGuard, kGuardValue) {
        std::uniform_real_distribution<float> d(-1.f, 1.f);
        for (int64_t i = 0; i < n; ++i) v[i] = fill == kRandom ? d(rng) : kPoison;
    }
    float *data() { return v.data(); }
    int64_t size() const { return static_cast<int64_t>(v.size()) - kGuard; }
    bool guard_intact() const {
        for (size_t i = v.size() - kGuard; i < v.size(); ++i)
            if (v[i] != kGuardValue) return false;
        return true;
    }
};

void fail(const std::string &what) {
    std::printf("FAIL %s (%s)\n", what.c_str(), nrt_last_error());
    ++failures;
}

// Runs `op` on every tier, writing `out` fresh each time; every tier must agree with ref, or,
// given `expected` (computed here, independently of the library), every tier, ref included,
// with it: the library's ref tier may run a composite of its own (backward convolutions as a
// GEMM and a scatter), which comparing with itself would never check.
void across_isas(const std::string &name, int64_t out_size, const std::function<int(Buffer &)> &op,
                 const std::vector<float> *expected = nullptr) {
    std::vector<float> reference;
    if (expected != nullptr) reference = *expected;
    ++cases;
    for (int isa = NRT_ISA_REF; isa <= nrt_detected_isa(); ++isa) {
        nrt_set_max_isa(isa);
        Buffer out(out_size, Buffer::kPoisoned);
        if (op(out) != NRT_OK) return fail(name + " on " + nrt_isa_name(isa));
        if (!out.guard_intact()) return fail(name + " wrote past its output on " + nrt_isa_name(isa));
        if (isa == NRT_ISA_REF && expected == nullptr) {
            reference.assign(out.v.begin(), out.v.begin() + out_size);
            continue;
        }
        float scale = 1.f;
        for (float r : reference) scale = std::fmax(scale, std::fabs(r));
        for (int64_t i = 0; i < out_size; ++i) {
            if (!(std::fabs(out.v[i] - reference[i]) <= 2e-4f * scale)) {
                char at[160];
                std::snprintf(at, sizeof at, " on %s: element %lld is %g, ref %g", nrt_isa_name(isa), static_cast<long long>(i),
                              out.v[i], reference[i]);
                return fail(name + at);
            }
        }
    }
    nrt_set_max_isa(NRT_ISA_AVX512);
}

// A weight gradient and its bias gradient as one output, once both guards are checked.
int joined(Buffer &out, const Buffer &d_w, const Buffer &d_b, int status) {
    if (!d_w.guard_intact() || !d_b.guard_intact()) return -1;
    std::copy(d_w.v.begin(), d_w.v.end() - kGuard, out.v.begin());
    std::copy(d_b.v.begin(), d_b.v.end() - kGuard, out.v.begin() + d_w.size());
    return status;
}

// A window extent and the output length it gives; 0 if the padded input is too short.
int out_length(int in, int kernel, int stride, int dilation, int pad) {
    const int reach = (kernel - 1) * dilation + 1, padded = in + 2 * pad;
    return padded < reach ? 0 : (padded - reach) / stride + 1;
}

// A convolution's input and kernel gradients (then its bias gradient), summed in double over
// every (output pixel, tap) pair that reads an input cell: the plain definition.
std::vector<float> naive_backward_data(const nrt_conv2d_desc &d, int batch, const float *hwio, const float *d_pre) {
    const int icg = d.in_c / d.groups, ocg = d.out_c / d.groups;
    std::vector<double> dx(static_cast<size_t>(batch) * d.in_h * d.in_w * d.in_c, 0.);
    for (int n = 0; n < batch; ++n)
        for (int oh = 0; oh < d.out_h; ++oh)
            for (int ow = 0; ow < d.out_w; ++ow)
                for (int kh = 0; kh < d.kernel_h; ++kh)
                    for (int kw = 0; kw < d.kernel_w; ++kw) {
                        const int ih = oh * d.stride_h + kh * d.dilation_h - d.pad_top;
                        const int iw = ow * d.stride_w + kw * d.dilation_w - d.pad_left;
                        if (ih < 0 || ih >= d.in_h || iw < 0 || iw >= d.in_w) continue;
                        for (int g = 0; g < d.groups; ++g)
                            for (int c = 0; c < icg; ++c)
                                for (int o = 0; o < ocg; ++o)
                                    dx[((static_cast<size_t>(n) * d.in_h + ih) * d.in_w + iw) * d.in_c + g * icg + c] +=
                                        double(hwio[((static_cast<size_t>(kh) * d.kernel_w + kw) * icg + c) * d.out_c + g * ocg + o]) *
                                        d_pre[((static_cast<size_t>(n) * d.out_h + oh) * d.out_w + ow) * d.out_c + g * ocg + o];
                    }
    return std::vector<float>(dx.begin(), dx.end());
}

std::vector<float> naive_backward_weights(const nrt_conv2d_desc &d, int batch, const float *src, const float *d_pre) {
    const int icg = d.in_c / d.groups, ocg = d.out_c / d.groups;
    const size_t w_n = static_cast<size_t>(d.kernel_h) * d.kernel_w * icg * d.out_c;
    std::vector<double> dw(w_n + d.out_c, 0.);
    for (int n = 0; n < batch; ++n)
        for (int oh = 0; oh < d.out_h; ++oh)
            for (int ow = 0; ow < d.out_w; ++ow) {
                const float *dy = d_pre + ((static_cast<size_t>(n) * d.out_h + oh) * d.out_w + ow) * d.out_c;
                for (int o = 0; o < d.out_c; ++o) dw[w_n + o] += dy[o];
                for (int kh = 0; kh < d.kernel_h; ++kh)
                    for (int kw = 0; kw < d.kernel_w; ++kw) {
                        const int ih = oh * d.stride_h + kh * d.dilation_h - d.pad_top;
                        const int iw = ow * d.stride_w + kw * d.dilation_w - d.pad_left;
                        if (ih < 0 || ih >= d.in_h || iw < 0 || iw >= d.in_w) continue;
                        const float *x = src + ((static_cast<size_t>(n) * d.in_h + ih) * d.in_w + iw) * d.in_c;
                        for (int g = 0; g < d.groups; ++g)
                            for (int c = 0; c < icg; ++c)
                                for (int o = 0; o < ocg; ++o)
                                    dw[((static_cast<size_t>(kh) * d.kernel_w + kw) * icg + c) * d.out_c + g * ocg + o] +=
                                        double(x[g * icg + c]) * dy[g * ocg + o];
                    }
            }
    return std::vector<float>(dw.begin(), dw.end());
}

void check_conv(nrt_conv2d_desc d);

void conv_case() {
    nrt_conv2d_desc d{};
    d.groups = uniform(0, 3) == 0 ? uniform(1, 4) : 1;
    d.in_c = d.groups * uniform(1, 5);
    d.out_c = d.groups * uniform(1, 6);
    if (uniform(0, 5) == 0) {  // depthwise
        d.groups = d.in_c;
        d.out_c = d.in_c * uniform(1, 2);
    }
    d.in_h = uniform(1, 11), d.in_w = uniform(1, 13);
    d.kernel_h = uniform(1, 5), d.kernel_w = uniform(1, 5);
    d.stride_h = uniform(1, 4), d.stride_w = uniform(1, 4);
    d.dilation_h = uniform(1, 3), d.dilation_w = uniform(1, 3);
    d.pad_top = uniform(0, (d.kernel_h - 1) * d.dilation_h), d.pad_left = uniform(0, (d.kernel_w - 1) * d.dilation_w);
    d.out_h = out_length(d.in_h, d.kernel_h, d.stride_h, d.dilation_h, d.pad_top);
    d.out_w = out_length(d.in_w, d.kernel_w, d.stride_w, d.dilation_w, d.pad_left);
    if (d.out_h <= 0 || d.out_w <= 0) return;
    check_conv(d);
}

// 3x3 stride-1 layers of 16+ channels, which take Winograd's kernels (forward, the input's
// gradient through them, and the kernel's gradient), with and without padding.
void winograd_case() {
    nrt_conv2d_desc d{};
    d.groups = 1, d.kernel_h = d.kernel_w = 3, d.stride_h = d.stride_w = 1, d.dilation_h = d.dilation_w = 1;
    d.in_c = uniform(16, 40), d.out_c = uniform(16, 40);
    d.in_h = uniform(3, 14), d.in_w = uniform(3, 14);
    d.pad_top = uniform(0, 1), d.pad_left = uniform(0, 1);
    d.out_h = out_length(d.in_h, 3, 1, 1, d.pad_top);
    d.out_w = out_length(d.in_w, 3, 1, 1, d.pad_left);
    check_conv(d);
}

// Forward, the input's gradient and the kernel's and bias' gradients of d on every tier.
void check_conv(nrt_conv2d_desc d) {
    d.activation = uniform(0, NRT_ACT_GELU);
    d.alpha = 0.1f;
    const int batch = uniform(1, 3), threads = uniform(1, 2);
    char name[200];
    std::snprintf(name, sizeof name, "conv %dx%dx%d k%dx%d s%dx%d d%dx%d p%d,%d g%d -> %dx%dx%d", d.in_h, d.in_w, d.in_c,
                  d.kernel_h, d.kernel_w, d.stride_h, d.stride_w, d.dilation_h, d.dilation_w, d.pad_top, d.pad_left, d.groups,
                  d.out_h, d.out_w, d.out_c);
    const int64_t src_n = int64_t{batch} * d.in_h * d.in_w * d.in_c, dst_n = int64_t{batch} * d.out_h * d.out_w * d.out_c;
    const int64_t w_n = int64_t{d.kernel_h} * d.kernel_w * (d.in_c / d.groups) * d.out_c;
    Buffer src(src_n), hwio(w_n), bias(d.out_c), d_pre(dst_n);
    across_isas(std::string(name) + " forward", dst_n, [&](Buffer &out) {
        Buffer packed(nrt_conv2d_packed_size(&d), Buffer::kPoisoned);
        if (nrt_conv2d_pack_weights(&d, hwio.data(), hwio.size(), packed.data(), packed.size()) != NRT_OK) return -1;
        return nrt_conv2d_forward(&d, batch, src.data(), src.size(), packed.data(), packed.size(), bias.data(), bias.size(),
                                  out.data(), out.size(), threads);
    });
    const std::vector<float> expected_dx = naive_backward_data(d, batch, hwio.data(), d_pre.data());
    const std::vector<float> expected_dw = naive_backward_weights(d, batch, src.data(), d_pre.data());
    across_isas(std::string(name) + " backward data", src_n, [&](Buffer &out) {
        return nrt_conv2d_backward_data(&d, batch, hwio.data(), hwio.size(), d_pre.data(), d_pre.size(), out.data(), out.size(),
                                        threads);
    }, &expected_dx);
    across_isas(std::string(name) + " backward weights", w_n + d.out_c, [&](Buffer &out) {
        Buffer d_w(w_n, Buffer::kPoisoned), d_b(d.out_c, Buffer::kPoisoned);
        return joined(out, d_w, d_b, nrt_conv2d_backward_weights(&d, batch, src.data(), src.size(), d_pre.data(), d_pre.size(),
                                                                 d_w.data(), d_w.size(), d_b.data(), d_b.size(), threads));
    }, &expected_dw);
}

// Kernel gradients large enough for several chunks of pixels and several blocks per chunk,
// blocks starting mid-row (the shapes above have a few hundred pixels at most): every tier
// against the definition, and bit for bit the same with 1, 2 and 5 threads.
void large_weights_case() {
    nrt_conv2d_desc d{};
    const bool dense = uniform(0, 2) == 0;  // a dense or recurrent layer's, as a 1x1 convolution of 1x1 images
    d.groups = 1, d.dilation_h = d.dilation_w = 1;
    d.in_c = uniform(1, 40), d.out_c = uniform(1, 40);
    d.kernel_h = d.kernel_w = dense ? 1 : uniform(1, 3);
    d.in_h = dense ? 1 : uniform(5, 15), d.in_w = dense ? 1 : uniform(5, 15);
    d.stride_h = d.stride_w = dense ? 1 : uniform(1, 2);
    d.pad_top = d.pad_left = uniform(0, d.kernel_h - 1);
    d.out_h = out_length(d.in_h, d.kernel_h, d.stride_h, 1, d.pad_top);
    d.out_w = out_length(d.in_w, d.kernel_w, d.stride_w, 1, d.pad_left);
    if (d.out_h <= 0 || d.out_w <= 0) return;
    const int pixels_per_sample = d.out_h * d.out_w;
    const int batch = 4096 / pixels_per_sample + uniform(1, 4096 / pixels_per_sample + 20);
    char name[160];
    std::snprintf(name, sizeof name, "large conv weights %dx%dx%d k%d s%d p%d -> %dx%dx%d batch %d", d.in_h, d.in_w, d.in_c,
                  d.kernel_h, d.stride_h, d.pad_top, d.out_h, d.out_w, d.out_c, batch);
    const int64_t src_n = int64_t{batch} * d.in_h * d.in_w * d.in_c, dst_n = int64_t{batch} * pixels_per_sample * d.out_c;
    const int64_t w_n = int64_t{d.kernel_h} * d.kernel_w * d.in_c * d.out_c;
    Buffer src(src_n), d_pre(dst_n);
    const std::vector<float> expected = naive_backward_weights(d, batch, src.data(), d_pre.data());
    std::vector<std::vector<float>> one_thread(NRT_ISA_AVX512 + 1);  // each tier's bits with 1 thread
    for (int threads : {1, 2, 5}) {
        across_isas(std::string(name) + " threads " + std::to_string(threads), w_n + d.out_c, [&](Buffer &out) {
            Buffer d_w(w_n, Buffer::kPoisoned), d_b(d.out_c, Buffer::kPoisoned);
            const int status = joined(out, d_w, d_b, nrt_conv2d_backward_weights(&d, batch, src.data(), src.size(), d_pre.data(),
                                                                                  d_pre.size(), d_w.data(), d_w.size(), d_b.data(),
                                                                                  d_b.size(), threads));
            // Tiers may differ from each other; each must give its own bits whatever the threads.
            const std::vector<float> bits(out.v.begin(), out.v.begin() + w_n + d.out_c);
            std::vector<float> &first = one_thread[static_cast<size_t>(nrt_max_isa())];
            if (threads == 1) first = bits;
            else if (std::memcmp(bits.data(), first.data(), bits.size() * sizeof(float)) != 0) {
                std::printf("FAIL %s: %s differs in its bits from 1 thread\n", name, nrt_isa_name(nrt_max_isa()));
                ++failures;
            }
            return status;
        }, &expected);
    }
}

void pool_case() {
    nrt_pool2d_desc d{};
    // Up to 4 whole vectors of channels and a tail on either tier (the kernels' channel chunks).
    d.in_h = uniform(1, 12), d.in_w = uniform(1, 12), d.channels = uniform(1, 70);
    d.pool_h = uniform(1, 5), d.pool_w = uniform(1, 5);
    d.stride_h = uniform(1, 4), d.stride_w = uniform(1, 4);
    d.pad_top = uniform(0, d.pool_h - 1), d.pad_left = uniform(0, d.pool_w - 1);
    if (uniform(0, 2) == 0) {  // windows tiling the input exactly, as the seed CNN's: backward stores without zeroing
        d.stride_h = d.pool_h, d.stride_w = d.pool_w, d.pad_top = d.pad_left = 0;
        d.in_h = d.pool_h * uniform(1, 4), d.in_w = d.pool_w * uniform(1, 4);
    }
    d.out_h = out_length(d.in_h, d.pool_h, d.stride_h, 1, d.pad_top);
    d.out_w = out_length(d.in_w, d.pool_w, d.stride_w, 1, d.pad_left);
    if (d.out_h <= 0 || d.out_w <= 0) return;
    // every window must overlap the input (what a layer's geometry guarantees)
    if ((d.out_h - 1) * d.stride_h - d.pad_top >= d.in_h || (d.out_w - 1) * d.stride_w - d.pad_left >= d.in_w) return;
    d.kind = uniform(0, 1) ? NRT_POOL_MAX : NRT_POOL_AVG;
    const int batch = uniform(1, 3), threads = uniform(1, 2);
    char name[160];
    std::snprintf(name, sizeof name, "%s pool %dx%dx%d p%dx%d s%dx%d pad%d,%d", d.kind == NRT_POOL_MAX ? "max" : "avg", d.in_h,
                  d.in_w, d.channels, d.pool_h, d.pool_w, d.stride_h, d.stride_w, d.pad_top, d.pad_left);
    const int64_t src_n = int64_t{batch} * d.in_h * d.in_w * d.channels, dst_n = int64_t{batch} * d.out_h * d.out_w * d.channels;
    Buffer src(src_n), d_dst(dst_n);
    across_isas(std::string(name) + " forward", dst_n, [&](Buffer &out) {
        return nrt_pool2d_forward(&d, batch, src.data(), src.size(), out.data(), out.size(), threads);
    });
    const bool through_relu = d.kind == NRT_POOL_MAX && uniform(0, 1) == 1;
    across_isas(std::string(name) + (through_relu ? " training and backward through a ReLU" : " training and backward"), src_n,
                [&](Buffer &out) {
        Buffer dst(dst_n, Buffer::kPoisoned), ws(nrt_pool2d_workspace_size(&d, batch), Buffer::kPoisoned);
        if (nrt_pool2d_forward_training(&d, batch, src.data(), src.size(), dst.data(), dst.size(), ws.data(), ws.size(),
                                        threads) != NRT_OK || !ws.guard_intact() || !dst.guard_intact())
            return -1;
        return nrt_pool2d_backward(&d, batch, d_dst.data(), d_dst.size(), ws.data(), ws.size(),
                                   through_relu ? dst.data() : nullptr, through_relu ? dst.size() : 0, out.data(),
                                   out.size(), threads);
    });
}

void dense_case() {
    nrt_dense_desc d{};
    d.in_features = uniform(1, 70), d.out_features = uniform(1, 70);
    d.activation = uniform(0, NRT_ACT_GELU);
    d.alpha = 0.1f;
    const int batch = uniform(1, 9), threads = uniform(1, 2);
    char name[80];
    std::snprintf(name, sizeof name, "dense %d -> %d batch %d", d.in_features, d.out_features, batch);
    const int64_t w_n = int64_t{d.in_features} * d.out_features;
    Buffer src(int64_t{batch} * d.in_features), w(w_n), bias(d.out_features), d_pre(int64_t{batch} * d.out_features);
    across_isas(std::string(name) + " forward", int64_t{batch} * d.out_features, [&](Buffer &out) {
        Buffer packed(nrt_dense_packed_size(&d), Buffer::kPoisoned);
        if (nrt_dense_pack_weights(&d, w.data(), w.size(), packed.data(), packed.size()) != NRT_OK) return -1;
        return nrt_dense_forward(&d, batch, src.data(), src.size(), packed.data(), packed.size(), bias.data(), bias.size(),
                                 out.data(), out.size(), threads);
    });
    across_isas(std::string(name) + " backward data", src.size(), [&](Buffer &out) {
        return nrt_dense_backward_data(&d, batch, w.data(), w.size(), d_pre.data(), d_pre.size(), out.data(), out.size(), threads);
    });
    across_isas(std::string(name) + " backward weights", w_n + d.out_features, [&](Buffer &out) {
        Buffer d_w(w_n, Buffer::kPoisoned), d_b(d.out_features, Buffer::kPoisoned);
        return joined(out, d_w, d_b, nrt_dense_backward_weights(&d, batch, src.data(), src.size(), d_pre.data(), d_pre.size(),
                                                                d_w.data(), d_w.size(), d_b.data(), d_b.size(), threads));
    });
}

}  // namespace

int main(int argc, char **argv) {
    const int per_op = argc > 1 ? std::atoi(argv[1]) : 300;
    const unsigned seed = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 20261201u;
    rng.seed(seed);
    std::printf("fuzz: detected ISA %s, %d cases per op, seed %u\n", nrt_isa_name(nrt_detected_isa()), per_op, seed);
    for (int i = 0; i < per_op && failures < 10; ++i) {
        conv_case();
        if (i % 5 == 0) winograd_case();
        pool_case();
        dense_case();
        if (i % 30 == 0) large_weights_case();
    }
    std::printf("fuzz: %d comparisons over every ISA tier, %d failed\n", cases, failures);
    return failures == 0 ? 0 : 1;
}
