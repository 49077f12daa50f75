"""Layer blocks: Dense, Activation, Dropout, BatchNorm, Add, Concat."""
from __future__ import annotations

from torch import nn

from engine.blocks.base import Block, ExportCode, Param, ShapeError, Width
from engine.blocks.face_text import is_number, number, text, value
from engine.blocks.init import INITS, initialise, spread
from engine.blocks.modules import (
    ADD_SOURCE,
    CONCAT_SOURCE,
    DROPCONNECT_SOURCE,
    AddInputs,
    ConcatInputs,
    DropConnectLinear,
    Softmax,
)

# torch's own modules for each activation, as a script writes them
_ACTIVATION_CODE = {"linear": "nn.Identity()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()",
                    "relu": "nn.ReLU()", "leaky_relu": "nn.LeakyReLU()", "prelu": "nn.PReLU()",
                    "elu": "nn.ELU()", "softmax": "nn.Softmax(dim=1)"}

# short enough for the face of a node on the canvas
_INIT_SHORT = {"zeros": "zeros", "random_normal": "N(0, .05)", "random_uniform": "U(±.05)",
               "lecun_uniform": "LeCun-U", "xavier_uniform": "Xavier-U", "xavier_normal": "Xavier-N",
               "he_uniform": "He-U", "he_normal": "He-N"}
# the initialisers whose spread does not depend on the layer's size (0.05 before init_scale)
_FIXED_SPREAD = {"random_normal": "N(0, {})", "random_uniform": "U(±{})"}
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softmax")


class Dense(Block):
    name = "Dense"
    category = "Layers"
    help = "A fully connected layer: every output is a weighted sum of every input plus a bias."
    params = (
        Param("units", "int", 32, "Number of outputs (neurons).", min=1, max=100000),
        Param("init", "choice", "xavier_uniform", "How the weights start.", choices=INITS),
        Param("init_scale", "float", 1.0, "Multiplies the initial weights (large values explode).",
              min=0.0, max=1000.0),
        Param("bias", "bool", True, "Add a learnt bias to every output."),
        Param("dropconnect", "float", 0.0, "While training, drop each weight with this probability.",
              min=0.0, max=0.95),
    )
    watch = ("weight",)

    @classmethod
    def infer(cls, params, ins, ctx):
        return {"out": Width(params["units"])}

    @classmethod
    def build(cls, params, ins, outs):
        fan_in, fan_out = ins["in"].features, params["units"]
        if params["dropconnect"] > 0:
            layer = DropConnectLinear(fan_in, fan_out, params["bias"], params["dropconnect"])
        else:
            layer = nn.Linear(fan_in, fan_out, bias=params["bias"])
        initialise(layer.weight, params["init"], params["init_scale"])
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
        return layer

    @classmethod
    def export_code(cls, params, ins, outs):
        fan_in, fan_out = ins["in"].features, params["units"]
        kind, size = spread(params["init"], fan_in, fan_out)
        size *= params["init_scale"]
        if size == 0.0:
            init = ["nn.init.zeros_({m}.weight)"]
        elif kind == "uniform":
            init = [f"nn.init.uniform_({{m}}.weight, -{size!r}, {size!r})  # {params['init']}"]
        else:
            init = [f"nn.init.normal_({{m}}.weight, 0.0, {size!r})  # {params['init']}"]
        if params["bias"]:
            init.append("nn.init.zeros_({m}.bias)")
        if params["dropconnect"] > 0:
            return ExportCode(f"DropConnectLinear({fan_in}, {fan_out}, {params['bias']!r}, "
                              f"{params['dropconnect']!r})", tuple(init), (DROPCONNECT_SOURCE,))
        return ExportCode(f"nn.Linear({fan_in}, {fan_out}, bias={params['bias']!r})", tuple(init))

    @classmethod
    def count_parameters(cls, params, ins):
        units = params["units"]
        return ins["in"].features * units + (units if params["bias"] else 0)

    @classmethod
    def describe_parameters(cls, params, ins):
        return f"a {ins['in'].features:,} x {params['units']:,} weight matrix"

    @classmethod
    def summary(cls, params):
        # summaries are drawn before validation, so every value may be of the wrong type
        init = value(params, "init")
        scale = value(params, "init_scale", 1.0)
        units = number(value(params, "units"))
        spread = _FIXED_SPREAD.get(init) if isinstance(init, str) else None
        if spread is not None and is_number(scale) and 0 <= scale < 1e6:
            # a fixed spread times the scale is one number: "N(0, .5)" says what the weights
            # start at where "N(0, .05) ×10" was cut on the canvas before the ×10
            return f"{units} · {spread.format(_plain(0.05 * scale))}"
        short = _INIT_SHORT.get(init) if isinstance(init, str) else None
        return f"{units} · {short or text(init)}" + _times(scale)


class Activation(Block):
    name = "Activation"
    category = "Layers"
    help = "A non-linearity applied to every value."
    params = (Param("fn", "choice", "relu", "The function applied.", choices=ACTIVATIONS),)

    @classmethod
    def activation_fn(cls, params):
        return params["fn"]

    @classmethod
    def output_range(cls, params, port):
        # what a Bernoulli RBM or a bce target after it may rely on
        return {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(params.get("fn"))

    @classmethod
    def build(cls, params, ins, outs):
        return {"linear": nn.Identity, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
                "leaky_relu": nn.LeakyReLU, "prelu": nn.PReLU, "elu": nn.ELU,
                "softmax": Softmax}[params["fn"]]()

    @classmethod
    def export_code(cls, params, ins, outs):
        return ExportCode(_ACTIVATION_CODE[params["fn"]])

    @classmethod
    def count_parameters(cls, params, ins):
        return 1 if params["fn"] == "prelu" else 0

    @classmethod
    def summary(cls, params):
        return text(value(params, "fn"))


class Dropout(Block):
    name = "Dropout"
    category = "Layers"
    help = "While training, zero each value with probability p (and rescale the rest)."
    params = (Param("p", "float", 0.5, "Probability of dropping a value.", min=0.0, max=0.95),)

    @classmethod
    def build(cls, params, ins, outs):
        return nn.Dropout(params["p"])

    @classmethod
    def export_code(cls, params, ins, outs):
        return ExportCode(f"nn.Dropout({params['p']!r})")

    @classmethod
    def summary(cls, params):
        return f"p = {number(value(params, 'p'))}"


class BatchNorm(Block):
    name = "BatchNorm"
    category = "Layers"
    help = "Normalise every feature over the batch, then scale and shift it by learnt amounts."
    params = ()
    min_batch = 2           # the spread of a batch of one is undefined

    @classmethod
    def infer(cls, params, ins, ctx):
        return {"out": Width(ins["in"].features, ins["in"].image)}

    @classmethod
    def build(cls, params, ins, outs):
        return nn.BatchNorm1d(ins["in"].features)

    @classmethod
    def export_code(cls, params, ins, outs):
        return ExportCode(f"nn.BatchNorm1d({ins['in'].features})")

    @classmethod
    def count_parameters(cls, params, ins):
        return 2 * ins["in"].features


class Add(Block):
    name = "Add"
    category = "Layers"
    help = "Element-wise sum of two inputs of the same width (a skip connection)."
    inputs = ("a", "b")

    @classmethod
    def infer(cls, params, ins, ctx):
        a, b = ins["a"], ins["b"]
        if a.features != b.features:
            raise ShapeError(f"inputs have widths {a.features} and {b.features}; Add needs equal widths",
                             "b")
        return {"out": Width(a.features, a.image if a.image == b.image else None)}

    @classmethod
    def build(cls, params, ins, outs):
        return AddInputs()

    @classmethod
    def export_code(cls, params, ins, outs):
        return ExportCode("AddInputs()", helpers=(ADD_SOURCE,))


class Concat(Block):
    name = "Concat"
    category = "Layers"
    help = "Join two inputs side by side; the output width is the sum of theirs."
    inputs = ("a", "b")

    @classmethod
    def infer(cls, params, ins, ctx):
        return {"out": Width(ins["a"].features + ins["b"].features)}

    @classmethod
    def build(cls, params, ins, outs):
        return ConcatInputs()

    @classmethod
    def export_code(cls, params, ins, outs):
        return ExportCode("ConcatInputs()", helpers=(CONCAT_SOURCE,))


def _plain(x: float) -> str:
    """.5 for 0.5, 2 for 2.0: the short way a face has room for."""
    t = f"{x:.3g}"
    return t[1:] if t.startswith("0.") else t


def _times(scale) -> str:
    """' ×2' for a factor other than 1 (any value the file holds, said as it is); '' for 1."""
    if is_number(scale) and scale == 1.0:
        return ""
    return f" ×{number(scale)}"
