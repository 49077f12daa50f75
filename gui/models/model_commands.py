"""File ▸ Save Trained Model…, opening a .dcmodel and File ▸ Export…, for the main window.

Errors go through the window's `show_error` in the engine's one line; opening a file that is
refused leaves the open graph, its undo history and the trained model as they were."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from engine.models import archive
from engine.models.errors import ModelError
from gui.models.model_files import EXPORTS, editable_copy, export, norm_notes, weight_norms
from gui.models.trained_model import TrainedModel

if TYPE_CHECKING:
    from gui.main_window import MainWindow

SUFFIX = archive.SUFFIX


def is_model_file(path: str | Path) -> bool:
    return str(path).lower().endswith(SUFFIX)


class ModelCommands:
    def __init__(self, window: MainWindow, trained: TrainedModel):
        self.w = window
        self.trained = trained

    # ---- questions (tests replace these) ------------------------------------------------------
    def ask_model_path(self) -> str | None:
        doc_path = self.w.controller.doc.path
        name = (Path(doc_path).stem if doc_path else "model") + SUFFIX
        path, _ = QFileDialog.getSaveFileName(self.w, "Save trained model",
                                              str(Path(self.w._file_dir()) / name),
                                              f"Model files (*{SUFFIX})")
        return path or None

    def ask_export_path(self) -> tuple[str, str] | None:
        """(path, kind) with kind one of EXPORTS, chosen by the dialog's file type."""
        filters = {f"{label} (*{suffix})": kind for kind, (label, suffix) in EXPORTS.items()}
        path, chosen = QFileDialog.getSaveFileName(self.w, "Export trained model",
                                                   str(Path(self.w._file_dir()) / "model.py"),
                                                   ";;".join(filters))
        if not path:
            return None
        kind = filters.get(chosen, "pytorch")
        suffix = EXPORTS[kind][1]
        return (path if path.lower().endswith(suffix) else path + suffix), kind

    # ---- commands -----------------------------------------------------------------------------
    def save_model(self) -> bool:
        session = self.w.session
        if not self.trained.can_save():
            self.w.status.say("No trained weights to save: run the graph first (or pause it)")
            return False
        path = self.ask_model_path()
        if not path:
            return False
        if not is_model_file(path):
            path += SUFFIX
        report = self.trained.report if session.status == "idle" else None
        try:
            saved = archive.save(session.run, path, report)
        except ModelError as exc:
            self.w.show_error("Cannot save model", str(exc))
            return False
        except OSError as exc:
            self.w.show_error("Cannot save model", f"{path}: {exc.strerror or exc}")
            return False
        except Exception as exc:  # noqa: BLE001 - say it; the run and graph stay as they are
            self.w.show_error("Cannot save model", f"{path}: {type(exc).__name__}: {exc}")
            return False
        self.w.status.say(f"Saved the trained model to {saved}", 5000)
        return True

    def open_model(self, path: str | Path) -> bool:
        """Show a model file's graph with its weights: Run continues from them, the canvas
        shows each layer's weight norm, and the Predict panel answers from them."""
        try:
            model = archive.load(path)
            doc = editable_copy(model)
        except ModelError as exc:
            self.w.show_error("Cannot open model", str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - a file the loader did not foresee
            self.w.show_error("Cannot open model", f"{Path(path).name}: {type(exc).__name__}: {exc}")
            return False
        self.w.controller.set_document(doc)
        name = Path(path).name
        self.w.session.set_start_weights(model.weights, name)
        self.w.scene.set_weight_notes(norm_notes(weight_norms(model)))
        self.trained.opened(model, path)
        self.w.show_model_panel()
        return True

    def forget_start_weights(self) -> None:
        """The graph was edited (or replaced): its layers may no longer fit the saved weights,
        so Run starts afresh and the canvas stops showing their norms."""
        if self.w.session.start_weights is not None:
            self.w.session.set_start_weights(None, "")
        self.w.scene.set_weight_notes({})

    def export(self) -> bool:
        model = self.trained.model
        if model is None:
            self.w.status.say("No trained model to export: run the graph or open a model file")
            return False
        answer = self.ask_export_path()
        if not answer:
            return False
        path, kind = answer
        try:
            export(model, kind, path)
        except ModelError as exc:
            self.w.show_error("Cannot export model", str(exc))
            return False
        except OSError as exc:
            self.w.show_error("Cannot export model", f"{path}: {exc.strerror or exc}")
            return False
        except Exception as exc:  # noqa: BLE001 - an exporter's own failure, in one line
            self.w.show_error("Cannot export model", f"{kind}: {type(exc).__name__}: {exc}")
            return False
        self.w.status.say(f"Exported {EXPORTS[kind][0]} to {path}", 5000)
        return True
