"""The run's outcome above the plots never takes more than two lines (one in a short
dashboard), and still says all of it: in `text()` and in its tooltip."""
from __future__ import annotations

from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gui.dashboard.outcome_line import OutcomeLine

DIVERGED = ("training diverged at epoch 1, step 3: the gradient of 'h1' (Dense) is no longer "
            "finite (NaN or Inf); it is the first layer from the input side where that happened. "
            "What usually helps: a lower learning rate; gradient clipping (training.grad_clip); He "
            "or Xavier initialisation with init_scale 1; ReLU instead of sigmoid in deep stacks; "
            "a BatchNorm after each Dense.")


def _lines(line: OutcomeLine) -> float:
    return line.heightForWidth(line.width()) / QFontMetricsF(line.font()).lineSpacing()


def test_a_long_outcome_keeps_to_its_lines_and_says_the_rest_in_its_tooltip(qtbot):
    holder = QWidget()
    qtbot.addWidget(holder)
    line = OutcomeLine()
    QVBoxLayout(holder).addWidget(line)
    line.setText(DIVERGED)
    holder.resize(1240, 210)             # the dashboard of a 1280x720 window
    holder.show()
    qtbot.waitUntil(lambda: line.shown_text() != DIVERGED)
    assert _lines(line) < 1.5 and line.shown_text().endswith("…")
    assert line.text() == DIVERGED and line.toolTip() == DIVERGED
    holder.resize(1500, 330)             # 1600x1000: two lines
    qtbot.waitUntil(lambda: 1.5 < _lines(line) < 2.5)
    holder.resize(3000, 330)             # room for all of it
    qtbot.waitUntil(lambda: line.shown_text() == DIVERGED)
    assert line.toolTip() == ""
