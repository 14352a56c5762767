// Depthwise convolution (one input channel per group, depth multiplier m): vectorised over
// output channels, kLanes per register. Output channel o reads input channel o / m; with
// m = 1 that is a plain load, otherwise a gather.
#include "../common/padded_input.h"
#include "../common/thread_pool.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {

void depthwise_conv2d_nhwc_f32(const Conv2dProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const PaddedInput in = pad_for_convolution(p);
    const int channels = d.out_c, in_channels = d.in_c, multiplier = d.out_c / d.in_c;
    const int full = channels / kLanes * kLanes;
    const Mask tail = first_lanes(channels - full), all = first_lanes(kLanes);

    parallel_for(int64_t{p.batch} * d.out_h, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int64_t n = row / d.out_h;
            const int oh = static_cast<int>(row % d.out_h);
            for (int ow = 0; ow < d.out_w; ++ow) {
                const float *window = in.data + ((n * in.height + int64_t{oh} * d.stride_h) * in.width +
                                                 int64_t{ow} * d.stride_w) * in_channels;
                float *out = p.dst + (row * d.out_w + ow) * channels;
                for (int c = 0; c < channels; c += kLanes) {
                    const bool partial = c >= full;
                    const Mask m = partial ? tail : all;
                    Vec acc = p.bias == nullptr ? zero() : partial ? load(p.bias + c, m) : load(p.bias + c);
                    // Input channel of each lane; lanes past the last channel are masked off.
                    const Int source = divide_lanes(lane_indices(c), multiplier);
                    for (int kh = 0; kh < d.kernel_h; ++kh) {
                        for (int kw = 0; kw < d.kernel_w; ++kw) {
                            const float *x = window + (int64_t{kh} * d.dilation_h * in.width + kw * d.dilation_w) * in_channels;
                            const float *w = p.packed + (int64_t{kh} * d.kernel_w + kw) * channels + c;
                            const Vec xv = multiplier != 1 ? gather(x, source, m) : partial ? load(x + c, m) : load(x + c);
                            acc = fmadd(xv, partial ? load(w, m) : load(w), acc);
                        }
                    }
                    acc = activate(acc, d.activation, d.alpha);
                    if (partial) store(out + c, acc, m);
                    else store(out + c, acc);
                }
            }
        }
    });
}

}  // namespace NRT_SIMD
}  // namespace neurite
