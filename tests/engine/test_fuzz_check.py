"""Fuzz: `main.py check` on hundreds of seeded mutants of the lessons never dies, hangs or
prints a traceback; every refusal is one line on stderr and exit status 2."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections import Counter

import pytest

from tests.conftest import GRAPHS, ROOT
from tests.engine.graph_mutants import mutants

COUNT = 400
SEED = 1


def _verdict(code, stderr: str) -> str | None:
    """What is wrong with one run, or None."""
    if isinstance(code, int) and code < 0:
        return f"killed by signal {signal.Signals(-code).name}"
    if "Traceback" in stderr:
        return "printed a traceback"
    if code == 0:
        return None
    if code != 2:
        return f"exit status {code}"
    lines = stderr.splitlines()
    if len(lines) != 1 or not lines[0].startswith("error: "):
        return f"refused with {len(lines)} lines on stderr"
    return None


@pytest.mark.slow
def test_check_survives_hundreds_of_mutants(tmp_path):
    files = []
    for i, (name, data) in enumerate(mutants(GRAPHS, COUNT, seed=SEED)):
        path = tmp_path / f"m{i:04d}.json"
        path.write_bytes(data)
        files.append((path, name))
    # one process checks them all, as `main.py check` would one by one: a crash signal or a
    # hang ends the process and fails the test with the file it was working on
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "engine" / "check_many.py"),
                           *(str(p) for p, _ in files)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    if proc.returncode != 0 or len(results) != len(files):
        stuck = files[len(results)][1] if len(results) < len(files) else "?"
        pytest.fail(f"the checker died (status {proc.returncode}) on mutant {stuck}: "
                    f"{proc.stderr[-2000:]}")
    problems = {name: why for (_, name), r in zip(files, results)
                if (why := _verdict(r["code"], r["stderr"])) or r["seconds"] > 20}
    assert problems == {}
    codes = Counter(r["code"] for r in results)
    print(f"\n{COUNT} mutants: {codes[2]} refused with one line (exit 2), {codes[0]} accepted")
    assert codes[2] > COUNT * 0.8           # the mutants are hostile: most must be refused


@pytest.mark.slow
def test_main_py_check_as_its_own_process_on_the_worst_mutants(tmp_path):
    """The same promise with the real entry point, on the whole-file mutants (binary garbage,
    deep nesting, other encodings...)."""
    whole = [(n, d) for n, d in mutants(GRAPHS, COUNT, seed=SEED) if n.startswith("whole")]
    chosen = whole[::3]
    for name, data in chosen:
        path = tmp_path / f"{name}.json"
        path.write_bytes(data)
        proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "check", str(path)],
                              capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert _verdict(proc.returncode, proc.stderr) is None, (name, proc.stderr)
        assert proc.returncode == 2, name
