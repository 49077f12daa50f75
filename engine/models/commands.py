"""The command line's `predict` and `export` (engine/cli.py parses their arguments)."""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np

from engine.errors import DataError
from engine.models.errors import ModelError


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def predict_command(args: argparse.Namespace) -> int:
    from engine.data.csv_read import read_frame
    from engine.models.archive import load
    from engine.models.predict import predict
    from engine.models.rows import _label

    try:
        model = load(args.model)
        frame = read_frame(Path(args.csv), None)
        p = predict(model, frame)
    except (ModelError, DataError) as exc:
        return _fail(str(exc))
    pre = model.preprocessing
    target = pre.target_names[0] if pre.target_names else None
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if p.task == "classification":
        name = f"predicted {target}" if target else "predicted"
        w.writerow(["row", name, *(f"p({c})" for c in p.class_names)])
        for i, (label, probs) in enumerate(zip(p.labels, p.probabilities), 1):
            w.writerow([i, label, *(f"{v:.6g}" for v in probs)])
    else:
        w.writerow(["row", *(f"predicted {t}" for t in p.targets)])
        for i, row in enumerate(p.values, 1):
            w.writerow([i, *(f"{v:.8g}" for v in row)])
    report = sys.stderr
    if args.out:
        try:
            Path(args.out).write_text(buf.getvalue(), encoding="utf-8")
        except OSError as exc:
            return _fail(f"cannot write '{args.out}': {exc.strerror or exc}")
        report = sys.stdout
        print(f"wrote {len(frame)} predictions to {args.out}", file=report)
    else:
        sys.stdout.write(buf.getvalue())
    if target and target in frame.columns:
        truth = frame[target].tolist()
        if p.task == "classification":
            right = sum(_label(t) == lab for t, lab in zip(truth, p.labels))
            print(f"accuracy {right / len(truth):.4f} ({right} of {len(truth)} rows) against "
                  f"column '{target}'", file=report)
        elif len(p.targets) == 1:
            y = np.asarray(truth, dtype=np.float64)
            mae = float(np.mean(np.abs(y - p.values[:, 0])))
            print(f"mae {mae:.4g} against column '{target}' ({len(y)} rows)", file=report)
    return 0


def export_command(args: argparse.Namespace) -> int:
    from engine.models.archive import load

    try:
        model = load(args.model)
        if args.to == "pytorch":
            from engine.models.export_pytorch import write_script
            write_script(model, args.out)
        elif args.to == "onnx":
            from engine.models.export_formats import to_onnx
            to_onnx(model, args.out)
        else:
            from engine.models.export_formats import to_torchscript
            to_torchscript(model, args.out)
    except ModelError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot write '{args.out}': {exc.strerror or exc}")
    print(f"exported {args.to}: {args.out}")
    return 0
