// Embedding lookup: a row copy per id. Memory-bound, so one portable kernel serves every ISA.
// Ids were validated by the caller (dispatch/embedding.cpp) before this runs.
#include <cstring>

#include "../common/thread_pool.h"
#include "kernels_ref.h"

namespace neurite {

void embedding_f32_ref(const EmbeddingProblem &p) {
    parallel_for_elements(p.count, 256, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            const int64_t id = static_cast<int64_t>(p.ids[i]);
            std::memcpy(p.dst + i * p.dim, p.table + id * p.dim, sizeof(float) * p.dim);
        }
    });
}

}  // namespace neurite
