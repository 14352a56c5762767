// Times the native recurrent kernels on the shapes of tests/shapes/rnn_perf.txt, without the
// JVM: median microseconds per call. For quick turns on the kernels; the side-by-side
// numbers with oneDNN come from the JMH benchmarks (bench/).
//   neurite_rnn_bench [threads]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "neurite.h"

namespace {

struct Shape {
    const char *name;
    int cell, batch, steps, in, units;
};

double median_us(const std::vector<double> &samples) {
    std::vector<double> s = samples;
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
}

}  // namespace

int main(int argc, char **argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const Shape shapes[] = {{"lstm_b1", NRT_CELL_LSTM, 1, 100, 64, 64},   {"lstm_b32", NRT_CELL_LSTM, 32, 100, 64, 64},
                            {"lstm_512", NRT_CELL_LSTM, 64, 50, 512, 512}, {"gru_b1", NRT_CELL_GRU, 1, 100, 64, 64},
                            {"gru_b32", NRT_CELL_GRU, 32, 100, 64, 64},    {"gru_512", NRT_CELL_GRU, 64, 50, 512, 512}};
    std::mt19937 gen(1);
    std::uniform_real_distribution<float> dist(-0.1f, 0.1f);
    auto random_vector = [&](size_t n) {
        std::vector<float> v(n);
        for (auto &x : v) x = dist(gen);
        return v;
    };
    for (const Shape &s : shapes) {
        nrt_rnn_desc d{s.cell, s.in, s.units, NRT_ACT_TANH, NRT_ACT_SIGMOID, 1, 0, 0, 0, 0};
        const int gates = s.cell == NRT_CELL_LSTM ? 4 : 3;
        auto x = random_vector(size_t(s.batch) * s.steps * s.in), k = random_vector(size_t(s.in) * gates * s.units);
        auto u = random_vector(size_t(s.units) * gates * s.units), b = random_vector(nrt_rnn_bias_size(&d));
        std::vector<float> pk(nrt_rnn_packed_kernel_size(&d)), pu(nrt_rnn_packed_recurrent_size(&d)), y(size_t(s.batch) * s.units);
        nrt_rnn_pack_weights(&d, k.data(), k.size(), u.data(), u.size(), pk.data(), pk.size(), pu.data(), pu.size());
        std::vector<double> samples;
        for (int i = 0; i < 40; ++i) {
            auto start = std::chrono::steady_clock::now();
            int status = nrt_rnn_forward(&d, s.batch, s.steps, x.data(), x.size(), nullptr, 0, pk.data(), pk.size(), pu.data(),
                                         pu.size(), b.data(), b.size(), nullptr, 0, nullptr, 0, y.data(), y.size(), nullptr,
                                         0, nullptr, 0, threads);
            if (status != NRT_OK) {
                std::printf("%s failed: %s\n", s.name, nrt_last_error());
                return 1;
            }
            samples.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
        }
        std::printf("%-10s %12.1f us  (%s)\n", s.name, median_us(samples), nrt_last_kernel());
    }
    return 0;
}
