"""Starting the desktop app, and the offscreen screenshot mode used by docs and CI.

    python main.py [FILE] [--theme light|dark] [--data-dir DIR]
    python main.py FILE --screenshot PNG [--size WxH] [--after-epochs N] [--view NAME]

`python main.py --help` is this module's parser: the app's options, then (in its epilog) the
headless subcommands that main.py hands to engine/cli.py, and the exit codes of both.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from pathlib import Path

from gui.dashboard.views import NAMES as VIEW_NAMES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LESSON = ROOT / "graphs" / "mlp_digits.json"
DEFAULT_SIZE = (1600, 1000)
# set (to anything) by bench/startup.py: the app prints a line at its first frame and once the
# graph is open, then quits
STARTUP_PROBE = "DEEPCANVAS_STARTUP_PROBE"


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size like 1600x1000") from None
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        raise argparse.ArgumentTypeError(f"size {w}x{h} is outside 200x200 .. 10000x10000")
    return w, h


# exit codes shared with engine/cli.py (EXIT_FAILED, EXIT_INVALID); README lists them too
EXIT_FAILED = 1
EXIT_INVALID = 2

# written out rather than built from engine.cli's parser: that import pulls in torch, seconds
# before the help appears (tests/engine/test_cli_output.py checks every subcommand is here)
EPILOG = """\
headless commands (each has its own --help):
  main.py train FILE [--epochs N] [--json] [--grad] [--save-model PATH]
                                 train a graph without the window, one line per epoch
  main.py check FILE             validate a graph and print every node's widths
  main.py blocks [--json]        the block catalogue
  main.py predict MODEL --csv ROWS [--out CSV]
                                 predict with a saved model (train --save-model)
  main.py export MODEL --to {pytorch,onnx,torchscript} OUT
                                 export a saved model

exit codes:
  0    done: the window closed, the picture was written, the run completed
  1    training failed: it diverged (NaN or Inf) or stopped on an error while training
  2    bad input: a wrong option, a graph or model file that cannot be read or used, a CSV
       file that cannot be found, a file that cannot be written
  130  interrupted (Ctrl+C)
"""


def _epochs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of epochs") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py", description="DeepCanvas: draw a neural network, "
                                "press Run, and watch it learn.", epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", nargs="?", help="graph file to open (default: the first lesson)")
    p.add_argument("--screenshot", metavar="PNG", help="open offscreen, save a picture of the window, exit")
    p.add_argument("--size", metavar="WxH", type=_size, help="window size for --screenshot (1600x1000)")
    p.add_argument("--after-epochs", metavar="N", type=_epochs,
                   help="with --screenshot: train N epochs first (of all phases together)")
    p.add_argument("--view", choices=VIEW_NAMES, metavar="NAME",
                   help="with --screenshot: the dashboard view to show (" + ", ".join(VIEW_NAMES)
                   + "); the autoencoder and RBM views need a run that has their data "
                   "(--after-epochs)")
    p.add_argument("--theme", choices=("light", "dark"), help="light or dark look")
    p.add_argument("--data-dir", metavar="DIR", help="where to look for CSV files graphs name")
    return p


def parse_args(argv: list[str]) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def make_app():
    """The QApplication (made once), with our font and look."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # crisp at 125% and 150% scaling instead of rounding to whole factors
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication([sys.argv[0] if sys.argv else "deepcanvas"])
        app.setApplicationName("DeepCanvas")
        app.setOrganizationName("DeepCanvas")
        from gui.theme import app_font
        app.setFont(app_font())
    return app


def import_engine_first() -> None:
    """Import the engine, and torch, numpy and networkx with it, before any Qt module.

    Once PySide6 is imported, its import hook reads the source of every module imported after
    it (looking for `from __feature__ import`), and these are some 1,300 modules. Imported
    first, they are never shown to the hook: the screenshot mode starts about half a second
    sooner and uses 45 MB less memory.
    """
    import engine.compiler  # noqa: F401
    import engine.data.csv_preview  # noqa: F401
    import engine.training.trainer  # noqa: F401


def no_display(env=os.environ, platform: str = sys.platform) -> str:
    """Why the window cannot open here, or "": on Linux without a display Qt aborts the process
    (a core dump, status 134) instead of saying so."""
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return ""
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return ""
    return ("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set); "
            "--screenshot PNG saves a picture without one, and the headless commands "
            "(train, check, predict) need none")


def main(argv: list[str]) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as exc:     # argparse has printed why
        return int(exc.code or 0)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # must precede the QApplication
    elif (missing := no_display()):
        print(f"error: {missing}", file=sys.stderr)
        return EXIT_INVALID
    import_engine_first()
    app = make_app()
    from PySide6.QtCore import QSettings

    from gui.first_frame import after_first_frame
    from gui.main_window import MainWindow
    from gui.theme import THEMES, apply_theme

    # everything imported so far lives until the process ends: out of the cyclic collector's
    # sight, no full collection walks it again, including the one at exit, which with torch
    # loaded takes most of a second
    gc.freeze()

    path = Path(args.file) if args.file else DEFAULT_LESSON
    if args.screenshot:
        return _screenshot(app, args, path)
    settings = QSettings("DeepCanvas", "DeepCanvas")
    window = MainWindow(settings, args.theme)
    apply_theme(app, THEMES[window.theme.name])
    window.restore_layout()
    if args.data_dir:
        window.set_data_dir(args.data_dir, remember=False)
    window.show()
    # the graph opens once the window is on screen: opening analyses it, and analysis loads its
    # data set (a CSV file, or scikit-learn for a synthetic one) to find the widths
    after_first_frame(window, lambda: _open_first(app, window, path, offer_gallery=not args.file))
    return app.exec()


def _open_first(app, window, path: Path, offer_gallery: bool = False) -> None:
    """`offer_gallery`: no file was named, so on the app's very first start the lesson gallery
    shows over the default lesson (once: show_on_first_start keeps a flag in the settings)."""
    from PySide6.QtCore import QTimer

    probe = os.environ.get(STARTUP_PROBE)
    if probe:
        _report("first-frame")
    window.open_path(path, ask=False)
    if probe:
        _report("opened")
        QTimer.singleShot(0, app.quit)
        return
    QTimer.singleShot(0, lambda: _after_open(window, offer_gallery))


def _after_open(window, offer_gallery: bool) -> None:
    # graphs a crashed session left unsaved are offered back; the gallery waits for that answer
    # (the offer's dialog runs an event loop of its own) and stays away over a restored graph
    restored = window.offer_recovery()
    if offer_gallery and not restored:
        from gui.classroom.gallery import show_on_first_start
        show_on_first_start(window)


def _report(what: str) -> None:
    """One line for bench/startup.py, which times the lines as they arrive."""
    print(what, flush=True)


def _screenshot(app, args: argparse.Namespace, path: Path) -> int:
    from PySide6.QtCore import QSettings

    from engine.errors import GraphError
    from gui.main_window import MainWindow
    from gui.theme import THEMES, apply_theme

    # a throwaway settings file: a screenshot must not touch the user's recent files or layout
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.IniFormat)
        window = MainWindow(settings, args.theme or "light", recovery_dir=Path(tmp) / "recovery")
        apply_theme(app, THEMES[window.theme.name])
        window.controller.data_dir = args.data_dir
        try:
            window.controller.open_file(path)
        except GraphError as exc:
            print(f"error: {exc}", file=sys.stderr)
            window.deleteLater()
            return EXIT_INVALID
        window.resize(*(args.size or DEFAULT_SIZE))
        window.show()
        # layouts and zero-delay timers only: the second settle, before the picture, waits for
        # the timed ones (a 60 ms sleep here was 2% of the screenshot's start-up)
        settle(app, rounds=0)
        unreadable = _data_problem(window.controller.doc, window.controller.analyse_now())
        if unreadable is not None:
            # a picture of a graph without its data shows nothing the caller asked for; other
            # problems (a wrong width, say) are drawn on the canvas and may be the point of it
            print(f"error: {unreadable}", file=sys.stderr)
            window.controller.undo_stack.setClean()
            window.close()
            return EXIT_INVALID
        window.show_start_of_graph()
        failure = None
        if args.after_epochs and hasattr(window, "run_for_screenshot"):
            window.run_for_screenshot(args.after_epochs)
            failure = _run_failure(window.session.state.snapshot())
        if args.view and not _show_view(window, args.view):
            window.session.shutdown()
            window.controller.undo_stack.setClean()
            window.close()
            return EXIT_INVALID
        settle(app)
        ok = window.grab().save(args.screenshot)
        window.controller.undo_stack.setClean()    # nothing to ask about on the way out
        window.close()
        if not ok:
            print(f"error: could not write {args.screenshot}", file=sys.stderr)
            return EXIT_INVALID
        print(args.screenshot)
        if failure is not None:
            # the picture is written all the same: it shows the problem where it happened
            code, message = failure
            print(f"error: {message}", file=sys.stderr)
            return code
        return 0


def _run_failure(snap) -> tuple[int, str] | None:
    """(exit code, one line) when the run of --after-epochs could not train or failed: a graph
    that cannot be trained is bad input (2), as `train` says; a run that diverged or stopped on
    an error once training had begun failed (1)."""
    if snap.error is not None:
        where = f"node '{snap.error.node}': " if snap.error.node and snap.error.node not in \
            snap.error.message else ""
        return (EXIT_INVALID if snap.start is None else EXIT_FAILED), where + snap.error.message
    if snap.done is not None and snap.done.reason == "diverged":
        return EXIT_FAILED, snap.done.message or "the run diverged"
    return None


def _data_problem(doc, analysis):
    """The first error on a node that brings the data in (its CSV file missing or unreadable),
    or None."""
    from engine import blocks
    for problem in analysis.errors:
        node = doc.nodes.get(problem.node) if problem.node is not None else None
        block = blocks.get(node.type) if node is not None else None
        if block is not None and block.role == "source" and problem.node not in analysis.datasets:
            return problem
    return None


def _show_view(window, name: str) -> bool:
    """Bring the dashboard's view `name` to the front; say why not when this run has none."""
    dashboard = window.dashboard.dashboard
    if dashboard.show_view(name):
        return True
    print(f"error: no '{name}' view for this run; its views: "
          f"{', '.join(dashboard.available_views())}"
          + ("" if window.session.state.start else " (train first: --after-epochs N)"),
          file=sys.stderr)
    return False


def settle(app, rounds: int = 5) -> None:
    """Let layouts, deferred fits and single-shot timers run before a picture is taken."""
    import time
    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()
