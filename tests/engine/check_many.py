"""Run `main.py check` on many files in one process (the test drives it as a subprocess, so a
crash signal or a hang shows as this process dying). Prints one JSON line per file."""
from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import main  # noqa: E402


def check_one(path: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main.main(["check", path])
        except SystemExit as exc:           # argparse
            code = exc.code
        except BaseException as exc:        # what `python main.py check` would die of
            import traceback
            traceback.print_exc()
            code = f"raised {type(exc).__name__}"
    return {"file": path, "code": code, "stderr": err.getvalue(),
            "seconds": round(time.perf_counter() - start, 3)}


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(json.dumps(check_one(p)), flush=True)
