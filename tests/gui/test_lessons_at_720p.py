"""Every lesson, opened as a teacher would on a 1280x720 projector, shows its whole network with
no block text smaller than style.MIN_TEXT_PX (11 px) on screen."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionGraphicsItem

from gui.canvas import style
from gui.canvas.node_item import NodeItem
from tests.conftest import GRAPHS

LESSONS = sorted(GRAPHS.glob("*.json"))


class _RecordingPainter:
    """Passes everything to the real painter, and notes the on-screen size of each text drawn."""

    def __init__(self, painter: QPainter, sizes: list):
        self._painter = painter
        self._sizes = sizes

    def __getattr__(self, name):
        return getattr(self._painter, name)

    def drawText(self, *args):
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(self._painter.worldTransform())
        font = self._painter.font()
        size = font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72
        text = next((a for a in args if isinstance(a, str)), "")
        if text.strip():
            self._sizes.append((size * lod, text))
        return self._painter.drawText(*args)


@pytest.fixture
def text_sizes(monkeypatch):
    sizes: list[tuple[float, str]] = []
    paint = NodeItem.paint

    def recording_paint(self, painter, option, widget=None):
        drawn: list = []
        paint(self, _RecordingPainter(painter, drawn), option, widget)
        sizes.extend((px, self.node_id, text) for px, text in drawn)

    monkeypatch.setattr(NodeItem, "paint", recording_paint)
    return sizes


# 1280x720: the projector; 1600x1000: a laptop, where the minimap shows and must not cover a block
@pytest.mark.parametrize("size", [(1280, 720), (1600, 1000)])
def test_every_lesson_is_whole_and_legible_at_1280x720(window, qtbot, text_sizes, size):
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    view = window.view
    problems = []
    assert LESSONS
    for path in LESSONS:
        assert window.open_path(path, ask=False)
        QApplication.processEvents()
        port = view.viewport().rect()
        minimap = view.minimap.geometry() if view.minimap.isVisible() else None
        nodes = [i for i in window.scene.items() if isinstance(i, NodeItem)]
        outside, covered = [], []
        for item in nodes:
            on_screen = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
            if not port.contains(on_screen):
                outside.append(item.node_id)
            elif minimap is not None and minimap.intersects(on_screen):
                covered.append(item.node_id)
        text_sizes.clear()
        view.viewport().grab()
        unlabelled = {i.node_id for i in nodes} - {node for _, node, _ in text_sizes}
        small = sorted((round(px, 1), node, text) for px, node, text in text_sizes
                       if px < style.MIN_TEXT_PX - 0.01)
        smallest = min((px for px, _, _ in text_sizes), default=0.0)
        print(f"{path.name}: zoom {view.zoom:.2f}, smallest text {smallest:.1f} px")
        for what, ids in (("outside the canvas", outside), ("under the minimap", covered),
                          ("with no text", sorted(unlabelled))):
            if ids:
                problems.append(f"{path.name} (zoom {view.zoom:.2f}): {len(ids)} block(s) {what}: "
                                f"{', '.join(ids[:4])}")
        if small:
            problems.append(f"{path.name} (zoom {view.zoom:.2f}): {len(small)} text(s) below "
                            f"{style.MIN_TEXT_PX:g} px, e.g. {small[0]}")
        window.controller.undo_stack.setClean()
    assert not problems, "\n".join(problems)


def _wires_behind_blocks(window, name: str) -> list[str]:
    from gui.canvas.edge_item import EdgeItem

    problems = []
    nodes = [i for i in window.scene.items() if isinstance(i, NodeItem)]
    for edge in (i for i in window.scene.items() if isinstance(i, EdgeItem)):
        ends = {edge.src.node_item.node_id, edge.dst.node_item.node_id}
        wire = edge.mapToScene(edge.path())
        points = [wire.pointAtPercent(k / 400) for k in range(401)]
        for node in nodes:
            if node.node_id in ends:
                continue
            body = node.mapRectToScene(node.body_rect()).adjusted(2, 2, -2, -2)
            if any(body.contains(p) for p in points):
                problems.append(f"{name}: {' -> '.join(edge.key[::2])} runs behind {node.node_id}")
    return problems


def test_no_lesson_wire_passes_behind_a_block_it_does_not_join(window):
    """A wire drawn behind an unrelated block reads as a connection to it (the target wire of
    churn once ran behind h1, h2 and out, and looked like a skip connection)."""
    problems = []
    for path in LESSONS:
        assert window.open_path(path, ask=False)
        problems += _wires_behind_blocks(window, path.name)
        window.controller.undo_stack.setClean()
    assert not problems, "\n".join(problems)


def test_auto_layout_keeps_wires_off_unrelated_blocks(window):
    """Auto-layout gives an edge that skips columns a row of its own."""
    problems = []
    for path in LESSONS:
        assert window.open_path(path, ask=False)
        window.menu_actions.auto_layout.trigger()
        problems += _wires_behind_blocks(window, f"{path.name} after Auto-layout")
        window.controller.undo_stack.setClean()
    assert not problems, "\n".join(problems)


def test_training_marks_stay_legible_on_a_whole_lesson_at_1280x720(window, qtbot, text_sizes):
    """A run's badges and pretraining marks, on a lesson fitted whole, keep to the minimum too."""
    from PySide6.QtGui import QColor

    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.width() == 1280 and window.height() == 720)
    for name in ("deep_sigmoid.json", "deep_sigmoid_pretrained.json"):
        assert window.open_path(GRAPHS / name, ask=False)
        ids = list(window.controller.doc.nodes)
        window.scene.set_training_overlay({i: QColor(40, 0, 80) for i in ids},
                                          {i: "vanishing" for i in ids[:3]})
        window.scene.set_phase_marks({ids[3]: ("training", "pretraining 2/5"),
                                      ids[4]: ("done", "pretrained"), ids[5]: ("waiting", "waiting")})
        text_sizes.clear()
        window.view.viewport().grab()
        drawn = {text for _, _, text in text_sizes}
        # zoomed far out, the mark keeps its count rather than an elided verb
        assert "vanishing" in drawn and drawn & {"pretraining 2/5", "2/5"}, drawn
        small = [s for s in text_sizes if s[0] < style.MIN_TEXT_PX - 0.01]
        assert not small, (name, window.view.zoom, small[:3])
        window.scene.set_training_overlay({}, {})
        window.scene.set_phase_marks({})
        window.controller.undo_stack.setClean()
