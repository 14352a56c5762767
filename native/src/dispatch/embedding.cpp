// Embedding: every id checked before any row is read.
#include <cmath>

#include "../common/dispatch.h"
#include "../ref/kernels_ref.h"
#include "checks.h"

namespace neurite {
namespace {
const Kernel<EmbeddingProblem> kEmbeddingKernels[] = {
    {"embedding_f32_ref", NRT_ISA_REF, nullptr, embedding_f32_ref},
};
const Kernel<EmbeddingBackwardProblem> kEmbeddingBackwardKernels[] = {
    {"embedding_backward_f32_ref", NRT_ISA_REF, nullptr, embedding_backward_f32_ref},
};

int check_sizes(const char *op, int32_t vocabulary, int32_t dim, int64_t count) {
    if (vocabulary <= 0 || dim <= 0 || count < 0)
        return fail(NRT_INVALID_ARGUMENT, "%s: vocabulary %d, dimension %d and count %lld must be positive", op,
                    vocabulary, dim, static_cast<long long>(count));
    return NRT_OK;
}

// Every id an integer in [0, vocabulary), before any row is touched.
int check_ids(const char *op, int32_t vocabulary, int64_t count, const float *ids) {
    for (int64_t i = 0; i < count; ++i) {
        const float id = ids[i];
        if (!(id >= 0.f && id < static_cast<float>(vocabulary)) || id != std::floor(id))
            return fail(NRT_INVALID_ARGUMENT, "%s: id %g at position %lld is not in [0, %d)", op, id,
                        static_cast<long long>(i), vocabulary);
    }
    return NRT_OK;
}

int check_ids(const char *op, int32_t vocabulary, int64_t count, const int32_t *ids) {
    for (int64_t i = 0; i < count; ++i) {
        if (ids[i] < 0 || ids[i] >= vocabulary)
            return fail(NRT_INVALID_ARGUMENT, "%s: id %d at position %lld is not in [0, %d)", op, ids[i],
                        static_cast<long long>(i), vocabulary);
    }
    return NRT_OK;
}

Ids ids_of(const float *ids) { return Ids{ids, nullptr}; }
Ids ids_of(const int32_t *ids) { return Ids{nullptr, ids}; }

// The forward and backward passes and the mask, for float ids and int32 ids alike.
template <typename Id>
int embedding_forward(int32_t vocabulary, int32_t dim, int64_t count, const Id *ids, int64_t ids_size, const float *table,
                      int64_t table_size, float *dst, int64_t dst_size, int32_t num_threads) {
    NRT_CHECK(check_sizes("embedding", vocabulary, dim, count));
    NRT_CHECK(check_buffer("embedding", "ids", ids, ids_size, count));
    NRT_CHECK(check_buffer("embedding", "table", table, table_size, checked_product({vocabulary, dim})));
    NRT_CHECK(check_buffer("embedding", "output", dst, dst_size, checked_product({count, dim})));
    NRT_CHECK(check_ids("embedding", vocabulary, count, ids));
    run_selected(kEmbeddingKernels, EmbeddingProblem{vocabulary, dim, count, ids_of(ids), table, dst, num_threads});
    return NRT_OK;
}

template <typename Id>
int embedding_backward(int32_t vocabulary, int32_t dim, int64_t count, const Id *ids, int64_t ids_size, const float *mask,
                       int64_t mask_size, const float *d_dst, int64_t d_dst_size, int32_t *rows, int64_t rows_size,
                       float *d_rows, int64_t d_rows_size, int64_t *row_count, int32_t num_threads) {
    NRT_CHECK(check_sizes("embedding backward", vocabulary, dim, count));
    NRT_CHECK(check_buffer("embedding backward", "ids", ids, ids_size, count));
    if (mask != nullptr) NRT_CHECK(check_buffer("embedding backward", "mask", mask, mask_size, count));
    NRT_CHECK(check_buffer("embedding backward", "output gradient", d_dst, d_dst_size, checked_product({count, dim})));
    NRT_CHECK(check_buffer("embedding backward", "rows", rows, rows_size, count));
    NRT_CHECK(check_buffer("embedding backward", "row gradients", d_rows, d_rows_size, checked_product({count, dim})));
    if (row_count == nullptr) return fail(NRT_INVALID_ARGUMENT, "embedding backward: null row count");
    NRT_CHECK(check_ids("embedding backward", vocabulary, count, ids));
    return guarded("embedding backward", [&] {  // the kernel's bitmap and row numbers grow with the vocabulary
        run_selected(kEmbeddingBackwardKernels, EmbeddingBackwardProblem{vocabulary, dim, count, ids_of(ids), mask,
                                                                         d_dst, rows, d_rows, row_count, num_threads});
        return NRT_OK;
    });
}

template <typename Id>
int nonzero_mask(int64_t count, const Id *ids, int64_t ids_size, float *mask, int64_t mask_size) {
    if (count < 0) return fail(NRT_INVALID_ARGUMENT, "nonzero mask: negative count");
    NRT_CHECK(check_buffer("nonzero mask", "ids", ids, ids_size, count));
    NRT_CHECK(check_buffer("nonzero mask", "mask", mask, mask_size, count));
    for (int64_t i = 0; i < count; ++i) mask[i] = ids[i] != 0 ? 1.f : 0.f;
    return NRT_OK;
}

}  // namespace
}  // namespace neurite

using namespace neurite;

extern "C" {
int nrt_embedding_forward(int32_t vocabulary, int32_t dim, int64_t count, const float *ids, int64_t ids_size,
                          const float *table, int64_t table_size, float *dst, int64_t dst_size, int32_t num_threads) {
    return embedding_forward(vocabulary, dim, count, ids, ids_size, table, table_size, dst, dst_size, num_threads);
}

int nrt_embedding_forward_i32(int32_t vocabulary, int32_t dim, int64_t count, const int32_t *ids, int64_t ids_size,
                              const float *table, int64_t table_size, float *dst, int64_t dst_size, int32_t num_threads) {
    return embedding_forward(vocabulary, dim, count, ids, ids_size, table, table_size, dst, dst_size, num_threads);
}

int nrt_embedding_backward(int32_t vocabulary, int32_t dim, int64_t count, const float *ids, int64_t ids_size,
                           const float *mask, int64_t mask_size, const float *d_dst, int64_t d_dst_size, int32_t *rows,
                           int64_t rows_size, float *d_rows, int64_t d_rows_size, int64_t *row_count,
                           int32_t num_threads) {
    return embedding_backward(vocabulary, dim, count, ids, ids_size, mask, mask_size, d_dst, d_dst_size, rows, rows_size,
                              d_rows, d_rows_size, row_count, num_threads);
}

int nrt_embedding_backward_i32(int32_t vocabulary, int32_t dim, int64_t count, const int32_t *ids, int64_t ids_size,
                               const float *mask, int64_t mask_size, const float *d_dst, int64_t d_dst_size,
                               int32_t *rows, int64_t rows_size, float *d_rows, int64_t d_rows_size, int64_t *row_count,
                               int32_t num_threads) {
    return embedding_backward(vocabulary, dim, count, ids, ids_size, mask, mask_size, d_dst, d_dst_size, rows, rows_size,
                              d_rows, d_rows_size, row_count, num_threads);
}

int nrt_nonzero_mask(int64_t count, const float *ids, int64_t ids_size, float *mask, int64_t mask_size) {
    return nonzero_mask(count, ids, ids_size, mask, mask_size);
}

int nrt_nonzero_mask_i32(int64_t count, const int32_t *ids, int64_t ids_size, float *mask, int64_t mask_size) {
    return nonzero_mask(count, ids, ids_size, mask, mask_size);
}
}
