#include <cfloat>
#include <cmath>

#include "../common/thread_pool.h"
#include "kernels_ref.h"

namespace neurite {

void pool2d_nhwc_f32_ref(const Pool2dProblem &p) {
    const nrt_pool2d_desc &d = p.d;
    parallel_for(int64_t{p.batch} * d.out_h, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int64_t n = row / d.out_h;
            const int oh = static_cast<int>(row % d.out_h);
            for (int ow = 0; ow < d.out_w; ++ow) {
                float *out = p.dst + (row * d.out_w + ow) * d.channels;
                for (int c = 0; c < d.channels; ++c) {
                    float max = -FLT_MAX, sum = 0.f;
                    bool nan = false;  // apart from max, whose comparison would skip NaNs
                    int count = 0;
                    for (int kh = 0; kh < d.pool_h; ++kh) {
                        const int ih = oh * d.stride_h + kh - d.pad_top;
                        if (ih < 0 || ih >= d.in_h) continue;
                        for (int kw = 0; kw < d.pool_w; ++kw) {
                            const int iw = ow * d.stride_w + kw - d.pad_left;
                            if (iw < 0 || iw >= d.in_w) continue;
                            const float v = p.src[((n * d.in_h + ih) * d.in_w + iw) * d.channels + c];
                            max = v > max ? v : max;
                            nan |= v != v;
                            sum += v;
                            ++count;
                        }
                    }
                    // A window wholly in the padding has no inputs; it yields 0, as in Keras.
                    out[c] = count == 0 ? 0.f : d.kind == NRT_POOL_MAX ? (nan ? NAN : max) : sum / static_cast<float>(count);
                }
            }
        }
    });
}

}  // namespace neurite
