"""The run's controls: Run, Pause, Step, Stop, Reset weights, speed, device, and progress."""
from __future__ import annotations

import math
import time

import torch
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.training.run_state import Snapshot
from gui.training.training_session import TrainingSession

SPEED_STEPS = 30          # slider positions; the rightmost is full speed
SLOWEST_S = 1.0           # a pause of one second per batch at the leftmost position
FASTEST_DELAY_S = 0.001


def delay_for(position: int) -> float:
    """Slider position -> pause per batch: 0 at full speed, then 1 ms .. 1 s on a log scale."""
    if position >= SPEED_STEPS:
        return 0.0
    frac = position / (SPEED_STEPS - 1)
    return SLOWEST_S * (FASTEST_DELAY_S / SLOWEST_S) ** frac


def delay_text(delay: float) -> str:
    if delay <= 0:
        return "full speed"
    if delay >= 0.1:
        return f"{delay:.2g} s per batch"
    return f"{delay * 1000:.2g} ms per batch"


def clock(seconds: float) -> str:
    seconds = int(math.ceil(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"



class ElidedLabel(QLabel):
    """One line that ends in '…' when its row is too narrow, the whole text in its tooltip: at
    1280x720 the progress line beside the bar was cut mid-word ("epoch 6/30 · s")."""

    shorter: tuple[str, ...] = ()

    def setText(self, text: str, *shorter: str) -> None:
        """`shorter`: what to show instead, in order, when the whole text does not fit ("epoch
        5/30" rather than "epoch 5/3…", which reads as five of three); the last is elided."""
        self.shorter = tuple(t for t in shorter if t)
        super().setText(text)
        self.setToolTip(text)

    def displayed(self) -> str:
        metrics, width = self.fontMetrics(), self.contentsRect().width()
        options = (self.text(), *self.shorter)
        text = next((t for t in options if metrics.horizontalAdvance(t) <= width), options[-1])
        return metrics.elidedText(text, Qt.ElideRight, width)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()),
                                  self.palette(), self.isEnabled(), self.displayed(),
                                  self.foregroundRole())

class RunControls(QWidget):
    """Buttons bound to the session's actions (so menus and shortcuts stay in step with them)."""

    def __init__(self, session: TrainingSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        rows = QVBoxLayout(self)
        rows.setContentsMargins(4, 2, 4, 2)
        lay, second = QHBoxLayout(), QHBoxLayout()
        rows.addLayout(lay)
        rows.addLayout(second)
        self.buttons: dict[str, QToolButton] = {}
        names = ("run", "pause", "step", "stop", "reset", "step_d", "step_g")
        for name, act in zip(names, session.actions):
            b = QToolButton()
            b.setDefaultAction(act)
            b.setToolButtonStyle(Qt.ToolButtonTextOnly)
            b.setMinimumWidth(64)
            b.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
            self.buttons[name] = b
        # a GAN's half steps sit beside Step; a button does not follow its action's visibility
        for name in ("run", "pause", "step", "step_d", "step_g", "stop", "reset"):
            lay.addWidget(self.buttons[name])
        for name in ("step_d", "step_g"):
            act, b = self.buttons[name].defaultAction(), self.buttons[name]
            b.setVisible(act.isVisible())
            act.visibleChanged.connect(self._sync_half_steps)
        lay.addStretch(1)
        # speed and device share the second row with the progress, so the dock fits a laptop
        second.addSpacing(12)
        second.addWidget(QLabel("Speed"))
        self.speed = QSlider(Qt.Horizontal)
        self.speed.setRange(0, SPEED_STEPS)
        self.speed.setValue(SPEED_STEPS)
        self.speed.setFixedWidth(130)
        self.speed.setToolTip("From slow motion (left, a second per batch) to full speed (right)")
        self.speed_label = QLabel(delay_text(0.0))
        self.speed_label.setMinimumWidth(self.speed_label.fontMetrics().horizontalAdvance(
            "0.99 s per batch "))
        self.speed.valueChanged.connect(self._speed_changed)
        second.addWidget(self.speed)
        second.addWidget(self.speed_label)
        second.addSpacing(12)
        second.addWidget(QLabel("Device"))
        self.device = QComboBox()
        self.device.addItem("as the graph says", None)
        self.device.addItem("CPU", "cpu")
        self.device.addItem("GPU (CUDA)", "cuda")
        if not torch.cuda.is_available():
            self.device.model().item(2).setEnabled(False)
            self.device.setItemData(2, "No CUDA device was found on this computer", Qt.ToolTipRole)
        self.device.currentIndexChanged.connect(self._device_changed)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(110)
        self.progress_label = ElidedLabel("Ready: press Run")
        self.progress_label.setTextFormat(Qt.PlainText)   # run errors quote the file
        # its width must not follow the text, or every update would lay the whole row out again
        self.progress_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self._shown_at = 0.0
        second.insertWidget(0, self.progress)
        second.insertWidget(1, self.progress_label, 1)
        second.addWidget(self.device)
        session.state_changed.connect(self._state_changed)
        session.state_replaced.connect(self._state_replaced)

    @Slot()
    def _sync_half_steps(self) -> None:
        for name in ("step_d", "step_g"):
            b = self.buttons[name]
            b.setVisible(b.defaultAction().isVisible())

    @Slot(int)
    def _speed_changed(self, position: int) -> None:
        delay = delay_for(position)
        self.session.set_delay(delay)
        self.speed_label.setText(delay_text(delay))

    @Slot(int)
    def _device_changed(self, _index: int) -> None:
        self.session.set_device(self.device.currentData())

    @Slot(str)
    def _state_changed(self, status: str) -> None:
        self.device.setEnabled(status == "idle")
        if status == "idle" and self.session.state.start is None and not self.session.state.error:
            self.progress_label.setText("Ready: press Run", "Ready")

    @Slot(object)
    def _state_replaced(self, _state) -> None:
        self.progress.setValue(0)
        if self.session.active:
            self.progress_label.setText("Preparing data and model…", "Preparing…")
        else:
            self.progress_label.setText("Ready: press Run", "Ready")

    @Slot(object)
    def show_progress(self, snap: Snapshot) -> None:
        now = time.monotonic()
        # while training, a few updates a second are all anyone can read
        if self.session.status == "running" and not snap.done and now - self._shown_at < 0.2:
            return
        self._shown_at = now
        text = self.progress_text(snap)
        note = getattr(self.session, "run_note", "")
        if note and not snap.error:
            # said first: the label elides its end, and this is what the run started from
            text = f"{note[:1].upper()}{note[1:]}  ·  {text}"
        if text != self.progress_label.text():
            self.progress_label.setText(text, *self.short_progress_texts(snap))
        if snap.total_steps:
            # the bar moves by whole percent: a repaint per step would be wasted on the eye;
            # it measures the whole run, every phase at its own steps per epoch
            value = min(snap.run_step, snap.total_steps) * 100 // snap.total_steps
            if value != self.progress.value() or self.progress.maximum() != 100:
                # QProgressBar.setValue repaints at once (a synchronous paint on the GUI thread
                # at every percent, seen in profiles of a run); with updates off it only
                # schedules one, painted with the next frame
                self.progress.setUpdatesEnabled(False)
                self.progress.setRange(0, 100)
                self.progress.setValue(value)
                self.progress.setUpdatesEnabled(True)
        # a run in phases (an RBM stack's pretraining, then fine-tuning) names the phase on the
        # bar: the line beside it counts epochs and steps within the phase
        phase = (snap.phases.label(snap.phase or snap.phases.names[0])
                 if snap.phases.many and snap.start and not snap.done else "")
        if phase != self.progress.format():
            self.progress.setFormat(phase)
            self.progress.setTextVisible(bool(phase))

    def short_progress_texts(self, snap: Snapshot) -> tuple[str, ...]:
        """The progress line for a narrow row, shorter and shorter: the epoch count whole, then
        the state (a 1280x720 window leaves the line about 130 px)."""
        if snap.error:
            return ("Stopped by an error", "Error")
        if snap.start is None:
            return ()
        if snap.done:
            count = f"{snap.done.epochs_run}/{snap.start.epochs}"
            word = {"diverged": "Diverged", "stopped": "Stopped"}.get(snap.done.reason, "Done")
            return (f"{word}: {count} epochs", f"{word}: {count}", count)
        phases = snap.phases
        i = max(0, phases.index(snap.phase))
        count = f"{max(1, snap.epoch)}/{phases.epochs[i]}"
        paused = "  ·  paused" if self.session.status == "paused" else ""
        return ((f"epoch {count}{paused}", f"epoch {count}", count) if paused
                else (f"epoch {count}", count))

    def progress_text(self, snap: Snapshot) -> str:
        if snap.error:
            return "Stopped by an error (see the message above)"
        if snap.start is None:
            # a run reset before its first report leaves no start: idle, nothing is preparing
            return "Preparing data and model…" if self.session.active else "Ready: press Run"
        s = snap.start
        if snap.done:
            d = snap.done
            words = {"completed": "Completed", "early_stopped": "Stopped early (no improvement)",
                     "stopped": "Stopped", "diverged": "Diverged"}.get(d.reason, d.reason)
            return f"{words}: {d.epochs_run} of {s.epochs} epochs in {clock(d.seconds)} ({s.device})"
        # within the phase, for a run in phases (the progress bar names the phase)
        phases = snap.phases
        i = max(0, phases.index(snap.phase))
        text = (f"epoch {max(1, snap.epoch)}/{phases.epochs[i]}  ·  "
                f"step {snap.step}/{phases.steps[i]}")
        if self.session.status == "paused":
            return text + "  ·  paused"
        if self.session.status == "stopping":
            return text + "  ·  stopping…"
        if snap.seconds_left is not None:
            text += f"  ·  {clock(snap.seconds_left)} left"
        return text
