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
}  // namespace
}  // namespace neurite

using namespace neurite;

extern "C" int nrt_embedding_forward(int32_t vocabulary, int32_t dim, int64_t count, const float *ids, int64_t ids_size,
                                     const float *table, int64_t table_size, float *dst, int64_t dst_size,
                                     int32_t num_threads) {
    if (vocabulary <= 0 || dim <= 0 || count < 0)
        return fail(NRT_INVALID_ARGUMENT, "embedding: vocabulary %d, dimension %d and count %lld must be positive",
                    vocabulary, dim, static_cast<long long>(count));
    NRT_CHECK(check_buffer("embedding", "ids", ids, ids_size, count));
    NRT_CHECK(check_buffer("embedding", "table", table, table_size, checked_product({vocabulary, dim})));
    NRT_CHECK(check_buffer("embedding", "output", dst, dst_size, checked_product({count, dim})));
    for (int64_t i = 0; i < count; ++i) {
        const float id = ids[i];
        if (!(id >= 0.f && id < static_cast<float>(vocabulary)) || id != std::floor(id))
            return fail(NRT_INVALID_ARGUMENT, "embedding: id %g at position %lld is not in [0, %d)", id,
                        static_cast<long long>(i), vocabulary);
    }
    run_selected(kEmbeddingKernels, EmbeddingProblem{vocabulary, dim, count, ids, table, dst, num_threads});
    return NRT_OK;
}

extern "C" int nrt_nonzero_mask(int64_t count, const float *ids, int64_t ids_size, float *mask, int64_t mask_size) {
    if (count < 0) return fail(NRT_INVALID_ARGUMENT, "nonzero mask: negative count");
    NRT_CHECK(check_buffer("nonzero mask", "ids", ids, ids_size, count));
    NRT_CHECK(check_buffer("nonzero mask", "mask", mask, mask_size, count));
    for (int64_t i = 0; i < count; ++i) mask[i] = ids[i] != 0.f ? 1.f : 0.f;
    return NRT_OK;
}
