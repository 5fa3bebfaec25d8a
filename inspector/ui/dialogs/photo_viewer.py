"""The photo viewer: one photo large (its display copy), 上一张 / 下一张 (←/→), 向右旋转 (turns the
display copy; the original stays as imported), 删除照片 with a reason (the files stay for the audit),
Esc closes.

Opened by double-click or Enter on an inspection's photo list or a patrol visit's photo strip.
Nothing appears or disappears around the picture: the status line has a fixed height and the
reason for a removal takes the place of the button row, so no button moves under the pointer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.services.evidence.photo_edits import RotatedCopy
from inspector.services.facade import Services
from inspector.ui.tasks import TaskRunner
from inspector.util.clock import to_local
from inspector.util.dates import moment_text

Submit = Callable[..., object]  # TaskRunner.read or .write
Callback = Callable[[Any], object]
LARGEST = QSize(960, 640)  # fits a 1024×700 screen with the window's frame


@dataclass(frozen=True)
class ViewerPhoto:
    id: str
    display_sha256: str
    caption: str  # what the photo is and when it was taken ("查一查 · 2026-12-06 10:32")


def caption_of(what: str, taken: datetime, *, short: bool = False) -> str:
    """What a photo shows and when it was taken, as a list or the viewer names it."""
    when = to_local(taken).strftime("%H:%M") if short else moment_text(taken)
    return f"{what}\n{when}" if short else f"{what} · {when}"


def open_viewer(
    parent: QWidget,
    services: Services,
    tasks: TaskRunner,
    photos: list[ViewerPhoto],
    index: int,
    on_changed: Callable[[], object] | None = None,
) -> PhotoViewer | None:
    """Open the viewer on `photos[index]` (None when there is nothing to show)."""
    if not photos or not 0 <= index < len(photos):
        return None
    viewer = PhotoViewer(services, tasks, photos, index, parent)
    if on_changed is not None:
        viewer.edited.connect(on_changed)
    viewer.open()
    return viewer


class PhotoViewer(QDialog):
    edited = Signal()  # a turn or a removal was stored (the pages also follow the runner)

    def __init__(
        self,
        services: Services,
        tasks: TaskRunner,
        photos: list[ViewerPhoto],
        index: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("查看照片")
        self.services, self.tasks = services, tasks
        self.photos = list(photos)
        self.index = max(0, min(index, len(self.photos) - 1))
        self.busy = False
        self._pixmap: QPixmap | None = None

        self.caption = QLabel("")
        self.caption.setStyleSheet("font-weight:bold;")
        self.picture = QLabel("正在载入照片…")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.picture.setMinimumSize(320, 240)
        self.picture.setStyleSheet("background:#222; color:#ddd;")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setFixedHeight(40)  # a message never moves the buttons below it

        self.prev_button = self._button("◀ 上一张", self.show_previous)
        self.next_button = self._button("下一张 ▶", self.show_next)
        self.rotate_button = self._button("向右旋转 90°", self.rotate)
        self.remove_button = self._button("删除照片…", self.ask_reason)
        self.close_button = self._button("关闭", self.reject)
        browse = QWidget()
        bl = QHBoxLayout(browse)
        bl.setContentsMargins(0, 0, 0, 0)
        for b in (self.prev_button, self.next_button):
            bl.addWidget(b)
        bl.addStretch(1)
        for b in (self.rotate_button, self.remove_button, self.close_button):
            bl.addWidget(b)

        self.reason = QLineEdit()
        self.reason.setPlaceholderText("删除原因，例如：拍错了对象、照片模糊已重拍")
        self.reason.setMinimumHeight(40)
        self.reason.returnPressed.connect(self.remove)
        self.confirm_button = self._button("确认删除", self.remove)
        self.cancel_button = self._button("不删除", self.cancel_reason)
        removing = QWidget()
        rl = QHBoxLayout(removing)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel("删除原因："))
        rl.addWidget(self.reason, 1)
        rl.addWidget(self.confirm_button)
        rl.addWidget(self.cancel_button)

        self.bar = QStackedWidget()
        self.bar.addWidget(browse)
        self.bar.addWidget(removing)
        self.bar.setFixedHeight(max(browse.sizeHint().height(), removing.sizeHint().height()))

        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        self.resize(_fitting_size(parent))
        self.show_photo()

    def _button(self, text: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setMinimumHeight(40)
        button.setAutoDefault(False)  # Enter never removes or closes by accident
        button.clicked.connect(slot)
        return button

    # -- browsing ------------------------------------------------------------------------------
    @property
    def current(self) -> ViewerPhoto:
        return self.photos[self.index]

    def show_photo(self) -> None:
        photo = self.current
        self.caption.setText(f"第 {self.index + 1} / {len(self.photos)} 张　{photo.caption}")
        self.prev_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(self.photos) - 1)
        self._pixmap = None
        self.picture.setPixmap(QPixmap())
        self.picture.setText("正在载入照片…")
        self.tasks.read(
            self.services.photos.image_bytes,
            photo.display_sha256,
            on_done=partial(self._loaded, photo.display_sha256),
            on_error=self._failed,
        )

    def _loaded(self, sha: str, data: bytes) -> None:
        if sha != self.current.display_sha256:
            return  # the person moved on meanwhile
        pixmap = QPixmap()
        if not pixmap.loadFromData(data):
            self.picture.setText("这张照片的显示图无法打开。")
            return
        self._pixmap = pixmap
        self._fit()

    def _fit(self) -> None:
        if self._pixmap is not None:
            self.picture.setPixmap(
                self._pixmap.scaled(
                    self.picture.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def show_previous(self) -> None:
        if self.index > 0 and self.bar.currentIndex() == 0:
            self.index -= 1
            self.status.setText("")
            self.show_photo()

    def show_next(self) -> None:
        if self.index < len(self.photos) - 1 and self.bar.currentIndex() == 0:
            self.index += 1
            self.status.setText("")
            self.show_photo()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape and self.bar.currentIndex() == 1:
            self.cancel_reason()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp) and not self.reason.hasFocus():
            self.show_previous()
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown) and not self.reason.hasFocus():
            self.show_next()
        else:
            super().keyPressEvent(event)

    # -- turning -------------------------------------------------------------------------------
    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        for b in (self.rotate_button, self.remove_button, self.confirm_button):
            b.setEnabled(not busy)
        self.status.setStyleSheet("")
        self.status.setText(text)

    def _refused(self, message: str) -> None:
        self._set_busy(False)
        self.status.setStyleSheet("color:#b00020;")
        self.status.setText(message)

    def _failed(self, message: str) -> None:
        self.picture.setText(message)

    def _begin(self, text: str, submit: Submit, *call: Any, on_done: Callback) -> None:
        """One step at a time: the buttons wait, the status line says what is being done."""
        if self.busy:
            return
        self._set_busy(True, text)
        submit(*call, on_done=on_done, on_error=self._refused)

    def rotate(self) -> None:
        turn = self.services.photo_edits.prepare_rotation  # rendered on the pool
        self._begin(
            "正在旋转显示图（原图不变）…",
            self.tasks.read,
            turn,
            self.current.id,
            on_done=self._rotation_ready,
        )

    def _rotation_ready(self, turned: RotatedCopy) -> None:
        self.tasks.write(
            self.services.photo_edits.commit_rotation,
            turned,
            on_done=partial(self._rotated, turned.photo_id),
            on_error=self._refused,
        )

    def _rotated(self, photo_id: str, sha: str) -> None:
        self._set_busy(False, "已旋转显示图；原图保持不变，此操作已记入审计记录。")
        for n, p in enumerate(self.photos):
            if p.id == photo_id:
                self.photos[n] = replace(p, display_sha256=sha)
        self.edited.emit()
        if self.current.id == photo_id:
            self.show_photo()

    # -- removing ------------------------------------------------------------------------------
    def ask_reason(self) -> None:
        if self.busy:
            return
        self.status.setStyleSheet("")
        self.status.setText("删除后这张照片不再显示和打印；原图仍保留，供审计核查。")
        self.reason.clear()
        self.bar.setCurrentIndex(1)
        self.reason.setFocus()

    def cancel_reason(self) -> None:
        self.bar.setCurrentIndex(0)
        self.status.setText("")
        self.remove_button.setFocus()

    def remove(self) -> None:
        photo_id, reason = self.current.id, self.reason.text()
        remove = self.services.photo_edits.remove
        self._begin(
            "正在删除…",
            self.tasks.write,
            remove,
            photo_id,
            reason,
            on_done=partial(self._removed, photo_id),
        )

    def _removed(self, photo_id: str, _none: None) -> None:
        self.photos = [p for p in self.photos if p.id != photo_id]
        self.bar.setCurrentIndex(0)
        self._set_busy(False, "照片已删除（原图仍保留，供审计核查）。")
        self.edited.emit()
        if not self.photos:
            self.accept()
            return
        self.index = min(self.index, len(self.photos) - 1)
        self.show_photo()


def _fitting_size(parent: QWidget | None) -> QSize:
    screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
    room = screen.availableGeometry().size() - QSize(40, 60)  # the frame and title bar
    return LARGEST.boundedTo(room)
