"""What an autoencoder's blocks show of themselves while they learn, on a card hanging under the
node: the decoding block a strip of its reconstructions of a few fixed inputs (inputs on top,
reconstructions beneath), the coding block one bar per code unit (its mean activation). An RBM
shows the same two rows and, beneath them, a few of its hidden units' weights as pictures (its
filters: blue negative, white zero, orange positive). A GAN's Generator shows what it makes of a fixed batch of noise: pictures, or
for two-dimensional data the points themselves. For data with two input features, each hidden
layer hangs one picture per unit of its output over the input plane (UnitPicturesItem).

Cheap to repaint: each new sample is turned once into a small QImage at its native pixel size
(an 8x8 digit is 8x8 pixels), and paint() draws that image scaled to the card without smoothing,
so the pixels stay crisp at any zoom and a repaint is one blit. New data comes from the training
session's overlay timer, at most five times a second.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from gui.canvas import style
from gui.canvas.node_item import NODE_H, NODE_W, WEIGHT_NOTE_H
from gui.plain_text import plain_tooltip
from gui.theme import Theme
from gui.training.tiles import bar_strip, dots, mosaic, weights

GAP = 6.0              # between the node's body and its card
OVERHANG = 20.0        # the card is this much wider than the node on each side: lessons place
                       # blocks 180 apart, a node is 150 wide, so 190 still clears a neighbour
PAD = 4.0
STRIP_IMAGES = 6       # of the fixed eight: six 8x8 digits across the card are ~26 scene pixels
                       # each, readable on a projector at the zoom that fits a lesson
CAPTION_H = 16.0
BARS_H = 30.0
FEW_UNITS = 64         # up to this many units, each bar gets its own gap so units read as units
SAMPLE_ROWS = 2        # a Generator's pictures: two rows of STRIP_IMAGES
DOTS_PX = 96           # a Generator's points are drawn on a picture this many pixels square
DOTS_PAD = 0.15        # room around the points, as a share of their span
DOTS_SHRINK = 0.1      # how far the drawn region closes in on the points at each sample


def to_qimage(rgb: np.ndarray) -> QImage:
    """An RGB uint8 (h, w, 3) array as a QImage that owns its pixels (the array may go)."""
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()


class LiveFaceItem(QGraphicsItem):
    """The card under one node. `show_reconstructions` or `show_code` replace what it shows."""

    def __init__(self, parent: QGraphicsItem, node_w: float, node_h: float, theme: Theme):
        super().__init__()
        self.theme = theme
        self.kind = ""
        self.width = node_w + 2 * OVERHANG
        self.image = QImage()
        self.image_rect = QRectF()
        self.caption = ""
        self.height = 0.0
        self.shown_step = -1
        self.shown: dict | None = None       # the sample drawn (the report's own dict)
        self.extent: tuple | None = None     # a Generator's points: the region drawn
        self.setAcceptedMouseButtons(Qt.NoButton)   # clicks fall through to the canvas
        # parented once every attribute boundingRect() reads exists: the scene asks at once
        self.setParentItem(parent)
        self.setPos(-OVERHANG, node_h + GAP)

    # ---- data ------------------------------------------------------------------------------
    def show_reconstructions(self, arrays: dict, step: int) -> None:
        """The inputs the network is given (the corrupted ones when there are) above what it
        gives back."""
        given = arrays.get("corrupted")
        if given is None:
            given = arrays.get("input")
        recon = arrays.get("recon")
        if recon is None or len(recon) == 0:
            return
        rgb = mosaic([given, recon], columns=min(STRIP_IMAGES, len(recon)))
        self.shown = arrays
        corrupted = arrays.get("corrupted") is not None
        self.kind, self.caption = "reconstructions", ""
        self._set_image(rgb, step)
        self.setToolTip(plain_tooltip(
            f"Reconstructions at step {step}: the top row is what the network is given "
            f"({'corrupted inputs' if corrupted else 'fixed inputs'}), the bottom row what it "
            "gives back. The dashboard's Reconstructions tab shows all of them."))

    def show_rbm(self, arrays: dict, step: int) -> None:
        """An RBM while it pretrains: fixed inputs, what it rebuilds of them (up to its hidden
        units and back), and the weights of its first hidden units drawn as pictures."""
        given, recon, filters = arrays.get("input"), arrays.get("recon"), arrays.get("filters")
        if recon is None or len(recon) == 0:
            return
        columns = min(STRIP_IMAGES, len(recon))
        rgb = mosaic([given, recon, filters], columns=columns, painters=[None, None, weights])
        self.shown = arrays
        self.kind = "rbm"
        self.caption = "inputs · rebuilt · filters"
        self._set_image(rgb, step)
        self.setToolTip(plain_tooltip(
            f"The RBM at step {step} of its pretraining: on top fixed inputs, in the middle "
            "what it rebuilds of them (up to its hidden units and back down), at the bottom "
            "the weights of its first hidden units as pictures (blue negative, white zero, "
            "orange positive; an RBM higher in a stack is drawn through the weights below it). "
            "The dashboard's Pretraining tab shows more."))

    def show_code(self, code: dict, step: int) -> None:
        """One bar per unit: its mean activation over the fixed batch. A code that takes signs
        (a VAE's mean, a tanh or linear code) averages to about zero in every unit, in use or
        not; there each bar is the unit's mean magnitude instead, which tells the two apart
        (for a code that never goes negative the two are the same number)."""
        means = np.asarray(code.get("unit_mean", ()), np.float64).ravel()
        values = np.asarray(code.get("values", ()), np.float64)
        signed = values.ndim == 2 and values.shape[1] == len(means) and bool(np.any(values < 0))
        if signed:
            means = np.nanmean(np.abs(values), axis=0)
        if not len(means):
            return
        # up to FEW_UNITS, three pixels a bar and one of gap, so units read as units
        few = len(means) <= FEW_UNITS
        rgb, top = bar_strip(means, height=24, bar=3 if few else 1, gap=1 if few else 0)
        self.kind = "code"
        self.shown = code
        what = "mean |code|" if signed else "mean"
        self.caption = f"{len(means)} units · {what} {float(np.nanmean(means)):.2f}"
        self._set_image(rgb, step)
        self.setToolTip(plain_tooltip(
            f"Code at step {step}: one bar per unit, its mean "
            f"{'magnitude' if signed else 'activation'} over a fixed batch (the full height is "
            f"{top:.2g}). A sparse code has a few tall bars and many short ones. The dashboard's "
            "Code tab shows the whole distribution."))

    def show_samples(self, arrays: dict, step: int) -> None:
        """A GAN's Generator: what it makes of one fixed batch of noise, pictures for image
        data, else the points (two-dimensional data; further coordinates are not drawn)."""
        pictures, points = arrays.get("samples"), arrays.get("points")
        if pictures is not None and len(pictures):
            columns = min(STRIP_IMAGES, len(pictures))
            rgb = mosaic([pictures[i * columns:(i + 1) * columns] for i in range(SAMPLE_ROWS)],
                         columns=columns)
            self.caption = "samples of fixed noise"
        elif points is not None and len(points) and np.asarray(points).shape[1] >= 2:
            xy = np.asarray(points, np.float64)[:, :2]
            rgb = dots(xy, self._grow_extent(xy), DOTS_PX)
            self.caption = f"{len(xy)} samples of fixed noise"
        else:
            return
        self.shown = arrays
        self.kind = "samples"
        self._set_image(rgb, step)
        self.setToolTip(plain_tooltip(
            f"The generator at step {step}: what it makes of the same batch of noise every "
            "time, so what changes is the generator. The dashboard's GAN tab shows more, with "
            "the discriminator's view of them."))

    def _grow_extent(self, xy: np.ndarray) -> tuple[float, float, float, float]:
        finite = xy[np.isfinite(xy).all(axis=1)]
        if not len(finite):
            return self.extent or (-1.0, 1.0, -1.0, 1.0)
        lo, hi = np.percentile(finite, 1, axis=0), np.percentile(finite, 99, axis=0)
        centre, half = (lo + hi) / 2, float(max(hi - lo)) / 2 * (1 + 2 * DOTS_PAD) + 1e-6
        box = (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)
        if self.extent is not None:
            # out at once to take in every sample, in slowly once they gather (the first
            # samples may scatter far): the frame holds still while the points move
            e = self.extent
            box = tuple(min(a, b) if i % 2 == 0 and b < a else max(a, b) if i % 2 and b > a
                        else a + DOTS_SHRINK * (b - a) for i, (a, b) in enumerate(zip(e, box)))
            # square again, so a ring stays round
            half = max(box[1] - box[0], box[3] - box[2]) / 2
            cx, cy = (box[0] + box[1]) / 2, (box[2] + box[3]) / 2
            box = (cx - half, cx + half, cy - half, cy + half)
        self.extent = tuple(float(v) for v in box)
        return self.extent

    def _set_image(self, rgb: np.ndarray, step: int) -> None:
        self.prepareGeometryChange()
        self.image = to_qimage(rgb)
        w = self.width - 2 * PAD
        if self.kind in ("reconstructions", "rbm", "samples"):
            # square pixels: the height follows from the width
            h = w * rgb.shape[0] / max(1, rgb.shape[1])
        else:
            h = BARS_H
        self.image_rect = QRectF(PAD, PAD, w, h)
        self.height = PAD + h + (CAPTION_H if self.caption else PAD)
        self.shown_step = step
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    # ---- Qt --------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF(-1, -1, self.width + 2, self.height + 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if self.image.isNull():
            return
        t = self.theme
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(t.color("node_border"), 1.0))
        painter.setBrush(t.color("node_body"))
        painter.drawRoundedRect(QRectF(0, 0, self.width, self.height), 5, 5)
        painter.setRenderHint(QPainter.SmoothPixmapTransform, False)
        painter.drawImage(self.image_rect, self.image)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if self.caption and lod >= style.TEXT_LOD:
            font = style.font("small")
            painter.setFont(font)
            painter.setPen(t.color("node_muted"))
            r = QRectF(PAD, self.image_rect.bottom(), self.width - 2 * PAD, CAPTION_H)
            painter.drawText(r, Qt.AlignCenter,
                             QFontMetricsF(font).elidedText(self.caption, Qt.ElideRight, r.width()))


# ---- hidden units over the input plane -------------------------------------------------------
UNIT_COLUMNS = 4       # 16 units as a 4 x 4 block: tiles of ~40 scene pixels, 17 on screen at
                       # the 42% that fits the moons lesson at 1280x720
TILE_GAP = 3.0
MORE_ROOM = 36.0       # below the card: the '+N more' pill grows past it when zoomed out


class UnitPicturesItem(QGraphicsItem):
    """Under a hidden layer's node: one small picture per unit (up to the engine's cap) of its
    output over the input plane, x across and y up, blue negative, white zero, orange positive.
    Each picture is a QImage at the grid's size, drawn smoothed into its tile: it is a smooth
    function, not pixels."""

    def __init__(self, parent: QGraphicsItem):
        super().__init__()
        self.width = NODE_W + 2 * OVERHANG
        self.images: list[QImage] = []
        self.tiles: list[QRectF] = []
        self.height = 0.0
        self.caption = ""
        self.more = 0                      # units not drawn
        self.shown: dict | None = None     # the engine's dict drawn
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setParentItem(parent)
        self.setZValue(-0.5)               # under the node's own badges and pills

    def show_units(self, data: dict, node_id: str) -> None:
        values = np.asarray(data.get("values", ()), np.float32)
        if values.ndim != 3 or not len(values):
            return
        lo, hi = data.get("range", (-1.0, 1.0))
        scaled = (values - lo) / max(hi - lo, 1e-12)
        rgb = weights(np.clip(scaled, 0.0, 1.0))
        self.prepareGeometryChange()
        self.images = [to_qimage(img) for img in rgb]
        k, units = len(values), int(data.get("units", len(values)))
        self.more = max(0, units - k)
        tile = (self.width - 2 * PAD - (UNIT_COLUMNS - 1) * TILE_GAP) / UNIT_COLUMNS
        columns = min(UNIT_COLUMNS, k)
        left = (self.width - columns * tile - (columns - 1) * TILE_GAP) / 2
        self.tiles = [QRectF(left + (i % columns) * (tile + TILE_GAP),
                             PAD + (i // columns) * (tile + TILE_GAP), tile, tile)
                      for i in range(k)]
        # a line of words only where units are missing: a full card keeps clear of the wires
        # that lessons run under their rows (moons: the targets' wire, 14 px below)
        self.height = self.tiles[-1].bottom() + (CAPTION_H if units > k else PAD)
        source = str(data.get("source", "")).partition(".")[0]
        after = f" after {source}" if source and source != node_id else ""
        self.caption = f"units 1-{k} of {units} · +{self.more} more" if self.more else ""
        self.shown = data
        self.setToolTip(plain_tooltip(
            f"What each unit of '{node_id}' outputs{after} at every point of the input plane "
            f"(x across, y up, in the units the network is given): blue negative, white "
            f"{(lo + hi) / 2:g}, orange positive, from {lo:.3g} to {hi:.3g}. "
            + (f"The first {k} of its {units} units are drawn. " if self.more else "")
            + "Redrawn a few times a second while the network learns."))
        self.update()

    def place(self, below: float) -> None:
        """Hang the card `below` scene pixels under the top of its node."""
        if self.pos() != QPointF(-OVERHANG, below):
            self.setPos(-OVERHANG, below)

    def boundingRect(self) -> QRectF:
        return QRectF(-1, -1, self.width + 2, self.height + MORE_ROOM + 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if not self.images:
            return
        t = getattr(self.parentItem(), "theme", None)
        if t is None:
            return
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(t.color("node_border"), 1.0))
        painter.setBrush(t.color("node_body"))
        painter.drawRoundedRect(QRectF(0, 0, self.width, self.height), 5, 5)
        painter.setRenderHint(QPainter.SmoothPixmapTransform, True)
        for image, rect in zip(self.images, self.tiles):
            painter.drawImage(rect, image)
        edge = QPen(t.color("node_border"), 0)          # cosmetic: a hairline at any zoom
        painter.setPen(edge)
        painter.setBrush(Qt.NoBrush)
        painter.setRenderHint(QPainter.Antialiasing, False)
        for rect in self.tiles:
            painter.drawRect(rect)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if lod < style.TEXT_LOD or not self.caption:
            return
        painter.setRenderHint(QPainter.Antialiasing)
        band = QRectF(PAD, self.tiles[-1].bottom(), self.width - 2 * PAD, CAPTION_H)
        small = style.font("small")
        if lod * small.pixelSize() >= style.MIN_TEXT_PX:
            painter.setFont(small)
            painter.setPen(t.color("node_muted"))
            painter.drawText(band, Qt.AlignCenter,
                             QFontMetricsF(small).elidedText(self.caption, Qt.ElideRight,
                                                             band.width()))
        elif self.more:
            # zoomed out the caption would be unreadable; what must still be said is that
            # units are missing, at the smallest size a room reads
            font = style.sized_font(style.MIN_TEXT_PX / lod, True)
            text = f"+{self.more} more"
            metrics = QFontMetricsF(font)
            w, h = metrics.horizontalAdvance(text) + metrics.height(), metrics.height() * 1.15
            pill = QRectF(band.center().x() - w / 2, band.top() + 2, w, h)
            painter.setPen(Qt.NoPen)
            painter.setBrush(t.color("accent"))
            painter.drawRoundedRect(pill, h / 2, h / 2)
            painter.setFont(font)
            painter.setPen(QColor("white"))
            painter.drawText(pill, Qt.AlignCenter, text)


def unit_card(node: QGraphicsItem) -> UnitPicturesItem | None:
    """The unit pictures hanging under a node item, if any."""
    return next((c for c in node.childItems() if isinstance(c, UnitPicturesItem)), None)


def show_unit_pictures(scene, pictures: dict[str, dict]) -> None:
    """Hang each layer's unit pictures under its node (pictures: node id -> the engine's
    dict, engine/training/unit_pictures.py); nodes not named lose theirs."""
    for item in scene.node_items():
        data = pictures.get(item.node_id)
        card = unit_card(item)
        if data is None:
            if card is not None:
                scene.removeItem(card)
            continue
        if card is None:
            card = UnitPicturesItem(item)
        # an opened model's weight note sits under the card: hang the pictures below it
        card.place(NODE_H + GAP + (WEIGHT_NOTE_H + 4 if item.weight_note else 0))
        if card.shown is not data:
            card.show_units(data, item.node_id)


def clear_unit_pictures(scene) -> None:
    show_unit_pictures(scene, {})
