"""A finger-high button calls what it was given; a button row puts its buttons side by side."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from inspector.ui.widgets.buttons import TOUCH_HEIGHT, button_row, touch_button


def test_a_touch_button_is_a_finger_high_and_calls_its_slot(qtbot: QtBot) -> None:
    clicks: list[str] = []
    button = touch_button("保存", lambda: clicks.append("saved"))
    qtbot.addWidget(button)
    button.show()
    assert button.text() == "保存"
    assert button.height() >= TOUCH_HEIGHT == button.minimumHeight()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert clicks == ["saved"]


def test_a_button_row_puts_the_buttons_side_by_side_in_order(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    first, second = touch_button("一", lambda: None), touch_button("二", lambda: None)
    host.setLayout(button_row(first, second))
    host.resize(400, 80)
    host.show()
    qtbot.waitExposed(host)
    assert first.geometry().right() < second.geometry().left()
    assert first.geometry().top() == second.geometry().top()
