"""engine/ must never pull in Qt: the CLI and the tests run it headless."""
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import importlib, pkgutil, sys
import engine
for m in pkgutil.walk_packages(engine.__path__, "engine."):
    importlib.import_module(m.name)
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph"))
print(len([m for m in sys.modules if m.startswith("engine")]), qt)
"""


def test_engine_imports_no_qt_module():
    r = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    count, qt = r.stdout.strip().split(" ", 1)
    assert int(count) > 10, "the probe imported the engine's modules"
    assert qt == "[]", f"Qt modules loaded by engine/: {qt}"
