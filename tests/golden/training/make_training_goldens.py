#!/usr/bin/python3
"""Golden optimizer steps and losses from PyTorch, for OptimizerGoldenTest and LossGoldenTest.

Run with Debian's PyTorch (apt-get install python3-torch):  /usr/bin/python3 make_training_goldens.py
Where PyTorch's formula differs from Keras' only in where epsilon goes (Adam, RMSprop), epsilon
is set so small (1e-12) that the difference is far below float precision. PyTorch's SGD
momentum buffer is Keras' momentum divided by -learning_rate; the updated values agree.

optimizers.txt: per case a line "case <name> <options>", then "value", "grad1".."grad3"
(the gradients of three steps) and "after" (the value after them).
losses.txt: per case "case <name> <rows> <cols> <from_logits>", "output", "target", "weights",
then "loss" and "d_output" (the gradient at the output, or at the logits for from_logits).
"""
import torch

torch.manual_seed(20261201)
N = 37  # not a multiple of any vector width


def fmt(t):
    return " ".join(f"{v:.9g}" for v in t.detach().reshape(-1).tolist())


with open("optimizers.txt", "w") as f:
    f.write(f"# PyTorch {torch.__version__}; made by make_training_goldens.py\n")
    cases = [
        ("sgd", "lr=0.1", lambda p: torch.optim.SGD(p, lr=0.1)),
        ("sgd_momentum", "lr=0.1 momentum=0.9", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        ("sgd_nesterov", "lr=0.1 momentum=0.9 nesterov", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
        ("adam", "lr=0.01 beta1=0.9 beta2=0.999 eps=1e-12", lambda p: torch.optim.Adam(p, lr=0.01, eps=1e-12)),
        ("adamw", "lr=0.01 wd=0.1 beta1=0.9 beta2=0.999 eps=1e-12",
         lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1, eps=1e-12)),
        ("rmsprop", "lr=0.01 rho=0.9 eps=1e-12", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-12)),
        ("rmsprop_centered_momentum", "lr=0.01 rho=0.9 momentum=0.5 centered eps=1e-12",
         lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-12, momentum=0.5, centered=True)),
    ]
    for name, options, make in cases:
        value = torch.randn(N)
        p = torch.nn.Parameter(value.clone())
        opt = make([p])
        f.write(f"case {name} {options}\nvalue {fmt(value)}\n")
        for step in range(3):
            g = torch.randn(N)
            p.grad = g.clone()
            opt.step()
            f.write(f"grad{step + 1} {fmt(g)}\n")
        f.write(f"after {fmt(p)}\n")

with open("losses.txt", "w") as f:
    f.write(f"# PyTorch {torch.__version__}; made by make_training_goldens.py\n")
    rows, cols = 5, 4

    def case(name, output, target, weights, loss_fn, from_logits):
        out = output.clone().requires_grad_(True)
        loss = loss_fn(out, target, weights)
        loss.backward()
        f.write(f"case {name} {rows} {cols} {int(from_logits)}\noutput {fmt(output)}\ntarget {fmt(target)}\n"
                f"weights {fmt(weights)}\nloss {loss.item():.9g}\nd_output {fmt(out.grad)}\n")

    weights = torch.rand(rows) + 0.5
    logits = torch.randn(rows, cols) * 2
    probs = torch.softmax(logits, 1)
    labels = torch.randint(0, cols, (rows,))
    soft = torch.softmax(torch.randn(rows, cols), 1)

    def weighted(per_row, w):  # Keras' sum over batch size: sum(w * l) / rows
        return (per_row * w).sum() / rows

    case("sparse_categorical_logits", logits, labels.float(), weights,
         lambda o, t, w: weighted(torch.nn.functional.cross_entropy(o, t.long(), reduction="none"), w), True)
    # Keras reads probabilities as a distribution, divided by their row's sum (1 after a softmax,
    # but the division still shapes the gradient): scaled here so that it shows
    case("sparse_categorical_output", probs * 1.3, labels.float(), weights,
         lambda o, t, w: weighted(-torch.log((o / o.sum(1, keepdim=True)).gather(1, t.long().view(-1, 1)).view(-1)), w), False)
    case("categorical_logits", logits, soft, weights,
         lambda o, t, w: weighted(-(t * torch.log_softmax(o, 1)).sum(1), w), True)
    case("categorical_output", probs * 1.7, soft, weights,  # not normalised: Keras divides by the row's sum
         lambda o, t, w: weighted(-(t * torch.log(o / o.sum(1, keepdim=True))).sum(1), w), False)
    p = torch.rand(rows, cols) * 0.9 + 0.05
    y = (torch.rand(rows, cols) > 0.5).float()
    case("binary_output", p, y, weights,
         lambda o, t, w: weighted(torch.nn.functional.binary_cross_entropy(o, t, reduction="none").mean(1), w), False)
    case("binary_logits", logits, y, weights,
         lambda o, t, w: weighted(torch.nn.functional.binary_cross_entropy_with_logits(o, t, reduction="none").mean(1), w), True)
    case("mean_squared_error", logits, soft, weights,
         lambda o, t, w: weighted(((o - t) ** 2).mean(1), w), False)
