// The optimizer kernels' walk over a value: spans of elements that read their gradient from one
// contiguous place, or that have none (the rows a row-sparse gradient leaves out).
#pragma once
#include <algorithm>
#include <cstdint>

#include "problems.h"
#include "thread_pool.h"

namespace neurite {

constexpr int64_t kOptimizerGrain = 1 << 14;

// True where a zero gradient leaves the value as it is, so rows without a gradient are not
// even read: plain SGD, as Keras' sparse SGD updates only the rows it is given. Every other
// optimizer decays its slots (or the value) everywhere, as Keras' dense update does.
inline bool zero_gradient_is_identity(const nrt_optimizer_step &s) {
    return s.optimizer == NRT_OPTIMIZER_SGD && s.beta1 == 0.f && s.decay == 0.f;
}

// Calls span(begin, end, gradient) over the value's elements [0, p.size), in parallel pieces,
// with `gradient` pointing at element begin's gradient, or null where [begin, end) has none.
// Every element is in exactly one span, except rows without a gradient skipped under
// zero_gradient_is_identity.
template <typename Span>
void for_each_gradient_span(const OptimizerProblem &p, const Span &span) {
    if (p.rows == nullptr) {
        parallel_for_elements(p.size, kOptimizerGrain, p.threads,
                              [&](int64_t begin, int64_t end) { span(begin, end, p.gradient + begin); });
        return;
    }
    const int64_t width = p.row_width, total_rows = p.size / width;
    const bool skip_rows_without_gradient = zero_gradient_is_identity(p.step);
    const int32_t *rows = p.rows, *rows_end = p.rows + p.row_count;
    parallel_for_elements(total_rows, std::max<int64_t>(1, kOptimizerGrain / width), p.threads,
                          [&](int64_t first, int64_t last) {
        const int32_t *next = std::lower_bound(rows, rows_end, first);
        for (int64_t row = first; row < last;) {
            if (next != rows_end && *next == row) {  // a run of consecutive rows with gradients
                const int32_t *run = next;
                while (next != rows_end && *next == row && row < last) ++next, ++row;
                span(*run * width, row * width, p.gradient + (run - rows) * width);
            } else {
                const int64_t stop = next == rows_end ? last : std::min<int64_t>(*next, last);
                if (!skip_rows_without_gradient) span(row * width, stop * width, nullptr);
                row = stop;
            }
        }
    });
}

}  // namespace neurite
