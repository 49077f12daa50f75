"""DeepCanvas: draw a neural network, press Run, watch it learn.

    python main.py [FILE]                    the app (the default lesson when FILE is omitted)
    python main.py train FILE [--json] ...   train headless
    python main.py check FILE                validate and print every node's widths
    python main.py blocks [--json]           the block catalogue
    python main.py predict MODEL --csv ROWS  predict with a saved model (train --save-model)
    python main.py export MODEL --to KIND O  export a saved model: pytorch, onnx, torchscript
    python main.py --help                    the app's options, these commands, the exit codes
"""
from __future__ import annotations

import sys

HEADLESS = ("train", "check", "blocks", "predict", "export")


def main(argv: list[str]) -> int:
    if argv and argv[0] in HEADLESS:
        from engine.cli import main as cli_main
        try:
            return cli_main(argv)
        except BrokenPipeError:
            # the reader went away (`main.py train ... | head`): stop quietly, as Unix tools do;
            # stdout is pointed at /dev/null so the interpreter's final flush cannot fail again
            import os
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    # everything else, --help included, is the app's parser: its help lists the headless
    # commands and the exit codes too
    from gui.app import main as gui_main
    return gui_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def run() -> None:
    """Console-script entry point (`deepcanvas`)."""
    sys.exit(main(sys.argv[1:]))
