// Times the native kernels without the JVM, on every ISA tier this CPU has: median
// microseconds per call and GFLOP/s, for the seed models' layers, square SGEMMs and the
// recurrent shapes of the JMH benchmarks, inference and (rows marked train) a training step,
// beside the FMA peak of the same threads on each tier: a kernel's share of that peak says how
// much any implementation could still gain on this CPU. For quick turns on kernels and tile
// sizes; the side-by-side numbers with oneDNN, OpenBLAS and ONNX Runtime come from bench/ (JMH).
//   neurite_kernel_bench [threads] [filter]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <immintrin.h>

#include "neurite.h"

namespace {

std::vector<float> random_vector(size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> dist(-0.1f, 0.1f);
    std::vector<float> v(n);
    for (auto &x : v) x = dist(gen);
    return v;
}

// Median of repeated calls, after a warm-up, over at least ~0.2 s.
double median_us(const std::function<int()> &call) {
    for (int i = 0; i < 3; ++i) call();
    std::vector<double> samples;
    const auto start = std::chrono::steady_clock::now();
    while (samples.size() < 15 || (samples.size() < 2000 && std::chrono::steady_clock::now() - start < std::chrono::milliseconds(200))) {
        const auto t0 = std::chrono::steady_clock::now();
        if (call() != NRT_OK) {
            std::printf("failed: %s\n", nrt_last_error());
            std::exit(1);
        }
        samples.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
}

struct Case {
    std::string name;
    double flops;
    std::function<int()> call;
    bool on_ref = true;  // whether the reference tier runs it
};

Case conv(const char *name, nrt_conv2d_desc d, int batch, int threads) {
    const size_t in = size_t(batch) * d.in_h * d.in_w * d.in_c, out = size_t(batch) * d.out_h * d.out_w * d.out_c;
    const size_t weights = size_t(d.kernel_h) * d.kernel_w * (d.in_c / d.groups) * d.out_c;
    auto x = std::make_shared<std::vector<float>>(random_vector(in, 1));
    auto w = random_vector(weights, 2);
    auto b = std::make_shared<std::vector<float>>(random_vector(d.out_c, 3));
    auto packed = std::make_shared<std::vector<float>>(nrt_conv2d_packed_size(&d));
    auto y = std::make_shared<std::vector<float>>(out);
    nrt_conv2d_pack_weights(&d, w.data(), w.size(), packed->data(), packed->size());
    auto desc = std::make_shared<nrt_conv2d_desc>(d);
    return {name, 2.0 * out * d.kernel_h * d.kernel_w * (d.in_c / d.groups), [=] {
                return nrt_conv2d_forward(desc.get(), batch, x->data(), x->size(), packed->data(), packed->size(),
                                          b->data(), b->size(), y->data(), y->size(), threads);
            }};
}

Case dense(const char *name, int batch, int in, int out, int activation, int threads) {
    auto d = std::make_shared<nrt_dense_desc>(nrt_dense_desc{in, out, activation, 0.f});
    auto x = std::make_shared<std::vector<float>>(random_vector(size_t(batch) * in, 4));
    auto w = random_vector(size_t(in) * out, 5);
    auto packed = std::make_shared<std::vector<float>>(nrt_dense_packed_size(d.get()));
    auto y = std::make_shared<std::vector<float>>(size_t(batch) * out);
    nrt_dense_pack_weights(d.get(), w.data(), w.size(), packed->data(), packed->size());
    return {name, 2.0 * batch * in * out, [=] {
                return nrt_dense_forward(d.get(), batch, x->data(), x->size(), packed->data(), packed->size(), nullptr, 0,
                                         y->data(), y->size(), threads);
            }};
}

Case pool(const char *name, nrt_pool2d_desc d, int batch, int threads) {
    auto desc = std::make_shared<nrt_pool2d_desc>(d);
    auto x = std::make_shared<std::vector<float>>(random_vector(size_t(batch) * d.in_h * d.in_w * d.channels, 6));
    auto y = std::make_shared<std::vector<float>>(size_t(batch) * d.out_h * d.out_w * d.channels);
    return {name, double(y->size()) * d.pool_h * d.pool_w, [=] {
                return nrt_pool2d_forward(desc.get(), batch, x->data(), x->size(), y->data(), y->size(), threads);
            }};
}

// The FMA peak: kChains independent chains of vector FMAs per thread (enough to cover the
// latency of two FMA pipes) on `threads` threads, as many products on either tier.
constexpr int kChains = 12;
constexpr long kFmaIterations = 1 << 20;  // of 16-lane vectors; twice as many of 8

struct Avx2Fma {
    using Vec = __m256;
    static constexpr long kIterations = 2 * kFmaIterations;
    __attribute__((target("avx2,fma"))) static Vec set1(float v) { return _mm256_set1_ps(v); }
    __attribute__((target("avx2,fma"))) static Vec fmadd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
};
struct Avx512Fma {
    using Vec = __m512;
    static constexpr long kIterations = kFmaIterations;
    __attribute__((target("avx512f"))) static Vec set1(float v) { return _mm512_set1_ps(v); }
    __attribute__((target("avx512f"))) static Vec fmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
};

// Inlined into each tier's function below, which compiles it for that tier: no vector crosses
// a call, so GCC's warning that a call would pass one differently without the tier is moot.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
template <class Tier>
__attribute__((always_inline)) inline float fma_chains() {
    using Vec = typename Tier::Vec;
    const Vec a = Tier::set1(0.999f), b = Tier::set1(1e-3f);
    Vec acc[kChains];
    for (Vec &v : acc) v = b;
    for (long i = 0; i < Tier::kIterations; ++i)
        // Unrolled at every optimisation level: left rolled (-O2), the chains live in memory and
        // the loop times store-to-load forwarding instead, a third of the peak.
#pragma GCC unroll 16
        for (Vec &v : acc) v = Tier::fmadd(v, a, b);
    float sum = 0.f;
    for (Vec &v : acc) sum += reinterpret_cast<const float *>(&v)[0];
    return sum;
}
#pragma GCC diagnostic pop
__attribute__((target("avx2,fma"))) float fma_chains_avx2() { return fma_chains<Avx2Fma>(); }
__attribute__((target("avx512f"))) float fma_chains_avx512() { return fma_chains<Avx512Fma>(); }

int g_tier;             // the ISA tier being timed, for the FMA peak
volatile float g_sink;  // where the peak's sums go, so that they are computed

Case fma_peak(int threads) {
    return {"fma peak", 2.0 * kChains * kFmaIterations * 16 * threads, [threads] {
                std::vector<std::thread> team;
                std::vector<float> sink(threads);
                for (int t = 0; t < threads; ++t)
                    team.emplace_back([&sink, t] { sink[t] = g_tier == NRT_ISA_AVX512 ? fma_chains_avx512() : fma_chains_avx2(); });
                for (std::thread &member : team) member.join();
                for (float sum : sink) g_sink = g_sink + sum;
                return NRT_OK;
            }, false};
}

// A recurrent layer's input and weights (Keras layout and packed), random, and its products
// per forward pass.
struct RnnCase {
    std::shared_ptr<nrt_rnn_desc> d;
    int batch, steps;
    std::shared_ptr<std::vector<float>> x, k, u, b, pk, pu;
    double forward_flops;

    RnnCase(int cell, int batch_, int steps_, int in, int units, bool return_sequences)
        : d(std::make_shared<nrt_rnn_desc>(
              nrt_rnn_desc{cell, in, units, NRT_ACT_TANH, NRT_ACT_SIGMOID, 1, 0, return_sequences ? 1 : 0, 0, 0})),
          batch(batch_), steps(steps_) {
        const int gates = cell == NRT_CELL_LSTM ? 4 : cell == NRT_CELL_GRU ? 3 : 1;
        x = std::make_shared<std::vector<float>>(random_vector(size_t(batch) * steps * in, 7));
        k = std::make_shared<std::vector<float>>(random_vector(size_t(in) * gates * units, 8));
        u = std::make_shared<std::vector<float>>(random_vector(size_t(units) * gates * units, 9));
        b = std::make_shared<std::vector<float>>(random_vector(nrt_rnn_bias_size(d.get()), 10));
        pk = std::make_shared<std::vector<float>>(nrt_rnn_packed_kernel_size(d.get()));
        pu = std::make_shared<std::vector<float>>(nrt_rnn_packed_recurrent_size(d.get()));
        nrt_rnn_pack_weights(d.get(), k->data(), k->size(), u->data(), u->size(), pk->data(), pk->size(), pu->data(), pu->size());
        forward_flops = 2.0 * batch * steps * gates * units * (in + units);
    }
};

Case rnn(const char *name, int cell, int batch, int steps, int in, int units, int threads) {
    const RnnCase c(cell, batch, steps, in, units, false);
    auto y = std::make_shared<std::vector<float>>(size_t(batch) * units);
    return {name, c.forward_flops, [c, y, threads] {
                return nrt_rnn_forward(c.d.get(), c.batch, c.steps, c.x->data(), c.x->size(), nullptr, 0, c.pk->data(),
                                       c.pk->size(), c.pu->data(), c.pu->size(), c.b->data(), c.b->size(), nullptr, 0, nullptr,
                                       0, y->data(), y->size(), nullptr, 0, nullptr, 0, threads);
            }};
}

// A training step (rows marked train): the forward pass that keeps what backward needs, every
// step's output kept as in the JMH benchmark, then the input's and every weight's gradient:
// three times the forward pass' products.
Case rnn_training(const char *name, int cell, int batch, int steps, int in, int units, int threads) {
    const RnnCase c(cell, batch, steps, in, units, true);
    auto dy = std::make_shared<std::vector<float>>(random_vector(size_t(batch) * steps * units, 11));
    auto y = std::make_shared<std::vector<float>>(dy->size()), dx = std::make_shared<std::vector<float>>(c.x->size());
    auto dk = std::make_shared<std::vector<float>>(c.k->size()), du = std::make_shared<std::vector<float>>(c.u->size());
    auto db = std::make_shared<std::vector<float>>(c.b->size());
    auto ws = std::make_shared<std::vector<float>>(nrt_rnn_workspace_size(c.d.get(), batch, steps));
    return {name, 3 * c.forward_flops, [=] {
                const int forward = nrt_rnn_forward_training(
                    c.d.get(), c.batch, c.steps, c.x->data(), c.x->size(), nullptr, 0, c.pk->data(), c.pk->size(),
                    c.pu->data(), c.pu->size(), c.b->data(), c.b->size(), nullptr, 0, nullptr, 0, y->data(), y->size(),
                    ws->data(), ws->size(), nullptr, 0, nullptr, 0, threads);
                if (forward != NRT_OK) return forward;
                return nrt_rnn_backward(c.d.get(), c.batch, c.steps, c.x->data(), c.x->size(), nullptr, 0, c.k->data(),
                                        c.k->size(), c.u->data(), c.u->size(), ws->data(), ws->size(), dy->data(), dy->size(),
                                        dx->data(), dx->size(), dk->data(), dk->size(), du->data(), du->size(), db->data(),
                                        db->size(), nullptr, 0, nullptr, 0, nullptr, 0, nullptr, 0, threads);
            }};
}

}  // namespace

int main(int argc, char **argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const char *filter = argc > 2 ? argv[2] : "";
    std::vector<Case> cases{fma_peak(threads)};
    for (int batch : {1, 32}) {
        const std::string b = " b" + std::to_string(batch);
        //                                                     in_h in_w in_c out_h out_w out_c kh kw sh sw dh dw pt pl g act
        cases.push_back(conv(("seed_conv1" + b).c_str(), {28, 28, 1, 26, 26, 32, 3, 3, 1, 1, 1, 1, 0, 0, 1, NRT_ACT_RELU, 0}, batch, threads));
        cases.push_back(conv(("seed_conv2" + b).c_str(), {13, 13, 32, 11, 11, 64, 3, 3, 1, 1, 1, 1, 0, 0, 1, NRT_ACT_RELU, 0}, batch, threads));
        cases.push_back(conv(("seed_conv3" + b).c_str(), {5, 5, 64, 3, 3, 64, 3, 3, 1, 1, 1, 1, 0, 0, 1, NRT_ACT_RELU, 0}, batch, threads));
        cases.push_back(pool(("seed_pool1" + b).c_str(), {26, 26, 32, 13, 13, 2, 2, 2, 2, 0, 0, NRT_POOL_MAX}, batch, threads));
        cases.push_back(dense(("seed_dense1" + b).c_str(), batch, 576, 64, NRT_ACT_RELU, threads));
        cases.push_back(rnn(("lstm 64/64 T100" + b).c_str(), NRT_CELL_LSTM, batch, 100, 64, 64, threads));
        cases.push_back(rnn(("gru 64/64 T100" + b).c_str(), NRT_CELL_GRU, batch, 100, 64, 64, threads));
        cases.push_back(rnn_training(("lstm 64/64 T100" + b + " train").c_str(), NRT_CELL_LSTM, batch, 100, 64, 64, threads));
        cases.push_back(rnn_training(("gru 64/64 T100" + b + " train").c_str(), NRT_CELL_GRU, batch, 100, 64, 64, threads));
    }
    cases.push_back(dense("sgemm 512^3", 512, 512, 512, NRT_ACT_NONE, threads));
    cases.push_back(dense("sgemm 2048^3", 2048, 2048, 2048, NRT_ACT_NONE, threads));
    cases.push_back(rnn("lstm 512/512 T50 b1", NRT_CELL_LSTM, 1, 50, 512, 512, threads));
    cases.push_back(rnn("lstm 512/512 T50 b64", NRT_CELL_LSTM, 64, 50, 512, 512, threads));
    cases.push_back(rnn("gru 512/512 T50 b64", NRT_CELL_GRU, 64, 50, 512, 512, threads));

    std::printf("%d threads; median us per call (GFLOP/s) on each ISA tier of this CPU\n", threads);
    std::printf("%-22s", "case");
    for (int isa = NRT_ISA_REF; isa <= nrt_detected_isa(); ++isa) std::printf(" %22s", nrt_isa_name(isa));
    std::printf("\n");
    for (const Case &c : cases) {
        if (std::strstr(c.name.c_str(), filter) == nullptr) continue;
        std::printf("%-22s", c.name.c_str());
        for (int isa = NRT_ISA_REF; isa <= nrt_detected_isa(); ++isa) {
            nrt_set_max_isa(isa);
            g_tier = isa;
            if (isa == NRT_ISA_REF && !c.on_ref) {
                std::printf(" %22s", "-");
                continue;
            }
            if (isa == NRT_ISA_REF && c.flops > 2e9) {
                std::printf(" %22s", "(skipped: slow)");
                continue;
            }
            const double us = median_us(c.call);
            std::printf(" %12.1f (%6.1f)", us, c.flops / us / 1e3);
        }
        std::printf("\n");
        std::fflush(stdout);
    }
    return 0;
}
