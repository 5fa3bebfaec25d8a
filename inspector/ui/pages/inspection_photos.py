"""The inspection page's evidence photos: thumbnails, adding files or a folder, the import's
progress. Files are prepared on the worker pool and stored on the writer, one by one."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.services.evidence.photos import IMAGE_FILTER, photos_in_folder, watermark_text
from inspector.services.facade import Services
from inspector.services.inspections.views import InspectionView
from inspector.ui.dialogs.photo_viewer import PhotoViewer, open_viewer
from inspector.ui.file_dialogs import existing_directory, open_file_names
from inspector.ui.tasks import TaskRunner
from inspector.ui.widgets.buttons import button_row, touch_button
from inspector.ui.widgets.photo_strip import PhotoStrip
from inspector.util.clock import to_local


class PhotoImport:
    """A batch of photo files: prepared on the worker pool, stored on the writer, one by one."""

    def __init__(
        self, panel: PhotosPanel, view: InspectionView, paths: list[Path], hazard_id: str | None
    ) -> None:
        # The target is fixed when the import starts, whatever the page shows later.
        self.panel = panel
        self.paths = paths
        self.hazard_id = hazard_id
        self.inspection_id = view.id
        self.unit_name = view.unit_name
        self.inspectors = [p.name for p in view.inspectors]
        self.done = 0
        self.failed: list[str] = []
        self.cancelled = False

    def start(self) -> None:
        self.panel.progress.setRange(0, len(self.paths))
        self.panel.progress.setValue(0)
        self.panel.progress_box.show()
        self._next()

    def _next(self) -> None:
        index = self.done + len(self.failed)
        if self.cancelled or index >= len(self.paths):
            self.panel.import_finished(self)
            return
        path = self.paths[index]
        self.panel.progress.setFormat(f"正在导入 {index + 1}/{len(self.paths)}：{path.name}")
        now = to_local(self.panel.services.ctx.clock.now())
        mark = watermark_text(self.unit_name, now, self.inspectors)
        photos = self.panel.services.photos
        tasks = self.panel.tasks
        fail = partial(self._failed, path)
        # Decode/scale/watermark on the worker pool, then store on the one writer thread.
        tasks.read(
            photos.prepare_file,
            path,
            mark,
            on_done=lambda prepared: tasks.write(
                photos.commit,
                self.inspection_id,
                prepared,
                self.hazard_id,
                on_done=self._stored,
                on_error=fail,
            ),
            on_error=fail,
        )

    def _stored(self, _photo_id: str) -> None:
        self.done += 1
        self.panel.progress.setValue(self.done + len(self.failed))
        self._next()

    def _failed(self, path: Path, message: str) -> None:
        self.failed.append(message if path.name in message else f"{path.name}：{message}")
        self.panel.progress.setValue(self.done + len(self.failed))
        self._next()


class PhotosPanel(QWidget):
    """Photos of the open inspection; new ones go to the hazard selected when the import starts."""

    message = Signal(str, str)  # text, kind
    imported = Signal()  # an import ended: the page lets go of the hazard and reloads

    def __init__(
        self,
        services: Services,
        tasks: TaskRunner,
        current: Callable[[], InspectionView | None],
        hazard_id: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services, self.tasks = services, tasks
        self._current, self._hazard_id = current, hazard_id
        self.photo_import: PhotoImport | None = None
        self.add_photo_button = touch_button("添加照片…", self._choose_photos)
        self.add_folder_button = touch_button("从文件夹导入…", self._choose_folder)
        self.photo_list = PhotoStrip(services, tasks)  # each photo's name and when it was taken
        self.photo_list.open_requested.connect(self._open_photo)  # double-click or Enter
        self.photo_viewer: PhotoViewer | None = None
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        cancel = QPushButton("取消导入")
        cancel.clicked.connect(self._cancel_import)
        self.progress_box = QWidget()
        pb = QHBoxLayout(self.progress_box)
        pb.setContentsMargins(0, 0, 0, 0)
        pb.addWidget(self.progress, 1)
        pb.addWidget(cancel)
        self.progress_box.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("证据照片（选中隐患时照片归入该隐患）："))
        layout.addWidget(self.photo_list)
        layout.addLayout(button_row(self.add_photo_button, self.add_folder_button))
        layout.addWidget(self.progress_box)

    def _open_photo(self, row: int) -> None:
        """The photo large, with its neighbours, in the photo viewer."""
        photos = self.photo_list.viewer_photos()
        self.photo_viewer = open_viewer(self, self.services, self.tasks, photos, row)

    def fill(self, v: InspectionView) -> None:
        self.photo_list.set_photos(v.photos, lambda p: p.original_name or "现场照片")

    def _choose_photos(self) -> None:
        files = open_file_names(
            self,
            "选择照片",
            f"{IMAGE_FILTER};;所有文件 (*)",
        )
        if files:
            self.add_photo_files([Path(f) for f in files])

    def _choose_folder(self) -> None:
        folder = existing_directory(self, "选择照片所在文件夹（如相机存储卡的 DCIM）")
        if folder:
            self.tasks.read(
                photos_in_folder,
                Path(folder),
                on_done=self._folder_listed,
                on_error=lambda m: self.message.emit(m, "error"),
            )

    def _folder_listed(self, paths: list[Path]) -> None:
        if not paths:
            self.message.emit("该文件夹中没有找到照片文件。", "info")
            return
        self.add_photo_files(paths)

    def add_photo_files(self, paths: list[Path]) -> None:
        view = self._current()
        if view is None or view.finished:
            self.message.emit("该检查已完成，记录已固定，不能再添加照片。", "error")
            return
        if self.photo_import is not None:
            self.message.emit("正在导入照片，请等当前导入完成。", "info")
            return
        self.photo_import = PhotoImport(self, view, paths, self._hazard_id())
        self.photo_import.start()

    def _cancel_import(self) -> None:
        if self.photo_import is not None:
            self.photo_import.cancelled = True

    def import_finished(self, job: PhotoImport) -> None:
        self.photo_import = None
        self.progress_box.hide()
        target = "（已归入所选隐患）" if job.hazard_id else ""
        text = f"已导入照片 {job.done} 张{target}。"
        if job.cancelled:
            text += "（已取消其余照片）"
        if job.failed:
            text += f"\n{len(job.failed)} 个文件未导入：\n" + "\n".join(job.failed[:10])
        self.message.emit(text, "error" if job.failed else "ok")
        self.imported.emit()
