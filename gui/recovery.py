"""Autosave and crash recovery: while the open graph has unsaved changes, a copy of it is kept in
the application-data folder, and the next start offers to restore copies that nobody closed.

A recovery file is JSON: the graph as `GraphDocument.to_dict` gives it, the path of the user's
file (None for an untitled graph) and when the copy was written. It lives in
`<AppDataLocation>/recovery/`, never beside the user's file: a stray copy there would be
mistaken for the user's own work, and the user's folder may not be writable.

Each window writes its own file, `session-<pid>-<n>.json`, so two windows (or two running
copies of the app) never overwrite each other. A file is left behind only when its window did
not close cleanly; at the next start a file whose process is gone (or, for this process, whose
window is gone) is "stale" and is offered back. A file whose process still runs belongs to
another open window and is left alone.

The file is read back as untrusted input: anything malformed raises RecoveryError (the graph
itself goes through `engine.graph.from_dict`, which raises GraphError), and the caller skips it.
"""
from __future__ import annotations

import itertools
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal, Slot

from engine import graph
from engine.errors import GraphError
from engine.graph import GraphDocument

FORMAT_NAME = "deepcanvas-recovery"
FORMAT_VERSION = 1
AUTOSAVE_MS = 60_000              # the issue asks for a copy every minute while unsaved
MAX_BYTES = 64 * 1024 * 1024      # a bigger "recovery file" is not one of ours: don't read it
_NAME = re.compile(r"^session-(\d+)-(\d+)\.json$")
_TEMP = re.compile(r"^\.session-(\d+)-\d+\.json\..*\.tmp$")
_counter = itertools.count(1)
_live_names: set[str] = set()     # files owned by windows of this process that still exist


class RecoveryError(Exception):
    """A recovery file that cannot be used: unreadable, not JSON, or not in our format."""


def default_folder() -> Path | None:
    """`<AppDataLocation>/recovery`, or None when Qt knows no such place (no home folder)."""
    base = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)
    return Path(base) / "recovery" if base else None


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs now (a dead one left its recovery file behind)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)           # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:       # it exists, but belongs to someone else
        return True
    except OSError:
        return False
    return True


def _windows_process_alive(pid: int) -> bool:
    """os.kill(pid, 0) would terminate the process on Windows, so ask the kernel instead. Any
    failure counts as dead: offering a copy that another window still owns is the lesser harm
    (it rewrites its copy on its next autosave) than never offering a crashed one."""
    try:
        import ctypes
        from ctypes import wintypes
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.OpenProcess.restype = wintypes.HANDLE
        kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
        handle = kernel32.OpenProcess(0x1000, False, pid)   # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5               # access denied: it exists
        try:
            code = wintypes.DWORD()
            ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return bool(ok) and code.value == 259             # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    except Exception:  # noqa: BLE001 - see the docstring
        return False


@dataclass
class RecoveryCopy:
    """One recovery file read back: the graph, the user's file it belongs to, when it was made."""
    file: Path
    doc: GraphDocument
    original_path: Path | None
    saved_at: datetime            # aware; show it with .astimezone() for local time


@dataclass
class Unreadable:
    """A stale recovery file that could not be used, and why (for a status message)."""
    file: Path
    reason: str


def encode(doc: GraphDocument, saved_at: datetime | None = None) -> str:
    """The recovery file's text. ASCII-only JSON: text the user's own file could not encode
    (a lone surrogate from a strange file name) is escaped here, so the copy is still written."""
    saved_at = saved_at or datetime.now(timezone.utc)
    data = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "pid": os.getpid(),
        "original_path": str(doc.path) if doc.path is not None else None,
        "saved_at": saved_at.isoformat(),
        "graph": doc.to_dict(),
    }
    return json.dumps(data, ensure_ascii=True) + "\n"


def read(file: Path) -> RecoveryCopy:
    """Read one recovery file; raises RecoveryError or GraphError when it cannot be used."""
    try:
        if file.stat().st_size > MAX_BYTES:
            raise RecoveryError("too large to be a recovery copy")
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RecoveryError(f"cannot be read ({exc})") from None
    except (ValueError, RecursionError) as exc:   # bad JSON, absurd numbers, absurd nesting
        raise RecoveryError(f"not valid JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise RecoveryError("not a DeepCanvas recovery file")
    if data.get("version") != FORMAT_VERSION:
        raise RecoveryError(f"recovery format version {data.get('version')!r} is not one this "
                            "DeepCanvas reads")
    original = data.get("original_path")
    if original is not None and (not isinstance(original, str) or not original):
        raise RecoveryError("'original_path' must be a file path or null")
    try:
        saved_at = datetime.fromisoformat(data.get("saved_at"))
    except (TypeError, ValueError):
        raise RecoveryError("'saved_at' is not a date and time") from None
    if saved_at.tzinfo is None:
        saved_at = saved_at.replace(tzinfo=timezone.utc)
    try:
        doc = graph.from_dict(data.get("graph"), f"{file.name}: graph")
    except RecursionError:
        raise RecoveryError("the graph is nested too deeply") from None
    doc.path = Path(original) if original is not None else None
    return RecoveryCopy(file, doc, doc.path, saved_at)


class RecoveryStore:
    """The recovery folder: this session's file, and finding the ones crashed sessions left.
    The folder is made only when the first copy is written."""

    def __init__(self, folder: str | Path | None = None):
        self._folder = Path(folder) if folder is not None else None

    @property
    def folder(self) -> Path | None:
        # looked up late: the application's name (part of the path) is set after imports
        return self._folder if self._folder is not None else default_folder()

    def new_name(self) -> str:
        name = f"session-{os.getpid()}-{next(_counter)}.json"
        _live_names.add(name)
        return name

    def write(self, name: str, doc: GraphDocument) -> Path:
        """Write atomically (temp file in the same folder, then rename), so a crash while
        writing leaves the previous copy whole. Raises OSError."""
        folder = self.folder
        if folder is None:
            raise OSError("this system has no application-data folder")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        text = encode(doc)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return target

    def remove(self, name_or_file: str | Path) -> None:
        folder = self.folder
        if folder is None:
            return
        try:
            (folder / Path(name_or_file).name).unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass       # a copy we cannot delete is offered again at the next start: harmless

    def stale(self) -> list[RecoveryCopy | Unreadable]:
        """Recovery files that no running window owns, newest first; unusable ones are moved
        aside (renamed `.unreadable`, kept in case someone can salvage them) and reported."""
        folder = self.folder
        if folder is None or not folder.is_dir():
            return []
        found: list[RecoveryCopy | Unreadable] = []
        try:
            entries = list(folder.iterdir())
        except OSError:
            return []
        for entry in entries:
            temp = _TEMP.match(entry.name)
            if temp and not process_alive(int(temp.group(1))):
                self.remove(entry)         # a write that a crash interrupted: never a whole copy
                continue
            m = _NAME.match(entry.name)
            if not m or not entry.is_file() or not _is_stale(entry.name, int(m.group(1))):
                continue
            try:
                found.append(read(entry))
            except (RecoveryError, GraphError) as exc:
                found.append(Unreadable(entry, str(exc)))
                try:
                    entry.replace(entry.with_name(entry.name + ".unreadable"))
                except OSError:
                    pass
        epoch = datetime.min.replace(tzinfo=timezone.utc)
        found.sort(key=lambda c: c.saved_at if isinstance(c, RecoveryCopy) else epoch, reverse=True)
        return found


def _is_stale(name: str, pid: int) -> bool:
    if pid == os.getpid():
        return name not in _live_names     # a window of this process that is gone
    return not process_alive(pid)


class Autosaver(QObject):
    """Keeps one window's recovery copy: written every `interval_ms` while the graph has unsaved
    changes and when a run starts, removed when the graph is saved (or undone back to saved) and
    on a clean close."""

    message = Signal(str)          # a sentence for the status bar

    def __init__(self, controller, store: RecoveryStore, interval_ms: int = AUTOSAVE_MS,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.controller, self.store = controller, store
        self.name = store.new_name()
        self.file: Path | None = None          # this session's copy, once written
        self._changed = False                  # edits since the copy was last written
        self._closed = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        controller.undo_stack.cleanChanged.connect(self._on_clean_changed)
        controller.doc_changed.connect(self._on_doc_changed)
        # a window destroyed without a clean close has left its copy: from now on it is stale
        # for this process too (a lambda, not a method: the object is gone when this fires)
        name = self.name
        self.destroyed.connect(lambda *_: _live_names.discard(name))
        if controller.dirty:
            self._on_clean_changed(False)

    @Slot()
    def _on_doc_changed(self) -> None:
        self._changed = True

    @Slot(bool)
    def _on_clean_changed(self, clean: bool) -> None:
        # a dying undo stack clears itself and says "clean" as the window is destroyed; that
        # is no save, and the copy of a window destroyed without a clean close must stay
        if self._closed or not shiboken6.isValid(self.controller.undo_stack):
            return
        if clean:
            self.timer.stop()
            self.drop()
        else:
            self._changed = True
            self.timer.start()

    @Slot()
    def save_now(self) -> bool:
        """Write the copy now if there are unsaved changes (the timer and run starts call this);
        True when the copy on disk is current."""
        if self._closed or not self.controller.dirty:
            return False
        if not self._changed and self.file is not None and self.file.exists():
            return True
        try:
            self.file = self.store.write(self.name, self.controller.doc)
        except (OSError, ValueError) as exc:
            self.message.emit(f"Could not write the recovery copy: {getattr(exc, 'strerror', None) or exc}")
            return False
        self._changed = False
        return True

    @Slot(str)
    def on_run_state(self, status: str) -> None:
        """A run starts (or resumes): keep a copy, since a crash is likeliest while training."""
        if status in ("running", "paused"):
            self.save_now()

    def drop(self) -> None:
        """Remove this session's copy (saved, or nothing unsaved any more)."""
        if self.file is not None:
            self.store.remove(self.name)
            self.file = None

    def close(self) -> None:
        """The window closes cleanly: the copy goes, even when the user discarded the changes."""
        self._closed = True
        self.timer.stop()
        self.drop()

    def restore(self, copy: RecoveryCopy) -> None:
        """Show a recovered graph as an unsaved document whose path is the user's file (so Save
        writes there), take over the copy as this session's, and delete the old file."""
        doc = copy.doc
        doc.path = copy.original_path
        self.controller.set_document(doc)           # fresh undo history...
        self.controller.undo_stack.resetClean()     # ...with no saved state in it: dirty
        if self.save_now():
            self.store.remove(copy.file)
        else:
            self.message.emit(f"The recovered graph is open, and its copy {copy.file} is kept")

    def offer(self, ask: Callable[[RecoveryCopy], str], before_restore: Callable[[], bool],
              say: Callable[[str], Any]) -> bool:
        """Ask about each stale copy ('restore', 'discard' or 'later'); one window shows one
        graph, so after a restore the rest stay for the next start. True when one was restored."""
        found = self.store.stale()
        for i, item in enumerate(found):
            if isinstance(item, Unreadable):
                say(f"Skipped the unreadable recovery file {item.file.name}: {item.reason}")
                continue
            answer = ask(item)
            if answer == "discard":
                self.store.remove(item.file)
            elif answer == "restore":
                if not before_restore():
                    return False
                self.restore(item)
                left = sum(isinstance(f, RecoveryCopy) for f in found[i + 1:])
                say(f"Restored unsaved changes to {describe_origin(item)}"
                    + (f"; {left} more recovery cop{'y is' if left == 1 else 'ies are'} kept for the next start"
                       if left else ""))
                return True
        return False


def describe_origin(copy: RecoveryCopy) -> str:
    return str(copy.original_path) if copy.original_path is not None else "an untitled graph"
