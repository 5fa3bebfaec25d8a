"""Whether a window fits a small screen: its minimum with the window frame, a widget in sight
(inside the window and not clipped by any scroll area or splitter above it), and where every
visible widget of the current page sits (to show a message moves nothing)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QMainWindow, QWidget

SMALL = QSize(1024, 700)
LAPTOP = QSize(1366, 768)


def frame_extra(window: QWidget) -> QSize:
    """What the window decorations add around the client area."""
    outer, inner = window.frameGeometry(), window.geometry()
    return QSize(outer.width() - inner.width(), outer.height() - inner.height())


def smallest_with_frame(window: QWidget) -> QSize:
    """The window's minimum size including its decorations."""
    least = window.minimumSizeHint().expandedTo(window.minimumSize())
    return least + frame_extra(window)


def fits(window: QWidget, screen: QSize) -> bool:
    need = smallest_with_frame(window)
    return need.width() <= screen.width() and need.height() <= screen.height()


def in_sight(widget: QWidget, window: QWidget) -> bool:
    """Visible, and its whole rectangle inside every parent up to the window (a scroll area's
    viewport or a splitter clips what lies outside it)."""
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return False
    child: QWidget = widget
    rect = QRect(QPoint(0, 0), widget.size())
    while child is not window:
        parent = child.parentWidget()
        if parent is None:
            return False
        rect = rect.translated(child.pos())
        if not QRect(QPoint(0, 0), parent.size()).contains(rect):
            return False
        child = parent
    return True


def page_geometry(window: QMainWindow, page: QWidget) -> dict[int, tuple[QPoint, QSize]]:
    """Where every visible widget of a page sits in the window."""
    widgets = [page, *page.findChildren(QWidget)]
    return {id(w): (w.mapTo(window, QPoint(0, 0)), w.size()) for w in widgets if w.isVisible()}
