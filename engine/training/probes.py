"""Looking inside a step: activation statistics, and where a non-finite value first appeared."""
from __future__ import annotations

import torch

# a sigmoid output this close to 0 or 1 (tanh: to -1 or 1) passes almost no gradient
SATURATION_MARGIN = 0.02


@torch.no_grad()
def activation_stats(v: dict[str, torch.Tensor], fns: dict[str, str], rep) -> None:
    """Fill mean, saturated fraction (sigmoid/tanh) and dead fraction (ReLU) per activation,
    reading every figure back from the device at once."""
    where, values = [], []
    for nid, fn in fns.items():
        out = v.get(f"{nid}.out")
        if out is None:
            continue
        out = out.detach()
        where.append((rep.act_mean, nid))
        values.append(out.mean())
        if fn == "sigmoid":
            where.append((rep.saturated, nid))
            values.append(((out < SATURATION_MARGIN) | (out > 1 - SATURATION_MARGIN)).float().mean())
        elif fn == "tanh":
            where.append((rep.saturated, nid))
            values.append((out.abs() > 1 - SATURATION_MARGIN).float().mean())
        elif fn == "relu":
            # a unit is dead on this batch when it outputs zero for every example
            where.append((rep.dead, nid))
            values.append((out <= 0).all(dim=0).float().mean())
    if values:
        for (target, nid), value in zip(where, torch.stack(values).tolist()):
            target[nid] = value


@torch.no_grad()
def locate_non_finite(model, v: dict[str, torch.Tensor]) -> tuple[str, str] | None:
    """The first node, input side first, whose output or parameter gradient is NaN or Inf."""
    for nid in model.order:
        out = v.get(f"{nid}.out")
        if out is not None and not bool(torch.isfinite(out).all()):
            return nid, "output"
        module = model.nodes[nid] if nid in model.nodes else None
        if module is not None:
            for p in module.parameters():
                if p.grad is not None and not bool(torch.isfinite(p.grad).all()):
                    return nid, "gradient"
    return None
