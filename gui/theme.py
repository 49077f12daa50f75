"""Light and dark looks: the Qt palette, the app font, and the colours the canvas paints with.

Colours live here rather than in the items so that switching theme is one call, and so that the
canvas, the minimap and the inspector agree. Sizes are chosen for a projector: a teacher's screen
is read from the back of a room, so the base font is larger than Qt's default.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

BASE_POINT_SIZE = 11


@dataclass(frozen=True)
class Theme:
    name: str
    dark: bool
    window: str
    base: str
    alt_base: str
    text: str
    muted: str
    accent: str
    accent_text: str
    canvas: str
    grid: str
    grid_major: str
    node_body: str
    node_border: str
    node_text: str
    node_muted: str
    edge: str
    label_bg: str
    label_text: str
    port: str
    ok: str
    error: str
    warning: str
    categories: dict[str, str] = field(default_factory=dict)

    def color(self, name: str) -> QColor:
        return QColor(getattr(self, name))

    def category_color(self, category: str) -> QColor:
        return QColor(self.categories.get(category, self.categories.get("", "#888888")))


LIGHT = Theme(
    name="light", dark=False,
    window="#f3f4f6", base="#ffffff", alt_base="#f7f8fa", text="#1f2328", muted="#59636e",
    accent="#2563eb", accent_text="#ffffff",
    canvas="#fafbfc", grid="#e6e8eb", grid_major="#d5d9de",
    node_body="#ffffff", node_border="#9aa4b1", node_text="#1f2328", node_muted="#59636e",
    edge="#6b7684", label_bg="#ffffff", label_text="#1f2328", port="#ffffff",
    ok="#16a34a", error="#dc2626", warning="#d97706",
    categories={"Data": "#0f9d58", "Layers": "#2563eb", "Blocks": "#7c3aed",
                "Objectives": "#ea580c", "": "#64748b"},
)

DARK = Theme(
    name="dark", dark=True,
    window="#1e2227", base="#16191d", alt_base="#21252b", text="#e6e8eb", muted="#9aa4b1",
    accent="#4f8df7", accent_text="#ffffff",
    canvas="#181b1f", grid="#23272d", grid_major="#2d3239",
    node_body="#262b32", node_border="#4b5563", node_text="#eef0f3", node_muted="#a3acb9",
    edge="#8b96a5", label_bg="#262b32", label_text="#e6e8eb", port="#1e2227",
    ok="#22c55e", error="#f05252", warning="#f59e0b",
    categories={"Data": "#22a06b", "Layers": "#4f8df7", "Blocks": "#9f7aea",
                "Objectives": "#f97316", "": "#7c8796"},
)

THEMES = {t.name: t for t in (LIGHT, DARK)}


def _palette(t: Theme) -> QPalette:
    p = QPalette()
    c = QColor
    roles = {
        QPalette.Window: t.window, QPalette.WindowText: t.text, QPalette.Base: t.base,
        QPalette.AlternateBase: t.alt_base, QPalette.Text: t.text, QPalette.Button: t.window,
        QPalette.ButtonText: t.text, QPalette.ToolTipBase: t.base, QPalette.ToolTipText: t.text,
        QPalette.Highlight: t.accent, QPalette.HighlightedText: t.accent_text,
        QPalette.PlaceholderText: t.muted, QPalette.Link: t.accent, QPalette.Mid: t.node_border,
    }
    for role, value in roles.items():
        p.setColor(role, c(value))
    for role in (QPalette.Text, QPalette.WindowText, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, c(t.muted))
    # a disabled slider's filled groove is drawn in Highlight: grey, so it does not look
    # draggable (the Experiment panel greys out what a lesson locks)
    p.setColor(QPalette.Disabled, QPalette.Highlight, c(t.node_border))
    return p


def stylesheet(t: Theme) -> str:
    return f"""
    QDockWidget::title {{ padding: 6px 8px; background: {t.window}; font-weight: 600; }}
    QToolBar {{ spacing: 4px; padding: 3px; border: none; }}
    QToolButton {{ padding: 4px 8px; border-radius: 4px; }}
    QToolButton:hover {{ background: {t.alt_base}; }}
    QStatusBar QLabel {{ color: {t.muted}; padding: 0 8px; }}
    QLabel#FormHeading {{ font-size: {BASE_POINT_SIZE + 3}pt; font-weight: 600; }}
    QLabel#FormHelp {{ color: {t.muted}; }}
    QGroupBox {{ font-weight: 600; margin-top: 10px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 6px; }}
    QToolTip {{ color: {t.text}; background: {t.base}; border: 1px solid {t.node_border};
                padding: 4px; }}
    """


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Make the whole application look like `theme` (widgets; the canvas repaints itself)."""
    app.setStyle("Fusion")   # the same look on every platform, and one that honours the palette
    app.setPalette(_palette(theme))
    app.setStyleSheet(stylesheet(theme))


def app_font() -> QFont:
    font = QApplication.font()
    font.setPointSizeF(BASE_POINT_SIZE)
    return font


def canvas_font(size: float, bold: bool = False) -> QFont:
    """Fonts on the canvas are in scene units (they scale with zoom), so they are set in pixels."""
    font = QFont(QApplication.font())
    font.setPixelSize(int(round(size)))
    font.setBold(bold)
    return font
