// Runs every op of the C API through each ISA the CPU offers and checks that they agree,
// and that bad sizes are refused. The JUnit suite checks correctness against an
// independent reference; this program exists to run where the JVM is impractical: under
// an emulated CPU without AVX2 (ctest's api_test_without_avx2), proving that dispatch falls
// back to the reference kernels and that no baseline code path executes an AVX instruction.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "neurite.h"

namespace {

int failures = 0;

void expect(bool ok, const std::string &what) {
    if (!ok) {
        std::printf("FAIL %s (%s)\n", what.c_str(), nrt_last_error());
        ++failures;
    }
}

std::vector<float> random_values(size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> dist(-1.f, 1.f);
    std::vector<float> v(n);
    for (auto &x : v) x = dist(gen);
    return v;
}

// Runs `op` (which writes into `out`) under each ISA tier; every result must match the
// reference kernels' within float rounding. A tier this CPU lacks is reported as SKIPPED,
// never passed in silence.
void compare_isas(const std::string &name, size_t out_size, const std::function<int(float *)> &op) {
    std::vector<std::vector<float>> results;
    std::string ran;
    for (int isa = NRT_ISA_REF; isa <= NRT_ISA_AVX512; ++isa) {
        if (isa > nrt_detected_isa()) {
            std::printf("SKIPPED %s on %s: this CPU does not have it\n", name.c_str(), nrt_isa_name(isa));
            continue;
        }
        nrt_set_max_isa(isa);
        std::vector<float> out(out_size, NAN);
        expect(op(out.data()) == NRT_OK, name + " runs");
        const std::string kernel = nrt_last_kernel(), suffix = std::string("_") + nrt_isa_name(isa);
        expect(kernel.size() > suffix.size() && kernel.compare(kernel.size() - suffix.size(), std::string::npos, suffix) == 0,
               name + " ran " + kernel + ", expected *" + suffix);
        results.push_back(out);
        ran += std::string(ran.empty() ? "" : ", ") + nrt_isa_name(isa);
    }
    nrt_set_max_isa(NRT_ISA_AVX512);
    for (size_t r = 1; r < results.size(); ++r)
        for (size_t i = 0; i < out_size; ++i) {
            const float a = results[0][i], b = results[r][i];
            if (!(std::fabs(a - b) <= 1e-4f * (1.f + std::fabs(a)))) {
                expect(false, name + ": output " + std::to_string(i) + " differs between ISAs: " + std::to_string(a) +
                                  " vs " + std::to_string(b));
                return;
            }
        }
    std::printf("ok %s on %s\n", name.c_str(), ran.c_str());
}

void conv(const char *name, nrt_conv2d_desc d, int batch) {
    const int64_t in = int64_t{batch} * d.in_h * d.in_w * d.in_c, out = int64_t{batch} * d.out_h * d.out_w * d.out_c;
    const int64_t weights = int64_t{d.kernel_h} * d.kernel_w * (d.in_c / d.groups) * d.out_c;
    auto x = random_values(in, 1), w = random_values(weights, 2), b = random_values(d.out_c, 3);
    std::vector<float> packed(nrt_conv2d_packed_size(&d));
    expect(nrt_conv2d_pack_weights(&d, w.data(), weights, packed.data(), packed.size()) == NRT_OK, "pack");
    compare_isas(name, out, [&](float *y) {
        return nrt_conv2d_forward(&d, batch, x.data(), in, packed.data(), packed.size(), b.data(), d.out_c, y, out, 2);
    });
    std::vector<float> y(out);
    expect(nrt_conv2d_forward(&d, batch + 1, x.data(), in, packed.data(), packed.size(), b.data(), d.out_c, y.data(),
                              out, 2) == NRT_BUFFER_TOO_SMALL,
           std::string(name) + " refuses a batch larger than its buffers");
}

}  // namespace

int main() {
    std::printf("detected ISA: %s\n", nrt_isa_name(nrt_detected_isa()));
    //                              in_h in_w in_c out_h out_w out_c kh kw sh sw dh dw pt pl g act alpha
    conv("conv2d seed 1", nrt_conv2d_desc{28, 28, 1, 26, 26, 32, 3, 3, 1, 1, 1, 1, 0, 0, 1, NRT_ACT_RELU, 0}, 2);
    conv("conv2d same stride 2", nrt_conv2d_desc{9, 8, 12, 5, 4, 20, 3, 3, 2, 2, 1, 1, 1, 0, 1, NRT_ACT_TANH, 0}, 2);
    conv("conv2d grouped", nrt_conv2d_desc{6, 6, 8, 4, 4, 12, 3, 3, 1, 1, 1, 1, 0, 0, 4, NRT_ACT_GELU, 0}, 1);
    conv("conv2d depthwise", nrt_conv2d_desc{7, 7, 10, 7, 7, 10, 3, 3, 1, 1, 1, 1, 1, 1, 10, NRT_ACT_SIGMOID, 0}, 2);
    // 40 channels: a full tile of two vectors and a partial one on every ISA; 13 pixels: partial pixel tiles.
    conv("conv2d partial tiles", nrt_conv2d_desc{1, 13, 3, 1, 13, 40, 1, 3, 1, 1, 1, 1, 0, 1, 1, NRT_ACT_LEAKY_RELU, 0.1f}, 1);
    // Winograd F(4x4, 3x3): partial 4x4 tiles at the bottom and right, 40 channels out, and with 'same' padding.
    conv("conv2d winograd", nrt_conv2d_desc{13, 13, 32, 11, 11, 40, 3, 3, 1, 1, 1, 1, 0, 0, 1, NRT_ACT_RELU, 0}, 2);
    conv("conv2d winograd same", nrt_conv2d_desc{7, 9, 17, 7, 9, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, NRT_ACT_NONE, 0}, 3);
    conv("conv2d depthwise x3", nrt_conv2d_desc{6, 6, 7, 4, 4, 21, 3, 3, 1, 1, 1, 1, 0, 0, 7, NRT_ACT_RELU6, 0}, 2);

    {
        // 13 channels: a partial vector; 125: four, two, one and a partial vector on every ISA.
        for (int channels : {13, 125})
            for (int kind : {NRT_POOL_MAX, NRT_POOL_AVG}) {
                const nrt_pool2d_desc d{10, 9, channels, 5, 5, 2, 2, 2, 2, 0, 0, kind};
                auto x = random_values(2 * 10 * 9 * channels, 4);
                const int out = 2 * 5 * 5 * channels;
                compare_isas(std::string(kind == NRT_POOL_MAX ? "max pool " : "avg pool ") + std::to_string(channels), out,
                             [&](float *y) { return nrt_pool2d_forward(&d, 2, x.data(), x.size(), y, out, 2); });
            }
    }
    // 19 and 70 outputs: partial tiles of two vectors and of one; 7 and 13 rows: partial row tiles.
    for (auto [batch, out] : {std::pair{7, 19}, std::pair{13, 70}}) {
        nrt_dense_desc d{37, out, NRT_ACT_RELU6, 0};
        auto x = random_values(batch * 37, 5), w = random_values(37 * out, 6), b = random_values(out, 7);
        std::vector<float> packed(nrt_dense_packed_size(&d));
        expect(nrt_dense_pack_weights(&d, w.data(), w.size(), packed.data(), packed.size()) == NRT_OK, "dense pack");
        compare_isas("dense " + std::to_string(out), batch * out, [&](float *y) {
            return nrt_dense_forward(&d, batch, x.data(), x.size(), packed.data(), packed.size(), b.data(), out, y,
                                     batch * out, 2);
        });
    }
    {
        auto x = random_values(1001, 8);
        for (int act = NRT_ACT_NONE; act <= NRT_ACT_GELU; ++act) {
            compare_isas("activation " + std::to_string(act), x.size(), [&](float *y) {
                return nrt_activation_forward(act, 0.2f, x.size(), x.data(), x.size(), y, x.size(), 2);
            });
        }
        compare_isas("softmax", 1001, [&](float *y) { return nrt_softmax_forward(77, 13, x.data(), 1001, y, 1001, 2); });
        for (int op : {NRT_BINARY_ADD, NRT_BINARY_MUL, NRT_BINARY_AVERAGE}) {
            compare_isas("binary " + std::to_string(op), 1001, [&](float *y) {
                return nrt_binary_forward(op, 1001, x.data(), 1001, x.data(), 1001, y, 1001, 2);
            });
        }
    }
    // 11 units: one partial vector; 37: whole vectors and a partial one on every ISA.
    for (int cell : {NRT_CELL_SIMPLE, NRT_CELL_LSTM, NRT_CELL_GRU})
    for (int units : {11, 37}) {
        for (int reset_after : {1, 0}) {
            if (cell != NRT_CELL_GRU && reset_after == 0) continue;
            const int batch = 5, steps = 7, in = 6, gates = cell == NRT_CELL_LSTM ? 4 : cell == NRT_CELL_GRU ? 3 : 1;
            nrt_rnn_desc d{cell, in, units, NRT_ACT_TANH, NRT_ACT_SIGMOID, reset_after, 1, 1, 0, 0};
            auto x = random_values(batch * steps * in, 9), k = random_values(in * gates * units, 10);
            auto u = random_values(units * gates * units, 11), b = random_values(nrt_rnn_bias_size(&d), 12);
            std::vector<float> mask(batch * steps, 1.f);
            for (int t = 4; t < steps; ++t) mask[2 * steps + t] = 0.f;
            std::vector<float> pk(nrt_rnn_packed_kernel_size(&d)), pu(nrt_rnn_packed_recurrent_size(&d));
            expect(nrt_rnn_pack_weights(&d, k.data(), k.size(), u.data(), u.size(), pk.data(), pk.size(), pu.data(),
                                        pu.size()) == NRT_OK, "rnn pack");
            const int64_t out = int64_t{batch} * steps * units;
            compare_isas("rnn cell " + std::to_string(cell) + " units " + std::to_string(units) + " reset_after " +
                             std::to_string(reset_after), out, [&](float *y) {
                return nrt_rnn_forward(&d, batch, steps, x.data(), x.size(), mask.data(), mask.size(), pk.data(), pk.size(),
                                       pu.data(), pu.size(), b.data(), b.size(), nullptr, 0, nullptr, 0, y, out, nullptr, 0,
                                       nullptr, 0, 2);
            });
        }
    }
    {
        // Backward may write the input's gradient over the input itself: the kernel's gradient, which reads the
        // input, must not see the new values.
        const int batch = 3, steps = 4, in = 6, units = 11;
        nrt_rnn_desc d{NRT_CELL_LSTM, in, units, NRT_ACT_TANH, NRT_ACT_SIGMOID, 1, 0, 1, 0, 0};
        auto x = random_values(batch * steps * in, 14), k = random_values(in * 4 * units, 15);
        auto u = random_values(units * 4 * units, 16), b = random_values(4 * units, 17);
        auto dy = random_values(batch * steps * units, 18);
        std::vector<float> pk(nrt_rnn_packed_kernel_size(&d)), pu(nrt_rnn_packed_recurrent_size(&d));
        nrt_rnn_pack_weights(&d, k.data(), k.size(), u.data(), u.size(), pk.data(), pk.size(), pu.data(), pu.size());
        std::vector<float> y(dy.size()), ws(nrt_rnn_workspace_size(&d, batch, steps)), dk[2], dx[2];
        for (int in_place = 0; in_place < 2; ++in_place) {
            std::vector<float> src = x, du(u.size()), db(b.size());
            dk[in_place].resize(k.size());
            dx[in_place].resize(x.size());
            float *d_src = in_place ? src.data() : dx[in_place].data();
            expect(nrt_rnn_forward_training(&d, batch, steps, src.data(), src.size(), nullptr, 0, pk.data(), pk.size(),
                                            pu.data(), pu.size(), b.data(), b.size(), nullptr, 0, nullptr, 0, y.data(),
                                            y.size(), ws.data(), ws.size(), nullptr, 0, nullptr, 0, 2) == NRT_OK &&
                       nrt_rnn_backward(&d, batch, steps, src.data(), src.size(), nullptr, 0, k.data(), k.size(), u.data(),
                                        u.size(), ws.data(), ws.size(), dy.data(), dy.size(), d_src, x.size(),
                                        dk[in_place].data(), k.size(), du.data(), du.size(), db.data(), db.size(), nullptr,
                                        0, nullptr, 0, nullptr, 0, nullptr, 0, 2) == NRT_OK,
                   "rnn backward, input gradient " + std::string(in_place ? "in place" : "apart"));
            if (in_place) dx[1] = src;
        }
        bool same = dk[0] == dk[1];
        for (size_t i = 0; i < x.size(); ++i) same = same && std::fabs(dx[0][i] - dx[1][i]) <= 1e-5f;
        expect(same, "rnn backward writes the input's gradient over the input without changing the kernel's gradient");
        // Training keeps GELU's input as the activation (its derivative needs it), but the gates keep
        // their outputs alone, from which GELU's derivative cannot come.
        for (int gelu_at = 0; gelu_at < 2; ++gelu_at) {
            nrt_rnn_desc g = d;
            (gelu_at == 0 ? g.activation : g.recurrent_activation) = NRT_ACT_GELU;
            std::vector<float> dk_g(k.size()), du(u.size()), dx_g(x.size());
            const int trained = nrt_rnn_forward_training(&g, batch, steps, x.data(), x.size(), nullptr, 0, pk.data(),
                                                         pk.size(), pu.data(), pu.size(), b.data(), b.size(), nullptr, 0,
                                                         nullptr, 0, y.data(), y.size(), ws.data(), ws.size(), nullptr, 0,
                                                         nullptr, 0, 2);
            const std::string forward_error = nrt_last_error();
            const int backward = nrt_rnn_backward(&g, batch, steps, x.data(), x.size(), nullptr, 0, k.data(), k.size(),
                                                  u.data(), u.size(), ws.data(), ws.size(), dy.data(), dy.size(),
                                                  dx_g.data(), x.size(), dk_g.data(), k.size(), du.data(), du.size(), nullptr,
                                                  0, nullptr, 0, nullptr, 0, nullptr, 0, nullptr, 0, 2);
            if (gelu_at == 0) {
                expect(trained == NRT_OK && backward == NRT_OK, "rnn training takes GELU as the activation");
            } else {
                expect(trained == NRT_INVALID_ARGUMENT &&
                           forward_error.find("rnn training: recurrent activation") != std::string::npos &&
                           backward == NRT_INVALID_ARGUMENT &&
                           std::string(nrt_last_error()).find("rnn backward: recurrent activation") != std::string::npos,
                       "rnn training refuses GELU as the recurrent activation");
            }
        }
        // A leaky ReLU's slope: any finite one for inference, none below 0 for training (its derivative needs the input).
        nrt_rnn_desc leaky = d;
        leaky.recurrent_activation = NRT_ACT_LEAKY_RELU;
        leaky.alpha = -0.5f;
        expect(nrt_rnn_forward(&leaky, batch, steps, x.data(), x.size(), nullptr, 0, pk.data(), pk.size(), pu.data(),
                               pu.size(), b.data(), b.size(), nullptr, 0, nullptr, 0, y.data(), y.size(), nullptr, 0, nullptr,
                               0, 2) == NRT_OK &&
                   nrt_rnn_forward_training(&leaky, batch, steps, x.data(), x.size(), nullptr, 0, pk.data(), pk.size(),
                                            pu.data(), pu.size(), b.data(), b.size(), nullptr, 0, nullptr, 0, y.data(),
                                            y.size(), ws.data(), ws.size(), nullptr, 0, nullptr, 0, 2) == NRT_INVALID_ARGUMENT,
               "rnn takes a negative slope for inference and refuses it for training");
        leaky.alpha = NAN;
        expect(nrt_rnn_forward(&leaky, batch, steps, x.data(), x.size(), nullptr, 0, pk.data(), pk.size(), pu.data(),
                               pu.size(), b.data(), b.size(), nullptr, 0, nullptr, 0, y.data(), y.size(), nullptr, 0, nullptr,
                               0, 2) == NRT_INVALID_ARGUMENT,
               "rnn refuses a slope that is not finite");
    }
    {
        // Keras' GlobalAveragePooling1D with a mask: batch 2, 3 steps, 2 channels; the second sequence has one valid step.
        const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, mask = {1, 0, 1, 0, 1, 0}, dy = {6, 8, 1, 2};
        std::vector<float> y(4), dx(12);
        expect(nrt_masked_mean_forward(2, 3, 2, x.data(), 12, mask.data(), 6, y.data(), 4, 2) == NRT_OK &&
                   y == std::vector<float>{3, 4, 9, 10},
               "masked mean over the valid steps");
        expect(nrt_masked_mean_backward(2, 3, 2, mask.data(), 6, dy.data(), 4, dx.data(), 12, 2) == NRT_OK &&
                   dx == std::vector<float>{3, 4, 0, 0, 3, 4, 0, 0, 1, 2, 0, 0},
               "masked mean's gradient goes to the valid steps alone");
        expect(nrt_masked_mean_forward(2, 3, 2, x.data(), 12, mask.data(), 5, y.data(), 4, 2) == NRT_BUFFER_TOO_SMALL &&
                   nrt_masked_mean_forward(2, 3, 2, x.data(), 11, mask.data(), 6, y.data(), 4, 2) == NRT_BUFFER_TOO_SMALL &&
                   nrt_masked_mean_forward(2, 3, 2, x.data(), 12, mask.data(), 6, y.data(), 3, 2) == NRT_BUFFER_TOO_SMALL &&
                   nrt_masked_mean_backward(2, 3, 2, mask.data(), 6, dy.data(), 3, dx.data(), 12, 2) == NRT_BUFFER_TOO_SMALL &&
                   nrt_masked_mean_backward(2, 3, 2, mask.data(), 6, dy.data(), 4, dx.data(), 11, 2) == NRT_BUFFER_TOO_SMALL,
               "masked mean refuses buffers too small");
        expect(nrt_masked_mean_forward(0, 3, 2, x.data(), 12, mask.data(), 6, y.data(), 4, 2) == NRT_INVALID_ARGUMENT &&
                   nrt_masked_mean_backward(2, -3, 2, mask.data(), 6, dy.data(), 4, dx.data(), 12, 2) == NRT_INVALID_ARGUMENT &&
                   nrt_masked_mean_forward(INT32_MAX, INT32_MAX, INT32_MAX, x.data(), 12, mask.data(), 6, y.data(), 4, 2) != NRT_OK,
               "masked mean refuses empty, negative and overflowing sizes");
        std::vector<float> padding_inf = x;
        padding_inf[2] = INFINITY;  // a masked step, multiplied by 0 as Keras does: NaN
        expect(nrt_masked_mean_forward(2, 3, 2, padding_inf.data(), 12, mask.data(), 6, y.data(), 4, 2) == NRT_OK &&
                   std::isnan(y[0]) && y[1] == 4.f,
               "masked mean multiplies masked steps by 0, as Keras");
    }
    {
        std::vector<float> ids = {0, 3, 9, 3}, table = random_values(10 * 4, 13), y(16);
        expect(nrt_embedding_forward(10, 4, 4, ids.data(), 4, table.data(), 40, y.data(), 16, 1) == NRT_OK, "embedding");
        expect(y[4] == table[12] && y[8] == table[36], "embedding copies rows");
        ids[2] = 10;
        expect(nrt_embedding_forward(10, 4, 4, ids.data(), 4, table.data(), 40, y.data(), 16, 1) == NRT_INVALID_ARGUMENT &&
                   std::string(nrt_last_error()).find("id 10 at position 2") != std::string::npos,
               "embedding refuses an id past the vocabulary");
        // int32 ids: the same rows and mask as the float ids, and the same checks.
        std::vector<int32_t> int_ids = {0, 3, 9, 3};
        std::vector<float> yi(16), mask(4);
        ids[2] = 9;
        expect(nrt_embedding_forward(10, 4, 4, ids.data(), 4, table.data(), 40, y.data(), 16, 1) == NRT_OK &&
                   nrt_embedding_forward_i32(10, 4, 4, int_ids.data(), 4, table.data(), 40, yi.data(), 16, 1) == NRT_OK &&
                   y == yi, "int32 ids gather the rows float ids do");
        expect(nrt_nonzero_mask_i32(4, int_ids.data(), 4, mask.data(), 4) == NRT_OK && mask == std::vector<float>{0, 1, 1, 1},
               "int32 ids' padding mask");
        for (int32_t bad : {10, -1}) {
            int_ids[1] = bad;
            expect(nrt_embedding_forward_i32(10, 4, 4, int_ids.data(), 4, table.data(), 40, yi.data(), 16, 1) ==
                           NRT_INVALID_ARGUMENT &&
                       std::string(nrt_last_error()).find("id " + std::to_string(bad) + " at position 1") != std::string::npos,
                   "embedding refuses int32 id " + std::to_string(bad));
        }
        int_ids[1] = 3;
        std::vector<float> dy(16, 1.f), d_rows(16, -1.f);
        std::vector<int32_t> rows(4, -1);
        int64_t row_count = -1;
        expect(nrt_embedding_backward_i32(10, 4, 4, int_ids.data(), 4, mask.data(), 4, dy.data(), 16, rows.data(), 4,
                                          d_rows.data(), 16, &row_count, 1) == NRT_OK &&
                       row_count == 2 && rows[0] == 3 && rows[1] == 9 && d_rows[0] == 2.f && d_rows[4] == 1.f,
               "int32 ids' table gradient: rows summed per id, ascending, the padding id masked");
        expect(nrt_embedding_backward_i32(10, 4, 4, int_ids.data(), 4, mask.data(), 4, dy.data(), 16, rows.data(), 3,
                                          d_rows.data(), 16, &row_count, 1) == NRT_BUFFER_TOO_SMALL,
               "embedding backward wants room for a row per id");
        // The sparse optimizer update reads rows as given: anything but ascending rows in range is refused.
        nrt_optimizer_step sgd{};
        sgd.optimizer = NRT_OPTIMIZER_SGD;
        sgd.learning_rate = 0.5f;
        sgd.gradient_scale = 1.f;
        std::vector<float> value(40, 1.f);
        for (std::vector<int32_t> bad : {std::vector<int32_t>{9, 3}, {3, 3}, {3, 10}, {-1, 3}}) {
            expect(nrt_optimizer_update_rows(&sgd, 10, 4, value.data(), 40, bad.data(), 2, d_rows.data(), 8, nullptr, 0,
                                             nullptr, 0, nullptr, 0, 1) == NRT_INVALID_ARGUMENT &&
                           value == std::vector<float>(40, 1.f),
                   "the sparse optimizer update refuses rows {" + std::to_string(bad[0]) + ", " + std::to_string(bad[1]) + "}");
        }
        expect(nrt_optimizer_update_rows(&sgd, 10, 4, value.data(), 40, rows.data(), 2, d_rows.data(), 8, nullptr, 0,
                                         nullptr, 0, nullptr, 0, 1) == NRT_OK &&
                       value[12] == 0.f && value[36] == 0.5f && value[0] == 1.f && value[39] == 0.5f,
               "plain SGD on rows moves those rows only");
    }
    std::printf("%s\n", failures == 0 ? "all passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
