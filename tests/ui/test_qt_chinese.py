"""Qt's own widgets speak Chinese: the calendar's day names, standard buttons, the file dialog's
labels (issue 18), through the app's locale and translators."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDateEdit,
    QDialogButtonBox,
    QLabel,
    QTableView,
)
from pytestqt.qtbot import QtBot

from inspector.ui.app import install_chinese, install_fonts
from tools.qt_chinese_shots import calendar, file_dialog, sample_folder

LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[QApplication]:
    install_fonts(qapp)
    translators = install_chinese(qapp)
    yield qapp
    for t in translators:
        qapp.removeTranslator(t)
    QLocale.setDefault(QLocale.c())  # the other tests keep the process's default


def without_accelerator(text: str) -> str:
    return re.sub(r"\(&[A-Z]\)|&", "", text)


def test_calendar_and_date_edit_are_chinese(qtbot: QtBot, chinese: QApplication) -> None:
    cal = calendar()
    qtbot.addWidget(cal)
    view = cal.findChild(QTableView)
    assert view is not None
    model = view.model()
    header = [model.data(model.index(0, c), Qt.ItemDataRole.DisplayRole) for c in range(1, 8)]
    assert header == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    edit = QDateEdit(QDate(2026, 12, 6))
    qtbot.addWidget(edit)
    assert edit.text() == "2026/12/6"


def test_standard_buttons_are_chinese(qtbot: QtBot, chinese: QApplication) -> None:
    sb = QDialogButtonBox.StandardButton
    box = QDialogButtonBox(sb.Ok | sb.Cancel | sb.Save | sb.Close | sb.Yes | sb.No)
    qtbot.addWidget(box)
    texts = {without_accelerator(b.text()) for b in box.buttons()}
    assert texts == {"确定", "取消", "保存", "关闭", "是", "否"}


def test_file_dialog_labels_are_chinese(
    qtbot: QtBot, chinese: QApplication, tmp_path: Path
) -> None:
    dialog = file_dialog(sample_folder(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [
        without_accelerator(w.text())
        for w in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)
        if w.isVisible() and w.text()
    ]
    assert "查找范围：" in texts and "文件类型：" in texts and "打开" in texts
    assert [t for t in texts if LATIN.search(t)] == []
