"""A plot's legend kept off its data: in a row above the plot area (as many entries to a row as
its width holds), or in a column beside it. Inside the plot area a legend always ends up on
some curve once a run goes its own way, and a class cannot read the curve under it."""
from __future__ import annotations

import pyqtgraph as pg
from pyqtgraph.graphicsItems.LegendItem import ItemSample
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer

LEGEND_PX = 11           # the smallest type a projector's back row reads; a dock row holds 3
GAP = 2                  # px between the legend and the plot area
SAMPLE_GAP, ENTRY_GAP = 3, 8     # px between a sample and its name, and between entries
TITLE_ROW, VIEW_ROW, BESIDE_COL = 0, 2, 3     # in PlotItem's grid: its title row, its ViewBox's
MAX_ROWS = 2             # more rows above a short plot squeeze its data to a strip: short names


class Swatch(ItemSample):
    """A curve's sample the height of a line of legend text (pyqtgraph's is a 20 px square,
    which made each row of a legend half as tall again as its text)."""

    W, H = 16, 13

    def __init__(self, item) -> None:
        super().__init__(item)
        self.setFixedWidth(self.W)
        self.setFixedHeight(self.H)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.W, self.H)

    def paint(self, p, *_args) -> None:
        item, opts = self.item, self.item.opts
        p.setRenderHint(p.RenderHint.Antialiasing)
        if not item.isVisible():
            p.setOpacity(0.25)          # hidden by a click on this sample: a click shows it again
        mid = self.H / 2
        if isinstance(item, pg.BarGraphItem):
            p.setPen(pg.mkPen(opts.get("pen") if opts.get("pen") is not None else "k"))
            p.setBrush(pg.mkBrush(opts.get("brush")))
            p.drawRect(QRectF(3, 1, self.W - 6, self.H - 2))
            return
        if not isinstance(item, pg.ScatterPlotItem) and opts.get("pen") is not None:
            p.setPen(pg.mkPen(opts["pen"]))
            p.drawLine(QPointF(0, mid), QPointF(self.W, mid))
        symbol = opts.get("symbol")
        if symbol is not None:
            # a PlotDataItem passes its marks' style on to its scatter only once it has data
            keys = ("symbolSize", "symbolPen", "symbolBrush") if isinstance(item, pg.PlotDataItem) \
                else ("size", "pen", "brush")
            size, mark_pen, brush = (opts.get(k) for k in keys)
            p.translate(self.W / 2, mid)
            drawSymbol(p, symbol, min(float(size or 7), self.H - 2), pg.mkPen(mark_pen),
                       pg.mkBrush(brush))


class PlotLegend(pg.LegendItem):
    """A LegendItem that keeps room for itself in the PlotItem's own grid, outside the ViewBox:
    above it (the plot's unused title row) or, `beside`, to its right. It reflows when the plot
    is resized or an entry is added, removed or drawn larger (presenter mode)."""

    def __init__(self, plot: pg.PlotItem, ink, beside: bool = False) -> None:
        super().__init__(offset=None, labelTextColor=ink, labelTextSize=f"{LEGEND_PX}px",
                         horSpacing=SAMPLE_GAP, verSpacing=1, frame=False, sampleType=Swatch)
        self.layout.setContentsMargins(0, 0, 0, 0)
        self.plot, self.beside = plot, beside
        self._fitting = False
        self._reserved = -1.0
        self._names: dict[int, tuple[str, str]] = {}    # id(label) -> (full name, short name)
        self.setParentItem(plot)
        if beside:
            # a placeholder in a column of the grid right of the ViewBox, as wide as the legend
            self.room = pg.GraphicsWidget()
            plot.layout.addItem(self.room, VIEW_ROW, BESIDE_COL)
            self.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-GAP, GAP))
        else:
            self.room = None
            self.anchor(itemPos=(0.5, 0), parentPos=(0.5, 0), offset=(0, GAP))
        plot.geometryChanged.connect(self._later)
        self._fit()

    # ---- entries ---------------------------------------------------------------------------
    def addItem(self, item, name, short: str | None = None) -> None:
        """`short` is shown instead of `name` when the full names need more than MAX_ROWS rows
        (a 1280x720 window's Loss plot with two loss terms took three)."""
        super().addItem(item, name)
        _sample, label = self.items[-1]
        self._names[id(label)] = (name, short or name)
        label.item.document().setDocumentMargin(0)
        label.updateMin()
        # the label sizes itself when its text or font changes: reflow then
        label.geometryChanged.connect(self._later)
        self._fit()

    def shorten(self, item, short: str) -> None:
        """Give an entry already in the legend (a curve made with a name) its short name."""
        for sample, label in self.items:
            if sample.item is item:
                self._names[id(label)] = (self._names.get(id(label), (label.text,))[0], short)
        self._fit()

    def removeItem(self, item) -> None:
        super().removeItem(item)
        self._forget_names()
        self._fit()

    def clear(self) -> None:
        super().clear()
        self._forget_names()
        self._fit()

    def _forget_names(self) -> None:
        alive = {id(label) for _sample, label in self.items}
        self._names = {k: v for k, v in self._names.items() if k in alive}

    def _show_names(self, short: bool) -> None:
        for _sample, label in self.items:
            full, brief = self._names.get(id(label), (label.text, label.text))
            name = brief if short else full
            if label.text != name:
                label.setText(name)

    # ---- layout ----------------------------------------------------------------------------
    def updateSize(self) -> None:
        # LegendItem sums its entries' widths with 3 px between them; the grid knows its spacing
        for column in range(self.layout.columnCount()):
            self.layout.setColumnSpacing(column, ENTRY_GAP if column % 2 else SAMPLE_GAP)
        self.layout.invalidate()
        hint = self.layout.effectiveSizeHint(Qt.SizeHint.PreferredSize) if self.items else None
        self.resize(hint.width() if hint else 0.0, hint.height() if hint else 0.0)

    def _later(self) -> None:
        if not self._fitting:
            QTimer.singleShot(0, self, self._fit)     # dropped if the legend is gone by then

    def _fit(self) -> None:
        """The most entries a row that fit the plot's width (one column beside the plot), and
        room for the result kept in the plot's grid."""
        if self._fitting:
            return
        self._fitting = True
        try:
            count = len(self.items)
            if self.beside:
                self.setColumnCount(1)
            else:
                room = self.plot.width() - 2 * GAP
                briefer = any(full != brief for full, brief in self._names.values())
                for short in ((False, True) if briefer else (False,)):
                    self._show_names(short)
                    for columns in range(max(1, count), 0, -1):
                        self.setColumnCount(columns)
                        self.updateSize()
                        if self.width() <= room:
                            break
                    if -(-count // columns) <= MAX_ROWS:
                        break
            self.updateSize()
            self._reserve(count)
        finally:
            self._fitting = False

    def _reserve(self, count: int) -> None:
        size = (self.width() if self.beside else self.height()) + 2 * GAP if count else 0.0
        if abs(size - self._reserved) < 0.5:
            return
        self._reserved = size
        if self.beside:
            self.room.setFixedWidth(size)
        else:
            self.plot.layout.setRowFixedHeight(TITLE_ROW, size)
        self.plot.layout.invalidate()
