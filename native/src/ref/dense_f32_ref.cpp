#include "../common/activation.h"
#include "../common/packing.h"
#include "../common/thread_pool.h"
#include "kernels_ref.h"

namespace neurite {

void dense_f32_ref(const DenseProblem &p) {
    const nrt_dense_desc &d = p.d;
    const int64_t panel = dense_panel_floats(d);
    parallel_for(p.batch, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t b = begin; b < end; ++b) {
            const float *x = p.src + b * d.in_features;
            for (int o = 0; o < d.out_features; ++o) {
                const float *w = p.packed + (o / kDenseOcBlock) * panel + o % kDenseOcBlock;
                float acc = p.bias != nullptr ? p.bias[o] : 0.f;
                for (int i = 0; i < d.in_features; ++i) acc += x[i] * w[int64_t{i} * kDenseOcBlock];
                p.dst[b * d.out_features + o] = activate(acc, d.activation, d.alpha);
            }
        }
    });
}

}  // namespace neurite
