#!/usr/bin/python3
"""Golden gradients of PyTorch's conv, pooling, linear, LSTM and GRU layers for GradientGoldenTest.

Run with Debian's PyTorch (apt-get install python3-torch):  /usr/bin/python3 make_gradient_goldens.py
For each case, the loss is sum(r * output) for a random r, so the output's gradient is r.
Each case is written as <name>.txt: the layer and its options, then in Keras' layouts (NHWC
images, HWIO kernels, [in, out] dense kernels, LSTM/GRU kernels as in make_rnn_goldens.py):
the input x, the weights, r, PyTorch's output and its gradients d_x, d_kernel,
d_recurrent, d_bias.
"""
import torch

torch.manual_seed(20261201)


def fmt(t):
    return " ".join(f"{v:.9g}" for v in t.detach().reshape(-1).tolist())


def write(name, options, tensors):
    with open(f"{name}.txt", "w") as f:
        f.write(f"# PyTorch {torch.__version__}; made by make_gradient_goldens.py\n")
        for key, value in options.items():
            f.write(f"{key} {value}\n")
        for key, t in tensors.items():
            if t is not None:
                f.write(f"{key} {fmt(t)}\n")


def nhwc(t):  # NCHW -> NHWC (NCL -> NLC for 1D)
    return t.permute(0, 2, 3, 1) if t.dim() == 4 else t.permute(0, 2, 1)


def hwio(w):  # [out, in / groups, kh, kw] -> [kh, kw, in / groups, out] (1D: [k, in / groups, out])
    return w.permute(2, 3, 1, 0) if w.dim() == 4 else w.permute(2, 1, 0)


def conv_case(name, batch, size, in_c, filters, kernel, stride=1, padding=0, dilation=1, groups=1):
    one_d = isinstance(size, int)
    layer = (torch.nn.Conv1d if one_d else torch.nn.Conv2d)(in_c, filters, kernel, stride, padding, dilation, groups)
    x = torch.randn(batch, in_c, *([size] if one_d else size), requires_grad=True)
    y = layer(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    pair = (lambda v: v if isinstance(v, tuple) else (v, v))
    options = {"layer": "conv1d" if one_d else "conv2d", "batch": batch, "groups": groups, "filters": filters}
    if one_d:
        options.update({"steps": size, "channels": in_c, "kernel_size": kernel, "stride": stride, "padding": padding,
                        "dilation": dilation})
    else:
        options.update({"height": size[0], "width": size[1], "channels": in_c, "kernel_size": "%d %d" % pair(kernel),
                        "stride": "%d %d" % pair(stride), "padding": "%d %d" % pair(padding),
                        "dilation": "%d %d" % pair(dilation)})
    write(name, options, {"x": nhwc(x), "kernel": hwio(layer.weight), "bias": layer.bias, "r": nhwc(r),
                          "output": nhwc(y), "d_x": nhwc(x.grad), "d_kernel": hwio(layer.weight.grad),
                          "d_bias": layer.bias.grad})


def causal_conv1d_case(name, batch, steps, in_c, filters, kernel, dilation):
    """Keras' Conv1D(padding='causal'): zeros before the sequence only, (kernel - 1) * dilation of them."""
    layer = torch.nn.Conv1d(in_c, filters, kernel, dilation=dilation)
    x = torch.randn(batch, in_c, steps, requires_grad=True)
    y = layer(torch.nn.functional.pad(x, ((kernel - 1) * dilation, 0)))
    r = torch.randn_like(y)
    (y * r).sum().backward()
    write(name, {"layer": "conv1d", "batch": batch, "groups": 1, "filters": filters, "steps": steps, "channels": in_c,
                 "kernel_size": kernel, "stride": 1, "padding": "causal", "dilation": dilation},
          {"x": nhwc(x), "kernel": hwio(layer.weight), "bias": layer.bias, "r": nhwc(r), "output": nhwc(y),
           "d_x": nhwc(x.grad), "d_kernel": hwio(layer.weight.grad), "d_bias": layer.bias.grad})


def pool_case(name, kind, batch, size, channels, pool, stride):
    layer = (torch.nn.MaxPool2d if kind == "max" else torch.nn.AvgPool2d)(pool, stride)
    x = torch.randn(batch, channels, *size, requires_grad=True)
    y = layer(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    write(name, {"layer": kind + "pool2d", "batch": batch, "height": size[0], "width": size[1], "channels": channels,
                 "pool": pool, "stride": stride},
          {"x": nhwc(x), "r": nhwc(r), "output": nhwc(y), "d_x": nhwc(x.grad)})


def linear_case(name, batch, inputs, outputs):
    layer = torch.nn.Linear(inputs, outputs)
    x = torch.randn(batch, inputs, requires_grad=True)
    y = layer(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    write(name, {"layer": "dense", "batch": batch, "input": inputs, "units": outputs},
          {"x": x, "kernel": layer.weight.t(), "bias": layer.bias, "r": r, "output": y, "d_x": x.grad,
           "d_kernel": layer.weight.grad.t(), "d_bias": layer.bias.grad})


def gru_to_keras(w):  # [3u, ...] in r, z, n order -> z, r, n
    r, z, n = w.chunk(3, 0)
    return torch.cat([z, r, n], 0)


def recurrent_case(name, cell, batch, steps, inputs, units):
    layer = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(inputs, units, batch_first=True)
    x = torch.randn(batch, steps, inputs, requires_grad=True)
    y, _ = layer(x)  # zero initial states, every step's output (Keras' return_sequences)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    if cell == "lstm":
        convert = (lambda w: w)
        bias, d_bias = layer.bias_ih_l0 + layer.bias_hh_l0, layer.bias_ih_l0.grad  # both biases share one gradient
    else:
        convert = gru_to_keras
        bias = torch.cat([gru_to_keras(layer.bias_ih_l0), gru_to_keras(layer.bias_hh_l0)])
        d_bias = torch.cat([gru_to_keras(layer.bias_ih_l0.grad), gru_to_keras(layer.bias_hh_l0.grad)])
    write(name, {"layer": cell, "batch": batch, "steps": steps, "input": inputs, "units": units},
          {"x": x, "kernel": convert(layer.weight_ih_l0).t(), "recurrent": convert(layer.weight_hh_l0).t(),
           "bias": bias, "r": r, "output": y, "d_x": x.grad, "d_kernel": convert(layer.weight_ih_l0.grad).t(),
           "d_recurrent": convert(layer.weight_hh_l0.grad).t(), "d_bias": d_bias})


conv_case("conv2d_3x3", 2, (7, 6), 3, 4, 3)
conv_case("conv2d_strided_dilated_grouped", 2, (9, 8), 4, 6, (3, 2), stride=(2, 1), padding=(1, 1), dilation=(1, 2),
          groups=2)
conv_case("conv2d_depthwise", 2, (6, 5), 3, 6, 3, padding=1, groups=3)
conv_case("conv2d_16_channels", 1, (6, 7), 16, 16, 3, padding=1)
conv_case("conv1d", 3, 11, 2, 5, 3, stride=2, padding=1)
causal_conv1d_case("conv1d_causal", 2, 9, 3, 4, 3, dilation=2)
pool_case("maxpool2d_2", "max", 2, (6, 5), 3, 2, 2)
pool_case("maxpool2d_3_stride_2", "max", 2, (7, 7), 2, 3, 2)
pool_case("avgpool2d_2", "avg", 2, (6, 6), 3, 2, 2)
linear_case("dense", 4, 7, 5)
recurrent_case("lstm", "lstm", 3, 6, 4, 5)
recurrent_case("gru", "gru", 3, 6, 4, 5)
