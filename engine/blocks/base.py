"""What every block type declares: ports, params, shape inference and how to build it.

The palette, the inspector forms, `main.py blocks` and the validator are all made from these
declarations, so adding a block type means adding one class and nothing in the GUI.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, ClassVar

from engine.errors import brief


@dataclass(frozen=True)
class Width:
    """What flows on an edge: `features` per example, optionally an image shape (rows, cols)."""

    features: int
    image: tuple[int, int] | None = None
    classes: bool = False               # class indices (a classification target), not features

    def __str__(self) -> str:
        if self.classes:
            return f"{self.features} classes"
        if self.image:
            return f"{self.features} ({self.image[0]}x{self.image[1]})"
        return str(self.features)


class ShapeError(Exception):
    """Raised by `infer` when the input widths do not fit; names the port when it can."""

    def __init__(self, message: str, port: str | None = None):
        super().__init__(message)
        self.port = port


_PY_TYPES = {"int": int, "float": (int, float), "bool": bool, "str": str}


@dataclass(frozen=True)
class Param:
    """One parameter of a block: its type, default, allowed values and a line of help.

    `type` is one of int, float, bool, str, choice, int_list, str_list, or object (a JSON
    object, used for nested settings). `min`/`max` bound numbers (and list items).
    """

    name: str
    type: str
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    required: bool = False
    nullable: bool = False

    def check(self, value: Any) -> str | None:
        """Return why `value` is not allowed, or None if it is."""
        if value is None:
            return None if self.nullable else "must not be null"
        if self.type == "choice":
            if not isinstance(value, str) or value not in self.choices:
                return f"is {brief(value)}; allowed: {', '.join(self.choices)}"
            return None
        if self.type in ("int_list", "str_list"):
            item = int if self.type == "int_list" else str
            if not isinstance(value, list) or any(
                    not isinstance(v, item) or isinstance(v, bool) for v in value):
                return f"must be a list of {'integers' if item is int else 'strings'}"
            if item is int:
                for v in value:
                    msg = self._range(v)
                    if msg:
                        return f"has an item that {msg}"
            return None
        if self.type == "object":
            return None if isinstance(value, dict) else "must be a JSON object"
        py = _PY_TYPES[self.type]
        if isinstance(value, bool) and self.type != "bool":
            return f"must be {'an integer' if self.type == 'int' else 'a number'}, not true/false"
        if not isinstance(value, py):
            kind = {"int": "an integer", "float": "a number", "bool": "true or false",
                    "str": "a string"}[self.type]
            return f"must be {kind}, not {brief(value)}"
        if self.type in ("int", "float"):
            return self._range(value)
        return None

    def _range(self, v: float) -> str | None:
        if self.min is not None and v < self.min:
            return f"is {v}, below the minimum {self.min:g}"
        if self.max is not None and v > self.max:
            return f"is {v}, above the maximum {self.max:g}"
        if isinstance(v, float) and v != v:
            return "is NaN"
        return None

    def describe(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "type": self.type, "default": self.default,
                             "help": self.help}
        if self.min is not None:
            d["min"] = self.min
        if self.max is not None:
            d["max"] = self.max
        if self.choices:
            d["choices"] = list(self.choices)
        if self.required:
            d["required"] = True
        if self.nullable:
            d["nullable"] = True
        return d


@dataclass
class BuildContext:
    """What shape inference may need beyond the widths: where to find data, and the node."""

    node_id: str
    data_dir: str | None = None
    graph_dir: str | None = None
    datasets: dict[str, Any] = field(default_factory=dict)  # node id -> loaded DataBundle
    in_ranges: dict[str, tuple[float, float] | None] = field(default_factory=dict)  # port -> bounds
    seed: int = 0                        # the graph's training seed: synthetic data follows it


@dataclass(frozen=True)
class ExportCode:
    """How a standalone PyTorch script (engine/models/export_pytorch.py) writes a block.

    `module` is a Python expression that builds its torch module from `nn`, `torch` and the
    classes in `helpers` (whole class definitions, shared by name across blocks); `init` lines
    set its starting weights, with `{m}` standing for the module, in the order `build` draws
    them, so the script starts from the same numbers for the same seed. A Loss gives `loss`
    instead: an expression of `{pred}` (what the loss reads: logits where it folds an
    activation) and `{target}`."""

    module: str = ""
    init: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    loss: str = ""


class Block:
    """Base of all block types. Subclasses set the class attributes and override methods."""

    name: ClassVar[str] = ""
    category: ClassVar[str] = ""
    help: ClassVar[str] = ""
    inputs: ClassVar[tuple[str, ...]] = ("in",)
    outputs: ClassVar[tuple[str, ...]] = ("out",)
    optional_inputs: ClassVar[tuple[str, ...]] = ()
    params: ClassVar[tuple[Param, ...]] = ()

    # ---- capabilities: what the compiler, the trainer and the GUI ask of a block, so that no
    # code outside engine/blocks/ recognises a block by its name ---------------------------------
    role: ClassVar[str] = "layer"       # "source" (brings the data in), "objective" (a loss), "layer"
    watch: ClassVar[tuple[str, ...]] = ()    # module attributes whose gradients telemetry watches
    label_inputs: ClassVar[tuple[str, ...]] = ()  # inputs that may take class labels
    min_batch: ClassVar[int] = 1        # the smallest batch the module can train on
    plan: ClassVar[str | None] = None   # the training plan the block needs, if not the graph's default
    # what the node's face draws while a run trains: "reconstructions" (a strip of decoded images,
    # StepReport.images), "code" (code-unit bars, StepReport.codes) or "rbm" (an RBM: its
    # reconstructions and filters while it pretrains, StepReport.images; Run.gibbs) or "samples"
    # (a GAN generator: what it makes of a fixed noise batch, StepReport.images); None draws
    # nothing extra
    face: ClassVar[str | None] = None
    # learns from its input alone, by its plan's own objective (an RBM: contrastive divergence):
    # a graph needs no Loss to train it, and the compiler computes it even when nothing reads it
    unsupervised: ClassVar[bool] = False
    # applies random damage to its input while training (a denoising autoencoder); its module's
    # `corrupt(x, generator)` applies the same damage in any mode, for pictures and test figures
    corrupts: ClassVar[bool] = False
    # its part in a generative adversarial network: "noise" (draws the generator's input, called
    # with the batch's row count since it has no input), "generator" or "discriminator"; the
    # adversarial plan finds the networks it trains by this
    adversarial: ClassVar[str | None] = None

    # ---- params ----------------------------------------------------------------------------
    @classmethod
    def param(cls, name: str) -> Param | None:
        for p in cls.params:
            if p.name == name:
                return p
        return None

    @classmethod
    def resolve(cls, given: dict[str, Any]) -> dict[str, Any]:
        """The full param set: the file's values over the declared defaults."""
        out = {p.name: copy.deepcopy(p.default) for p in cls.params}
        out.update({k: v for k, v in given.items()})
        return out

    @classmethod
    def check_params(cls, given: dict[str, Any]) -> list[tuple[str, str]]:
        """(param, message) for every unknown param or bad value."""
        problems = []
        for k, v in given.items():
            p = cls.param(k)
            if p is None:
                known = ", ".join(q.name for q in cls.params) or "none"
                problems.append((k, f"unknown param '{k}' for {cls.name} (known: {known})"))
                continue
            msg = p.check(v)
            if msg:
                problems.append((k, f"param '{k}' {msg}"))
        for p in cls.params:
            # a required param left out takes its default, as every missing param does;
            # "required" means it is always written out and may not be emptied
            if p.required and p.name in given and given[p.name] in (None, ""):
                problems.append((p.name, f"param '{p.name}' must not be empty"))
        return problems

    # ---- behaviour -------------------------------------------------------------------------
    @classmethod
    def infer(cls, params: dict[str, Any], ins: dict[str, Width], ctx: BuildContext) -> dict[str, Width]:
        """Output widths from input widths; raise ShapeError when they do not fit."""
        return {"out": ins["in"]}

    @classmethod
    def build(cls, params: dict[str, Any], ins: dict[str, Width], outs: dict[str, Width]):
        """A torch module computing this block, or None for blocks the trainer handles itself."""
        return None

    @classmethod
    def count_parameters(cls, params: dict[str, Any], ins: dict[str, Width]) -> int:
        """How many trainable numbers `build` would make (for the canvas), without building.
        Arithmetic on the declared widths only: it runs for every node on every edit, and on
        graphs far too big to build (engine.limits refuses those by this count)."""
        return 0

    @classmethod
    def describe_parameters(cls, params: dict[str, Any], ins: dict[str, Width]) -> str:
        """Where the parameters sit, in a few words ("a 64 x 32 weight matrix"), for the message
        that refuses a layer too big for memory; "" when there is nothing useful to say."""
        return ""

    @classmethod
    def watched(cls, module) -> list:
        """The parameters whose gradient sizes telemetry reports and L1/L2 penalise."""
        return [getattr(module, a) for a in cls.watch if getattr(module, a, None) is not None]

    @classmethod
    def activation_fn(cls, params: dict[str, Any]) -> str | None:
        """The element-wise function this block applies, if it is one (for activation statistics
        and for a loss that reads logits)."""
        return None

    @classmethod
    def output_range(cls, params: dict[str, Any], port: str) -> tuple[float, float] | None:
        """Bounds every value on an output port is known to keep, when there are any."""
        return None

    @classmethod
    def final_activation(cls, params: dict[str, Any]) -> tuple[str, str] | None:
        """(activation, value) when the block ends in an element-wise activation and its module
        also yields the values before it under `<id>.<value>`: a loss that folds that
        activation (bce: sigmoid) reads those instead of the activation's rounded output."""
        return None

    @classmethod
    def penalties(cls, params: dict[str, Any]) -> dict[str, dict[str, float]]:
        """Loss terms this node adds, by their name in engine/training/penalties.py, each with
        its settings (an Encoder with penalty sparse: {"sparse_kl": {"rho": .05, "beta": 3}})."""
        return {}

    @classmethod
    def export_code(cls, params: dict[str, Any], ins: dict[str, Width],
                    outs: dict[str, Width]) -> ExportCode | None:
        """How a standalone PyTorch script writes this block, or None when it cannot (the export
        then refuses the graph, naming the node)."""
        return None

    @classmethod
    def summary(cls, params: dict[str, Any]) -> str:
        """A few words for the node face on the canvas."""
        return ""

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {"name": cls.name, "category": cls.category, "help": cls.help,
                "inputs": list(cls.inputs), "outputs": list(cls.outputs),
                "params": [p.describe() for p in cls.params]}
