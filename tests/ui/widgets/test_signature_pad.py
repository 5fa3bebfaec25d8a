"""The signature pad and its dialog, driven by real mouse, touch and pen events (offscreen)."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from inspector.ui.widgets.signature_pad import SignatureDialog, SignaturePad

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Device objects must outlive every event that refers to them: keep them for the whole session.
_devices: dict[str, QPointingDevice] = {}


@pytest.fixture
def touchscreen(qapp: QApplication) -> QPointingDevice:
    if "touch" not in _devices:
        _devices["touch"] = QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)
    return _devices["touch"]


@pytest.fixture
def stylus(qapp: QApplication) -> QPointingDevice:
    if "stylus" not in _devices:
        _devices["stylus"] = QPointingDevice(
            "test stylus",
            1001,
            QInputDevice.DeviceType.Stylus,
            QPointingDevice.PointerType.Pen,
            QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
            1,
            3,
        )
    return _devices["stylus"]


@pytest.fixture
def pad(qtbot: QtBot) -> Iterator[SignaturePad]:
    widget = SignaturePad()
    qtbot.addWidget(widget)
    widget.resize(480, 180)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def mouse_stroke(qtbot: QtBot, widget: SignaturePad, points: Sequence[tuple[int, int]]) -> None:
    """Press, drag through `points`, release — the way a user signs with a mouse."""
    first, *rest = [QPoint(x, y) for x, y in points]
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=first)
    for p in rest:
        # In Qt 6 QTest.mouseMove carries the held button (checked: the pad draws from it).
        QTest.mouseMove(widget, p)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=rest[-1] if rest else first)


def line(a: tuple[int, int], b: tuple[int, int], steps: int = 12) -> list[tuple[int, int]]:
    return [
        (round(a[0] + (b[0] - a[0]) * i / steps), round(a[1] + (b[1] - a[1]) * i / steps))
        for i in range(steps + 1)
    ]


def screen(widget: SignaturePad) -> QImage:
    return widget.grab().toImage()


def is_ink(image: QImage, x: int, y: int, radius: int = 3) -> bool:
    """True if some pixel within `radius` of (x, y) is dark (black ink, not the grey baseline)."""
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            c = QColor(image.pixel(x + dx, y + dy))
            if c.red() < 80 and c.green() < 80 and c.blue() < 80:
                return True
    return False


def dark_pixel_count(image: QImage) -> int:
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if QColor(image.pixel(x, y)).lightness() < 80
    )


def rgba_pixels(img: Image.Image) -> list[tuple[int, int, int, int]]:
    raw = img.tobytes()
    return [(raw[i], raw[i + 1], raw[i + 2], raw[i + 3]) for i in range(0, len(raw), 4)]


def opaque_dark_count(img: Image.Image) -> int:
    return sum(1 for p in rgba_pixels(img) if p[3] == 255 and max(p[:3]) < 60)


def ink_bbox(img: Image.Image) -> tuple[int, int, int, int]:
    """Bounding box (left, top, right, bottom) of every non-transparent pixel."""
    box = img.getchannel("A").getbbox()
    assert box is not None, "the image is fully transparent"
    return box


def decode(png: bytes) -> Image.Image:
    assert png.startswith(PNG_MAGIC)
    img = Image.open(io.BytesIO(png))
    img.load()
    return img.convert("RGBA")


# ---- mouse ----------------------------------------------------------------------------------


def test_mouse_stroke_draws_and_exports_a_transparent_cropped_png(
    qtbot: QtBot, pad: SignaturePad
) -> None:
    assert pad.is_empty()
    assert not is_ink(screen(pad), 210, 90)
    # a 300 × 100 "V": down to the bottom vertex and up again, in one stroke
    with qtbot.waitSignal(pad.changed, timeout=1000):
        mouse_stroke(qtbot, pad, line((60, 40), (210, 140)) + line((210, 140), (360, 40))[1:])

    assert not pad.is_empty()
    assert pad.stroke_count() == 1
    shown = screen(pad)
    # the ink follows the moves (the vertex), not a straight press-to-release line
    assert is_ink(shown, 60, 40) and is_ink(shown, 135, 90) and is_ink(shown, 210, 140)
    assert is_ink(shown, 285, 90) and is_ink(shown, 360, 40)
    assert not is_ink(shown, 210, 40)  # off the stroke the paper stays white

    img = decode(pad.to_png())
    assert img.height == 240
    # transparent background: the corners (margin) and the off-diagonal corner are see-through
    w, h = img.size
    for x, y in [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1), (w // 2, 10), (10, h - 10)]:
        assert img.getchannel("A").getpixel((x, y)) == 0, (x, y)
    # opaque dark ink
    assert opaque_dark_count(img) > 500
    # cropped to the ink: its bounding box fills the image but for a small margin
    left, top, right, bottom = ink_bbox(img)
    assert left < 0.1 * w and right > 0.9 * w and top < 0.1 * h and bottom > 0.9 * h
    # and keeps the stroke's 3:1 shape
    assert (right - left) / (bottom - top) == pytest.approx(300 / 100, rel=0.15)
    assert w / h == pytest.approx(300 / 100, rel=0.2)


def test_png_height_is_configurable_and_keeps_the_aspect(qtbot: QtBot, pad: SignaturePad) -> None:
    mouse_stroke(qtbot, pad, line((100, 30), (200, 150)))  # 100 wide, 120 high
    small, big = decode(pad.to_png(120)), decode(pad.to_png(480))
    assert (small.height, big.height) == (120, 480)
    assert small.width / small.height == pytest.approx(big.width / big.height, rel=0.02)
    left, top, right, bottom = ink_bbox(big)
    assert (right - left) / (bottom - top) == pytest.approx(100 / 120, rel=0.15)


def test_a_click_without_moving_leaves_a_dot(qtbot: QtBot, pad: SignaturePad) -> None:
    qtbot.mouseClick(pad, Qt.MouseButton.LeftButton, pos=QPoint(200, 80))
    assert pad.stroke_count() == 1
    assert is_ink(screen(pad), 200, 80, radius=1)
    img = decode(pad.to_png())
    assert opaque_dark_count(img) > 0


def test_right_button_does_not_draw(qtbot: QtBot, pad: SignaturePad) -> None:
    qtbot.mousePress(pad, Qt.MouseButton.RightButton, pos=QPoint(60, 60))
    QTest.mouseMove(pad, QPoint(200, 60))
    qtbot.mouseRelease(pad, Qt.MouseButton.RightButton, pos=QPoint(200, 60))
    assert pad.is_empty()
    assert not is_ink(screen(pad), 130, 60)


def test_empty_pad_shows_a_baseline_and_has_no_png(pad: SignaturePad) -> None:
    shown = screen(pad)
    greys = [
        y
        for y in range(pad.height())
        if all(150 < QColor(shown.pixel(x, y)).lightness() < 245 for x in range(40, 440, 10))
    ]
    assert greys, "no faint horizontal baseline across the pad"
    assert dark_pixel_count(shown) == 0
    with pytest.raises(ValueError):
        pad.to_png()


# ---- touch and pen --------------------------------------------------------------------------


def test_one_finger_touch_stroke_draws_once(
    qtbot: QtBot, pad: SignaturePad, touchscreen: QPointingDevice
) -> None:
    with qtbot.waitSignal(pad.changed, timeout=1000):
        QTest.touchEvent(pad, touchscreen).press(0, QPoint(80, 100)).commit()
        for x, y in line((80, 100), (380, 60))[1:]:
            QTest.touchEvent(pad, touchscreen).move(0, QPoint(x, y)).commit()
        QTest.touchEvent(pad, touchscreen).release(0, QPoint(380, 60)).commit()

    # one stroke: the accepted touch was not also turned into a synthesized mouse stroke
    assert pad.stroke_count() == 1
    shown = screen(pad)
    # QTest's touch mapping may shift points by a pixel or two, hence the radius
    assert is_ink(shown, 230, 80, radius=4) and is_ink(shown, 370, 61, radius=4)
    img = decode(pad.to_png())
    left, top, right, bottom = ink_bbox(img)
    assert (right - left) / (bottom - top) == pytest.approx(300 / 40, rel=0.2)


def test_a_second_finger_is_ignored(
    qtbot: QtBot, pad: SignaturePad, touchscreen: QPointingDevice
) -> None:
    QTest.touchEvent(pad, touchscreen).press(0, QPoint(60, 50)).press(1, QPoint(60, 140)).commit()
    for x in range(80, 381, 20):
        QTest.touchEvent(pad, touchscreen).move(0, QPoint(x, 50)).move(1, QPoint(x, 140)).commit()
    QTest.touchEvent(pad, touchscreen).release(0, QPoint(380, 50)).release(
        1, QPoint(380, 140)
    ).commit()
    assert pad.stroke_count() == 1
    shown = screen(pad)
    assert is_ink(shown, 220, 50, radius=4)
    assert not is_ink(shown, 220, 140, radius=4)


def send_tablet(
    widget: SignaturePad,
    device: QPointingDevice,
    kind: QEvent.Type,
    x: int,
    y: int,
    pressure: float,
) -> bool:
    pos = QPointF(x, y)
    held = (
        Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
    )
    event = QTabletEvent(
        kind,
        device,
        pos,
        QPointF(widget.mapToGlobal(pos)),
        pressure,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        Qt.KeyboardModifier.NoModifier,
        Qt.MouseButton.LeftButton,
        held,
    )
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def pen_stroke(
    widget: SignaturePad, device: QPointingDevice, y: int, pressure: float
) -> list[bool]:
    accepted = [send_tablet(widget, device, QEvent.Type.TabletPress, 60, y, pressure)]
    for x in range(80, 421, 20):
        accepted.append(send_tablet(widget, device, QEvent.Type.TabletMove, x, y, pressure))
    accepted.append(send_tablet(widget, device, QEvent.Type.TabletRelease, 420, y, 0.0))
    return accepted


def ink_thickness(image: QImage, x: int, y_from: int, y_to: int) -> int:
    return sum(1 for y in range(y_from, y_to) if QColor(image.pixel(x, y)).lightness() < 128)


def test_pen_pressure_sets_the_width(
    qtbot: QtBot, pad: SignaturePad, stylus: QPointingDevice
) -> None:
    # hovering (pen moves without a press) draws nothing, before or after strokes
    send_tablet(pad, stylus, QEvent.Type.TabletMove, 100, 90, 0.0)
    assert pad.is_empty()
    # pen events are accepted, so Qt would not synthesize a second (mouse) stroke from them
    assert all(pen_stroke(pad, stylus, 50, 0.1))
    assert all(pen_stroke(pad, stylus, 130, 1.0))
    signed = pad.to_png()
    send_tablet(pad, stylus, QEvent.Type.TabletMove, 100, 90, 0.0)
    send_tablet(pad, stylus, QEvent.Type.TabletMove, 300, 90, 0.0)
    assert pad.stroke_count() == 2
    assert pad.to_png() == signed
    shown = screen(pad)
    assert not is_ink(shown, 200, 90)
    light, heavy = ink_thickness(shown, 240, 35, 65), ink_thickness(shown, 240, 115, 145)
    assert 1 <= light < heavy
    assert heavy >= 2 * light


# ---- undo / clear ---------------------------------------------------------------------------


def test_undo_removes_the_last_stroke_only(qtbot: QtBot, pad: SignaturePad) -> None:
    mouse_stroke(qtbot, pad, line((60, 50), (400, 50)))
    mouse_stroke(qtbot, pad, line((60, 130), (400, 130)))
    assert pad.stroke_count() == 2
    shown = screen(pad)
    assert is_ink(shown, 230, 50) and is_ink(shown, 230, 130)

    with qtbot.waitSignal(pad.changed, timeout=1000):
        pad.undo_stroke()
    assert pad.stroke_count() == 1
    shown = screen(pad)
    assert is_ink(shown, 230, 50)
    assert not is_ink(shown, 230, 130)
    # the exported signature no longer contains the second line: it is a flat single line
    img = decode(pad.to_png())
    assert img.width / img.height > 6

    pad.undo_stroke()
    assert pad.is_empty()
    with qtbot.assertNotEmitted(pad.changed):
        pad.undo_stroke()  # nothing left: no change, no error


def test_clear_empties_the_pad(qtbot: QtBot, pad: SignaturePad) -> None:
    mouse_stroke(qtbot, pad, line((60, 50), (400, 130)))
    mouse_stroke(qtbot, pad, line((60, 130), (400, 50)))
    assert dark_pixel_count(screen(pad)) > 500
    with qtbot.waitSignal(pad.changed, timeout=1000):
        pad.clear()
    assert pad.is_empty() and pad.stroke_count() == 0
    assert dark_pixel_count(screen(pad)) == 0
    with pytest.raises(ValueError):
        pad.to_png()
    # and it can be signed again
    mouse_stroke(qtbot, pad, line((100, 100), (300, 100)))
    assert pad.stroke_count() == 1


# ---- dialog ---------------------------------------------------------------------------------

PROMPT = "请 张三（执法证号 123）在下方签名"


@pytest.fixture
def dialog(qtbot: QtBot) -> SignatureDialog:
    dlg = SignatureDialog(PROMPT)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def test_dialog_ok_is_disabled_until_signed_then_returns_png(
    qtbot: QtBot, dialog: SignatureDialog
) -> None:
    assert dialog.windowTitle() == "签名"
    assert dialog.caption.text() == PROMPT and dialog.caption.isVisible()
    buttons = [dialog.undo_button, dialog.clear_button, dialog.ok_button, dialog.cancel_button]
    assert [b.text() for b in buttons] == ["撤销一笔", "清除", "确定", "取消"]
    assert all(b.height() >= 44 for b in buttons)
    assert dialog.pad.width() >= 480 and dialog.pad.height() >= 180

    assert not dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # a disabled button does nothing
    assert dialog.isVisible() and dialog.png() is None

    mouse_stroke(qtbot, dialog.pad, line((60, 60), (300, 120)))
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()
    png = dialog.png()
    assert isinstance(png, bytes)
    img = decode(png)
    assert img.height == 240
    assert opaque_dark_count(img) > 0


def test_dialog_buttons_undo_and_clear(qtbot: QtBot, dialog: SignatureDialog) -> None:
    mouse_stroke(qtbot, dialog.pad, line((60, 60), (300, 60)))
    mouse_stroke(qtbot, dialog.pad, line((60, 120), (300, 120)))
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert dialog.pad.stroke_count() == 1
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    assert dialog.pad.is_empty()
    assert not dialog.ok_button.isEnabled()


def test_dialog_keyboard_ctrl_z_undoes_and_esc_cancels(
    qtbot: QtBot, dialog: SignatureDialog
) -> None:
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    mouse_stroke(qtbot, dialog.pad, line((60, 60), (300, 60)))
    mouse_stroke(qtbot, dialog.pad, line((60, 120), (300, 120)))

    qtbot.keyClick(dialog.pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dialog.pad.stroke_count() == 1
    qtbot.keyClick(dialog.pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dialog.pad.is_empty()
    assert not dialog.ok_button.isEnabled()

    mouse_stroke(qtbot, dialog.pad, line((60, 90), (300, 90)))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()
    assert dialog.png() is None
