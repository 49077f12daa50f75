"""Headless commands: train, check, blocks, predict, export. The GUI is started from main.py
instead."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from engine import blocks, graph
from engine.compiler import analyse
from engine.errors import GraphError
from engine.telemetry import DoneReport, EpochReport, ErrorReport, StartReport, to_json_dict
from engine.training import settings

EXIT_INVALID = 2


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_INVALID


def cmd_blocks(args: argparse.Namespace) -> int:
    cat = blocks.catalogue()
    training = [p.describe() for p in settings.PARAMS]
    if args.json:
        print(json.dumps({"blocks": cat, "training": training}, indent=2))
        return 0
    for b in cat:
        ins = ", ".join(b["inputs"]) or "-"
        outs = ", ".join(b["outputs"]) or "-"
        print(f"{b['name']} [{b['category']}]  in: {ins}  out: {outs}\n    {b['help']}")
        for p in b["params"]:
            extra = f" {p['choices']}" if "choices" in p else ""
            rng = ""
            if "min" in p or "max" in p:
                rng = f" [{p.get('min', '')}..{p.get('max', '')}]"
            print(f"    - {p['name']} ({p['type']}, default {p['default']!r}){rng}{extra}: {p['help']}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    try:
        doc = graph.load(args.file)
    except GraphError as exc:
        return _fail(str(exc))
    a = analyse(doc, args.data_dir)
    for nid in a.order:
        node = doc.nodes[nid]
        ins = ", ".join(f"{k}={w}" for k, w in a.in_widths.get(nid, {}).items())
        outs = ", ".join(f"{k}={w}" for k, w in a.widths.get(nid, {}).items())
        count = a.parameters.get(nid, 0)
        line = f"{nid:<14} {node.type:<11} in: {ins or '-':<24} out: {outs or '-':<24}"
        print((line + (f" {count:,} parameters" if count else "")).rstrip())
    for p in a.problems:
        if p.severity == "warning":
            print(f"warning: {p}")
    if not a.ok:
        for p in a.errors[1:]:
            print(f"also: {p}")          # stderr keeps one line: the first culprit
        return _fail(str(a.errors[0]))
    print(f"ok: {a.total_parameters:,} parameters")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from engine.training.trainer import Run  # torch import is slow; only when training

    try:
        doc = graph.load(args.file)
    except GraphError as exc:
        return _fail(str(exc))
    a = analyse(doc, args.data_dir)
    if not a.ok:
        if args.json:
            first = a.errors[0]
            print(json.dumps({"event": "error", "message": str(first), "node": first.node}))
        return _fail(str(a.errors[0]))
    for w in a.problems:
        if w.severity == "warning":
            print(f"warning: {w}", file=sys.stderr)
    # the command line prints per-epoch figures only: gradient sizes are summed on the device
    # and read once an epoch, and no step reports are made
    run = Run(doc, data_dir=args.data_dir, epochs=args.epochs, seed=args.seed, device=args.device,
              telemetry="epoch")
    code = 0
    done = None
    try:        # a run reports its own failures (ErrorReport); it raises nothing else
        for rep in run.steps():
            if isinstance(rep, DoneReport):
                done = rep
            if isinstance(rep, (StartReport, EpochReport, DoneReport, ErrorReport)):
                if args.json:
                    print(json.dumps(to_json_dict(rep)), flush=True)
                else:
                    _print_human(rep)
            if isinstance(rep, ErrorReport):
                code = EXIT_INVALID
                if args.json:
                    print(f"error: {rep.message}", file=sys.stderr)
            if isinstance(rep, DoneReport) and rep.reason == "diverged":
                code = 1
    except KeyboardInterrupt:
        run.stop()
        return 130
    if args.save_model and code == 0 and done is not None:
        from engine.models.archive import save
        try:
            path = save(run, args.save_model, done)
        except OSError as exc:
            return _fail(f"cannot write the model file '{args.save_model}': {exc.strerror or exc}")
        print(f"saved model: {path}", file=sys.stderr if args.json else sys.stdout)
    return code


def cmd_predict(args: argparse.Namespace) -> int:
    from engine.models.commands import predict_command
    return predict_command(args)


def cmd_export(args: argparse.Namespace) -> int:
    from engine.models.commands import export_command
    return export_command(args)


_FINAL_KEYS = ("loss", "accuracy", "precision", "recall", "f1", "r2", "mse", "mae",
               "recon_error", "corrupted_error", "denoised_error", "neg_elbo", "kl",
               "pseudo_likelihood", "free_energy", "d_real", "d_fake", "modes_covered",
               "modes_total", "high_quality_fraction")
# an RBM's pretraining epoch: its figures on the training sample and the validation split
_PRETRAIN_KEYS = ("loss", "pseudo_likelihood", "recon_error", "free_energy")
# a GAN's epoch: both networks' losses and the discriminator's mean scores
_TRAIN_KEYS = ("loss", "accuracy", "r2", "mse", "mae", "d_loss", "g_loss", "d_real", "d_fake")


def _fmt(d: dict, keys: tuple[str, ...] = ("loss", "accuracy", "r2", "mse", "mae")) -> str:
    return "  ".join(f"{k} {d[k]:.4g}" for k in keys if isinstance(d.get(k), (int, float)))


def _print_human(rep) -> None:
    if isinstance(rep, StartReport):
        if len(rep.phase_epochs) > 1:
            what = ", ".join(f"{name} {e} epochs of {n} steps" for name, e, n
                             in zip(rep.plan, rep.phase_epochs, rep.phase_steps))
        else:
            what = f"{rep.epochs} epochs of {rep.steps_per_epoch} steps"
        print(f"training on {rep.device}: {rep.parameters} parameters, {what} ({rep.task})")
    elif isinstance(rep, EpochReport):
        keys = _PRETRAIN_KEYS if rep.phase != "train" else _TRAIN_KEYS
        val = _fmt(rep.val, keys)
        phase = f"{rep.phase} " if rep.phase != "train" else ""
        print(f"{phase}epoch {rep.epoch:>3}  train {_fmt(rep.train, keys)}"
              + (f"  |  val {val}" if val else ""))
    elif isinstance(rep, ErrorReport):
        print(f"error: {rep.message}", file=sys.stderr)
    elif isinstance(rep, DoneReport):
        if rep.message:
            print(rep.message)
        print(f"done ({rep.reason}) after {rep.epochs_run} epochs in {rep.seconds:.1f} s")
        if rep.test:
            print(f"test  {_fmt(rep.test, _FINAL_KEYS)}")
            _print_confusion(rep.test.get("confusion"), rep.class_names)
        if rep.baseline:
            guess = rep.baseline.get("predicts")
            if guess is not None and guess < len(rep.class_names):
                what = f"always '{rep.class_names[guess]}'"
            elif "recon_error" in rep.baseline:
                what = "every input rebuilt as the mean training input"
            else:
                what = "learns nothing" if rep.class_names else "always the training mean"
            print(f"baseline ({what}) {_fmt(rep.baseline, _FINAL_KEYS)}")


def _print_confusion(cm, names: list[str]) -> None:
    if not cm:
        return
    names = names if len(names) == len(cm) else [str(i) for i in range(len(cm))]
    width = max(6, *(len(n) for n in names), *(len(str(v)) for row in cm for v in row)) + 1
    print("confusion (rows: true class, columns: predicted)")
    print(" " * width + "".join(f"{n:>{width}}" for n in names))
    for name, row in zip(names, cm):
        print(f"{name:>{width}}" + "".join(f"{v:>{width}}" for v in row))


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _seed(text: str) -> int:
    value = int(text)
    if not 0 <= value < 2**31:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2147483647, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="main.py", description="DeepCanvas command line")
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a graph file headless")
    t.add_argument("file")
    t.add_argument("--epochs", type=_positive)
    t.add_argument("--seed", type=_seed)
    t.add_argument("--data-dir")
    t.add_argument("--device", choices=("auto", "cpu", "cuda"))
    t.add_argument("--json", action="store_true", help="print one JSON object per line")
    t.add_argument("--save-model", metavar="PATH",
                   help="write the trained model to PATH (a .dcmodel file: graph, weights, "
                        "preprocessing and figures)")
    t.set_defaults(func=cmd_train)
    pr = sub.add_parser("predict", help="predict rows of a CSV file with a saved model")
    pr.add_argument("model", help="a .dcmodel file")
    pr.add_argument("--csv", required=True, help="rows to predict, with the training columns")
    pr.add_argument("--out", help="write the predictions here as CSV (default: standard output)")
    pr.set_defaults(func=cmd_predict)
    ex = sub.add_parser("export", help="export a saved model as a PyTorch script, ONNX or "
                                       "TorchScript")
    ex.add_argument("model", help="a .dcmodel file")
    ex.add_argument("--to", required=True, choices=("pytorch", "onnx", "torchscript"))
    ex.add_argument("out", help="the file to write (.py, .onnx or .pt)")
    ex.set_defaults(func=cmd_export)
    c = sub.add_parser("check", help="validate a graph and print every node's widths")
    c.add_argument("file")
    c.add_argument("--data-dir")
    c.set_defaults(func=cmd_check)
    b = sub.add_parser("blocks", help="list the block catalogue")
    b.add_argument("--json", action="store_true")
    b.set_defaults(func=cmd_blocks)
    return ap


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
