// Direct convolution, one output value at a time, every input read bounds-checked: the
// padding is never materialised.
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

}  // namespace neurite
