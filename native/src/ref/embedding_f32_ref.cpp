// Embedding lookup: a row copy per id, and its gradient as rows. Memory-bound, so one portable kernel serves every ISA.
// Ids were validated by the caller (dispatch/embedding.cpp) before this runs.
#include <cstdint>
#include <cstring>
#include <vector>

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

// The gradient as rows, in time that follows the batch: a bitmap over the vocabulary marks the
// ids seen, and its scan numbers them in ascending order; then every position's gradient goes to
// its row in position order, so the sums are the same on every run. One thread: the work is a
// row copy or sum per position, and handing rows to another core cost more than it saved (2.5x
// slower on 2 far-apart vCPUs for the seed RNN's batch).
void embedding_backward_f32_ref(const EmbeddingBackwardProblem &p) {
    // Kept per calling thread, call after call (callers run concurrently), and left clear: the
    // scan clears the bitmap, and only the ids seen have their row numbers read.
    thread_local std::vector<uint64_t> seen;
    thread_local std::vector<int32_t> row_of;
    const size_t words = static_cast<size_t>(p.vocabulary) / 64 + 1;
    if (seen.size() < words) seen.resize(words);
    if (row_of.size() < static_cast<size_t>(p.vocabulary)) row_of.resize(static_cast<size_t>(p.vocabulary));
    auto kept = [&](int64_t i) { return p.mask == nullptr || p.mask[i] != 0.f; };
    for (int64_t i = 0; i < p.count; ++i)
        if (kept(i)) seen[p.ids[i] >> 6] |= uint64_t{1} << (p.ids[i] & 63);
    int32_t rows = 0;
    for (size_t w = 0; w < words; ++w) {
        for (uint64_t bits = seen[w]; bits != 0; bits &= bits - 1) {
            const int32_t id = static_cast<int32_t>(w * 64 + __builtin_ctzll(bits));
            row_of[id] = rows;
            p.rows[rows++] = id;
        }
        seen[w] = 0;
    }
    // Each row's first position is copied and the next ones added, the bitmap marking the rows
    // begun (and cleared again at the end through the rows' ids).
    for (int64_t i = 0; i < p.count; ++i) {
        if (!kept(i)) continue;
        const int64_t id = p.ids[i];
        float *sum = p.d_rows + static_cast<int64_t>(row_of[id]) * p.dim;
        const float *dy = p.d_dst + i * p.dim;
        uint64_t &word = seen[id >> 6];
        const uint64_t bit = uint64_t{1} << (id & 63);
        if ((word & bit) == 0) {
            word |= bit;
            std::memcpy(sum, dy, sizeof(float) * p.dim);
        } else {
            for (int k = 0; k < p.dim; ++k) sum[k] += dy[k];
        }
    }
    for (int32_t k = 0; k < rows; ++k) seen[p.rows[k] >> 6] = 0;
    *p.row_count = rows;
}

}  // namespace neurite
