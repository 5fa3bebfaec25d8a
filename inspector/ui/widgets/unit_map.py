"""The offline four-colour unit map: dots by risk colour over a graticule, no tiles, no network.

`UnitMap` paints `MapPoints` (services/units/map.py) with QPainter: the dots go into a cached image
(blue first, red last so red is on top) that is re-rendered only when the view or the visible colours
change; while a pan or zoom is under way the old image is moved and scaled instead, and re-rendered
once the hand rests. Over it (drawn by `widgets.map_overlays`): a light graticule with degree
labels, township names, a scale bar in km and a north arrow. Mouse: wheel zooms around the cursor,
drag pans, a click selects the nearest unit (`unit_clicked`), double-click shows the whole map,
hovering shows a tooltip. Touch: one finger pans, a tap selects (with a larger hit radius), two
fingers pinch-zoom. Keys: + / − zoom, arrows pan, Home or 0 shows the whole map.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
    QTouchEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QSizePolicy, QToolTip, QWidget

from inspector.domain.enums import SUPERVISION_LEVELS, RiskColour
from inspector.services.units.map import COLOUR_ORDER, MapPoints
from inspector.ui.widgets.map_overlays import (
    GRID_TEXT,
    INK,
    paint_areas,
    paint_graticule,
    paint_north_arrow,
    paint_scale_bar,
)

PAPER = QColor("#f3f1ec")
MOUSE_HIT_PX = 10.0
TOUCH_HIT_PX = 24.0  # a fingertip covers ~7 mm
FIT_MARGIN = 0.92  # share of the widget the whole map fills after a reset
MIN_ZOOM = 0.5  # relative to the fitted scale
MAX_SCALE = 2000.0  # px per km: 0.5 m a pixel
SETTLE_MS = 140  # after the last pan/zoom step the dots are re-rendered crisply
AA_LIMIT = 20_000  # above this many dots on screen, draw them without antialiasing (speed)
# the serious colours are drawn a little larger, so a red unit stands out among many blue ones
EMPHASIS_PX = {
    RiskColour.RED: 2.0,
    RiskColour.ORANGE: 1.0,
    RiskColour.YELLOW: 0.0,
    RiskColour.BLUE: 0.0,
}
MIN_DOT_PX = 2.5
KEY_ZOOM = 1.5
WHEEL_ZOOM = 1.25  # per notch


def unit_tooltip(points: MapPoints, i: int) -> str:
    """What hovering over a unit shows: its name, risk colour and supervision level."""
    colour = points.colour(i)
    level = points.levels[i]
    return (
        f"{points.names[i]}\n风险等级：{colour.label}（{colour.meaning}）\n"
        f"监管级别：{SUPERVISION_LEVELS.get(level, level)}"
    )


class DotLayer:
    """The units as QPolygonF in km: one per colour, and the same points cut into horizontal
    strips, so a zoomed-in view hands Qt only the strips it can see (Qt clips every point it is
    given, and that is not free at 100,000). Building it is the costly part (~0.25 s at 100,000
    units), so it may run on a worker thread; drawing then needs no Python loop over points."""

    STRIPS = 32

    def __init__(self, points: MapPoints) -> None:
        self.points = points
        self.bounds = points.bounds()
        self.y0, y1 = self.bounds[1], self.bounds[3]
        self.strip = max((y1 - self.y0) / self.STRIPS, 1e-9)
        self.whole: dict[str, QPolygonF] = {}
        self.strips: dict[str, list[QPolygonF]] = {}
        xs, ys = points.xs, points.ys
        for colour, (a, b) in points.colour_ranges.items():
            strip_of = [self._strip_of(y) for y in ys[a:b]]
            order = sorted(range(b - a), key=strip_of.__getitem__)
            dots = [QPointF(xs[a + i], ys[a + i]) for i in order]
            self.whole[colour] = QPolygonF(dots)
            starts = [0] * (self.STRIPS + 1)
            for k in strip_of:
                starts[k + 1] += 1
            for k in range(self.STRIPS):
                starts[k + 1] += starts[k]
            self.strips[colour] = [
                QPolygonF(dots[starts[k] : starts[k + 1]]) for k in range(self.STRIPS)
            ]

    def _strip_of(self, y: float) -> int:
        return min(max(int((y - self.y0) / self.strip), 0), self.STRIPS - 1)

    def visible(self, colour: str, y0: float, y1: float) -> list[QPolygonF]:
        """What to hand Qt for a view spanning y0..y1 km: the whole set when most is in view."""
        first, last = self._strip_of(y0), self._strip_of(y1)
        if y1 < self.bounds[1] or y0 > self.bounds[3]:
            return []
        if 2 * (last - first + 1) > self.STRIPS:
            return [self.whole[colour]]
        return [p for p in self.strips[colour][first : last + 1] if not p.isEmpty()]


class UnitMap(QWidget):
    unit_clicked = Signal(str)  # unit id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: MapPoints | None = None
        self.dots: DotLayer | None = None
        self.placeholder = "正在加载…"
        self.selected: int | None = None
        self._hovered: int | None = None
        self._visible: frozenset[str] = frozenset(c.value for c in COLOUR_ORDER)
        self._centre = (0.0, 0.0)  # km, in the points' projection
        self._scale = 1.0  # px per km
        self._fit_scale = 1.0
        self._dot = 5.0  # the ordinary dot's diameter in the last drawing
        self._layer: QImage | None = None
        self._layer_key: tuple[object, ...] | None = None
        self._press: QPointF | None = None
        self._last: QPointF | None = None
        self._dragging = False
        self._touch_start: QPointF | None = None
        self._touch_last: QPointF | None = None  # where the finger was when the map last moved
        self._touch_moved = False
        self._pinch: tuple[float, QPointF] | None = None  # finger distance, midpoint
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.update)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setAccessibleName("风险四色分布图")

    # -- data and view -------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(900, 640)

    def set_points(
        self, points: MapPoints | None, placeholder: str = "", dots: DotLayer | None = None
    ) -> None:
        """Show `points` (the whole map in view), or `placeholder` text when there are none.
        `dots` may be built beforehand off the GUI thread; otherwise the first paint builds it."""
        self.points = points
        self.dots = dots if dots is not None and dots.points is points else None
        self.placeholder = placeholder
        self.selected = None
        self._hovered = None
        self._layer = self._layer_key = None
        self.reset_view()

    def set_visible_colours(self, colours: Iterable[str]) -> None:
        self._visible = frozenset(colours)
        self.update()

    def visible_colours(self) -> frozenset[str]:
        return self._visible

    @property
    def scale(self) -> float:
        """Pixels per km at the current zoom."""
        return self._scale

    def reset_view(self) -> None:
        """Fit every unit on the map into the widget."""
        x0, y0, x1, y1 = self.points.bounds() if self.points else (-0.5, -0.5, 0.5, 0.5)
        self._centre = ((x0 + x1) / 2, (y0 + y1) / 2)
        span_x, span_y = max(x1 - x0, 0.5), max(y1 - y0, 0.5)
        self._fit_scale = min(self.width() / span_x, self.height() / span_y) * FIT_MARGIN
        self._scale = self._fit_scale
        self._view_moved(settle=False)

    def resizeEvent(self, event: QResizeEvent) -> None:
        if self._scale == self._fit_scale:  # not zoomed by hand: keep the whole map in view
            self.reset_view()

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom by `factor`, keeping the map point under `anchor` (default: the centre) in place."""
        anchor = anchor or QPointF(self.width() / 2, self.height() / 2)
        new_scale = min(max(self._scale * factor, self._fit_scale * MIN_ZOOM), MAX_SCALE)
        ax, ay = self.to_map(anchor)
        self._scale = new_scale
        # the map point (ax, ay) must stay under the anchor
        self._centre = (
            ax - (anchor.x() - self.width() / 2) / new_scale,
            ay + (anchor.y() - self.height() / 2) / new_scale,
        )
        self._view_moved()

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the map content by (dx, dy) pixels."""
        cx, cy = self._centre
        self._centre = (cx - dx / self._scale, cy + dy / self._scale)
        self._view_moved()

    def _view_moved(self, settle: bool = True) -> None:
        if settle:
            self._settle.start()
        self.update()

    def to_screen(self, x: float, y: float) -> QPointF:
        cx, cy = self._centre
        return QPointF(
            self.width() / 2 + (x - cx) * self._scale, self.height() / 2 - (y - cy) * self._scale
        )

    def to_map(self, pos: QPointF) -> tuple[float, float]:
        cx, cy = self._centre
        return (
            cx + (pos.x() - self.width() / 2) / self._scale,
            cy - (pos.y() - self.height() / 2) / self._scale,
        )

    def screen_pos(self, unit_id: str) -> QPointF | None:
        """Where a unit is drawn, in widget coordinates (None when it is not on the map)."""
        i = self.points.find(unit_id) if self.points else None
        if self.points is None or i is None:
            return None
        return self.to_screen(self.points.xs[i], self.points.ys[i])

    def unit_at(self, pos: QPointF, radius_px: float = MOUSE_HIT_PX) -> int | None:
        """The visible unit nearest to `pos` within `radius_px` pixels."""
        if self.points is None:
            return None
        x, y = self.to_map(pos)
        return self.points.nearest(x, y, radius_px / self._scale, self._visible)

    def select_at(self, pos: QPointF, radius_px: float) -> None:
        i = self.unit_at(pos, radius_px)
        self.selected = i
        self.update()
        if i is not None and self.points is not None:
            self.unit_clicked.emit(self.points.ids[i])

    def selected_id(self) -> str | None:
        if self.points is None or self.selected is None:
            return None
        return self.points.ids[self.selected]

    def invalidate(self) -> None:
        """Drop the cached dots image so the next paint draws every dot again."""
        self._layer = None
        self._layer_key = None
        self.update()

    # -- painting ------------------------------------------------------------------------------
    def _key(self) -> tuple[object, ...]:
        return (
            id(self.points),  # set_points() drops the image, so a reused id cannot match
            self.width(),
            self.height(),
            self.devicePixelRatioF(),
            self._centre,
            self._scale,
            self._visible,
        )

    def dot_diameter(self) -> float:
        """The diameter of an ordinary dot in the last drawing, in logical pixels."""
        return self._dot

    def _dot_for(self, drawn: int) -> float:
        """Dots grow a little as the map is zoomed in, and shrink where so many units crowd the
        view that big dots would bury every colour under the last one drawn."""
        zoom = self._scale / self._fit_scale if self._fit_scale else 1.0
        d = min(5.0 + 1.6 * math.log2(max(zoom, 1.0)), 12.0)
        if self.points is None or not drawn:
            return d
        x0, y0, x1, y1 = self.points.bounds()
        data = QRectF(self.to_screen(x0, y1), self.to_screen(x1, y0)).normalized()
        area = data.intersected(QRectF(self.rect())).size()
        spacing = math.sqrt(max(area.width() * area.height(), 1.0) / drawn)
        return min(d, max(MIN_DOT_PX, 1.3 * spacing))

    def _render_layer(self) -> QImage:
        dpr = self.devicePixelRatioF()
        image = QImage(
            max(1, round(self.width() * dpr)),
            max(1, round(self.height() * dpr)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.setDevicePixelRatio(dpr)
        image.fill(Qt.GlobalColor.transparent)
        if self.points is None:
            return image
        if self.dots is None or self.dots.points is not self.points:
            self.dots = DotLayer(self.points)
        pad = 16 / self._scale
        y1 = self.to_map(QPointF(0, -pad))[1]
        y0 = self.to_map(QPointF(0, self.height() + pad))[1]
        slices = [
            (colour, self.dots.visible(colour.value, y0, y1))
            for colour in COLOUR_ORDER
            if colour.value in self._visible
        ]
        drawn = sum(p.size() for _, parts in slices for p in parts)
        smooth = drawn <= AA_LIMIT
        d = self._dot = self._dot_for(drawn)
        # emphasis fades where dots crowd, or the serious colours would cover all the others
        emphasis = min(max((d - MIN_DOT_PX) / (5.0 - MIN_DOT_PX), 0.0), 1.0)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, smooth)
        cx, cy, s = self._centre[0], self._centre[1], self._scale
        # km → widget pixels; the dots are cosmetic pens, sized in device pixels
        painter.setTransform(
            QTransform(s, 0, 0, -s, self.width() / 2 - cx * s, self.height() / 2 + cy * s)
        )
        for colour, parts in slices:
            size = (d + max(EMPHASIS_PX[colour] * emphasis, 1.0 if colour == "red" else 0)) * dpr
            pens = [_dot_pen(QColor(colour.hex), size, smooth)]
            if smooth:  # few dots: a thin white rim keeps neighbours apart
                pens.insert(0, _dot_pen(QColor(255, 255, 255, 220), size + 2 * dpr, smooth))
            for pen in pens:
                painter.setPen(pen)
                for part in parts:
                    painter.drawPoints(part)
        painter.end()
        return image

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), PAPER)
        if self.points is not None and len(self.points):
            paint_graticule(painter, self, self.points.projection)
            self._paint_dots(painter)
            paint_areas(painter, self, self.points.areas)
            self._paint_selection(painter)
            paint_scale_bar(painter, self)
            paint_north_arrow(painter, self)
        else:
            painter.setPen(GRID_TEXT)
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder or "暂无带坐标的单位"
            )
        if self.hasFocus():
            painter.setPen(QPen(QColor(21, 101, 192, 120), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
        painter.end()

    def _paint_dots(self, painter: QPainter) -> None:
        key = self._key()
        if self._layer is None or (self._layer_key != key and not self._settle.isActive()):
            self._layer = self._render_layer()
            self._layer_key = key
        if self._layer_key == key:
            painter.drawImage(0, 0, self._layer)
            return
        # moving: show the last image moved and scaled to the current view until the hand rests
        old = self._layer_key
        assert old is not None
        old_centre, old_scale = old[4], old[5]
        assert isinstance(old_scale, float) and isinstance(old_centre, tuple)
        ocx, ocy = float(old_centre[0]), float(old_centre[1])
        k = self._scale / old_scale
        w2, h2 = self.width() / 2, self.height() / 2
        painter.save()
        painter.translate(
            w2 + (ocx - self._centre[0]) * self._scale, h2 - (ocy - self._centre[1]) * self._scale
        )
        painter.scale(k, k)
        painter.translate(-w2, -h2)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(0, 0, self._layer)
        painter.restore()

    def _paint_selection(self, painter: QPainter) -> None:
        assert self.points is not None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        r = self.dot_diameter() / 2
        for i, width in ((self._hovered, 1.5), (self.selected, 3.0)):
            if i is None or self.points.colour(i).value not in self._visible:
                continue
            p = self.to_screen(self.points.xs[i], self.points.ys[i])
            painter.setPen(QPen(QColor("white"), width + 2))
            painter.drawEllipse(p, r + 4, r + 4)
            painter.setPen(QPen(INK, width))
            painter.drawEllipse(p, r + 4, r + 4)

    # -- input ---------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = self._last = event.position()
            self._dragging = False
            self.setFocus(Qt.FocusReason.MouseFocusReason)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            if not self._dragging:
                moved = (pos - self._press).manhattanLength()
                self._dragging = moved >= QApplication.startDragDistance()
            if self._dragging and self._last is not None:
                delta = pos - self._last
                self.pan_by(delta.x(), delta.y())
                self._last = pos
                self.setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        hovered = self.unit_at(pos)
        if hovered != self._hovered:
            self._hovered = hovered
            self.setCursor(
                Qt.CursorShape.PointingHandCursor
                if hovered is not None
                else Qt.CursorShape.ArrowCursor
            )
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            return
        if not self._dragging:
            self.select_at(event.position(), MOUSE_HIT_PX)
        self._press = self._last = None
        self._dragging = False
        self.unsetCursor()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.reset_view()

    def leaveEvent(self, event: QEvent) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        pixels = event.pixelDelta().y()
        notches = event.angleDelta().y() / 120 if not pixels else pixels / 120
        if notches:
            self.zoom_by(WHEEL_ZOOM**notches, event.position())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        step = min(self.width(), self.height()) / 6
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(KEY_ZOOM)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_by(1 / KEY_ZOOM)
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_0):
            self.reset_view()
        elif key == Qt.Key.Key_Left:
            self.pan_by(step, 0)
        elif key == Qt.Key.Key_Right:
            self.pan_by(-step, 0)
        elif key == Qt.Key.Key_Up:
            self.pan_by(0, step)
        elif key == Qt.Key.Key_Down:
            self.pan_by(0, -step)
        else:
            super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            i = self.unit_at(QPointF(event.pos()))
            if i is not None and self.points is not None:
                QToolTip.showText(event.globalPos(), unit_tooltip(self.points, i), self)
            else:
                QToolTip.hideText()
            return True
        if isinstance(event, QTouchEvent) and kind in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            self._touch(event)
            return True
        if (
            isinstance(event, QNativeGestureEvent)  # touchpad pinch (macOS, Windows)
            and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture
        ):
            self.zoom_by(1.0 + event.value(), event.position())
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        """One finger pans (a tap selects), two fingers pinch-zoom and pan together."""
        pressed = [p for p in event.points() if p.state() != p.State.Released]
        kind = event.type()
        if kind == QEvent.Type.TouchBegin:
            self._touch_start = self._touch_last = event.points()[0].position()
            self._touch_moved = False
            self._pinch = None
        elif kind == QEvent.Type.TouchCancel:
            self._touch_start = self._touch_last = self._pinch = None
        if len(pressed) >= 2:
            a, b = pressed[0].position(), pressed[1].position()
            distance = math.hypot(a.x() - b.x(), a.y() - b.y())
            middle = (a + b) / 2
            if self._pinch is not None and self._pinch[0] > 0:
                last_distance, last_middle = self._pinch
                self.pan_by(middle.x() - last_middle.x(), middle.y() - last_middle.y())
                self.zoom_by(distance / last_distance, middle)
            self._pinch = (distance, middle)
            self._touch_moved = True
        elif len(pressed) == 1 and kind == QEvent.Type.TouchUpdate:
            pos = pressed[0].position()
            if self._pinch is not None or self._touch_last is None:  # one finger left a pinch
                self._pinch = None
                self._touch_last = pos
            start = self._touch_start or pos
            threshold = QApplication.startDragDistance() * 2
            self._touch_moved = self._touch_moved or (pos - start).manhattanLength() >= threshold
            if self._touch_moved:
                delta = pos - self._touch_last
                self.pan_by(delta.x(), delta.y())
                self._touch_last = pos
        if kind == QEvent.Type.TouchEnd:
            if not self._touch_moved and event.points():
                self.select_at(event.points()[0].position(), TOUCH_HIT_PX)
            self._touch_start = self._touch_last = self._pinch = None
        event.accept()


def _dot_pen(colour: QColor, width: float, smooth: bool) -> QPen:
    """A cosmetic pen (width in device pixels whatever the km→pixel transform) for dots.

    Without antialiasing a dot is a whole number of pixels: round caps at fractional widths cost
    Qt three times as much, and below 4 px a round dot is a square anyway (and 10× cheaper)."""
    pen = QPen(colour)
    if smooth:
        pen.setWidthF(width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    else:
        pen.setWidth(max(2, round(width)))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap if width >= 4 else Qt.PenCapStyle.SquareCap)
    pen.setCosmetic(True)
    return pen
