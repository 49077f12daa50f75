"""Names of a plot's reference lines (a badge's threshold, a sparsity target, where a phase
begins), placed each time the plot changes: whole inside the plot area, beside their line,
apart from each other and, where the plot leaves room, off the data.

pyqtgraph's own line labels sit at a fixed place along the line and on a fixed side of it, so
on a plot 90 px tall a name near the top was cut, two close lines' names ran into each other
and names sat on the bars and curves they were meant to explain."""
from __future__ import annotations

import itertools
import time
from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QTimer
from PySide6.QtGui import QFont

NAME_PT = 9              # 12 px at 96 dpi
NAME_GROUND = (255, 255, 255, 190)
PAD = 2                  # px kept between a name and the plot area's edge
GAP = 2                  # px between a name and its own line
# what a candidate place costs: overlapping another name rules it out, sitting on data is worse
# than crossing its own line (pushed there by the plot's edge), and among equals the order of
# preference decides
COST_NAME, COST_DATA, COST_CROSS = 1e6, 40.0, 6.0
MAX_COMBINATIONS = 4000
DATA_PLACE_S = 0.25      # names follow changing data at most this often


class LineName(pg.TextItem):
    """The name of one reference line; `names_line` is that line."""

    def __init__(self, line: pg.InfiniteLine, text: str, color, side: str, owner: LineNames):
        # on a plot with no free room a name lands on data: a pale ground keeps it readable
        super().__init__(text, color=color, anchor=(0, 0), fill=NAME_GROUND)
        self.names_line, self.side, self._owner = line, side, owner
        font = QFont()
        font.setPointSize(NAME_PT)
        super().setFont(font)
        # the default 4 px margin made a name taller than the room between a threshold and
        # the plot's top
        self.textItem.document().setDocumentMargin(1)

    def setFont(self, font: QFont) -> None:
        # presenter mode draws names larger: they need other places then
        super().setFont(font)
        owner = getattr(self, "_owner", None)
        if owner is not None:
            owner.place()


class LineNames:
    """The names of `plot`'s reference lines. Data in `boxes` (other view boxes drawn over the
    plot area, e.g. a right-hand axis's) is kept clear too. Views call `place()` after
    changing their data; range, size and line changes place the names by themselves."""

    def __init__(self, plot: pg.PlotItem, boxes: Iterable[pg.ViewBox] = ()) -> None:
        self.plot, self.vb = plot, plot.vb
        self.boxes = [plot.vb, *boxes]
        self.names: list[LineName] = []
        self._placing = self._pending = False
        self._placed_at = 0.0
        for box in self.boxes:
            box.sigTransformChanged.connect(self.place)

    def add(self, line: pg.InfiniteLine, text: str, color, side: str = "right") -> LineName:
        """Name `line`; `side` is where its name goes first when all else is equal: 'left' or
        'right' along a horizontal line, 'left' or 'right' of a vertical one."""
        name = LineName(line, text, color, side, self)
        self.plot.addItem(name, ignoreBounds=True)
        line.sigPositionChanged.connect(self.place)
        line.visibleChanged.connect(self.place)
        self.names.append(name)
        self.place()
        return name

    def remove(self, line: pg.InfiniteLine) -> None:
        for name in [n for n in self.names if n.names_line is line]:
            self.names.remove(name)
            self.plot.removeItem(name)
            line.sigPositionChanged.disconnect(self.place)
            line.visibleChanged.disconnect(self.place)

    # ---- placing ---------------------------------------------------------------------------
    def follow_data(self) -> None:
        """The view's data changed: place the names again, at most a few times a second (while
        a run trains the data changes at every frame, and a frame must stay cheap)."""
        if not self.names or self._pending:
            return
        wait = self._placed_at + DATA_PLACE_S - time.monotonic()
        if wait <= 0:
            self.place()
        else:
            self._pending = True
            QTimer.singleShot(int(wait * 1000) + 1, self.plot, self._deferred)

    def _deferred(self) -> None:
        self._pending = False
        self.place()

    def place(self, *_args) -> None:
        if self._placing or not self.names:
            return
        self._placing = True
        try:
            self._place()
        finally:
            self._placing = False
            self._placed_at = time.monotonic()

    def _place(self) -> None:
        area = self.vb.sceneBoundingRect()
        if area.width() < 2 or area.height() < 2:
            return
        obstacles = self._obstacles(area)
        shown, options = [], []
        for name in self.names:
            line = name.names_line
            size = name.boundingRect().size()
            at = _line_at(line, area)
            fits = size.width() + 2 * PAD <= area.width() and size.height() + 2 * PAD <= area.height()
            if at is None or not line.isVisible() or not fits:
                name.setVisible(False)
                continue
            spots = _candidates(line, at, size.width(), size.height(), area, name.side)
            shown.append(name)
            options.append([(rect, _cost(rect, crossing, rank, obstacles))
                            for rect, crossing, rank in spots])
        for name, rect in zip(shown, _choose(options)):
            pos = self.vb.mapSceneToView(rect.topLeft())
            if name.pos() != pos:
                name.setPos(pos)
            name.setVisible(True)

    def _obstacles(self, area: QRectF) -> np.ndarray:
        """(n, 4) boxes, x0 y0 x1 y1 in scene coordinates, of what the plot draws in `area`:
        each bar, each curve segment, each marker, each reference line."""
        parts = []
        for vb in self.boxes:
            for item in vb.addedItems:
                if item.isVisible():
                    parts += _boxes_of(item, area)
        if not parts:
            return np.zeros((0, 4))
        boxes = np.concatenate(parts)
        keep = (np.isfinite(boxes).all(axis=1) & (boxes[:, 2] >= area.left())
                & (boxes[:, 0] <= area.right()) & (boxes[:, 3] >= area.top())
                & (boxes[:, 1] <= area.bottom()))
        return boxes[keep]


def _line_at(line: pg.InfiniteLine, area: QRectF) -> float | None:
    """Where `line` crosses the plot area: its scene y (horizontal) or x (vertical), None when
    it is out of view."""
    p = line.mapToScene(QPointF(0, 0))
    horizontal = line.angle % 180 == 0
    at = p.y() if horizontal else p.x()
    lo, hi = (area.top(), area.bottom()) if horizontal else (area.left(), area.right())
    return at if lo <= at <= hi else None


def _candidates(line, at: float, w: float, h: float, area: QRectF, side: str):
    """(rect, crossing, rank): places beside the line in order of preference, pushed inside the
    area (`crossing`: how far that pushed the name onto its line)."""
    left, right = area.left() + PAD, area.right() - PAD
    top, bottom = area.top() + PAD, area.bottom() - PAD
    out = []
    if line.angle % 180 == 0:
        xs = [left, right - w, (left + right - w) / 2]
        if side == "right":
            xs[0], xs[1] = xs[1], xs[0]
        spots = [(x, y) for x in xs for y in (at - GAP - h, at + GAP)]
        for rank, (x, y) in enumerate(spots):
            inside = min(max(y, top), bottom - h)
            out.append((QRectF(x, inside, w, h), abs(inside - y), rank))
    else:
        xs = [at + GAP, at - GAP - w]
        if side == "left":
            xs.reverse()
        rows = max(1, min(4, int((bottom - top) // h)))
        ys = [top + i * h for i in range(rows)] + [bottom - h]
        spots = [(x, y) for y in ys for x in xs]
        for rank, (x, y) in enumerate(spots):
            inside = min(max(x, left), right - w)
            out.append((QRectF(inside, y, w, h), abs(inside - x), rank))
    return out


def _cost(rect: QRectF, crossing: float, rank: int, obstacles: np.ndarray) -> float:
    hits = int(np.count_nonzero((obstacles[:, 0] < rect.right()) & (obstacles[:, 2] > rect.left())
                                & (obstacles[:, 1] < rect.bottom()) & (obstacles[:, 3] > rect.top())))
    return COST_DATA * hits + COST_CROSS * crossing + rank


def _choose(options: list[list[tuple[QRectF, float]]]) -> list[QRectF]:
    """One place per name, the cheapest together: every combination while they are few (two
    thresholds close together are best placed as a pair, not the first where it likes and the
    second wherever is left), else one name after the other."""
    if not options:
        return []
    if np.prod([len(o) for o in options], dtype=float) <= MAX_COMBINATIONS:
        best = min(itertools.product(*options), key=_together)
        return [rect for rect, _cost in best]
    taken: list[tuple[QRectF, float]] = []
    for spots in options:
        taken.append(min(spots, key=lambda s: _together([*taken, s])))
    return [rect for rect, _cost in taken]


def _together(chosen) -> float:
    own = sum(cost for _rect, cost in chosen)
    overlap = sum(_area(a.intersected(b)) for (a, _), (b, _) in itertools.combinations(chosen, 2)
                  if a.intersects(b))
    return COST_NAME * overlap + own


def _area(r: QRectF) -> float:
    return max(0.0, r.width()) * max(0.0, r.height())


def _to_scene(item, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = item.sceneTransform()
    return t.m11() * x + t.m21() * y + t.m31(), t.m12() * x + t.m22() * y + t.m32()


def _boxes_of(item, area: QRectF) -> list[np.ndarray]:
    if isinstance(item, (LineName, pg.TextItem, pg.ImageItem)):
        # an image fills its whole rectangle: no name could keep off it, so it does not count
        return []
    if isinstance(item, pg.InfiniteLine):
        at = _line_at(item, area)
        if at is None:
            return []
        if item.angle % 180 == 0:
            return [np.array([[area.left(), at - 1, area.right(), at + 1]])]
        return [np.array([[at - 1, area.top(), at + 1, area.bottom()]])]
    if isinstance(item, pg.PlotDataItem):
        out = []
        if item.opts.get("pen") is not None:
            out += _boxes_of(item.curve, area)
        if item.opts.get("symbol") is not None:
            out += _boxes_of(item.scatter, area)
        return out
    if isinstance(item, pg.PlotCurveItem):
        x, y = item.getData()
        if x is None or len(x) < 2:
            return []
        sx, sy = _to_scene(item, np.asarray(x, float), np.asarray(y, float))
        return [np.stack([np.minimum(sx[:-1], sx[1:]), np.minimum(sy[:-1], sy[1:]),
                          np.maximum(sx[:-1], sx[1:]), np.maximum(sy[:-1], sy[1:])], axis=1)]
    if isinstance(item, pg.ScatterPlotItem):
        x, y = item.getData()
        if x is None or not len(x):
            return []
        sx, sy = _to_scene(item, np.asarray(x, float), np.asarray(y, float))
        r = float(item.opts.get("size", 7)) / 2
        return [np.stack([sx - r, sy - r, sx + r, sy + r], axis=1)]
    if isinstance(item, pg.BarGraphItem):
        return _bar_boxes(item)
    return []


def _bar_boxes(item: pg.BarGraphItem) -> list[np.ndarray]:
    o = item.opts
    if o.get("x") is None or o.get("height") is None:
        return []
    x = np.asarray(o["x"], float).ravel()
    if not len(x):
        return []
    height = np.broadcast_to(np.asarray(o["height"], float), x.shape)
    width = np.broadcast_to(np.asarray(o.get("width") if o.get("width") is not None else 0.8,
                                       float), x.shape)
    y0 = np.broadcast_to(np.asarray(o.get("y0") if o.get("y0") is not None else 0.0, float),
                         x.shape)
    ax, ay = _to_scene(item, x - width / 2, y0)
    bx, by = _to_scene(item, x + width / 2, y0 + height)
    return [np.stack([np.minimum(ax, bx), np.minimum(ay, by), np.maximum(ax, bx),
                      np.maximum(ay, by)], axis=1)]
