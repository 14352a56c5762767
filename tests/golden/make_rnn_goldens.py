#!/usr/bin/python3
"""Golden outputs of PyTorch's nn.LSTM and nn.GRU for the recurrent tests.

Run with Debian's PyTorch (apt-get install python3-torch):  /usr/bin/python3 make_rnn_goldens.py
Each case is written as <name>.txt: sizes, then inputs and weights already converted to
Keras' layout (kernel [in, G units], recurrent kernel [units, G units], gates in Keras'
order: LSTM i, f, c, o; GRU z, r, h), then PyTorch's outputs. The conversion is the point of
the exercise and lives here, next to the model that defines it:
  - PyTorch keeps W_ih as [G units, in] and W_hh as [G units, units]: Keras' are the transposes.
  - LSTM gates are i, f, g, o in both; its two biases add into Keras' one.
  - GRU gates are r, z, n in PyTorch and z, r, h in Keras; PyTorch's GRU is Keras' GRU with
    reset_after=True, whose bias [2, 3 units] is [input biases; recurrent biases].
"""
import torch

torch.manual_seed(20261122)


def fmt(t):
    return " ".join(f"{v:.9g}" for v in t.detach().reshape(-1).tolist())


def gru_to_keras(w):  # [3u, ...] in r, z, n order -> z, r, n
    r, z, n = w.chunk(3, 0)
    return torch.cat([z, r, n], 0)


def write(name, cell, batch, steps, inputs, units, x, kernel, recurrent, bias, h0, c0, out, hn, cn):
    with open(f"{name}.txt", "w") as f:
        f.write(f"# PyTorch {torch.__version__} nn.{cell.upper()}, batch_first; made by make_rnn_goldens.py\n")
        for key, value in [("cell", cell), ("batch", batch), ("steps", steps), ("input", inputs), ("units", units)]:
            f.write(f"{key} {value}\n")
        for key, t in [("x", x), ("kernel", kernel), ("recurrent", recurrent), ("bias", bias), ("h0", h0),
                       ("c0", c0), ("output", out), ("hn", hn), ("cn", cn)]:
            if t is not None:
                f.write(f"{key} {fmt(t)}\n")


def lstm_case(name, batch, steps, inputs, units):
    m = torch.nn.LSTM(inputs, units, batch_first=True)
    x = torch.randn(batch, steps, inputs)
    h0, c0 = torch.randn(1, batch, units) * 0.5, torch.randn(1, batch, units) * 0.5
    out, (hn, cn) = m(x, (h0, c0))
    write(name, "lstm", batch, steps, inputs, units, x, m.weight_ih_l0.t(), m.weight_hh_l0.t(),
          m.bias_ih_l0 + m.bias_hh_l0, h0, c0, out, hn, cn)


def gru_case(name, batch, steps, inputs, units):
    m = torch.nn.GRU(inputs, units, batch_first=True)
    x = torch.randn(batch, steps, inputs)
    h0 = torch.randn(1, batch, units) * 0.5
    out, hn = m(x, h0)
    bias = torch.cat([gru_to_keras(m.bias_ih_l0), gru_to_keras(m.bias_hh_l0)])
    write(name, "gru", batch, steps, inputs, units, x, gru_to_keras(m.weight_ih_l0).t(),
          gru_to_keras(m.weight_hh_l0).t(), bias, h0, None, out, hn, None)


with torch.no_grad():
    lstm_case("torch_lstm_small", 3, 7, 5, 9)
    lstm_case("torch_lstm_64", 2, 20, 64, 64)
    gru_case("torch_gru_small", 4, 6, 3, 11)
    gru_case("torch_gru_64", 2, 20, 64, 64)
