"""Blocks that bring data in: Dataset and Augment."""
from __future__ import annotations

from typing import Any

from engine.blocks.base import Block, BuildContext, Param, ShapeError, Width
from engine.blocks.face_text import number, text, value
from engine.blocks.modules import ImageAugment
from engine.data.sources import load_bundle
from engine.errors import DataError


class Dataset(Block):
    name = "Dataset"
    category = "Data"
    help = "A data set: its inputs leave on x and its targets on y."
    inputs = ()
    outputs = ("x", "y")
    role = "source"
    params = (
        Param("source", "str", "sklearn:digits",
              "Where the data comes from: sklearn:<digits|iris|wine|breast_cancer|diabetes>, "
              "synthetic:<moons|circles|spirals|blobs|xor|ring> or csv:<path>", required=True),
        Param("n_samples", "int", 500, "How many points a synthetic source draws.", min=10, max=100000),
        Param("noise", "float", 0.1, "Spread of a synthetic source's points.", min=0.0, max=5.0),
        Param("target", "str", "", "CSV: the column to predict."),
        Param("drop", "str_list", [], "CSV: columns left out of the inputs."),
        Param("one_hot", "str_list", [], "CSV: text columns turned into one 0/1 column per value."),
        Param("drop_first", "bool", True, "CSV: leave out the first one-hot column of each group."),
        Param("task", "choice", "auto", "Classification or regression; auto decides from the target.",
              choices=("auto", "classification", "regression")),
        Param("missing", "choice", "error", "CSV: empty cells stop with an error, drop their rows, "
              "or impute them (numbers: training mean; one_hot columns: most frequent value).",
              choices=("error", "drop", "impute")),
        Param("scaling", "choice", "standard", "How inputs are scaled (fitted on the training split).",
              choices=("standard", "minmax", "none")),
        Param("test_split", "float", 0.2, "Fraction of rows held out for the final test.",
              min=0.0, max=0.9),
    )

    @classmethod
    def infer(cls, params: dict[str, Any], ins: dict[str, Width], ctx: BuildContext) -> dict[str, Width]:
        # a saved model brings a stand-in with no rows (analyse's `datasets`): its data need
        # not be on this machine to rebuild the network
        bundle = ctx.datasets.get(ctx.node_id)
        if bundle is None:
            try:
                bundle = load_bundle(params, seed=ctx.seed, graph_dir=ctx.graph_dir,
                                     data_dir=ctx.data_dir, node=ctx.node_id)
            except DataError as exc:
                raise ShapeError(str(exc)) from None
        ctx.datasets[ctx.node_id] = bundle
        return {"x": Width(bundle.x.shape[1], bundle.image_shape),
                "y": Width(bundle.y_width, classes=bundle.task == "classification")}

    @classmethod
    def output_range(cls, params, port):
        return (0.0, 1.0) if port == "x" and params.get("scaling") == "minmax" else None

    @classmethod
    def summary(cls, params: dict[str, Any]) -> str:
        return text(value(params, "source", ""))


class Augment(Block):
    name = "Augment"
    category = "Data"
    help = "Random shifts, small rotations, flips and noise on training images (never at test time)."
    params = (
        Param("shift", "int", 1, "Largest shift in pixels, each way.", min=0, max=8),
        Param("rotate", "float", 10.0, "Largest rotation in degrees, each way.", min=0.0, max=45.0),
        Param("flip", "bool", False, "Mirror half of the images left to right.", ),
        Param("noise", "float", 0.0, "Standard deviation of Gaussian noise added to every input.",
              min=0.0, max=5.0),
    )

    @classmethod
    def infer(cls, params, ins, ctx):
        w = ins["in"]
        if (params["shift"] or params["rotate"] or params["flip"]) and not w.image:
            raise ShapeError("shift, rotate and flip need image input (set them to 0 for tabular data)",
                             "in")
        return {"out": w}

    @classmethod
    def build(cls, params, ins, outs):
        return ImageAugment(ins["in"].image, params["shift"], params["rotate"], params["flip"],
                            params["noise"])

    @classmethod
    def summary(cls, params):
        # the file may hold anything here: the helpers turn any value into a few words
        return f"shift {number(value(params, 'shift'))}, rot {number(value(params, 'rotate'))}°"
