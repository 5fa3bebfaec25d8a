"""Every file dialog of the app: it opens in the folder last used for that kind of file (a camera
card's DCIM for photos) and remembers the folder chosen (ui/remembered.py). Same arguments as Qt's
static QFileDialog functions, with `kind` in place of the start folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from inspector.ui.remembered import EXPORTS, PHOTOS, last_folder, remember_folder


def open_file_names(
    parent: QWidget | None, caption: str, file_filter: str, kind: str = PHOTOS
) -> list[str]:
    files, _ = QFileDialog.getOpenFileNames(parent, caption, last_folder(kind), file_filter)
    if files:
        remember_folder(kind, files[0])
    return files


def open_file_name(
    parent: QWidget | None, caption: str, file_filter: str, kind: str = PHOTOS
) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, caption, last_folder(kind), file_filter)
    if path:
        remember_folder(kind, path)
    return path


def existing_directory(parent: QWidget | None, caption: str, kind: str = PHOTOS) -> str:
    folder = QFileDialog.getExistingDirectory(parent, caption, last_folder(kind))
    if folder:
        remember_folder(kind, folder)
    return folder


def save_file_name(
    parent: QWidget | None, caption: str, suggested: str, file_filter: str, kind: str = EXPORTS
) -> str:
    """`suggested` is a file name (or ""); it is offered in the folder last saved to."""
    folder = last_folder(kind)
    start = str(Path(folder) / suggested) if folder and suggested else folder or suggested
    path, _ = QFileDialog.getSaveFileName(parent, caption, start, file_filter)
    if path:
        remember_folder(kind, path)
    return path
