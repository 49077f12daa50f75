"""Progress per phase of a run that trains in phases (an RBM stack: each RBM's pretraining in
turn, then the fine-tuning): one bar each, in plan order, the one running in bold. Widgets are
made once per plan and then only have their values set."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from gui.dashboard.plot_frame import TITLE_PT
from gui.dashboard.rbm_figures import phase_rows
from gui.training.run_state import Snapshot


class PhaseProgressView:
    def __init__(self) -> None:
        self.frame = QFrame()
        self.frame.setFrameShape(QFrame.StyledPanel)
        title = QLabel("Phases")
        f = title.font()
        f.setPointSize(TITLE_PT)
        f.setBold(True)
        title.setFont(f)
        self.body = QWidget()
        self.grid = QGridLayout(self.body)
        self.grid.setContentsMargins(2, 2, 2, 2)
        self.grid.setVerticalSpacing(3)
        lay = QVBoxLayout(self.frame)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.addWidget(title)
        lay.addWidget(self.body)
        lay.addStretch(1)
        self.labels: list[QLabel] = []
        self.bars: list[QProgressBar] = []
        self.shown: list[tuple[str, float, str]] = []     # what the rows say (tests read it)
        self._plan = None

    def reset(self) -> None:
        self._build(())
        self._plan = None
        self.shown = []

    def _build(self, names) -> None:
        for w in self.labels + self.bars:
            self.grid.removeWidget(w)
            w.deleteLater()
        self.labels, self.bars = [], []
        for i, _ in enumerate(names):
            label = QLabel()
            label.setTextFormat(Qt.PlainText)     # phase names carry the file's node ids
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setTextVisible(True)
            bar.setAlignment(Qt.AlignCenter)
            bar.setFixedHeight(20)         # six phases (a five-RBM stack) fit a 720p dock
            self.grid.addWidget(label, i, 0)
            self.grid.addWidget(bar, i, 1)
            self.labels.append(label)
            self.bars.append(bar)
        self.grid.setColumnStretch(1, 1)

    def update(self, snap: Snapshot) -> None:
        if snap.start is None:
            return
        if snap.phases != self._plan:
            self._plan = snap.phases
            self._build(snap.phases.names)
        rows = phase_rows(snap)
        if rows == self.shown:
            return
        here = snap.phases.index(snap.phase) if snap.phase else 0
        for i, ((words, frac, epochs), label, bar) in enumerate(zip(rows, self.labels, self.bars)):
            label.setText(f"{i + 1}. {words}")
            font = label.font()
            font.setBold(i == here and snap.done is None)
            label.setFont(font)
            bar.setValue(round(1000 * frac))
            bar.setFormat(epochs)
        self.shown = rows
