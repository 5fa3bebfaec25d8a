"""What the unit map draws over its dots: a light graticule with degree labels, the townships'
names, a scale bar in km and a north arrow, each text with a white halo so it reads over dots.

Functions of a painter and the view (`MapView`: the widget's size, font and km↔pixel mapping), so
`widgets.unit_map.UnitMap` keeps only its state, the dots and the input handling."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF

from inspector.services.units.map import AreaLabel, Projection

GRID_LINE = QColor(120, 130, 140, 60)
GRID_TEXT = QColor("#6b7280")
INK = QColor("#1f2933")
HALO = QColor(255, 255, 255, 230)
_GRID_STEPS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
_SCALE_STEPS_KM = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)


class MapView(Protocol):
    """What the overlays need of the map widget."""

    @property
    def scale(self) -> float: ...

    def to_screen(self, x: float, y: float) -> QPointF: ...

    def to_map(self, pos: QPointF) -> tuple[float, float]: ...

    def width(self) -> int: ...

    def height(self) -> int: ...

    def font(self) -> QFont: ...

    def rect(self) -> QRect: ...


def paint_graticule(painter: QPainter, view: MapView, proj: Projection) -> None:
    """Degree lines at a step that keeps them ~110 px apart, labelled along the top and left."""
    w, h = view.width(), view.height()
    lat_top, lon_left = proj.to_latlon(*view.to_map(QPointF(0, 0)))
    lat_bottom, lon_right = proj.to_latlon(*view.to_map(QPointF(w, h)))
    px_per_deg = view.scale * proj.km_per_degree_lon
    step = next((s for s in _GRID_STEPS if s * px_per_deg >= 110), _GRID_STEPS[-1])
    font = QFont(view.font())
    font.setPointSizeF(max(font.pointSizeF() - 2, 7))
    painter.setFont(font)
    metrics = painter.fontMetrics()
    painter.setPen(QPen(GRID_LINE, 1))
    lons = multiples(lon_left, lon_right, step)
    lats = multiples(lat_bottom, lat_top, step)
    for lon in lons:
        sx = view.to_screen(*proj.to_xy(proj.lat0, lon)).x()
        painter.drawLine(QPointF(sx, 0), QPointF(sx, h))
    for lat in lats:
        sy = view.to_screen(*proj.to_xy(lat, proj.lon0)).y()
        painter.drawLine(QPointF(0, sy), QPointF(w, sy))
    for lon in lons:
        sx = view.to_screen(*proj.to_xy(proj.lat0, lon)).x()
        label = degree_label(lon, step, "东经", "西经")
        tw = metrics.horizontalAdvance(label)
        if sx - tw / 2 >= 4 and sx + tw / 2 <= w - 4:
            halo_text(painter, QPointF(sx - tw / 2, metrics.ascent() + 4), label, GRID_TEXT)
    for lat in lats:
        sy = view.to_screen(*proj.to_xy(lat, proj.lon0)).y()
        label = degree_label(lat, step, "北纬", "南纬")
        if metrics.ascent() + 24 <= sy <= h - 8:
            halo_text(painter, QPointF(6, sy - 3), label, GRID_TEXT)


def paint_areas(painter: QPainter, view: MapView, areas: Sequence[AreaLabel]) -> None:
    """The townships' names at their centres, the biggest first; a label that would collide with
    one already drawn (or leave the view) is left out."""
    if len(areas) < 2:  # a single township is named by the page already
        return
    font = QFont(view.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() + 1)
    painter.setFont(font)
    metrics = painter.fontMetrics()
    taken: list[QRectF] = []
    for area in areas:  # the biggest first: they win when labels collide
        p = view.to_screen(area.x, area.y)
        tw = metrics.horizontalAdvance(area.name)
        box = QRectF(p.x() - tw / 2, p.y() - metrics.ascent() / 2, tw, metrics.height())
        if any(box.intersects(t) for t in taken) or not QRectF(view.rect()).contains(box):
            continue
        taken.append(box.adjusted(-6, -4, 6, 4))
        halo_text(painter, QPointF(box.left(), p.y() + metrics.ascent() / 2), area.name, INK, 4.0)


def paint_scale_bar(painter: QPainter, view: MapView) -> None:
    """A black-and-white bar of a round distance, about 160 px long, at the bottom left."""
    target_km = 160 / view.scale
    km = next((s for s in reversed(_SCALE_STEPS_KM) if s <= target_km), _SCALE_STEPS_KM[0])
    length = km * view.scale
    font = QFont(view.font())
    font.setPointSizeF(max(font.pointSizeF() - 1, 8))
    painter.setFont(font)
    metrics = painter.fontMetrics()
    label = distance_label(km)
    label_width = metrics.horizontalAdvance(label)
    left, base = 18.0, view.height() - 16.0
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    box_top = base - metrics.height() - 12
    box_right = left + length + label_width / 2 + 8
    painter.fillRect(
        QRectF(left - 10, box_top, box_right - left + 10, base + 8 - box_top),
        QColor(255, 255, 255, 210),
    )
    half = length / 2
    painter.fillRect(QRectF(left, base - 5, half, 5), INK)
    painter.fillRect(QRectF(left + half, base - 5, half, 5), QColor("white"))
    painter.setPen(QPen(INK, 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(QRectF(left, base - 5, length, 5))
    painter.drawText(QPointF(left - 3, base - 9), "0")
    painter.drawText(QPointF(left + length - label_width / 2, base - 9), label)


def paint_north_arrow(painter: QPainter, view: MapView) -> None:
    """A north arrow marked 北 at the top right."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    cx, top = view.width() - 36.0, 16.0
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 200))
    painter.drawEllipse(QPointF(cx, top + 30), 24, 24)
    left = QPolygonF([QPointF(cx, top + 12), QPointF(cx - 9, top + 48), QPointF(cx, top + 40)])
    right = QPolygonF([QPointF(cx, top + 12), QPointF(cx + 9, top + 48), QPointF(cx, top + 40)])
    painter.setPen(QPen(INK, 1))
    painter.setBrush(INK)
    painter.drawPolygon(left)
    painter.setBrush(QColor("white"))
    painter.drawPolygon(right)
    font = QFont(view.font())
    font.setBold(True)
    painter.setFont(font)
    tw = painter.fontMetrics().horizontalAdvance("北")
    halo_text(painter, QPointF(cx - tw / 2, top + 8), "北", INK)


def distance_label(km: float) -> str:
    return f"{km * 1000:.0f} 米" if km < 1 else f"{km:g} 公里"


def degree_label(value: float, step: float, positive: str, negative: str) -> str:
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{positive if value >= 0 else negative}{abs(value):.{decimals}f}°"


def multiples(low: float, high: float, step: float) -> list[float]:
    """The multiples of `step` between low and high (rounded so labels print cleanly)."""
    first = math.ceil(low / step)
    last = math.floor(high / step)
    digits = max(0, -math.floor(math.log10(step))) + 2
    return [round(k * step, digits) for k in range(first, last + 1)]


def halo_text(
    painter: QPainter, baseline: QPointF, text: str, colour: QColor, halo: float = 3.0
) -> None:
    """Text with a white halo so it stays readable over dots and lines."""
    path = QPainterPath()
    path.addText(baseline, painter.font(), text)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pen = QPen(HALO, halo)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.strokePath(path, pen)
    painter.fillPath(path, colour)
    painter.restore()
