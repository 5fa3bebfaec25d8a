"""Buttons a finger hits, and a row of them under a list."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

TOUCH_HEIGHT = 40  # px: the least height of a button tapped on the tablet


def touch_button(text: str, on_click: Callable[[], object]) -> QPushButton:
    """A button at least a finger high that calls `on_click` when clicked."""
    button = QPushButton(text)
    button.setMinimumHeight(TOUCH_HEIGHT)
    button.clicked.connect(on_click)
    return button


def button_row(*buttons: QWidget) -> QHBoxLayout:
    """The buttons side by side, sharing the width: a layout to add to a column."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    return row
