#include "padded_input.h"

#include <algorithm>
#include <cstring>

#include "scratch.h"
#include "thread_pool.h"

namespace neurite {

PaddedInput pad_for_convolution(const Conv2dProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const int64_t reach_h = int64_t{d.out_h - 1} * d.stride_h + int64_t{d.kernel_h - 1} * d.dilation_h + 1;
    const int64_t reach_w = int64_t{d.out_w - 1} * d.stride_w + int64_t{d.kernel_w - 1} * d.dilation_w + 1;
    const int64_t height = std::max<int64_t>(d.in_h + d.pad_top, reach_h);
    const int64_t width = std::max<int64_t>(d.in_w + d.pad_left, reach_w);
    if (d.pad_top == 0 && d.pad_left == 0 && height == d.in_h && width == d.in_w) {
        return {p.src, height, width};
    }
    const int64_t image = height * width * d.in_c;
    float *padded = thread_scratch(image * p.batch);
    parallel_for(p.batch, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n) {
            float *dst = padded + n * image;
            std::memset(dst, 0, sizeof(float) * image);
            for (int y = 0; y < d.in_h; ++y) {
                std::memcpy(dst + ((y + d.pad_top) * width + d.pad_left) * d.in_c,
                            p.src + ((n * d.in_h + y) * d.in_w) * d.in_c, sizeof(float) * d.in_w * d.in_c);
            }
        }
    });
    return {padded, height, width};
}

}  // namespace neurite
