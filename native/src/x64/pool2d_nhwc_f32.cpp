// Max and average pooling over NHWC, inference and training. For each output pixel the window
// is folded in registers, up to 4 vectors of channels at a time, and stored once: a pixel's
// window is read exactly once and nothing is written twice. Windows are clipped to the input,
// so padding is never materialised and an empty window (wholly in the padding) yields 0.
// Backward walks the same windows as forward does: per chunk of up to 4 vectors of channels,
// the window's cells, each adding into all the chunk's vectors.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "../common/thread_pool.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

// The part of an output pixel's window inside the input: `rows` x `cols` pixels from `first`
// (none for a window wholly in the padding), the first of them cell `cell` of the window
// (kh * pool_w + kw).
template <class Float>
struct Window {
    Float *first;
    int64_t row_stride, pixel_stride;
    int rows, cols, cell;
};

// Inlined: called once per output pixel, as a call it took a tenth of the pooling's time.
template <class Float>
__attribute__((always_inline)) inline Window<Float> clip_window(const nrt_pool2d_desc &d, Float *sample, int oh, int ow) {
    const int h0 = oh * d.stride_h - d.pad_top, w0 = ow * d.stride_w - d.pad_left;
    const int h_begin = std::max(h0, 0), h_end = std::min(h0 + d.pool_h, d.in_h);
    const int w_begin = std::max(w0, 0), w_end = std::min(w0 + d.pool_w, d.in_w);
    const bool empty = h_end <= h_begin || w_end <= w_begin;
    return {sample + (int64_t{h_begin} * d.in_w + w_begin) * d.channels, int64_t{d.in_w} * d.channels, d.channels,
            empty ? 0 : h_end - h_begin, empty ? 0 : w_end - w_begin, (h_begin - h0) * d.pool_w + (w_begin - w0)};
}

// Whether w is a whole window of a 2x2 pooling (pool_2x2), whose cells the folds below unroll
// (the seed CNN's pooling: with the loops over rows and columns of two cells each, their control
// took a tenth of the time).
template <class Float>
inline bool whole_2x2(bool pool_2x2, const Window<Float> &w) {
    return pool_2x2 && w.rows == 2 && w.cols == 2;
}

// Calls fold(std::integral_constant<int, kVectors>, c, lanes) over a pixel's channels: 4, 2,
// then 1 whole vectors at a time, then the partial rest.
template <class Fold>
inline void over_channels(int channels, const Fold &fold) {
    int c = 0;
    for (; c + 4 * kLanes <= channels; c += 4 * kLanes) fold(std::integral_constant<int, 4>{}, c, kLanes);
    for (; c + 2 * kLanes <= channels; c += 2 * kLanes) fold(std::integral_constant<int, 2>{}, c, kLanes);
    for (; c + kLanes <= channels; c += kLanes) fold(std::integral_constant<int, 1>{}, c, kLanes);
    if (c < channels) fold(std::integral_constant<int, 1>{}, c, channels - c);
}

// Folds kVectors consecutive vectors of channels from offset c over a non-empty window into
// out; with `cells` (max pooling, training) also notes each lane's window cell of its first
// maximum, or of its first NaN, which max alone would pass over. `lanes` below kLanes makes
// it a single partial vector. kSide > 0: the window is kSide x kSide cells, none clipped.
template <bool kMax, int kVectors, int kSide>
inline void fold_window(const Window<const float> &w, int pool_w, int c, float *out, float *cells, float divisor,
                        int lanes) {
    const int rows = kSide > 0 ? kSide : w.rows, cols = kSide > 0 ? kSide : w.cols;
    const Mask m = first_lanes(lanes);
    const bool partial = lanes < kLanes;
    auto read = [&](const float *p) { return partial ? load(p, m) : load(p); };
    auto write = [&](float *p, Vec v) { partial ? store(p, v, m) : store(p, v); };
    // x86's max drops a NaN it meets; inference tracks the NaNs apart, off max's dependency chain.
    Vec acc[kVectors], cell[kVectors];
    Mask nan[kVectors];
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) {
        acc[v] = read(w.first + c + kLanes * v);
        nan[v] = nan_lanes(acc[v]);
        cell[v] = set1(static_cast<float>(w.cell));
    }
    // Cell numbers as floats, counted up in vectors: converting each from an int took an eighth
    // of the pass.
    const Vec one = set1(1.f), row_step = set1(static_cast<float>(pool_w));
    Vec row_cell = set1(static_cast<float>(w.cell));
#pragma GCC unroll 4
    for (int r = 0; r < rows; ++r, row_cell = row_cell + row_step) {
        const float *x = w.first + r * w.row_stride + c;
        Vec here = r == 0 ? row_cell + one : row_cell;
#pragma GCC unroll 4
        for (int k = r == 0 ? 1 : 0; k < cols; ++k, here = here + one) {
#pragma GCC unroll 4
            for (int v = 0; v < kVectors; ++v) {
                const Vec value = read(x + k * w.pixel_stride + kLanes * v);
                if constexpr (kMax) {
                    if (cells != nullptr) {
                        const Mask take = overtakes(value, acc[v]);
                        acc[v] = blend(take, value, acc[v]);
                        cell[v] = blend(take, here, cell[v]);
                    } else {
                        acc[v] = max(acc[v], value);
                        nan[v] = either(nan[v], nan_lanes(value));
                    }
                } else {
                    acc[v] = acc[v] + value;
                }
            }
        }
    }
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) {
        // Summed in the reference kernel's order and divided as it does: both agree to the bit.
        const Vec result = !kMax ? acc[v] / set1(divisor) : cells != nullptr ? acc[v] : blend(nan[v], set1(__builtin_nanf("")), acc[v]);
        write(out + c + kLanes * v, result);
        if (kMax && cells != nullptr) write(cells + c + kLanes * v, cell[v]);
    }
}

// Pools every output; with `cells` (max pooling, training) notes each output's window cell too,
// or -1 for a window wholly in the padding.
template <bool kMax>
void pool(const nrt_pool2d_desc &d, int32_t batch, const float *src, float *dst, float *cells, int threads) {
    const int channels = d.channels;
    const int64_t sample = int64_t{d.in_h} * d.in_w * channels;
    const bool pool_2x2 = d.pool_h == 2 && d.pool_w == 2;
    parallel_for(int64_t{batch} * d.out_h, threads, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int oh = static_cast<int>(row % d.out_h);
            for (int ow = 0; ow < d.out_w; ++ow) {
                const Window<const float> w = clip_window(d, src + row / d.out_h * sample, oh, ow);
                const int64_t at = (row * d.out_w + ow) * channels;
                float *out = dst + at, *out_cells = cells != nullptr ? cells + at : nullptr;
                if (w.rows == 0) {
                    std::memset(out, 0, sizeof(float) * channels);
                    if (out_cells != nullptr) std::fill(out_cells, out_cells + channels, -1.f);
                    continue;
                }
                const float divisor = static_cast<float>(w.rows * w.cols);
                over_channels(channels, [&](auto vectors, int c, int lanes) {
                    constexpr int kVectors = decltype(vectors)::value;
                    if (whole_2x2(pool_2x2, w)) fold_window<kMax, kVectors, 2>(w, d.pool_w, c, out, out_cells, divisor, lanes);
                    else fold_window<kMax, kVectors, 0>(w, d.pool_w, c, out, out_cells, divisor, lanes);
                });
            }
        }
    });
}

// Backward over one non-empty window, kVectors vectors of channels from c: each of its cells
// gets the output's gradient dy (max: in the lanes whose saved cell is this one, and where
// relu_y, the output of a max pooling over a ReLU, is null or positive; average: its share).
// kAssign where no other window reaches the cells and nothing was there yet: a store rather
// than an addition.
template <bool kMax, bool kAssign, int kVectors, int kSide>
inline void scatter_window(const Window<float> &w, int pool_w, int c, const float *dy, const float *cells,
                           const float *relu_y, float share, int lanes) {
    const int rows = kSide > 0 ? kSide : w.rows, cols = kSide > 0 ? kSide : w.cols;  // as in fold_window
    const Mask m = first_lanes(lanes);
    const bool partial = lanes < kLanes;
    auto read = [&](const float *p) { return partial ? load(p, m) : load(p); };
    Vec gradient[kVectors], cell[kVectors];
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) {
        gradient[v] = read(dy + c + kLanes * v);
        if (kMax && relu_y != nullptr) gradient[v] = keep(gradient[v], greater(read(relu_y + c + kLanes * v), zero()));
        if (kMax) cell[v] = read(cells + c + kLanes * v);
        else gradient[v] = gradient[v] * set1(share);
    }
    const Vec one = set1(1.f), row_step = set1(static_cast<float>(pool_w));  // cell numbers as in fold_window
    Vec row_cell = set1(static_cast<float>(w.cell));
#pragma GCC unroll 4
    for (int r = 0; r < rows; ++r, row_cell = row_cell + row_step) {
        float *x = w.first + r * w.row_stride + c;
        Vec here = row_cell;
#pragma GCC unroll 4
        for (int k = 0; k < cols; ++k, here = here + one) {
#pragma GCC unroll 4
            for (int v = 0; v < kVectors; ++v) {
                float *at = x + k * w.pixel_stride + kLanes * v;
                Vec add = kMax ? keep(gradient[v], equal(cell[v], here)) : gradient[v];
                if (!kAssign) add = add + read(at);
                partial ? store(at, add, m) : store(at, add);
            }
        }
    }
}

// What the input's gradient needs zeroed before the windows write theirs: every cell (windows
// that overlap add up, windows with gaps or padding miss cells), or only the bottom rows and
// right columns that windows tiling the input from its top left do not reach (none when they
// cover it): for the seed CNN's second pooling, 11x11 cells of which windows reach 10x10,
// zeroing every cell first took 16% of the training step.
enum class Zeroing { kAll, kUncoveredEdges };

void zero_uncovered_edges(const nrt_pool2d_desc &d, float *sample) {
    const int covered_h = static_cast<int>(std::min<int64_t>(d.in_h, int64_t{d.out_h} * d.pool_h));
    const int covered_w = static_cast<int>(std::min<int64_t>(d.in_w, int64_t{d.out_w} * d.pool_w));
    const int64_t row = int64_t{d.in_w} * d.channels;
    for (int h = 0; h < covered_h; ++h)
        std::fill(sample + h * row + int64_t{covered_w} * d.channels, sample + (h + 1) * row, 0.f);
    std::fill(sample + covered_h * row, sample + d.in_h * row, 0.f);
}

template <bool kMax, bool kAssign>
void unpool(const Pool2dBackwardProblem &p, Zeroing zeroing) {
    const nrt_pool2d_desc &d = p.d;
    const int channels = d.channels;
    const int64_t sample = int64_t{d.in_h} * d.in_w * channels;
    const bool pool_2x2 = d.pool_h == 2 && d.pool_w == 2;
    parallel_for(p.batch, p.threads, [&](int64_t first, int64_t last) {
        if (zeroing == Zeroing::kAll) std::memset(p.d_src + first * sample, 0, sizeof(float) * (last - first) * sample);
        else
            for (int64_t n = first; n < last; ++n) zero_uncovered_edges(d, p.d_src + n * sample);
        for (int64_t n = first; n < last; ++n)
            for (int oh = 0; oh < d.out_h; ++oh)
                for (int ow = 0; ow < d.out_w; ++ow) {
                    const Window<float> w = clip_window(d, p.d_src + n * sample, oh, ow);
                    if (w.rows == 0) continue;
                    const int64_t at = ((n * d.out_h + oh) * d.out_w + ow) * channels;
                    const float share = kMax ? 0.f : 1.f / static_cast<float>(w.rows * w.cols);
                    const float *cells = kMax ? p.workspace + at : nullptr;
                    const float *relu_y = p.relu_dst != nullptr ? p.relu_dst + at : nullptr;
                    over_channels(channels, [&](auto vectors, int c, int lanes) {
                        constexpr int kVectors = decltype(vectors)::value;
                        if (whole_2x2(pool_2x2, w))
                            scatter_window<kMax, kAssign, kVectors, 2>(w, d.pool_w, c, p.d_dst + at, cells, relu_y, share, lanes);
                        else
                            scatter_window<kMax, kAssign, kVectors, 0>(w, d.pool_w, c, p.d_dst + at, cells, relu_y, share, lanes);
                    });
                }
    });
}

}  // namespace

void pool2d_nhwc_f32(const Pool2dProblem &p) {
    if (p.d.kind == NRT_POOL_MAX) pool<true>(p.d, p.batch, p.src, p.dst, nullptr, p.threads);
    else pool<false>(p.d, p.batch, p.src, p.dst, nullptr, p.threads);
}

void pool2d_nhwc_training_f32(const Pool2dTrainingProblem &p) {
    if (p.d.kind == NRT_POOL_MAX) pool<true>(p.d, p.batch, p.src, p.dst, p.workspace, p.threads);
    else pool<false>(p.d, p.batch, p.src, p.dst, nullptr, p.threads);
}

// One sample per task, so overlapping windows add into the same input cells in one fixed
// order. Only the cells inside the input are ever written, whatever the workspace holds.
// Windows that never overlap store their gradients instead of adding them, and when they
// also tile the input from its top left only the cells they miss at its edges need zeroing.
void pool2d_nhwc_backward_f32(const Pool2dBackwardProblem &p) {
    const nrt_pool2d_desc &d = p.d;
    const bool disjoint = d.stride_h >= d.pool_h && d.stride_w >= d.pool_w;
    const bool tiling = d.pad_top == 0 && d.pad_left == 0 && d.stride_h == d.pool_h && d.stride_w == d.pool_w;
    const Zeroing zeroing = tiling ? Zeroing::kUncoveredEdges : Zeroing::kAll;
    const bool max = d.kind == NRT_POOL_MAX;
    if (disjoint) max ? unpool<true, true>(p, zeroing) : unpool<false, true>(p, zeroing);
    else max ? unpool<true, false>(p, Zeroing::kAll) : unpool<false, false>(p, Zeroing::kAll);
}

}  // namespace NRT_SIMD
}  // namespace neurite
