"""Size limits checked before anything is built: a graph too big for memory is refused by name.

Building a layer of 10^10 weights would not fail cleanly: torch would try to allocate 40 GB and
the process would be killed, or the machine would swap for minutes. So `analyse` counts every
node's parameters from the block declarations (arithmetic only, nothing allocated) and refuses
the graph, naming the node, when the numbers cannot fit.

Budget: half of the physical memory, in 4-byte floats. Each parameter costs about four floats
while training (the weight, its gradient and two optimizer slots, as Adam keeps), so the
parameter limit is a quarter of that budget, and never above 2e9 whatever the machine. One
layer's output for one batch (batch_size x width) must also fit: at most 1e9 floats, or the
budget. Where the memory size cannot be read (no sysconf), the fixed caps apply alone.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine import blocks
from engine.errors import Problem
from engine.graph import GraphDocument
from engine.training import settings

if TYPE_CHECKING:
    from engine.compiler import Analysis

MAX_PARAMETERS = 2_000_000_000
MAX_ACTIVATIONS = 1_000_000_000
BYTES_PER_FLOAT = 4
FLOATS_PER_PARAMETER = 4        # weight, gradient and two optimizer slots
MEMORY_SHARE = 0.5              # the rest is for Python, Qt, the data set and the OS


@dataclass(frozen=True)
class Limits:
    parameters: int             # trainable numbers, one node or the whole network
    activations: int            # batch_size x width of one node's output
    why: str                    # how the limits were set, for the message


def physical_memory() -> int | None:
    """Bytes of physical memory, or None where the platform does not say (e.g. Windows)."""
    try:
        size = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None
    return size if size > 0 else None


@functools.lru_cache(maxsize=1)
def machine_limits() -> Limits:
    """The limits on this machine (read once: the memory size does not change while we run)."""
    ram = physical_memory()
    if ram is None:
        return Limits(MAX_PARAMETERS, MAX_ACTIVATIONS, "the largest network DeepCanvas builds")
    budget = int(ram * MEMORY_SHARE) // BYTES_PER_FLOAT
    params = min(MAX_PARAMETERS, budget // FLOATS_PER_PARAMETER)
    acts = min(MAX_ACTIVATIONS, budget)
    why = (f"half of this machine's {ram / 2**30:.1f} GiB, at {BYTES_PER_FLOAT} bytes a number "
           f"and {FLOATS_PER_PARAMETER} numbers a parameter while training")
    if params == MAX_PARAMETERS:
        why = "the largest network DeepCanvas builds"
    return Limits(params, acts, why)


def check_sizes(doc: GraphDocument, a: Analysis, limits: Limits) -> list[Problem]:
    """Errors for nodes whose parameters or one batch of outputs would not fit, and for a
    network whose parameters together would not; uses the counts `analyse` put in `a`."""
    problems: list[Problem] = []
    too_big = False
    for nid, n in a.parameters.items():
        if n > limits.parameters:
            too_big = True
            problems.append(Problem(f"{n:,} parameters{_where(doc, a, nid)} will not fit in memory; "
                                    f"the limit is {limits.parameters:,} parameters ({limits.why})", nid))
    total = a.total_parameters
    if total > limits.parameters and not too_big:
        # no single culprit: name the largest layer, the first one worth shrinking
        largest = max(a.parameters, key=a.parameters.__getitem__)
        problems.append(Problem(
            f"the network has {total:,} parameters in all, which will not fit in memory (the "
            f"limit is {limits.parameters:,}, {limits.why}); the largest layer is '{largest}' "
            f"with {a.parameters[largest]:,}", largest))
    cfg = settings.resolve(doc.training) if not settings.check(doc.training) else None
    batch = cfg["batch_size"] if cfg else settings.resolve({})["batch_size"]
    for nid in a.order:
        widths = a.widths.get(nid)
        if not widths:
            continue
        width = max(w.features for w in widths.values())
        if batch * width > limits.activations:
            problems.append(Problem(
                f"one batch of {batch:,} examples x {width:,} outputs is {batch * width:,} numbers, "
                f"which will not fit in memory (the limit for one layer's output is "
                f"{limits.activations:,}); lower training.batch_size or this layer's width", nid))
    return problems


def _where(doc: GraphDocument, a: Analysis, nid: str) -> str:
    """A note such as ' (a 2,000 x 3,000 weight matrix)' when the block can say where its
    parameters sit, else ''."""
    block = blocks.get(doc.nodes[nid].type)
    try:
        note = block.describe_parameters(block.resolve(doc.nodes[nid].params), a.in_widths[nid])
    except (KeyError, TypeError, ValueError, AttributeError):
        note = ""
    return f" ({note})" if note else ""
