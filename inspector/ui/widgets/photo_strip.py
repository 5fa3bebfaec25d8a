"""A row of photo thumbnails with what each shows and when, scrolled sideways; double-click or
Enter opens one large (`open_requested(index)`). Used by the inspection's evidence photos and a
patrol visit's. Thumbnails load in the background and are kept, so a list rebuilt after every
mark shows the ones it knows at once; a late one for a list rebuilt since is dropped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QWidget

from inspector.services.facade import Services
from inspector.ui.dialogs.photo_viewer import ViewerPhoto, caption_of
from inspector.ui.tasks import TaskRunner

CELL = QSize(128, 124)  # a thumbnail and two lines: what it shows (a camera file name), when


class StripPhoto(Protocol):
    """What the strip needs of a photo (an inspection's PhotoView, a visit's ListedPhoto)."""

    @property
    def id(self) -> str: ...
    @property
    def thumb_sha256(self) -> str: ...
    @property
    def display_sha256(self) -> str: ...
    @property
    def original_name(self) -> str: ...
    @property
    def captured_at(self) -> datetime: ...


P = TypeVar("P", bound=StripPhoto)


class PhotoStrip(QListWidget):
    open_requested = Signal(int)

    def __init__(self, services: Services, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.services, self.tasks = services, tasks
        self.photos: list[StripPhoto] = []
        self._label: Callable[[Any], str] = lambda p: p.original_name  # of this list's photos
        self._generation = 0
        self._thumbs: dict[str, QPixmap] = {}  # by thumbnail hash: a stored file never changes
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(96, 72))
        # a fixed cell per photo: items laid out before their thumbnail arrives keep their place
        self.setGridSize(CELL)
        self.setFixedHeight(148)  # a row of cells and the scroll bar
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.itemActivated.connect(lambda item: self.open_requested.emit(self.row(item)))

    def set_photos(self, photos: list[P], label: Callable[[P], str] | None = None) -> None:
        """Show these photos; `label` says what each is (its time is added)."""
        self._generation += 1
        self.photos = list(photos)
        if label is not None:
            self._label = label
        self.clear()
        for row, p in enumerate(self.photos):
            item = QListWidgetItem(caption_of(self._label(p), p.captured_at, short=True))
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setToolTip("双击或按回车键查看大图")
            item.setSizeHint(CELL - QSize(4, 4))
            self.addItem(item)
            known = self._thumbs.get(p.thumb_sha256)
            if known is not None:
                item.setIcon(QIcon(known))
                continue
            self.tasks.read(
                self.services.photos.image_bytes,
                p.thumb_sha256,
                on_done=partial(self._thumb_loaded, self._generation, row, p.thumb_sha256),
            )

    def _thumb_loaded(self, generation: int, row: int, sha: str, data: bytes) -> None:
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        self._thumbs[sha] = pixmap
        if generation != self._generation or row >= self.count():
            return
        self.item(row).setIcon(QIcon(pixmap))

    def viewer_photos(self) -> list[ViewerPhoto]:
        return [
            ViewerPhoto(p.id, p.display_sha256, caption_of(self._label(p), p.captured_at))
            for p in self.photos
        ]
