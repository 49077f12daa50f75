"""Starting the desktop app, and the offscreen screenshot mode used by docs and CI.

    python main.py [FILE] [--theme light|dark] [--data-dir DIR]
    python main.py FILE --screenshot PNG [--size WxH] [--after-epochs N]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LESSON = ROOT / "graphs" / "mlp_digits.json"
DEFAULT_SIZE = (1600, 1000)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size like 1600x1000") from None
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        raise argparse.ArgumentTypeError(f"size {w}x{h} is outside 200x200 .. 10000x10000")
    return w, h


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="deepcanvas", description="Draw a neural network, press Run, "
                                "and watch it learn.")
    p.add_argument("file", nargs="?", help="graph file to open (default: the first lesson)")
    p.add_argument("--screenshot", metavar="PNG", help="open offscreen, save a picture of the window, exit")
    p.add_argument("--size", metavar="WxH", type=_size, help="window size for --screenshot (1600x1000)")
    p.add_argument("--after-epochs", metavar="N", type=int, help="with --screenshot: train N epochs first")
    p.add_argument("--theme", choices=("light", "dark"), help="light or dark look")
    p.add_argument("--data-dir", metavar="DIR", help="where to look for CSV files graphs name")
    return p.parse_args(argv)


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


def main(argv: list[str]) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as exc:     # argparse has printed why
        return int(exc.code or 0)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # must precede the QApplication
    app = make_app()
    from PySide6.QtCore import QSettings, QTimer

    from gui.main_window import MainWindow
    from gui.theme import THEMES, apply_theme

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
    window.open_path(path, ask=False)
    # once the window is on screen: graphs a crashed session left unsaved are offered back
    QTimer.singleShot(0, window.offer_recovery)
    return app.exec()


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
            return 2
        window.resize(*(args.size or DEFAULT_SIZE))
        window.show()
        settle(app)
        window.controller.analyse_now()
        window.show_start_of_graph()
        if args.after_epochs and hasattr(window, "run_for_screenshot"):
            window.run_for_screenshot(args.after_epochs)
        settle(app)
        ok = window.grab().save(args.screenshot)
        window.controller.undo_stack.setClean()    # nothing to ask about on the way out
        window.close()
        if not ok:
            print(f"error: could not write {args.screenshot}", file=sys.stderr)
            return 1
        print(args.screenshot)
        return 0


def settle(app, rounds: int = 5) -> None:
    """Let layouts, deferred fits and single-shot timers run before a picture is taken."""
    import time
    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()
