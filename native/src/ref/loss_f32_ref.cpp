// Keras' losses with their gradients; see nrt_loss in neurite.h for the conventions.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../common/thread_pool.h"
#include "kernels_ref.h"

namespace neurite {
namespace {

constexpr float kEpsilon = 1e-7f;  // Keras' backend.epsilon(), which its losses clip probabilities with

float clipped(float p) { return std::min(std::max(p, kEpsilon), 1.f - kEpsilon); }

float target_at(const LossProblem &p, int64_t r, int c) {
    if (p.loss != NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) return p.target[r * p.cols + c];
    return c == static_cast<int>(p.target[r]) ? 1.f : 0.f;
}

// Cross-entropy over the classes of row r; writes the unscaled gradient into d, returns the row's loss.
double categorical_row(const LossProblem &p, int64_t r, float *d) {
    const float *o = p.output + r * p.cols;
    double loss = 0, target_sum = 0;
    for (int c = 0; c < p.cols; ++c) target_sum += target_at(p, r, c);
    if (p.input == NRT_LOSS_INPUT_LOGITS) {
        float max = o[0];
        for (int c = 1; c < p.cols; ++c) max = std::max(max, o[c]);
        double sum = 0;
        for (int c = 0; c < p.cols; ++c) sum += std::exp(static_cast<double>(o[c] - max));
        const double log_sum = std::log(sum) + max;
        for (int c = 0; c < p.cols; ++c) {
            const float y = target_at(p, r, c);
            loss -= y * (o[c] - log_sum);
            d[c] = static_cast<float>(std::exp(o[c] - log_sum) * target_sum - y);
        }
        return loss;
    }
    double row_sum = 0;  // Keras divides outputs by their row's sum first (1 after a softmax)
    for (int c = 0; c < p.cols; ++c) row_sum += o[c];
    double clipped_target_sum = 0;  // of the classes whose probability is not clipped
    for (int c = 0; c < p.cols; ++c) {
        const float y = target_at(p, r, c), q = static_cast<float>(o[c] / row_sum);
        loss -= y * std::log(static_cast<double>(clipped(q)));
        if (q > kEpsilon && q < 1.f - kEpsilon) clipped_target_sum += y;
    }
    for (int c = 0; c < p.cols; ++c) {
        const float y = target_at(p, r, c), q = static_cast<float>(o[c] / row_sum);
        const bool inside = q > kEpsilon && q < 1.f - kEpsilon;
        d[c] = p.input == NRT_LOSS_INPUT_ACTIVATED
                   ? static_cast<float>(o[c] * target_sum - y)
                   : static_cast<float>(((inside ? -y / o[c] : 0.) + clipped_target_sum / row_sum));
    }
    return loss;
}

// Binary cross-entropy or squared error, averaged over the columns of row r.
double elementwise_row(const LossProblem &p, int64_t r, float *d) {
    const float *o = p.output + r * p.cols, *t = p.target + r * p.cols;
    double loss = 0;
    for (int c = 0; c < p.cols; ++c) {
        const float x = o[c], y = t[c];
        if (p.loss == NRT_LOSS_MEAN_SQUARED_ERROR) {
            loss += static_cast<double>(x - y) * (x - y);
            d[c] = 2.f * (x - y);
        } else if (p.input == NRT_LOSS_INPUT_LOGITS) {
            loss += std::max(x, 0.f) - x * y + std::log1p(std::exp(-std::fabs(static_cast<double>(x))));
            d[c] = 1.f / (1.f + std::exp(-x)) - y;
        } else {
            const float q = clipped(x);
            loss -= y * std::log(static_cast<double>(q)) + (1.f - y) * std::log(1. - q);
            const bool inside = x > kEpsilon && x < 1.f - kEpsilon;
            d[c] = p.input == NRT_LOSS_INPUT_ACTIVATED ? x - y : inside ? (x - y) / (x * (1.f - x)) : 0.f;
        }
    }
    const float per_column = 1.f / static_cast<float>(p.cols);
    for (int c = 0; c < p.cols; ++c) d[c] *= per_column;
    return loss / p.cols;
}

}  // namespace

void loss_f32_ref(const LossProblem &p) {
    const bool categorical =
        p.loss == NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY || p.loss == NRT_LOSS_CATEGORICAL_CROSSENTROPY;
    const float per_row = 1.f / static_cast<float>(p.rows);
    std::vector<double> row_loss(static_cast<size_t>(p.rows));
    parallel_for(p.rows, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            float *d = p.d_output + r * p.cols;
            const float weight = p.row_weights ? p.row_weights[r] : 1.f;
            row_loss[r] = weight * (categorical ? categorical_row(p, r, d) : elementwise_row(p, r, d));
            const float scale = weight * per_row;
            for (int c = 0; c < p.cols; ++c) d[c] *= scale;
        }
    });
    double sum = 0;
    for (double l : row_loss) sum += l;
    p.loss_value[0] = static_cast<float>(sum / static_cast<double>(p.rows));
}

}  // namespace neurite
