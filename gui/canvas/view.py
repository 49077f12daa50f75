"""The window onto the canvas: zoom, pan, rubber-band selection, fit, and the minimap.

The scene is effectively unbounded (no scroll bars): like other node editors, you move around
by panning, so the scene rect is set huge once instead of chasing the items' bounds.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QFrame, QGraphicsView

from gui.canvas.edge_item import EdgeItem
from gui.canvas.minimap import MARGIN, Minimap
from gui.canvas.node_item import NodeItem

MIN_ZOOM, MAX_ZOOM = 0.1, 4.0
MINIMAP_ROOM = 2.5          # the canvas must be this many minimaps high and wide to show one
FIT_MAX_ZOOM = 1.25    # fitting a tiny graph should not blow it up to poster size
FIT_MARGIN = 60.0
FIT_MIN_ZOOM = 0.4     # a fit below this makes the blocks' compact faces unreadable
                       # (style.MIN_TEXT_PX)
WORLD = 200_000.0


class CanvasView(QGraphicsView):
    zoom_changed = Signal(float)
    files_dropped = Signal(list)       # paths of .json and .dcmodel files dropped on the canvas

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        # the grid is drawn once into a pixmap and reused (the scene invalidates it on a theme
        # change; Qt on zoom and resize): a full repaint of the digits lesson, which the
        # training colours cause five times a second, fell from 7-11 ms to 3.5-4.5 ms
        self.setCacheMode(QGraphicsView.CacheBackground)
        self.setFrameShape(QFrame.NoFrame)
        self.setSceneRect(QRectF(-WORLD / 2, -WORLD / 2, WORLD, WORLD))
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self._pan_from: QPoint | None = None
        self._space = False
        self.minimap = Minimap(self)
        self.minimap_wanted = True
        scene.contents_changed.connect(self.minimap.schedule_update)
        scene.changed.connect(lambda _=None: self.minimap.schedule_update())
        self.horizontalScrollBar().valueChanged.connect(self.minimap.schedule_update)
        self.verticalScrollBar().valueChanged.connect(self.minimap.schedule_update)
        # whether the minimap is wanted depends on what is in view: checked a moment after the
        # view or the graph moves, not on every scroll step (a big graph's extent is a walk)
        self._minimap_check = QTimer(self, singleShot=True, interval=60)
        self._minimap_check.timeout.connect(self._sync_minimap)
        for signal in (self.horizontalScrollBar().valueChanged,
                       self.verticalScrollBar().valueChanged, scene.contents_changed):
            signal.connect(lambda *_: self._minimap_check.start())

    # ---- zoom --------------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, z: float, anchor_under_mouse: bool = False) -> None:
        z = max(MIN_ZOOM, min(MAX_ZOOM, z))
        if abs(z - self.zoom) < 1e-9:
            return
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse if anchor_under_mouse
                                     else QGraphicsView.AnchorViewCenter)
        self.scale(z / self.zoom, z / self.zoom)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.zoom_changed.emit(self.zoom)
        self.minimap.schedule_update()
        self._minimap_check.start()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * 1.25)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / 1.25)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def fit_all(self) -> None:
        rect = self.scene().nodes_rect()
        if rect.isNull():
            self.reset_zoom()
            self.centerOn(0, 0)
            return
        rect = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        # the whole canvas: a graph in view whole needs no minimap, which then steps aside
        self.set_zoom(self._zoom_to_fit(rect))
        self.centerOn(rect.center())
        self._sync_minimap()
        self.minimap.schedule_update()

    def _zoom_to_fit(self, rect: QRectF) -> float:
        full = QRectF(self.viewport().rect())
        return min(full.width() / rect.width(), full.height() / rect.height(), FIT_MAX_ZOOM)

    def show_new_card(self, card) -> None:
        """A live card has just appeared under a block (a GAN's samples, an autoencoder's
        reconstructions). Where every block was in view and the card hangs below the edge, the
        graph is fitted again with the card; fitted at open, before any run, the card had no
        room (a GAN's samples were cut at 1280x720). A view the user moved into part of the
        graph, or one where the fit would make the blocks' text too small, stays as it is."""
        visible = self.visible_scene_rect()
        if visible.contains(card.mapRectToScene(card.boundingRect())):
            return
        if not visible.contains(self.scene().nodes_rect(with_cards=False)):
            return
        rect = self.scene().nodes_rect().adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        if self._zoom_to_fit(rect) >= FIT_MIN_ZOOM:
            self.fit_all()

    def bring_into_view(self, item) -> None:
        """Centre on `item` only when it is not already in full view: a lesson fitted whole stays
        as it is, so the rest of the network is still there to compare with."""
        on_screen = self.mapFromScene(item.sceneBoundingRect()).boundingRect()
        covered = self.minimap.isVisible() and self.minimap.geometry().intersects(on_screen)
        if not self.viewport().rect().contains(on_screen) or covered:
            self.centerOn(item)

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def wheelEvent(self, event) -> None:
        # a trackpad scroll (pixel deltas, no Ctrl) pans; a mouse wheel or Ctrl+scroll zooms
        if not event.pixelDelta().isNull() and not event.modifiers() & Qt.ControlModifier:
            d = event.pixelDelta()
            self._scroll_by(d.x(), d.y())
            return
        steps = event.angleDelta().y() / 120.0
        if steps == 0:
            return
        fine = event.modifiers() & Qt.ControlModifier
        self.set_zoom(self.zoom * (1.1 if fine else 1.2) ** steps, anchor_under_mouse=True)
        event.accept()

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.NativeGesture and event.gestureType() == Qt.ZoomNativeGesture:
            self.set_zoom(self.zoom * (1 + event.value()), anchor_under_mouse=True)
            return True
        return super().viewportEvent(event)

    # ---- pan: middle drag, or Space held with a left drag ---------------------------------------
    def _scroll_by(self, dx: float, dy: float) -> None:
        self.horizontalScrollBar().setValue(int(self.horizontalScrollBar().value() - dx))
        self.verticalScrollBar().setValue(int(self.verticalScrollBar().value() - dy))

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.RightButton:
            self._select_for_menu(event.position().toPoint())
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self._space):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def _select_for_menu(self, pos: QPoint) -> None:
        """A right-click acts on what is under it: select that first, as file managers do."""
        item = self.itemAt(pos)
        item = getattr(item, "node_item", None) or getattr(item, "edge", None) or item
        if isinstance(item, (NodeItem, EdgeItem)) and not item.isSelected():
            self.scene().clearSelection()
            item.setSelected(True)

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            now = event.position().toPoint()
            delta = now - self._pan_from
            self._pan_from = now
            self._scroll_by(delta.x(), delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None and event.button() in (Qt.MiddleButton, Qt.LeftButton):
            self._pan_from = None
            self.viewport().setCursor(Qt.OpenHandCursor if self._space else Qt.ArrowCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = False
            self._pan_from = None
            self.viewport().setCursor(Qt.ArrowCursor)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:
        self._space = False      # a Space released in another window must not leave us panning
        super().focusOutEvent(event)

    # ---- files dropped on the canvas ----------------------------------------------------------
    @staticmethod
    def _json_paths(event) -> list[str]:
        md = event.mimeData()
        if not md.hasUrls():
            return []
        return [u.toLocalFile() for u in md.urls() if u.isLocalFile() and u.toLocalFile().endswith((".json", ".dcmodel"))]

    def dragEnterEvent(self, event) -> None:
        if self._json_paths(event):
            event.acceptProposedAction()
            return
        super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if self._json_paths(event):
            event.acceptProposedAction()
            return
        super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        paths = self._json_paths(event)
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
            return
        super().dropEvent(event)

    # ---- layout of the overlay ---------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.minimap.move(self.viewport().width() - self.minimap.width() - MARGIN,
                          self.viewport().height() - self.minimap.height() - MARGIN)
        self._sync_minimap()

    def set_minimap_wanted(self, wanted: bool) -> None:
        """The View menu's choice; the minimap still steps aside on a small canvas."""
        self.minimap_wanted = wanted
        self._sync_minimap()

    def _sync_minimap(self) -> None:
        # on a small canvas (a 1280x720 projector with the dashboard open leaves about 200 px)
        # the minimap would cover a third of it, nodes and their live cards included; and with
        # every block in view it has nothing to show that the canvas does not
        self.minimap.setVisible(self.minimap_wanted and self._roomy()
                                and not self.whole_graph_in_view())

    def whole_graph_in_view(self) -> bool:
        rect = self.scene().nodes_rect()
        return not rect.isNull() and self.visible_scene_rect().contains(rect)

    def _roomy(self) -> bool:
        vp = self.viewport()
        return vp.height() >= MINIMAP_ROOM * self.minimap.height() and \
            vp.width() >= MINIMAP_ROOM * self.minimap.width()

    def centre_scene_point(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())
