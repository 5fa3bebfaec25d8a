"""The Qt binding itself: a defect there takes the whole app down, whatever our code does."""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QLabel


def test_qt_calls_that_return_nothing_keep_none_alive(qapp: object) -> None:
    """PySide6 6.12.0 on CPython 3.11 released a reference to None on each such call; a few
    hundred thousand calls (minutes of panning the map) then abort the process."""
    label = QLabel()
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(400):
        label.setText("x")
        painter.fillRect(0, 0, 2, 2, QColor("red"))
    after = sys.getrefcount(None)
    painter.end()
    assert after >= before - 100, f"{before - after} references to None lost in 800 calls"
