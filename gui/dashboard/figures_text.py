"""The figures of a run as plain text (tab-separated tables), for the clipboard: paste them into
a spreadsheet, a report or a chat."""
from __future__ import annotations

import math
from typing import Any

from gui.training.badges import Thresholds, badges_for
from gui.training.run_state import Snapshot

_KEYS = ("loss", "accuracy", "f1", "mse", "mae", "r2", "recon_error", "neg_elbo",
         "pseudo_likelihood", "free_energy",
         # a GAN's game, and how well its samples cover a data set of known modes
         "d_loss", "g_loss", "d_real", "d_fake", "modes_covered", "modes_total",
         "high_quality_fraction")


def _num(v: Any) -> str:
    if isinstance(v, float):
        return "nan" if not math.isfinite(v) else f"{v:.6g}"
    return str(v)


def figures_text(snap: Snapshot, thresholds: Thresholds | None = None, title: str = "") -> str:
    if snap.start is None:
        return "No run yet: press Run."
    s = snap.start
    lines = [f"DeepCanvas run{': ' + title if title else ''}",
             f"device {s.device}, {s.parameters} parameters, {s.task}, "
             f"{s.epochs} epochs of {s.steps_per_epoch} steps" if not snap.phases.many else
             f"{s.epochs} epochs in {len(snap.phases.names)} phases: " + ", ".join(
                 f"{snap.phases.label(n)} {e} x {k} steps"
                 for n, e, k in zip(snap.phases.names, snap.phases.epochs, snap.phases.steps))]
    lines.append(_status_line(snap))
    lines += ["", *_epoch_table(snap)]
    if snap.done and snap.done.test:
        lines += ["", "test\t" + "\t".join(f"{k} {_num(snap.done.test[k])}" for k in _KEYS
                                           if k in snap.done.test)]
    if snap.done and snap.done.baseline:
        lines.append("baseline (learns nothing)\t" + "\t".join(
            f"{k} {_num(snap.done.baseline[k])}" for k in _KEYS if k in snap.done.baseline))
    lines += ["", *_layer_table(snap, thresholds or Thresholds())]
    matrix, source = snap.confusion()
    if matrix is not None:
        names = s.class_names if len(s.class_names) == len(matrix) else list(map(str, range(len(matrix))))
        lines += ["", f"confusion matrix ({source}); rows: true class, columns: predicted",
                  "\t" + "\t".join(names)]
        lines += [f"{names[i]}\t" + "\t".join(str(c) for c in row) for i, row in enumerate(matrix)]
    return "\n".join(lines) + "\n"


def _status_line(snap: Snapshot) -> str:
    if snap.error:
        return f"error: {snap.error.message}"
    if snap.done:
        d = snap.done
        line = f"{d.reason} after {d.epochs_run} epochs in {d.seconds:.1f} s"
        return line + (f"\n{d.message}" if d.message else "")
    return f"running: epoch {snap.epoch}, step {snap.step}, global step {snap.global_step}"


def _epoch_table(snap: Snapshot) -> list[str]:
    cols = [(split, k) for split in ("train", "val") for k in _KEYS
            if any(k in getattr(e, split) for e in snap.epochs)]
    # a run in phases (an RBM stack): which phase each epoch belongs to, its epoch counted there
    phase = (lambda e: f"{snap.phases.label(e.phase)}\t") if snap.phases.many else (lambda e: "")
    head = ("phase\t" if snap.phases.many else "") + "epoch\t" + "\t".join(
        f"{split} {k}" for split, k in cols) + "\tseconds"
    rows = [f"{phase(e)}{e.epoch}\t" + "\t".join(_num(getattr(e, split).get(k, ""))
                                                for split, k in cols)
            + f"\t{e.seconds:.3f}" for e in snap.epochs]
    return [head, *rows]


def _layer_table(snap: Snapshot, t: Thresholds) -> list[str]:
    badges = badges_for(snap.grad_smooth, snap.sampled.get("dead", {}), t)
    sampled = snap.sampled
    rows = ["layer\tgrad norm (last step)\tgrad norm (smoothed)\tweight norm\tupdate/weight\tbadge"]
    for nid in snap.layers:
        rows.append("\t".join([nid, _num(snap.grad_latest.get(nid, math.nan)),
                               _num(snap.grad_smooth.get(nid, math.nan)),
                               _num(sampled.get("weight_norm", {}).get(nid, "")),
                               _num(sampled.get("update_ratio", {}).get(nid, "")),
                               badges.get(nid, "")]))
    fns = snap.start.activation_fns
    acts = [a for a in snap.start.activations if fns.get(a) in ("sigmoid", "tanh", "relu")]
    if acts:
        rows += ["", "activation\tfunction\tmean\tsaturated\tdead\tbadge"]
        for a in acts:
            rows.append("\t".join([a, fns[a], _num(sampled.get("act_mean", {}).get(a, "")),
                                   _num(sampled.get("saturated", {}).get(a, "")),
                                   _num(sampled.get("dead", {}).get(a, "")), badges.get(a, "")]))
    return rows
