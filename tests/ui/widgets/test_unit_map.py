"""The four-colour unit map on real demo data: counts per colour, hiding colours, clicking and tapping
a unit, hover tooltips, zoom and pan by wheel, keys, drag and pinch, units without coordinates, and
the Chinese legend. Pixels are read from real grabs of the widget (offscreen)."""

from __future__ import annotations

import io
import math
import random
from array import array
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QBuffer, QEvent, QIODevice, QPoint, QPointF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QHelpEvent,
    QImage,
    QInputDevice,
    QPainter,
    QPointingDevice,
    QRawFont,
    QWheelEvent,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot
from sqlmodel import func, select

from inspector.domain.enums import RiskColour
from inspector.services.demo.county import load_demo
from inspector.services.facade import Services
from inspector.services.units.directory import NewUnit
from inspector.services.units.map import GridIndex, MapPoints
from inspector.store.models import Township, Unit
from inspector.ui.app import install_fonts
from inspector.ui.pages.map_page import MapPage
from inspector.ui.tasks import TaskRunner
from inspector.ui.widgets.unit_map import MOUSE_HIT_PX, TOUCH_HIT_PX, UnitMap

WAIT = 10_000
SCREENSHOT = Path("/tmp/helpers/map.png")
_devices: dict[str, QPointingDevice] = {}


@pytest.fixture
def touchscreen(qapp: QApplication) -> QPointingDevice:
    if "touch" not in _devices:  # devices must outlive every event that refers to them
        _devices["touch"] = QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)
    return _devices["touch"]


def show_page(qtbot: QtBot, services: Services, qapp: QApplication) -> MapPage:
    """The page on its own, loaded; the caller shuts `page.tasks` down."""
    install_fonts(qapp)
    page = MapPage(services, TaskRunner())
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    page.load()
    qtbot.waitUntil(lambda: page.tasks.pending == 0 and page.points is not None, timeout=WAIT)
    return page


@pytest.fixture
def page(qtbot: QtBot, services: Services, qapp: QApplication) -> Iterator[MapPage]:
    page = show_page(qtbot, services, qapp)
    yield page
    page.tasks.shutdown()


def reload(qtbot: QtBot, page: MapPage) -> MapPoints:
    page.points = None
    page.load()
    qtbot.waitUntil(lambda: page.tasks.pending == 0 and page.points is not None, timeout=WAIT)
    assert page.points is not None
    return page.points


def colour_pixels(image: QImage) -> Counter[str]:
    """How many pixels of each exact colour (#rrggbb) the image holds."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    img = Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")
    colours = img.getcolors(img.width * img.height) or []
    return Counter({"#{:02x}{:02x}{:02x}".format(*rgb): n for n, rgb in colours})


def map_counts(page: MapPage) -> Counter[str]:
    page.map.invalidate()
    return colour_pixels(page.map.grab().toImage())


def db_counts(services: Services, township_id: str | None = None) -> dict[str, int]:
    with services.ctx.store.read() as s:
        query = select(Unit.risk_colour, func.count()).where(Unit.deleted == False)  # noqa: E712
        if township_id is not None:
            query = query.where(Unit.township_id == township_id)
        return dict(s.exec(query.group_by(Unit.risk_colour)).all())


def isolated_unit(m: UnitMap, min_gap_px: float) -> str:
    """A unit whose nearest neighbour on screen is at least `min_gap_px` away, inside the view."""
    points = m.points
    assert points is not None
    pos = [m.to_screen(x, y) for x, y in zip(points.xs, points.ys, strict=True)]
    inside = m.rect().adjusted(60, 60, -60, -60)
    best, best_gap = -1, 0.0
    for i, p in enumerate(pos):
        if not inside.contains(p.toPoint()):
            continue
        gap = min(math.dist((p.x(), p.y()), (q.x(), q.y())) for j, q in enumerate(pos) if j != i)
        if gap > best_gap:
            best, best_gap = i, gap
    assert best_gap >= min_gap_px, "the demo county has no isolated unit at this zoom"
    return points.ids[best]


# -- the service ---------------------------------------------------------------------------------


def test_points_hold_every_live_unit_by_colour(services: Services) -> None:
    points = services.unit_map.points()
    assert points.counts == db_counts(services)
    assert len(points) == 400 and points.without_coordinates == 0
    # red last, so it is drawn on top
    assert list(points.colour_ranges) == ["blue", "yellow", "orange", "red"]
    assert {points.colour(i).value for i in range(*points.colour_ranges["red"])} == {"red"}
    # the projection keeps distances: 0.01° of latitude is ~1.11 km on the map
    i = 0
    x, y = points.projection.to_xy(points.lat[i] + 0.01, points.lon[i])
    assert math.isclose(math.dist((x, y), (points.xs[i], points.ys[i])), 1.112, rel_tol=0.01)

    # a deleted unit leaves the map
    gone = points.ids[0]
    with services.ctx.store.write() as s:
        unit = s.get(Unit, gone)
        assert unit is not None
        unit.deleted = True
    after = services.unit_map.points()
    assert len(after) == 399 and after.find(gone) is None


def test_township_filter_reads_only_that_township(services: Services) -> None:
    with services.ctx.store.read() as s:
        town = s.exec(select(Township)).first()
    assert town is not None
    points = services.unit_map.points(town.id)
    assert points.counts == {c.value: 0 for c in RiskColour} | db_counts(services, town.id)
    assert [a.name for a in points.areas] == [town.name]


def test_nearest_matches_brute_force_on_random_points() -> None:
    rng = random.Random(5)
    n = 3000
    xs = array("d", (rng.gauss(0, 8) for _ in range(n)))
    ys = array("d", (rng.gauss(0, 5) for _ in range(n)))
    index = GridIndex(xs, ys)
    codes = bytes(rng.randrange(4) for _ in range(n))
    for _ in range(300):
        # queries reach well beyond the points on every side
        qx, qy, radius = rng.uniform(-60, 60), rng.uniform(-40, 40), rng.choice((0.05, 0.3, 2.0))
        visible = {0, 1, 3}
        expected = min(
            (
                (math.dist((qx, qy), (xs[i], ys[i])), i)
                for i in range(n)
                if codes[i] in visible and math.dist((qx, qy), (xs[i], ys[i])) <= radius
            ),
            default=None,
        )
        found = index.nearest(qx, qy, radius, codes, visible)
        if expected is None:
            assert found is None
        else:
            assert found is not None
            assert math.isclose(math.dist((qx, qy), (xs[found], ys[found])), expected[0])


# -- the page ------------------------------------------------------------------------------------


def test_legend_shows_the_counts_and_hiding_a_colour_removes_its_dots(
    page: MapPage, services: Services
) -> None:
    counts = db_counts(services)
    for colour in RiskColour:
        assert page.count_labels[colour.value].text() == f"{counts[colour.value]} 家"
    assert page.total_label.text() == "图上共 400 家单位"
    assert page.missing_label.text() == "全部单位均有坐标。"

    shown = map_counts(page)
    red, orange, blue = (RiskColour(c).hex for c in ("red", "orange", "blue"))
    # each dot has a core of its exact colour (a few pixels at least)
    assert shown[red] >= 3 * counts["red"]
    assert shown[orange] >= 3 * counts["orange"]

    page.colour_boxes["red"].setChecked(False)
    hidden = map_counts(page)
    assert hidden[red] == 0
    assert hidden[orange] >= shown[orange]  # nothing red is drawn over them any more
    assert hidden[blue] >= shown[blue]

    page.colour_boxes["red"].setChecked(True)
    page.colour_boxes["blue"].setChecked(False)
    again = map_counts(page)
    assert again[red] == shown[red] and again[blue] == 0


def test_clicking_a_unit_selects_it_and_asks_to_open_it(qtbot: QtBot, page: MapPage) -> None:
    unit_id = isolated_unit(page.map, min_gap_px=2 * TOUCH_HIT_PX + 4)
    pos = page.map.screen_pos(unit_id)
    assert pos is not None
    with qtbot.waitSignal(page.open_unit_requested, timeout=WAIT) as opened:
        qtbot.mouseClick(page.map, Qt.MouseButton.LeftButton, pos=pos.toPoint())
    assert opened.args == [unit_id]
    assert page.map.selected_id() == unit_id
    points = page.points
    assert points is not None
    name = points.names[points.ids.index(unit_id)]
    assert page.selected_label.text().startswith(f"已选：{name}")
    # the selection ring is painted: dark pixels around the dot
    ring = (
        page.map.grab()
        .toImage()
        .pixelColor(round(pos.x() + page.map.dot_diameter() / 2 + 4), round(pos.y()))
    )
    assert ring.lightness() < 120

    # a click on empty paper (next to the unit, beyond the mouse radius) opens nothing
    off = (pos + QPointF(MOUSE_HIT_PX + 6, 0)).toPoint()
    with qtbot.assertNotEmitted(page.open_unit_requested):
        qtbot.mouseClick(page.map, Qt.MouseButton.LeftButton, pos=off)
    assert page.map.selected_id() is None


@pytest.fixture
def bare_map(qtbot: QtBot, services: Services) -> UnitMap:
    """The map widget alone at the window's origin (QTest's touch events land exactly there)."""
    m = UnitMap()
    qtbot.addWidget(m)
    m.resize(900, 640)
    m.show()
    qtbot.waitExposed(m)
    m.set_points(services.unit_map.points())
    return m


def test_a_tap_hits_with_a_finger_sized_radius_and_two_fingers_zoom(
    qtbot: QtBot, bare_map: UnitMap, touchscreen: QPointingDevice
) -> None:
    m = bare_map
    unit_id = isolated_unit(m, min_gap_px=2 * TOUCH_HIT_PX + 4)
    pos = m.screen_pos(unit_id)
    assert pos is not None
    near = (pos + QPointF(MOUSE_HIT_PX + 8, 0)).toPoint()  # too far for a mouse, fine for a finger
    with qtbot.assertNotEmitted(m.unit_clicked):
        qtbot.mouseClick(m, Qt.MouseButton.LeftButton, pos=near)
    with qtbot.waitSignal(m.unit_clicked, timeout=WAIT) as tapped:
        QTest.touchEvent(m, touchscreen).press(0, near).commit()
        QTest.touchEvent(m, touchscreen).release(0, near).commit()
    assert tapped.args == [unit_id]

    # a finger that slides pans the map and selects nothing
    fitted = m.scale
    origin = m.to_map(QPointF(near))
    with qtbot.assertNotEmitted(m.unit_clicked):
        QTest.touchEvent(m, touchscreen).press(0, near).commit()
        for k in range(1, 7):
            QTest.touchEvent(m, touchscreen).move(0, near + QPoint(10 * k, 5 * k)).commit()
        QTest.touchEvent(m, touchscreen).release(0, near + QPoint(60, 30)).commit()
    assert math.dist(m.to_map(QPointF(near + QPoint(60, 30))), origin) * m.scale < 2

    # two fingers moving apart zoom in around their midpoint
    QTest.touchEvent(m, touchscreen).press(0, QPoint(300, 300)).press(1, QPoint(400, 300)).commit()
    for step in range(1, 6):
        QTest.touchEvent(m, touchscreen).move(0, QPoint(300 - 10 * step, 300)).move(
            1, QPoint(400 + 10 * step, 300)
        ).commit()
    QTest.touchEvent(m, touchscreen).release(0, QPoint(250, 300)).release(
        1, QPoint(450, 300)
    ).commit()
    assert m.scale == pytest.approx(fitted * 2, rel=0.05)


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the offscreen tooltip window
def test_hovering_a_unit_shows_its_name_risk_and_level(qtbot: QtBot, page: MapPage) -> None:
    unit_id = isolated_unit(page.map, min_gap_px=2 * MOUSE_HIT_PX + 4)
    pos = page.map.screen_pos(unit_id)
    points = page.points
    assert pos is not None and points is not None
    i = points.ids.index(unit_id)
    local = pos.toPoint()
    QApplication.sendEvent(
        page.map, QHelpEvent(QEvent.Type.ToolTip, local, page.map.mapToGlobal(local))
    )
    qtbot.waitUntil(QToolTip.isVisible, timeout=WAIT)
    colour = points.colour(i)
    text = QToolTip.text()
    assert points.names[i] in text
    assert f"风险等级：{colour.label}（{colour.meaning}）" in text
    assert "监管级别：" in text and points.levels[i] in text
    QToolTip.hideText()


def send_wheel(widget: UnitMap, pos: QPointF, notches: int) -> None:
    event = QWheelEvent(
        pos,
        widget.mapToGlobal(pos),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_zoom_and_pan_by_wheel_keys_and_drag(qtbot: QtBot, page: MapPage) -> None:
    m = page.map
    fitted = m.scale
    # the wheel zooms around the cursor: the place under it stays under it
    cursor = QPointF(200, 150)
    before = m.to_map(cursor)
    send_wheel(m, cursor, 2)
    assert math.isclose(m.scale, fitted * 1.25**2)
    assert all(
        math.isclose(a, b, abs_tol=1e-9) for a, b in zip(m.to_map(cursor), before, strict=True)
    )

    # keys: + / - zoom, arrows pan, Home shows the whole map
    m.setFocus()
    QTest.keyClick(m, Qt.Key.Key_Plus)
    assert math.isclose(m.scale, fitted * 1.25**2 * 1.5)
    QTest.keyClick(m, Qt.Key.Key_Minus)
    assert math.isclose(m.scale, fitted * 1.25**2)
    east = m.to_map(QPointF(m.width() / 2, m.height() / 2))[0]
    QTest.keyClick(m, Qt.Key.Key_Right)
    assert m.to_map(QPointF(m.width() / 2, m.height() / 2))[0] > east
    QTest.keyClick(m, Qt.Key.Key_Home)
    assert math.isclose(m.scale, fitted)

    # a drag pans by exactly the distance moved, and does not select anything
    start, end = QPoint(300, 300), QPoint(380, 260)
    origin = m.to_map(QPointF(start))
    with qtbot.assertNotEmitted(m.unit_clicked):
        qtbot.mousePress(m, Qt.MouseButton.LeftButton, pos=start)
        for k in range(1, 9):
            QTest.mouseMove(m, start + (end - start) * k / 8)
        qtbot.mouseRelease(m, Qt.MouseButton.LeftButton, pos=end)
    moved_to = m.to_map(QPointF(end))
    assert math.dist(moved_to, origin) * m.scale < 2  # the same place is now under the pointer

    # a double click shows the whole map again
    QTest.keyClick(m, Qt.Key.Key_Plus)
    qtbot.mouseDClick(m, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert math.isclose(m.scale, fitted)


def test_a_unit_without_coordinates_is_counted_not_drawn(
    qtbot: QtBot, page: MapPage, services: Services
) -> None:
    before = page.points
    assert before is not None
    unit_id = services.units.add(NewUnit(name="青岚县无坐标测试加油站", risk_colour="red")).value
    points = reload(qtbot, page)
    assert points.without_coordinates == 1
    assert points.counts == before.counts  # not on the map, so not in the colour counts
    assert points.find(unit_id) is None and page.map.screen_pos(unit_id) is None
    assert page.missing_label.text() == "1 家单位无坐标，未在图上显示。"
    assert map_counts(page)[RiskColour.RED.hex] > 0  # the others are still drawn


def test_the_chinese_legend_renders_in_the_shipped_font(page: MapPage) -> None:
    texts = [box.text() for box in page.colour_boxes.values()]
    assert texts == ["红色  重大风险", "橙色  较大风险", "黄色  一般风险", "蓝色  低风险"]
    for box in page.colour_boxes.values():
        raw = QRawFont.fromFont(box.font())
        missing = [
            ch for ch in box.text() if not ch.isspace() and not raw.supportsCharacter(ord(ch))
        ]
        assert missing == [], f"{raw.familyName()} lacks {missing}"

    # two legend lines of the same length draw differently (boxes for missing glyphs would not)
    def draw(text: str, font: QFont) -> QImage:
        image = QImage(240, 40, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setFont(font)
        painter.setPen(QColor("black"))
        painter.drawText(4, 28, text)
        painter.end()
        return image

    font = page.colour_boxes["red"].font()
    red, orange = draw(texts[0], font), draw(texts[1], font)
    assert red != orange
    assert colour_pixels(red)["#ffffff"] < 240 * 40 - 200  # there is ink


def test_screenshot_of_the_map_page_on_the_demo_county(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    """The page a township leader sees on the full demo county (2,400 units)."""
    services = Services.open(tmp_path / "county")
    load_demo(services.ctx)
    page = show_page(qtbot, services, qapp)
    try:
        page.resize(1366, 860)
        qtbot.waitUntil(lambda: page.map.width() > 1000, timeout=WAIT)
        image = page.grab().toImage()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        assert image.save(str(SCREENSHOT))
        pixels = colour_pixels(page.map.grab().toImage())
        assert all(pixels[c.hex] > 0 for c in RiskColour)
    finally:
        page.tasks.shutdown()
        services.close()
