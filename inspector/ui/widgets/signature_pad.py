"""On-screen signature capture for electronic signing of enforcement documents.

`SignaturePad` takes strokes from a mouse, a pen (QTabletEvent, pressure sets the width) or one finger
(QTouchEvent) and exports the ink as a transparent PNG cropped to the signature, ready to be laid over
a signature line in a PDF. `SignatureDialog` wraps it with a caption and touch-sized buttons.
"""

from __future__ import annotations

from itertools import pairwise
from typing import NamedTuple

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QEventPoint,
    QImage,
    QImageWriter,
    QInputDevice,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QShortcut,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

DEFAULT_WIDTH = 3.0  # logical px, mouse and touch
MIN_PEN_WIDTH = 1.0  # pen at the lightest pressure
MAX_PEN_WIDTH = 6.0  # pen at full pressure
EXPORT_MARGIN = 8.0  # logical px of transparent border around the ink in to_png()
MIN_EXPORT_HEIGHT = 40.0  # logical px: a dot or a tiny scribble is not blown up to fill the image
MAX_EXPORT_ASPECT = 8.0  # width/height: a flat line does not become an enormously wide image
_MIN_STEP = 0.5  # logical px: closer samples are dropped

INK = QColor(0, 0, 0)
PAPER = QColor(255, 255, 255)
BASELINE = QColor(210, 210, 210)
HINT = QColor(200, 200, 200)


class StrokePoint(NamedTuple):
    """One sample of a stroke, in the pad's logical coordinates; `width` is the ink width there."""

    x: float
    y: float
    width: float


Stroke = list[StrokePoint]


def _ink_bounds(strokes: list[Stroke]) -> QRectF:
    left = min(p.x - p.width / 2 for s in strokes for p in s)
    top = min(p.y - p.width / 2 for s in strokes for p in s)
    right = max(p.x + p.width / 2 for s in strokes for p in s)
    bottom = max(p.y + p.width / 2 for s in strokes for p in s)
    return QRectF(left, top, right - left, bottom - top)


def _paint_strokes(painter: QPainter, strokes: list[Stroke]) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pen = QPen(INK)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    for stroke in strokes:
        if len(stroke) == 1:
            # a tap is a dot
            p = stroke[0]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(INK)
            painter.drawEllipse(QPointF(p.x, p.y), p.width / 2, p.width / 2)
            continue
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for a, b in pairwise(stroke):
            pen.setWidthF((a.width + b.width) / 2)
            painter.setPen(pen)
            painter.drawLine(QPointF(a.x, a.y), QPointF(b.x, b.y))


class SignaturePad(QWidget):
    """A white canvas with a faint baseline that records hand-drawn strokes in black."""

    changed = Signal()  # after a stroke ends, and after clear()/undo_stroke() removed ink

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setMinimumSize(480, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("签名区")
        self._strokes: list[Stroke] = []
        # which input owns the stroke being drawn: "mouse", "tablet", "touch" or None
        self._active: str | None = None
        self._touch_id: int | None = None

    # ---- public API -------------------------------------------------------------------------

    def clear(self) -> None:
        """Remove all ink (and any stroke being drawn)."""
        had_ink = bool(self._strokes)
        self._strokes.clear()
        self._end_input()
        self.update()
        if had_ink:
            self.changed.emit()

    def undo_stroke(self) -> None:
        """Remove the most recent stroke; does nothing on an empty pad."""
        if not self._strokes:
            return
        if self._active is not None:
            # undo while drawing drops the unfinished stroke
            self._end_input()
        self._strokes.pop()
        self.update()
        self.changed.emit()

    def is_empty(self) -> bool:
        return not self._strokes

    def stroke_count(self) -> int:
        return len(self._strokes)

    def strokes(self) -> list[list[StrokePoint]]:
        """A copy of the strokes, each a list of points in logical widget coordinates."""
        return [list(s) for s in self._strokes]

    def to_png(self, height_px: int = 240) -> bytes:
        """The signature as PNG bytes: black ink on a transparent background, cropped to the ink
        plus a small margin and scaled (aspect kept) to `height_px` pixels high.

        Raises ValueError on an empty pad or a non-positive height."""
        if not self._strokes:
            raise ValueError("签名为空")
        if height_px <= 0:
            raise ValueError(f"height_px must be positive, got {height_px}")
        crop = _ink_bounds(self._strokes).adjusted(
            -EXPORT_MARGIN, -EXPORT_MARGIN, EXPORT_MARGIN, EXPORT_MARGIN
        )
        want_h = max(crop.height(), MIN_EXPORT_HEIGHT, crop.width() / MAX_EXPORT_ASPECT)
        if want_h > crop.height():
            grow = (want_h - crop.height()) / 2
            crop.adjust(0, -grow, 0, grow)
        scale = height_px / crop.height()
        width_px = max(1, round(crop.width() * scale))
        image = QImage(width_px, height_px, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        try:
            painter.scale(scale, scale)
            painter.translate(-crop.left(), -crop.top())
            _paint_strokes(painter, self._strokes)
        finally:
            painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QImageWriter(buffer, QByteArray(b"png"))
        if not writer.write(image):
            raise RuntimeError(f"PNG encoding failed: {writer.errorString()}")
        buffer.close()
        return bytes(data.data())

    # ---- stroke building --------------------------------------------------------------------

    def _begin(self, source: str, pos: QPointF, width: float) -> None:
        self._active = source
        self._strokes.append([StrokePoint(pos.x(), pos.y(), width)])
        self._update_around(pos, pos, width)

    def _extend(self, pos: QPointF, width: float) -> None:
        stroke = self._strokes[-1]
        last = stroke[-1]
        if abs(pos.x() - last.x) < _MIN_STEP and abs(pos.y() - last.y) < _MIN_STEP:
            return
        stroke.append(StrokePoint(pos.x(), pos.y(), width))
        self._update_around(QPointF(last.x, last.y), pos, max(width, last.width))

    def _finish(self, pos: QPointF | None = None) -> None:
        if pos is not None:
            self._extend(pos, self._strokes[-1][-1].width)
        self._end_input()
        self.changed.emit()

    def _cancel(self) -> None:
        """The system took the input away (e.g. TouchCancel): drop the unfinished stroke."""
        self._strokes.pop()
        self._end_input()
        self.update()

    def _end_input(self) -> None:
        self._active = None
        self._touch_id = None

    def _update_around(self, a: QPointF, b: QPointF, width: float) -> None:
        pad = width / 2 + 2
        rect = QRectF(a, b).normalized().adjusted(-pad, -pad, pad, pad)
        self.update(rect.toAlignedRect())

    # ---- mouse ------------------------------------------------------------------------------

    def _ignore_mouse(self, event: QMouseEvent) -> bool:
        # touch and pen are handled directly; a mouse event Qt made up from them would be a duplicate
        return (self._active not in (None, "mouse")) or (
            event.source() == Qt.MouseEventSource.MouseEventSynthesizedByQt
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._ignore_mouse(event) or event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        if self._active == "mouse":  # a press without its release (lost grab): close that stroke
            self._finish()
        self._begin("mouse", event.position(), DEFAULT_WIDTH)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._active != "mouse" or self._ignore_mouse(event):
            event.ignore()
            return
        self._extend(event.position(), DEFAULT_WIDTH)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if (
            self._active != "mouse"
            or self._ignore_mouse(event)
            or event.button() != Qt.MouseButton.LeftButton
        ):
            event.ignore()
            return
        self._finish(event.position())
        event.accept()

    # ---- pen --------------------------------------------------------------------------------

    def _pen_width(self, event: QTabletEvent) -> float:
        device = event.pointingDevice()
        if device is not None and not (device.capabilities() & QInputDevice.Capability.Pressure):
            return DEFAULT_WIDTH
        pressure = min(max(event.pressure(), 0.0), 1.0)
        return MIN_PEN_WIDTH + (MAX_PEN_WIDTH - MIN_PEN_WIDTH) * pressure

    def tabletEvent(self, event: QTabletEvent) -> None:
        # Accept every tablet event, so Qt does not also synthesize mouse events from the pen.
        event.accept()
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            if self._active == "tablet":
                self._finish()
            elif self._active is not None:
                return
            self._begin("tablet", event.position(), self._pen_width(event))
        elif kind == QEvent.Type.TabletMove:
            if self._active == "tablet":  # moves without a press are the pen hovering
                self._extend(event.position(), self._pen_width(event))
        elif kind == QEvent.Type.TabletRelease and self._active == "tablet":
            self._finish(event.position())  # release pressure is 0: keep the last width

    # ---- touch ------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            assert isinstance(event, QTouchEvent)
            self._touch(event)
            event.accept()  # an accepted touch is not turned into mouse events
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        if event.type() == QEvent.Type.TouchCancel:
            if self._active == "touch":
                self._cancel()
            return
        for point in event.points():
            state = point.state()
            if state == QEventPoint.State.Pressed:
                if self._active is None:  # the first finger signs; any others are ignored
                    self._touch_id = point.id()
                    self._begin("touch", point.position(), DEFAULT_WIDTH)
                continue
            if self._active != "touch" or point.id() != self._touch_id:
                continue
            if state == QEventPoint.State.Updated:
                self._extend(point.position(), DEFAULT_WIDTH)
            elif state == QEventPoint.State.Released:
                self._finish(point.position())

    # ---- painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(event.rect(), PAPER)
            margin = 24.0
            base_y = round(self.height() * 0.72) + 0.5
            painter.setPen(QPen(BASELINE, 1))
            painter.drawLine(QPointF(margin, base_y), QPointF(self.width() - margin, base_y))
            if not self._strokes:
                painter.setPen(HINT)
                painter.drawText(
                    QRectF(margin, base_y + 4, self.width() - 2 * margin, 28),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                    "请在横线上方签名",
                )
            _paint_strokes(painter, self._strokes)
        finally:
            painter.end()


class SignatureDialog(QDialog):
    """「签名」: a caption naming who signs, the pad, and 撤销一笔 / 清除 / 确定 / 取消.

    After the dialog is accepted, `png()` holds the signature (see `SignaturePad.to_png`)."""

    BUTTON_HEIGHT = 44

    def __init__(self, prompt: str, parent: QWidget | None = None, png_height: int = 240) -> None:
        super().__init__(parent)
        self.setWindowTitle("签名")
        self._png_height = png_height
        self._png: bytes | None = None

        self.caption = QLabel(prompt)
        self.caption.setWordWrap(True)
        font = self.caption.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.caption.setFont(font)

        self.pad = SignaturePad()

        self.undo_button = self._button("撤销一笔")
        self.clear_button = self._button("清除")
        self.ok_button = self._button("确定")
        self.cancel_button = self._button("取消")
        self.ok_button.setDefault(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.pad, 1)
        layout.addLayout(buttons)

        self.undo_button.clicked.connect(self.pad.undo_stroke)
        self.clear_button.clicked.connect(self.pad.clear)
        self.ok_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        self.pad.changed.connect(self._sync_buttons)
        undo = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self)
        undo.activated.connect(self.pad.undo_stroke)
        # Esc → reject() is QDialog's own behaviour.
        self._sync_buttons()

    def _button(self, text: str) -> QPushButton:
        button = QPushButton(text)
        button.setMinimumHeight(self.BUTTON_HEIGHT)
        button.setMinimumWidth(96)
        button.setAutoDefault(False)
        return button

    def _sync_buttons(self) -> None:
        has_ink = not self.pad.is_empty()
        self.ok_button.setEnabled(has_ink)
        self.undo_button.setEnabled(has_ink)
        self.clear_button.setEnabled(has_ink)

    def accept(self) -> None:
        if self.pad.is_empty():
            return
        self._png = self.pad.to_png(self._png_height)
        super().accept()

    def reject(self) -> None:
        self._png = None
        super().reject()

    def png(self) -> bytes | None:
        """The signature PNG once the dialog was accepted; None if it was not."""
        return self._png
