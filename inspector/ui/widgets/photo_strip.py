"""A row of photo thumbnails with what each shows and when; double-click or Enter opens one large
(`open_requested(index)`). Thumbnails load in the background; a late one for a list rebuilt since
is dropped."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QWidget

from inspector.services.evidence.photo_list import ListedPhoto
from inspector.services.facade import Services
from inspector.ui.dialogs.photo_viewer import ViewerPhoto, caption_of
from inspector.ui.tasks import TaskRunner

CELL = QSize(112, 124)  # a thumbnail and two lines: what it shows, when


class PhotoStrip(QListWidget):
    open_requested = Signal(int)

    def __init__(self, services: Services, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.services, self.tasks = services, tasks
        self.photos: list[ListedPhoto] = []
        self._label: Callable[[ListedPhoto], str] = lambda p: p.original_name
        self._generation = 0
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

    def set_photos(
        self, photos: list[ListedPhoto], label: Callable[[ListedPhoto], str] | None = None
    ) -> None:
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
            self.tasks.read(
                self.services.photos.image_bytes,
                p.thumb_sha256,
                on_done=partial(self._thumb_loaded, self._generation, row),
            )

    def _thumb_loaded(self, generation: int, row: int, data: bytes) -> None:
        if generation != self._generation or row >= self.count():
            return
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        self.item(row).setIcon(QIcon(pixmap))

    def viewer_photos(self) -> list[ViewerPhoto]:
        return [
            ViewerPhoto(p.id, p.display_sha256, caption_of(self._label(p), p.captured_at))
            for p in self.photos
        ]
