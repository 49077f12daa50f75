"""Autoencoder blocks: Encoder, Decoder and Corrupt, and the torch modules they build.

An Encoder squeezes its input into a code (optionally kept sparse, contractive, or made
variational); a Decoder turns a code back into something the width of the input; Corrupt damages
the input while training so that the pair learns to undo the damage (a denoising autoencoder).
The blocks declare what the trainer and the GUI need (`face`, `penalties`, `final_activation`,
`corrupts`), so nothing outside this package knows their names.
"""
from __future__ import annotations

import torch
from torch import nn

from engine.blocks.base import Block, Param, ShapeError, Width
from engine.blocks.face_text import number, text, value
from engine.blocks.init import initialise

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "linear")
OUTPUT_ACTIVATIONS = ("sigmoid", "linear", "tanh", "relu")
PENALTIES = ("none", "sparse", "contractive")
CORRUPTIONS = ("gaussian", "masking", "salt_pepper")
# a logvar head outside this range would overflow exp() long before it means anything
_LOGVAR_RANGE = (-30.0, 20.0)


def _activation(fn: str) -> nn.Module:
    return {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU,
            "elu": nn.ELU, "linear": nn.Identity}[fn]()


def _linear(fan_in: int, fan_out: int, activation: str) -> nn.Linear:
    layer = nn.Linear(fan_in, fan_out)
    # He for the ReLU family keeps the signal's size through the stack; Xavier for the rest
    initialise(layer.weight, "he_uniform" if "relu" in activation or activation == "elu"
               else "xavier_uniform")
    nn.init.zeros_(layer.bias)
    return layer


def _stack(fan_in: int, hidden: list[int], activation: str) -> tuple[nn.Sequential, int]:
    layers: list[nn.Module] = []
    for width in hidden:
        layers += [_linear(fan_in, width, activation), _activation(activation)]
        fan_in = width
    return nn.Sequential(*layers), fan_in


class EncoderNet(nn.Module):
    """Input -> hidden layers -> code. Variational: two heads (mean, log-variance) and, while
    training, a code drawn from N(mean, exp(logvar)) by the reparameterisation trick, so the
    gradient flows through the draw; in eval mode the code is the mean."""

    def __init__(self, fan_in: int, hidden: list[int], units: int, activation: str,
                 variational: bool):
        super().__init__()
        self.body, last = _stack(fan_in, hidden, activation)
        self.variational = variational
        self.code = _linear(last, units, "linear" if variational else activation)
        self.logvar = _linear(last, units, "linear") if variational else None
        self.code_act = nn.Identity() if variational else _activation(activation)
        # closed-form Jacobian: one sigmoid layer has dh/dx = diag(h(1-h)) W
        self.closed_form = not hidden and activation == "sigmoid" and not variational

    def linears(self) -> list[nn.Linear]:
        return [m for m in self.modules() if isinstance(m, nn.Linear)]

    def forward(self, x: torch.Tensor):
        h = self.body(x)
        if not self.variational:
            return self.code_act(self.code(h))
        mu = self.code(h)
        logvar = self.logvar(h).clamp(*_LOGVAR_RANGE)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if self.training else mu
        return {"out": z, "mu": mu, "logvar": logvar}

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The deterministic code (a VAE's mean), whatever the mode."""
        h = self.body(x)
        return self.code(h) if self.variational else self.code_act(self.code(h))

    def jacobian_sq_norm(self, x: torch.Tensor, code: torch.Tensor | None = None,
                         create_graph: bool = False) -> torch.Tensor:
        """Per example, the squared Frobenius norm of d code / d x: sum over code units j and
        inputs i of (dh_j/dx_i)^2. `code` may pass this input's code (the closed form reuses
        it); `create_graph` keeps it differentiable, for the contractive penalty."""
        if self.closed_form:
            h = self.encode(x) if code is None else code
            w_sq = (self.code.weight * self.code.weight).sum(dim=1)           # (units,)
            return ((h * (1 - h)) ** 2 * w_sq).sum(dim=1)
        return self.jacobian_sq_norm_autograd(x, create_graph)

    def jacobian_sq_norm_autograd(self, x: torch.Tensor, create_graph: bool = False) -> torch.Tensor:
        with torch.enable_grad():
            x = x.detach().requires_grad_(True)
            h = self.encode(x)
            units = h.shape[1]
            # one batched backward per code unit at once: row j of every example's Jacobian
            # (examples are independent, so summing the rows over the batch separates them)
            eye = torch.eye(units, device=h.device, dtype=h.dtype)
            rows = eye.unsqueeze(1).expand(units, *h.shape)
            (jac,) = torch.autograd.grad(h, x, grad_outputs=rows, is_grads_batched=True,
                                         create_graph=create_graph)
        return (jac * jac).sum(dim=(0, 2))


class DecoderNet(nn.Module):
    """Code -> hidden layers -> output. Yields the output and, as `logits`, the values before the
    output activation, which a bce loss reads (exact where a saturated sigmoid rounds)."""

    def __init__(self, fan_in: int, hidden: list[int], units: int, activation: str,
                 output_activation: str):
        super().__init__()
        self.body, last = _stack(fan_in, hidden, activation)
        self.out = _linear(last, units, output_activation)
        self.out_act = _activation(output_activation)

    def linears(self) -> list[nn.Linear]:
        return [m for m in self.modules() if isinstance(m, nn.Linear)]

    def forward(self, z: torch.Tensor) -> dict[str, torch.Tensor]:
        logits = self.out(self.body(z))
        return {"out": self.out_act(logits), "logits": logits}


class CorruptNet(nn.Module):
    """Damages its input while training; passes it through unchanged in eval mode."""

    def __init__(self, kind: str, level: float):
        super().__init__()
        self.kind, self.level = kind, level

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.corrupt(x) if self.training else x

    def corrupt(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """The damage, in any mode; with a generator the same damage every time it is seeded
        alike (the pictures and the test figures use a fixed one)."""
        if self.level == 0:
            return x

        def draw(fn):
            if generator is None:
                return fn(x.shape, device=x.device, dtype=x.dtype)
            return fn(x.shape, generator=generator, device=generator.device,
                      dtype=x.dtype).to(x.device)

        if self.kind == "gaussian":
            return x + self.level * draw(torch.randn)
        u = draw(torch.rand)
        if self.kind == "masking":
            return torch.where(u < self.level, torch.zeros_like(x), x)
        # salt and pepper: the darkest and the brightest value of the batch, half each
        lo, hi = x.min().detach(), x.max().detach()
        return torch.where(u < self.level / 2, lo, torch.where(u < self.level, hi, x))


class Encoder(Block):
    name = "Encoder"
    category = "Blocks"
    help = ("The first half of an autoencoder: hidden layers that squeeze the input into a code "
            "of `units` numbers. Optionally kept sparse, contractive, or variational.")
    params = (
        Param("hidden", "int_list", [], "Widths of the hidden layers before the code, input side "
              "first (empty: the code layer reads the input directly).", min=1, max=100000),
        Param("units", "int", 32, "Size of the code (the bottleneck).", min=1, max=100000),
        Param("activation", "choice", "sigmoid", "Activation of the hidden layers and of the code "
              "(a variational code is left linear).", choices=HIDDEN_ACTIVATIONS),
        Param("penalty", "choice", "none", "sparse: keep each code unit's mean activation near "
              "rho; contractive: make the code insensitive to small changes of the input.",
              choices=PENALTIES),
        Param("rho", "float", 0.05, "Sparse: the mean activation each code unit should have.",
              min=0.001, max=0.999),
        Param("beta", "float", 3.0, "Sparse: weight of the sparsity term.", min=0.0, max=1000.0),
        Param("lambda", "float", 0.1, "Contractive: weight of the Jacobian term.",
              min=0.0, max=1000.0),
        Param("variational", "bool", False, "A variational autoencoder: the code is drawn from a "
              "learnt Gaussian, pulled towards N(0, I) by a KL term."),
    )
    face = "code"
    plan = "autoencoder"

    @classmethod
    def infer(cls, params, ins, ctx):
        if params["penalty"] == "sparse" and params["activation"] != "sigmoid":
            raise ShapeError(f"penalty 'sparse' compares each code unit's mean activation with "
                             f"rho, a fraction: it needs activation 'sigmoid' (outputs between "
                             f"0 and 1), not '{params['activation']}'")
        if params["variational"] and params["penalty"] != "none":
            raise ShapeError(f"a variational encoder is already held by its KL term: set penalty "
                             f"to 'none' (it is '{params['penalty']}')")
        return {"out": Width(params["units"])}

    @classmethod
    def build(cls, params, ins, outs):
        return EncoderNet(ins["in"].features, params["hidden"], params["units"],
                          params["activation"], params["variational"])

    @classmethod
    def watched(cls, module):
        return [layer.weight for layer in module.linears()]

    @classmethod
    def penalties(cls, params):
        if params["variational"]:
            return {"kl": {}}
        if params["penalty"] == "sparse":
            return {"sparse_kl": {"rho": params["rho"], "beta": params["beta"]}}
        if params["penalty"] == "contractive":
            return {"contractive": {"lambda": params["lambda"]}}
        return {}

    @classmethod
    def count_parameters(cls, params, ins):
        widths = [ins["in"].features, *params["hidden"], params["units"]]
        n = sum(a * b + b for a, b in zip(widths, widths[1:]))
        if params["variational"]:
            n += widths[-2] * widths[-1] + widths[-1]
        return n

    @classmethod
    def describe_parameters(cls, params, ins):
        return f"layers of widths {', '.join(str(w) for w in params['hidden'] + [params['units']])}"

    @classmethod
    def summary(cls, params):
        s = f"{_widths(value(params, 'hidden'))}{number(value(params, 'units'))}"
        if value(params, "variational") is True:
            return s + " · VAE"
        penalty = value(params, "penalty", "none")
        if penalty == "sparse":
            return s + f" · sparse ρ {number(value(params, 'rho'))}"
        if penalty == "contractive":
            return s + f" · contractive λ {number(value(params, 'lambda'))}"
        return s + f" · {text(value(params, 'activation'))}"


class Decoder(Block):
    name = "Decoder"
    category = "Blocks"
    help = ("The second half of an autoencoder: hidden layers that turn a code back into "
            "`units` numbers, the width of the input it reconstructs.")
    params = (
        Param("hidden", "int_list", [], "Widths of the hidden layers after the code.",
              min=1, max=100000),
        Param("units", "int", 64, "Width of the output: the width of the input to reconstruct.",
              min=1, max=100000),
        Param("activation", "choice", "relu", "Activation of the hidden layers.",
              choices=HIDDEN_ACTIVATIONS),
        Param("output_activation", "choice", "sigmoid", "Activation of the output: sigmoid for "
              "inputs scaled to 0..1 (with a bce or mse loss), linear for standardised inputs.",
              choices=OUTPUT_ACTIVATIONS),
    )
    face = "reconstructions"
    plan = "autoencoder"

    @classmethod
    def infer(cls, params, ins, ctx):
        return {"out": Width(params["units"])}

    @classmethod
    def build(cls, params, ins, outs):
        return DecoderNet(ins["in"].features, params["hidden"], params["units"],
                          params["activation"], params["output_activation"])

    @classmethod
    def watched(cls, module):
        return [layer.weight for layer in module.linears()]

    @classmethod
    def final_activation(cls, params):
        return params["output_activation"], "logits"

    @classmethod
    def output_range(cls, params, port):
        return (0.0, 1.0) if params.get("output_activation") == "sigmoid" else None

    @classmethod
    def count_parameters(cls, params, ins):
        widths = [ins["in"].features, *params["hidden"], params["units"]]
        return sum(a * b + b for a, b in zip(widths, widths[1:]))

    @classmethod
    def describe_parameters(cls, params, ins):
        return f"layers of widths {', '.join(str(w) for w in params['hidden'] + [params['units']])}"

    @classmethod
    def summary(cls, params):
        return (f"{_widths(value(params, 'hidden'))}{number(value(params, 'units'))} · "
                f"{text(value(params, 'output_activation'))}")


class Corrupt(Block):
    name = "Corrupt"
    category = "Data"
    help = ("While training, damage every input (noise, blanked values, or salt and pepper) so "
            "that an autoencoder learns to undo the damage; passes inputs unchanged otherwise.")
    params = (
        Param("kind", "choice", "masking", "gaussian: add noise of standard deviation `level`; "
              "masking: set a fraction `level` of the values to 0; salt_pepper: set a fraction "
              "`level` to the batch's smallest or largest value.", choices=CORRUPTIONS),
        Param("level", "float", 0.3, "How much damage (see kind).", min=0.0, max=10.0),
    )
    corrupts = True

    @classmethod
    def infer(cls, params, ins, ctx):
        if params["kind"] != "gaussian" and params["level"] > 1:
            raise ShapeError(f"{params['kind']} damages a fraction of the values: level must be "
                             f"at most 1, not {params['level']:g}")
        return {"out": ins["in"]}

    @classmethod
    def build(cls, params, ins, outs):
        return CorruptNet(params["kind"], params["level"])

    @classmethod
    def summary(cls, params):
        return f"{text(value(params, 'kind'))} {number(value(params, 'level'))}"


def _widths(hidden) -> str:
    """'128 ' for hidden [128], '' for none (any value the file holds, said as it is)."""
    if isinstance(hidden, list) and all(isinstance(w, int) for w in hidden):
        return "".join(f"{w} → " for w in hidden[:4]) + ("… → " if len(hidden) > 4 else "")
    return f"{text(hidden, 20)} → "
