#include <algorithm>

#include "../common/thread_pool.h"
#include "kernels_ref.h"

namespace neurite {

namespace {

// Pools every output; with a workspace (max pooling, training) also notes the cell of each
// output's window that holds its first maximum, or its first NaN (the output is then NaN,
// which max's comparison alone would skip), or -1 for a window wholly in the padding.
void pool(const nrt_pool2d_desc &d, int32_t batch, const float *src, float *dst, float *workspace, int threads) {
    parallel_for(int64_t{batch} * d.out_h, threads, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int64_t n = row / d.out_h;
            const int oh = static_cast<int>(row % d.out_h);
            for (int ow = 0; ow < d.out_w; ++ow) {
                const int64_t out = (row * d.out_w + ow) * d.channels;
                for (int c = 0; c < d.channels; ++c) {
                    float max = 0.f, sum = 0.f;
                    int cell = -1, count = 0;
                    for (int kh = 0; kh < d.pool_h; ++kh) {
                        const int ih = oh * d.stride_h + kh - d.pad_top;
                        if (ih < 0 || ih >= d.in_h) continue;
                        for (int kw = 0; kw < d.pool_w; ++kw) {
                            const int iw = ow * d.stride_w + kw - d.pad_left;
                            if (iw < 0 || iw >= d.in_w) continue;
                            const float v = src[((n * d.in_h + ih) * d.in_w + iw) * d.channels + c];
                            if (cell < 0 || v > max || (v != v && max == max)) {
                                max = v;
                                cell = kh * d.pool_w + kw;
                            }
                            sum += v;
                            ++count;
                        }
                    }
                    // A window wholly in the padding has no inputs; it yields 0, as in Keras.
                    dst[out + c] = count == 0 ? 0.f : d.kind == NRT_POOL_MAX ? max : sum / static_cast<float>(count);
                    if (workspace != nullptr) workspace[out + c] = static_cast<float>(cell);
                }
            }
        }
    });
}

}  // namespace

void pool2d_nhwc_f32_ref(const Pool2dProblem &p) { pool(p.d, p.batch, p.src, p.dst, nullptr, p.threads); }

void pool2d_nhwc_training_f32_ref(const Pool2dTrainingProblem &p) {
    pool(p.d, p.batch, p.src, p.dst, p.d.kind == NRT_POOL_MAX ? p.workspace : nullptr, p.threads);
}

// One sample per task: overlapping windows add into the same input cells in one fixed order.
void pool2d_nhwc_backward_f32_ref(const Pool2dBackwardProblem &p) {
    const nrt_pool2d_desc &d = p.d;
    const int64_t sample = int64_t{d.in_h} * d.in_w * d.channels;
    parallel_for(p.batch, p.threads, [&](int64_t first, int64_t last) {
        std::fill(p.d_src + first * sample, p.d_src + last * sample, 0.f);
        for (int64_t n = first; n < last; ++n) {
            float *dx = p.d_src + n * sample;
            for (int oh = 0; oh < d.out_h; ++oh) {
                const int h0 = oh * d.stride_h - d.pad_top;
                const int h_begin = std::max(h0, 0), h_end = std::min(h0 + d.pool_h, d.in_h);
                for (int ow = 0; ow < d.out_w; ++ow) {
                    const int w0 = ow * d.stride_w - d.pad_left;
                    const int w_begin = std::max(w0, 0), w_end = std::min(w0 + d.pool_w, d.in_w);
                    const int64_t out = ((n * d.out_h + oh) * d.out_w + ow) * d.channels;
                    const float *dy = p.d_dst + out;
                    if (d.kind == NRT_POOL_MAX) {
                        for (int c = 0; c < d.channels; ++c) {
                            // The workspace comes from the caller: whatever it holds, only cells inside the input are written.
                            const float saved = p.workspace[out + c];
                            if (!(saved >= 0.f && saved < static_cast<float>(d.pool_h * d.pool_w))) continue;
                            if (p.relu_dst != nullptr && !(p.relu_dst[out + c] > 0.f)) continue;
                            const int cell = static_cast<int>(saved);
                            const int ih = h0 + cell / d.pool_w, iw = w0 + cell % d.pool_w;
                            if (ih < 0 || ih >= d.in_h || iw < 0 || iw >= d.in_w) continue;
                            dx[(int64_t{ih} * d.in_w + iw) * d.channels + c] += dy[c];
                        }
                        continue;
                    }
                    const int count = (h_end - h_begin) * (w_end - w_begin);
                    if (count <= 0) continue;
                    const float share = 1.f / static_cast<float>(count);
                    for (int ih = h_begin; ih < h_end; ++ih)
                        for (int iw = w_begin; iw < w_end; ++iw)
                            for (int c = 0; c < d.channels; ++c)
                                dx[(int64_t{ih} * d.in_w + iw) * d.channels + c] += dy[c] * share;
                }
            }
        }
    });
}

}  // namespace neurite
