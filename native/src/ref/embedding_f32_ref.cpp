// Embedding lookup: a row copy per id, and its gradient. Memory-bound, so one portable kernel serves every ISA.
// Ids were validated by the caller (dispatch/embedding.cpp) before this runs.
#include <cstring>

#include "../common/thread_pool.h"
#include "kernels_ref.h"

namespace neurite {

void embedding_f32_ref(const EmbeddingProblem &p) {
    parallel_for_elements(p.count, 256, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            const int64_t id = p.ids[i];
            std::memcpy(p.dst + i * p.dim, p.table + id * p.dim, sizeof(float) * p.dim);
        }
    });
}

// Rows summed in position order, so repeated ids add up alike on every run.
void embedding_backward_f32_ref(const EmbeddingBackwardProblem &p) {
    std::memset(p.d_table, 0, sizeof(float) * p.vocabulary * p.dim);
    for (int64_t i = 0; i < p.count; ++i) {
        if (p.mask != nullptr && p.mask[i] == 0.f) continue;
        float *row = p.d_table + p.ids[i] * p.dim;
        const float *dy = p.d_dst + i * p.dim;
        for (int k = 0; k < p.dim; ++k) row[k] += dy[k];
    }
}

}  // namespace neurite
