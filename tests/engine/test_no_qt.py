"""engine/ must never pull in Qt: the CLI and the tests run it headless. Neither may the GUI
modules that have no use for Qt, so they stay testable and usable without a display."""
import json
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

# The GUI modules that do their work without Qt, and the packages above them (importing a module
# runs its package's __init__ first, so those must stay free of Qt too).
GUI_WITHOUT_QT = (
    "gui", "gui.canvas", "gui.dashboard", "gui.data", "gui.editor", "gui.training",
    "gui.data.csv_roles",
    "gui.editor.connection_rules", "gui.editor.fragments", "gui.editor.layout",
    "gui.training.badges", "gui.training.boundary", "gui.training.run_state",
    "gui.dashboard.figures_text", "gui.dashboard.latent_space", "gui.dashboard.views",
    "gui.training.tiles", "gui.training.decode_mailbox", "gui.training.gibbs_mailbox",
    "gui.training.phases", "gui.dashboard.rbm_figures",
)

# Imports them one at a time and prints, for each, the Qt modules that appeared with it, so a
# failure names the module that brought Qt in rather than only the last one imported.
GUI_PROBE = """
import importlib, json, sys
def qt():
    return {m for m in sys.modules if m.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph")}
out = {}
for name in sys.argv[1:]:
    before = qt()
    importlib.import_module(name)
    out[name] = sorted(qt() - before)
print(json.dumps(out))
"""


def test_engine_imports_no_qt_module():
    r = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    count, qt = r.stdout.strip().split(" ", 1)
    assert int(count) > 10, "the probe imported the engine's modules"
    assert qt == "[]", f"Qt modules loaded by engine/: {qt}"


def test_gui_modules_that_need_no_qt_import_none():
    r = subprocess.run([sys.executable, "-c", GUI_PROBE, *GUI_WITHOUT_QT], cwd=ROOT,
                       capture_output=True, text=True, check=True)
    loaded = json.loads(r.stdout.strip().splitlines()[-1])
    assert sorted(loaded) == sorted(GUI_WITHOUT_QT), "the probe imported every listed module"
    culprits = {name: mods[:5] for name, mods in loaded.items() if mods}
    assert culprits == {}, f"Qt loaded by GUI modules that should need none: {culprits}"
