"""The block catalogue. `REGISTRY` maps a block type's name to its class."""
from __future__ import annotations

from engine.blocks.autoencoder import Corrupt, Decoder, Encoder
from engine.blocks.base import Block, Param, ShapeError, Width
from engine.blocks.data import Augment, Dataset
from engine.blocks.gan import Discriminator, Generator, Noise
from engine.blocks.layers import Activation, Add, BatchNorm, Concat, Dense, Dropout
from engine.blocks.objectives import Loss
from engine.blocks.rbm import RBM

REGISTRY: dict[str, type[Block]] = {
    b.name: b for b in (Dataset, Augment, Corrupt, Dense, Activation, Dropout, BatchNorm, Add,
                        Concat, Encoder, Decoder, RBM, Noise, Generator, Discriminator, Loss)
}
CATEGORIES = ("Data", "Layers", "Blocks", "Objectives")


def get(name: str) -> type[Block] | None:
    return REGISTRY.get(name)


def watched_by_telemetry(type_name: str) -> bool:
    """Whether nodes of this type have parameters whose gradients telemetry reports."""
    block = REGISTRY.get(type_name)
    return bool(block and block.watch)


def plans_of(nodes) -> set[str]:
    """The training plans that these nodes' blocks ask for (an empty set: supervised)."""
    return {b.plan for b in (REGISTRY.get(n.type) for n in nodes) if b is not None and b.plan}


def catalogue() -> list[dict]:
    return [b.describe() for b in REGISTRY.values()]


__all__ = ["Block", "Param", "ShapeError", "Width", "REGISTRY", "CATEGORIES", "get", "catalogue",
           "watched_by_telemetry", "plans_of"]
