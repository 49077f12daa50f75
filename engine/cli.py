"""Headless commands: train, check, blocks, predict, export. The GUI is started from main.py
instead."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from engine import blocks, graph, lesson_locks, lesson_meta
from engine.compiler import analyse
from engine.errors import GraphError
from engine.telemetry import DoneReport, EpochReport, ErrorReport, StartReport, to_json_dict
from engine.train_printer import TrainPrinter
from engine.training import settings

# the exit codes (gui/app.py's help and the README list them)
EXIT_FAILED = 1          # training diverged, or failed while it ran
EXIT_INVALID = 2         # bad input: arguments, a graph, data or model file, an unwritable path
EXIT_INTERRUPTED = 130   # Ctrl+C, as a shell reports SIGINT


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
    # a lesson's locks and presenter choice: the app opens the lesson without what is wrong
    # there, so they are warnings, said here so a teacher can check a file before class
    _, locks_report = lesson_locks.from_meta(doc.meta, doc.nodes)
    if locks_report:
        print(f"warning: {locks_report}")
    for problem in lesson_meta.presenter_plots(doc.meta)[1]:
        print(f"warning: {problem}")
    if not a.ok:
        for p in a.errors[1:]:
            print(f"also: {p}")          # stderr keeps one line: the first culprit
        return _fail(str(a.errors[0]))
    print(f"ok: {a.total_parameters:,} parameters")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from engine.errors import DataError
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
    try:
        # what the graph and its data cannot do is bad input (2), found before training starts;
        # an error report from the run itself is then a failure while training (1)
        run.prepare()
    except (GraphError, DataError) as exc:
        if args.json:
            print(json.dumps(to_json_dict(ErrorReport(str(exc), getattr(exc, "node", None)))))
        return _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - as the run itself would report it: one line
        from engine.training import failures
        message, node = failures.describe(exc, args.device)
        if args.json:
            print(json.dumps(to_json_dict(ErrorReport(message, node))))
        print(f"error: {message}", file=sys.stderr)
        return EXIT_FAILED
    printer = None
    if not args.json:
        printer = TrainPrinter(bar=_is_terminal(sys.stdout), grad=args.grad or _grad_lesson(doc))
        run.gradient_sizes = printer.grad
        if printer.bar:
            run.progress = printer.progress
    code = 0
    done = None
    try:        # a run reports its own failures (ErrorReport); it raises nothing else
        for rep in run.steps():
            if isinstance(rep, DoneReport):
                done = rep
            if isinstance(rep, (StartReport, EpochReport, DoneReport, ErrorReport)):
                if printer is None:
                    print(json.dumps(to_json_dict(rep)), flush=True)
                else:
                    printer.report(rep)
            if isinstance(rep, ErrorReport):
                code = EXIT_FAILED
                if args.json:
                    print(f"error: {rep.message}", file=sys.stderr)
            if isinstance(rep, DoneReport) and rep.reason == "diverged":
                code = EXIT_FAILED
    except KeyboardInterrupt:
        run.stop()
        if printer is not None:
            printer.end_bar()
        return EXIT_INTERRUPTED
    if args.save_model and code == 0 and done is not None:
        from engine.models.archive import save
        try:
            path = save(run, args.save_model, done)
        except OSError as exc:
            return _fail(f"cannot write the model file '{args.save_model}': {exc.strerror or exc}")
        print(f"saved model: {path}", file=sys.stderr if args.json else sys.stdout)
    return code


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _grad_lesson(doc: graph.GraphDocument) -> bool:
    """A lesson about gradients says so in its file, `"meta": {"cli": {"grad": true}}`, and the
    command line then prints their norms as the app shows its gradient bars."""
    cli = doc.meta.get("cli")
    return isinstance(cli, dict) and cli.get("grad") is True


def cmd_predict(args: argparse.Namespace) -> int:
    from engine.models.commands import predict_command
    return predict_command(args)


def cmd_export(args: argparse.Namespace) -> int:
    from engine.models.commands import export_command
    return export_command(args)


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
    ap = argparse.ArgumentParser(prog="main.py", description="DeepCanvas command line",
                                 epilog="exit codes: 0 done, 1 training diverged or failed, 2 bad "
                                        "input (arguments, files, data), 130 interrupted")
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a graph file headless")
    t.add_argument("file")
    t.add_argument("--epochs", type=_positive)
    t.add_argument("--seed", type=_seed)
    t.add_argument("--data-dir")
    t.add_argument("--device", choices=("auto", "cpu", "cuda"))
    t.add_argument("--json", action="store_true", help="print one JSON object per line")
    t.add_argument("--grad", action="store_true",
                   help="after each epoch, a line of every layer's gradient norm (lessons about "
                        "gradients print it anyway)")
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
