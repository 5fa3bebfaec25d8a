"""The window remembers the person's choices between runs (issue 18): the folder photos were last
taken from (a camera card's DCIM) in every file dialog, and the printer last printed on, which the
print dialog preselects next time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from inspector.ui import file_dialogs
from inspector.ui.dialogs import pdf_preview
from inspector.ui.dialogs.pdf_preview import PdfPreviewDialog
from tests.support.print_dialogs import ChoosingPrintDialog, cups_printers, dialog

__all__ = ["cups_printers", "dialog"]  # fixtures, used here

UI = Path(__file__).resolve().parents[2] / "inspector" / "ui"


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path) -> Iterator[Path]:
    """Where this user's choices go (instead of ~/.config) for the test."""
    folder = tmp_path / "config"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(Path.home() / ".config")
    )


handled: list[QFileDialog] = []


def choose_in_qt_dialog(path: Path, seen: list[str]) -> None:
    """When Qt's own file dialog is up: note the folder it opened in, type `path`, press 打开."""

    def act() -> None:
        up = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QFileDialog) and w.isModal() and w.isVisible() and w not in handled
        ]
        if not up:
            QTimer.singleShot(20, act)
            return
        dialog = up[0]
        handled.append(dialog)  # the last one may linger until deleted
        seen.append(dialog.directory().absolutePath())
        name = dialog.findChild(QLineEdit, "fileNameEdit")  # typed, as a person would
        assert name is not None
        name.setText(str(path))
        dialog.accept()

    QTimer.singleShot(20, act)


def test_the_photo_dialog_opens_where_the_last_photos_came_from(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, config_dir: Path
) -> None:
    dcim = tmp_path / "card" / "DCIM" / "100CANON"
    dcim.mkdir(parents=True)
    for n in (1, 2):
        (dcim / f"P101000{n}.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[str] = []
    choose_in_qt_dialog(dcim / "P1010001.jpg", seen)
    first = file_dialogs.open_file_names(parent, "选择照片", "图片 (*.jpg)")
    assert first == [str(dcim / "P1010001.jpg")]
    assert seen[0] != str(dcim)

    # the next photos, from any page (here the folder import), start on the card
    choose_in_qt_dialog(dcim / "P1010002.jpg", seen)
    again = file_dialogs.open_file_names(parent, "选择照片", "图片 (*.jpg)")
    assert seen[1] == str(dcim) and again == [str(dcim / "P1010002.jpg")]
    assert str(dcim) in (config_dir / "inspector" / "ui.ini").read_text("utf-8")


def test_every_file_dialog_goes_through_the_one_helper() -> None:
    direct = re.compile(r"QFileDialog\.get\w+\(")
    offenders = [
        str(p.relative_to(UI))
        for p in UI.rglob("*.py")
        if p.name != "file_dialogs.py" and direct.search(p.read_text("utf-8"))
    ]
    assert offenders == []


class RecordingPrintDialog(ChoosingPrintDialog):
    """Qt's modal print dialog stood in for: notes the printer it opened with, then picks
    `choose` (Accepted) or is cancelled (None)."""

    opened_with: ClassVar[list[str]] = []
    choose: ClassVar[str | None] = None

    def exec(self) -> QDialog.DialogCode:
        RecordingPrintDialog.opened_with.append(self.printer.printerName())
        if self.choose is None:
            return QDialog.DialogCode.Rejected
        self.printer.setPrinterName(self.choose)
        return QDialog.DialogCode.Accepted


def test_the_print_dialog_preselects_the_printer_used_last_time(
    cups_printers: Path,
    qtbot: QtBot,
    dialog: PdfPreviewDialog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf_preview, "QPrintDialog", RecordingPrintDialog)
    sent: list[str] = []
    monkeypatch.setattr(dialog, "print_to", lambda printer: sent.append(printer.printerName()))
    RecordingPrintDialog.opened_with = []
    RecordingPrintDialog.choose = "InspectorPDF"  # not the queue a new QPrinter starts on
    dialog.print_dialog()
    assert sent == ["InspectorPDF"]
    assert RecordingPrintDialog.opened_with[0] != "InspectorPDF"

    # the next time (another document, another run): InspectorPDF is already chosen
    RecordingPrintDialog.choose = None
    dialog.print_dialog()
    assert RecordingPrintDialog.opened_with[1] == "InspectorPDF"
    assert sent == ["InspectorPDF"]  # cancelled: nothing printed
