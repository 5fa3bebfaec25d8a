"""检查: one inspection being recorded — items, findings, photos, finishing, the printable record.

Every change is stored the moment it is made (the writer thread), so there is nothing to "save".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.enums import HazardGrade, ItemResult
from inspector.services.changes import Changes
from inspector.services.documents import KindChoice
from inspector.services.documents.site_record import IssuedRecord, RenderedRecord
from inspector.services.evidence.photos import photos_in_folder, watermark_text
from inspector.services.facade import Services
from inspector.services.hazards.listing import conflict_label
from inspector.services.inspections.recording import (
    HazardInput,
    HazardView,
    InspectionView,
    ItemView,
)
from inspector.services.inspections.reopen import finish_summary
from inspector.ui.dialogs.finish_confirm import (
    FinishConfirmDialog,
    ReopenDialog,
    ask_finish,
    ask_reopen,
)
from inspector.ui.dialogs.hazard_dialog import HazardDialog
from inspector.ui.dialogs.time_confirm import NOT_CONFIRMED, ask_time_confirmed
from inspector.ui.tasks import TaskRunner
from inspector.util.clock import format_cn_date, to_local
from inspector.util.dates import moment_text

RESULT_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "na": "#757575", "unchecked": "#9e9e9e"}
RESULT_KEYS = {
    "1": ItemResult.PASS,
    "2": ItemResult.FAIL,
    "3": ItemResult.NA,
    "0": ItemResult.UNCHECKED,
}


class PhotoImport:
    """A batch of photo files: prepared on the worker pool, stored on the writer, one by one."""

    def __init__(self, page: InspectionPage, paths: list[Path], hazard_id: str | None) -> None:
        view = page.view
        assert view is not None
        # The target is fixed when the import starts, whatever the page shows later.
        self.page = page
        self.paths = paths
        self.hazard_id = hazard_id
        self.inspection_id = view.id
        self.unit_name = view.unit_name
        self.inspectors = [p.name for p in view.inspectors]
        self.done = 0
        self.failed: list[str] = []
        self.cancelled = False

    def start(self) -> None:
        self.page.progress.setRange(0, len(self.paths))
        self.page.progress.setValue(0)
        self.page.progress_box.show()
        self._next()

    def _next(self) -> None:
        index = self.done + len(self.failed)
        if self.cancelled or index >= len(self.paths):
            self.page.import_finished(self)
            return
        path = self.paths[index]
        self.page.progress.setFormat(f"正在导入 {index + 1}/{len(self.paths)}：{path.name}")
        now = to_local(self.page.services.ctx.clock.now())
        mark = watermark_text(self.unit_name, now, self.inspectors)
        photos = self.page.services.photos
        fail = partial(self._failed, path)
        # Decode/scale/watermark on the worker pool, then store on the one writer thread.
        self.page.tasks.read(
            photos.prepare_file,
            path,
            mark,
            on_done=lambda prepared: self.page.tasks.write(
                photos.commit,
                self.inspection_id,
                prepared,
                self.hazard_id,
                on_done=self._stored,
                on_error=fail,
            ),
            on_error=fail,
        )

    def _stored(self, result: tuple[str, Changes]) -> None:
        self.done += 1
        self.page.progress.setValue(self.done + len(self.failed))
        self.page.changed.emit(result[1])
        self._next()

    def _failed(self, path: Path, message: str) -> None:
        self.failed.append(message if path.name in message else f"{path.name}：{message}")
        self.page.progress.setValue(self.done + len(self.failed))
        self._next()


class InspectionPage(QWidget):
    changed = Signal(object)  # Changes
    message = Signal(str, str)  # text, kind
    record_ready = Signal(object)  # (RenderedRecord, pdf bytes)
    back_requested = Signal()
    document_requested = Signal(str, str)  # kind, inspection id

    def __init__(
        self, services: Services, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.tasks = tasks
        self.view: InspectionView | None = None
        self.current_item: ItemView | None = None
        self.hazard_dialog: HazardDialog | None = None
        self.photo_import: PhotoImport | None = None
        self._items: dict[str, QTreeWidgetItem] = {}
        self._thumbs: dict[str, QPixmap] = {}
        self._photo_generation = 0
        self._view_generation = 0
        self._note_item_id: str | None = None  # the item whose note the field holds
        self._note_dirty = False
        self._summary_dirty = False
        self._rendering = False

        self.title = QLabel("")
        self.title.setStyleSheet("font-size:18px; font-weight:bold;")
        self.back_button = QPushButton("‹ 检查记录列表")
        self.back_button.setMinimumHeight(36)
        self.back_button.clicked.connect(self._back)
        self.subtitle = QLabel("")
        self.subtitle.setWordWrap(True)
        self.place = QLineEdit()
        self.representative = QLineEdit()
        self.rep_title = QLineEdit()
        self.rep_phone = QLineEdit()
        header_form = QFormLayout()
        header_form.addRow("检查场所：", self.place)
        row = QHBoxLayout()
        for label, w in (
            ("现场负责人：", self.representative),
            ("职务：", self.rep_title),
            ("电话：", self.rep_phone),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(w)
        header_form.addRow(row)
        for w in (self.place, self.representative, self.rep_title, self.rep_phone):
            w.editingFinished.connect(self._header_edited)

        # checklist items
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["检查内容", "结果"])
        self.tree.setColumnWidth(0, 520)
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.currentItemChanged.connect(self._item_selected)
        self.item_text = QLabel("")
        self.item_text.setWordWrap(True)
        self.item_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_buttons: dict[str, QPushButton] = {}
        self.result_group = QButtonGroup(self)
        self.result_group.setExclusive(True)
        buttons = QHBoxLayout()
        for key, res in (
            ("1", ItemResult.PASS),
            ("2", ItemResult.FAIL),
            ("3", ItemResult.NA),
            ("0", ItemResult.UNCHECKED),
        ):
            b = QPushButton(f"{res.label}（{key}）")
            b.setCheckable(True)
            b.setMinimumHeight(44)
            b.clicked.connect(lambda _c=False, r=res: self.mark_current(r))
            self.result_group.addButton(b)
            self.result_buttons[res.value] = b
            buttons.addWidget(b)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("检查情况说明（可选；不符合时作为隐患描述）")
        self.note.setMaximumHeight(70)
        self.note.textChanged.connect(self._note_changed)
        self.note.installEventFilter(self)
        self.save_note = QPushButton("保存说明")
        self.save_note.clicked.connect(self._note_saved)
        item_box = QGroupBox("当前检查项")
        ib = QVBoxLayout(item_box)
        ib.addWidget(self.item_text)
        ib.addLayout(buttons)
        nb = QHBoxLayout()
        nb.addWidget(self.note, 1)
        nb.addWidget(self.save_note)
        ib.addLayout(nb)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.tree, 1)
        ll.addWidget(item_box)

        # findings and photos
        self.hazard_list = QListWidget()
        self.hazard_list.setWordWrap(True)
        self.hazard_list.itemActivated.connect(lambda _it: self.edit_hazard())
        self.add_hazard_button = QPushButton("新增发现")
        self.edit_hazard_button = QPushButton("编辑隐患")
        self.add_photo_button = QPushButton("添加照片…")
        self.add_folder_button = QPushButton("从文件夹导入…")
        for b in (
            self.add_hazard_button,
            self.edit_hazard_button,
            self.add_photo_button,
            self.add_folder_button,
        ):
            b.setMinimumHeight(40)
        self.add_hazard_button.clicked.connect(self.new_hazard)
        self.edit_hazard_button.clicked.connect(self.edit_hazard)
        self.add_photo_button.clicked.connect(self._choose_photos)
        self.add_folder_button.clicked.connect(self._choose_folder)
        self.photo_list = QListWidget()
        self.photo_list.setViewMode(QListView.ViewMode.IconMode)
        self.photo_list.setIconSize(QSize(120, 120))
        self.photo_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.photo_list.setMinimumHeight(150)
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
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel("发现的问题（隐患）："))
        rl.addWidget(self.hazard_list, 2)
        hb = QHBoxLayout()
        hb.addWidget(self.add_hazard_button)
        hb.addWidget(self.edit_hazard_button)
        rl.addLayout(hb)
        rl.addWidget(QLabel("证据照片（选中隐患时照片归入该隐患）："))
        rl.addWidget(self.photo_list, 1)
        pl = QHBoxLayout()
        pl.addWidget(self.add_photo_button)
        pl.addWidget(self.add_folder_button)
        rl.addLayout(pl)
        rl.addWidget(self.progress_box)

        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText("检查情况小结（写入现场检查记录）")
        self.summary.setMaximumHeight(60)
        self.summary.textChanged.connect(self._summary_changed)
        self.summary.installEventFilter(self)
        self.finish_button = QPushButton("完成检查")
        self.record_button = QPushButton("预览现场检查记录")
        self.issue_button = QPushButton("签发（取文号）并打印")
        self.documents_button = QPushButton("制作执法文书 ▾")
        self._kinds: list[KindChoice] = []
        self._kinds_for: str | None = None
        self.documents_menu = QMenu(self.documents_button)
        self.documents_button.setMenu(self.documents_menu)
        self.documents_menu.aboutToShow.connect(self._fill_documents_menu)
        for b in (self.finish_button, self.record_button, self.issue_button, self.documents_button):
            b.setMinimumHeight(44)
        self.issue_button.clicked.connect(self.issue_record)
        self.finish_button.clicked.connect(self.finish)
        self.finish_dialog: FinishConfirmDialog | None = None
        self.reopen_dialog: ReopenDialog | None = None
        self.reopen_button = QPushButton("重新打开…")
        self.reopen_button.setMinimumHeight(44)
        self.reopen_button.setToolTip("尚未签发文书时，可凭理由重新打开已完成的检查（记入审计）。")
        self.reopen_button.clicked.connect(self.ask_reopen)
        self.record_button.clicked.connect(self.make_record)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.finish_button)
        bottom.addWidget(self.reopen_button)
        bottom.addWidget(self.record_button)
        bottom.addWidget(self.issue_button)
        bottom.addWidget(self.documents_button)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.back_button)
        layout.addLayout(top)
        layout.addWidget(self.subtitle)
        layout.addLayout(header_form)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        # 1 符合 · 2 不符合 · 3 不涉及 · 0 未检查, typed while the item list has the focus
        self.tree.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and watched in (self.note, self.summary):
            self.save_pending_text()
        if watched is self.tree and event.type() == QEvent.Type.KeyPress:
            key = event.text() if isinstance(event, QKeyEvent) else ""
            if key in RESULT_KEYS and not (self.view and self.view.finished):
                self.mark_current(RESULT_KEYS[key])
                return True
        return super().eventFilter(watched, event)

    # -- loading -------------------------------------------------------------------------------
    def open(self, inspection_id: str) -> None:
        if self.view is not None and self.view.id != inspection_id:
            self.save_pending_text()
        self._view_generation += 1
        self.tasks.read(
            self.services.inspections.view,
            inspection_id,
            on_done=partial(self._view_loaded, self._view_generation),
        )

    def _view_loaded(self, generation: int, view: InspectionView) -> None:
        if generation == self._view_generation:  # an older read that arrived late is dropped
            self.show_view(view)

    def reload(self) -> None:
        if self.view is not None:
            self.open(self.view.id)

    def show_view(self, v: InspectionView) -> None:
        first = self.view is None or self.view.id != v.id
        self.view = v
        status = "已完成，记录已固定" if v.finished else "检查中（每项修改即时保存）"
        self.title.setText(f"{v.unit_name}")
        started = moment_text(v.started_at)
        names = "、".join(f"{p.name}（{p.cert_no}）" for p in v.inspectors)
        self.subtitle.setText(f"{v.kind} · {started} 开始 · 检查人员：{names} · {status}")
        for w, value in (
            (self.place, v.place),
            (self.representative, v.representative),
            (self.rep_title, v.representative_title),
            (self.rep_phone, v.representative_phone),
        ):
            if not w.hasFocus():
                w.setText(value)
            w.setReadOnly(v.finished)
        if first or v.finished or not self._summary_dirty:
            self.summary.blockSignals(True)
            self.summary.setPlainText(v.summary)
            self.summary.blockSignals(False)
            self._summary_dirty = False
        self.summary.setReadOnly(v.finished)
        self._fill_tree(v, keep_current=not first)
        self._fill_hazards(v)
        self._fill_photos(v)
        for button in (
            self.finish_button,
            self.add_hazard_button,
            self.edit_hazard_button,
            self.add_photo_button,
            self.add_folder_button,
            self.save_note,
        ):
            button.setEnabled(not v.finished)
        for b in self.result_buttons.values():
            b.setEnabled(not v.finished)
        self.record_button.setEnabled(v.finished and not self._rendering)
        self.issue_button.setEnabled(v.finished and not v.record_number and not self._rendering)
        self.documents_button.setEnabled(v.finished)
        self.reopen_button.setEnabled(v.finished and not v.record_number)
        if v.finished and self._kinds_for != v.id:
            self._kinds_for = v.id
            self.tasks.read(
                self.services.documents.kinds_for_inspection, v.id, on_done=self._set_kinds
            )
        self.issue_button.setText(
            f"已签发：{v.record_number}" if v.record_number else "签发（取文号）并打印"
        )

    def _set_kinds(self, choices: list[KindChoice]) -> None:
        self._kinds = choices

    def _fill_documents_menu(self) -> None:
        """The kinds this finished inspection can produce; the unavailable ones say why."""
        self.documents_menu.clear()
        if self.view is None:
            return
        for choice in self._kinds:
            text = choice.title if choice.enabled else f"{choice.title}（{choice.why_not}）"
            action = self.documents_menu.addAction(text)
            action.setEnabled(choice.enabled)
            action.triggered.connect(
                lambda _=False, k=choice.kind, i=self.view.id: self.document_requested.emit(k, i)
            )

    def _fill_tree(self, v: InspectionView, keep_current: bool) -> None:
        current_id = self.current_item.id if (keep_current and self.current_item) else None
        self.tree.blockSignals(True)
        self.tree.clear()
        self._items.clear()
        for cl in v.checklists:
            counts = {r.value: 0 for r in ItemResult}
            for it in cl.items:
                counts[it.result] += 1
            top = QTreeWidgetItem(
                [f"{cl.name}", f"已查 {len(cl.items) - counts['unchecked']}/{len(cl.items)}"]
            )
            top.setFirstColumnSpanned(False)
            self.tree.addTopLevelItem(top)
            for it in cl.items:
                mark = "【重大隐患判定项】" if it.major else ""
                node = QTreeWidgetItem(
                    [f"{it.seq}. {mark}{it.content}", ItemResult(it.result).label]
                )
                node.setData(0, Qt.ItemDataRole.UserRole, it)
                node.setForeground(1, _brush(RESULT_COLOURS[it.result]))
                node.setToolTip(0, f"检查方法：{it.method}\n依据：{it.legal_basis}")
                top.addChild(node)
                self._items[it.id] = node
            top.setExpanded(True)
        self.tree.blockSignals(False)
        target = self._items.get(current_id) if current_id else None
        if target is None and self._items:
            target = next(iter(self._items.values()))
        if target is not None:
            self.tree.setCurrentItem(target)
            self.tree.scrollToItem(target)
            self._item_selected(target, None)

    def _fill_hazards(self, v: InspectionView) -> None:
        selected = self.selected_hazard_id()
        self.hazard_list.clear()
        for n, h in enumerate(v.hazards, start=1):
            deadline = format_cn_date(h.deadline) if h.deadline else "立即"
            photos = f"  照片 {len(h.photo_ids)} 张" if h.photo_ids else ""
            text = (
                f"{n}. [{HazardGrade(h.grade).label}] {h.description}\n"
                f"    依据：{h.legal_basis or '（未填）'}\n    措施：{h.measure or '（未填）'}；期限：{deadline}{photos}"
            )
            if h.conflict:
                text += f"\n    {conflict_label(h.conflict)}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, h.id)
            if h.grade == HazardGrade.MAJOR or h.conflict:
                item.setForeground(_brush("#b71c1c"))
            self.hazard_list.addItem(item)
            if h.id == selected:
                self.hazard_list.setCurrentItem(item)
        if not v.hazards:
            self.hazard_list.addItem("（尚未发现问题）")

    def _fill_photos(self, v: InspectionView) -> None:
        """Thumbnails load in the background; a late one for a list rebuilt since is dropped."""
        self._photo_generation += 1
        gen = self._photo_generation
        self.photo_list.clear()
        for row, p in enumerate(v.photos):
            item = QListWidgetItem(p.original_name or "照片")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.photo_list.addItem(item)
            cached = self._thumbs.get(p.thumb_sha256)
            if cached is not None:
                item.setIcon(QIcon(cached))
                continue
            self.tasks.read(
                self.services.photos.image_bytes,
                p.thumb_sha256,
                on_done=partial(self._thumb_loaded, gen, row, p.thumb_sha256),
            )

    def _thumb_loaded(self, gen: int, row: int, sha: str, data: bytes) -> None:
        pix = QPixmap()
        pix.loadFromData(data)
        self._thumbs[sha] = pix
        if gen == self._photo_generation and row < self.photo_list.count():
            self.photo_list.item(row).setIcon(QIcon(pix))

    # -- item marking --------------------------------------------------------------------------
    def _item_selected(self, node: QTreeWidgetItem | None, _prev: QTreeWidgetItem | None) -> None:
        it = node.data(0, Qt.ItemDataRole.UserRole) if node else None
        if not isinstance(it, ItemView):
            self.current_item = None
            self.item_text.setText("请选择检查项")
            return
        if self._note_item_id != it.id:
            self.save_pending_text()  # a note typed for the previous item is kept, not dropped
        self.current_item = it
        major = (
            f"<br/><b style='color:#b71c1c'>重大隐患判定依据：</b>{it.major_basis}"
            if it.major
            else ""
        )
        self.item_text.setText(
            f"<b>{it.content}</b><br/>检查方法：{it.method}<br/>依据：{it.legal_basis}{major}"
            f"<br/>建议措施：{it.measure}"
        )
        if self._note_item_id != it.id or not self._note_dirty:
            self.note.blockSignals(True)
            self.note.setPlainText(it.note)
            self.note.blockSignals(False)
            self._note_item_id, self._note_dirty = it.id, False
        self.result_buttons[it.result].setChecked(True)

    def _note_changed(self) -> None:
        self._note_dirty = True

    def _summary_changed(self) -> None:
        self._summary_dirty = True

    def save_pending_text(self) -> None:
        """Store a note or summary that was typed but not yet saved (focus left, item changed)."""
        v = self.view
        if v is None or v.finished:
            return
        if self._note_dirty and self._note_item_id is not None:
            self._note_dirty = False
            self.tasks.write(
                self.services.inspections.set_note,
                v.id,
                self._note_item_id,
                self.note.toPlainText(),
                on_done=self._stored,
                on_error=self._refused,
            )
        if self._summary_dirty:
            self._summary_dirty = False
            self.tasks.write(
                partial(
                    self.services.inspections.update_header,
                    v.id,
                    place=v.place,
                    representative=v.representative,
                    representative_title=v.representative_title,
                    representative_phone=v.representative_phone,
                    summary=self.summary.toPlainText(),
                ),
                on_done=self._stored,
                on_error=self._refused,
            )

    def mark_current(self, result: ItemResult) -> None:
        if self.view is None or self.current_item is None:
            return
        note = self.note.toPlainText() if self._note_item_id == self.current_item.id else None
        self._note_dirty = False
        self.mark_item(self.current_item.id, result, note)

    def mark_item(self, item_id: str, result: ItemResult, note: str | None = None) -> None:
        assert self.view is not None
        inspection_id = self.view.id
        self.tasks.write(
            self.services.inspections.set_item,
            inspection_id,
            item_id,
            result.value,
            note,
            on_done=self._stored,
            on_error=self._refused,
        )
        if result != ItemResult.UNCHECKED:
            self._advance()

    def _advance(self) -> None:
        node = self.tree.currentItem()
        below = self.tree.itemBelow(node) if node else None
        if below is not None and isinstance(below.data(0, Qt.ItemDataRole.UserRole), ItemView):
            self.tree.setCurrentItem(below)
            self.tree.scrollToItem(below)

    def _note_saved(self) -> None:
        self.save_pending_text()

    def _header_edited(self) -> None:
        v = self.view
        if v is None or v.finished:
            return
        values = (
            self.place.text(),
            self.representative.text(),
            self.rep_title.text(),
            self.rep_phone.text(),
        )
        if values == (v.place, v.representative, v.representative_title, v.representative_phone):
            return
        self.tasks.write(
            lambda: self.services.inspections.update_header(
                v.id,
                place=values[0],
                representative=values[1],
                representative_title=values[2],
                representative_phone=values[3],
            ),
            on_done=self._stored,
            on_error=self._refused,
        )

    def _back(self) -> None:
        self.save_pending_text()
        self.back_requested.emit()

    def _stored(self, changes: Changes) -> None:
        self.changed.emit(changes)

    def _refused(self, message: str) -> None:
        self.message.emit(message, "error")
        self.reload()

    # -- hazards -------------------------------------------------------------------------------
    def selected_hazard_id(self) -> str | None:
        item = self.hazard_list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item else None
        return value if isinstance(value, str) else None

    def selected_hazard(self) -> HazardView | None:
        hid = self.selected_hazard_id()
        if self.view is None or hid is None:
            return None
        return next((h for h in self.view.hazards if h.id == hid), None)

    def new_hazard(self) -> None:
        self._open_hazard_dialog(None)

    def edit_hazard(self) -> None:
        h = self.selected_hazard()
        if h is None:
            self.message.emit("请先在列表中选择要编辑的隐患。", "info")
            return
        self._open_hazard_dialog(h)

    def _open_hazard_dialog(self, hazard: HazardView | None) -> None:
        if self.view is None or self.view.finished:
            return
        ctx = self.services.ctx
        days = ctx.settings.default_deadline_days
        dialog = HazardDialog(hazard, ctx.clock.today(), self, default_days=days)
        dialog.submitted.connect(self._hazard_submitted)
        self.hazard_dialog = dialog
        dialog.open()

    def _hazard_submitted(self, data: HazardInput) -> None:
        dialog = self.hazard_dialog
        assert dialog is not None and self.view is not None
        done: Callable[[Any], None] = lambda result: self._hazard_saved(dialog, result)  # noqa: E731
        if dialog.hazard_id is None:
            self.tasks.write(
                self.services.inspections.add_hazard,
                self.view.id,
                data,
                on_done=done,
                on_error=dialog.show_error,
            )
        else:
            self.tasks.write(
                self.services.inspections.update_hazard,
                dialog.hazard_id,
                data,
                on_done=done,
                on_error=dialog.show_error,
            )

    def _hazard_saved(self, dialog: HazardDialog, result: Any) -> None:
        dialog.accept()
        changes = result[1] if isinstance(result, tuple) else result
        self.changed.emit(changes)

    # -- photos --------------------------------------------------------------------------------
    def _choose_photos(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "选择照片",
            "",
            "图片 (*.jpg *.jpeg *.png *.tif *.tiff *.bmp *.webp);;所有文件 (*)",
        )
        if files:
            self.add_photo_files([Path(f) for f in files])

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择照片所在文件夹（如相机存储卡的 DCIM）")
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
        if self.view is None or self.view.finished:
            self.message.emit("该检查已完成，记录已固定，不能再添加照片。", "error")
            return
        if self.photo_import is not None:
            self.message.emit("正在导入照片，请等当前导入完成。", "info")
            return
        self.photo_import = PhotoImport(self, paths, self.selected_hazard_id())
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
        self.hazard_list.clearSelection()  # the next photos do not silently go to the same hazard
        self.hazard_list.setCurrentRow(-1)
        self.reload()

    # -- finishing -----------------------------------------------------------------------------
    def finish(self) -> None:
        """Ask first (what is unchecked); the record is fixed only on 完成检查."""
        if self.view is None or not self.finish_button.isEnabled():
            return
        if self.finish_dialog is None or not self.finish_dialog.isVisible():
            self.finish_dialog = ask_finish(self, finish_summary(self.view), self._finish_confirmed)

    def ask_reopen(self) -> None:
        if self.view is not None and self.view.finished:
            self.reopen_dialog = ask_reopen(
                self, self.tasks, self.services, self.view.id, self._reopened
            )

    def _reopened(self, changes: Changes) -> None:
        self.message.emit("检查记录已重新打开，理由已记录。修改后请再次完成检查。", "ok")
        self.changed.emit(changes)

    def _finish_confirmed(self) -> None:
        if self.view is None or not self.finish_button.isEnabled():
            return
        self.finish_button.setEnabled(False)  # a double tap must not finish twice
        self._summary_dirty = False  # finish() stores the summary itself
        unchecked = sum(
            1 for cl in self.view.checklists for it in cl.items if it.result == "unchecked"
        )
        self.tasks.write(
            self.services.inspections.finish,
            self.view.id,
            self.summary.toPlainText(),
            on_done=lambda ch: self._finished(ch, unchecked),
            on_error=self._finish_refused,
        )

    def _finished(self, changes: Changes, unchecked: int) -> None:
        note = f"（有 {unchecked} 项未检查，记录中不列出）" if unchecked else ""
        self.message.emit(f"检查已完成，记录已固定。{note}可以生成现场检查记录。", "ok")
        self.changed.emit(changes)

    def _finish_refused(self, message: str) -> None:
        self.finish_button.setEnabled(True)
        self._refused(message)

    def make_record(self) -> None:
        if self.view is None or self._rendering:
            return
        self._rendering = True
        self.record_button.setEnabled(False)
        self.message.emit("正在生成现场检查记录…", "info")
        records = self.services.records
        # Render on the pool (CPU), then keep the PDF through the one writer thread.
        self.tasks.read(
            records.prepare_site_record,
            self.view.id,
            on_done=lambda prepared: self.tasks.write(
                records.store_site_record,
                prepared,
                on_done=lambda rec: self._record_rendered(rec, prepared.pdf),
                on_error=self._record_failed,
            ),
            on_error=self._record_failed,
        )

    def issue_record(self) -> None:
        """Number and freeze the record (paper signatures: print, then sign by hand)."""
        if self.view is None or self._rendering or self.view.record_number:
            return
        check = self.services.time_check()
        if check is not None and not ask_time_confirmed(self, check):
            self.message.emit(NOT_CONFIRMED, "error")
            return
        self._rendering = True
        self.issue_button.setEnabled(False)
        self.record_button.setEnabled(False)
        self.message.emit("正在取号并签发现场检查记录…", "info")
        records = self.services.records
        self.tasks.write(
            partial(records.issue_site_record, time_confirmed=check is not None),
            self.view.id,
            on_done=lambda rec: self.tasks.read(
                records.pdf,
                rec.pdf_sha256,
                on_done=lambda pdf: self._record_issued(rec, pdf),
                on_error=self._record_failed,
            ),
            on_error=self._record_failed,
        )

    def _record_issued(self, rec: IssuedRecord, pdf: bytes) -> None:
        notes = [f"已签发，文号 {rec.number}。请打印，由检查人员和被检查单位负责人手写签名。"]
        if rec.low_warning:
            notes.append(rec.low_warning)
        self._record_ready(rec, pdf, notes, "info" if rec.low_warning else "ok")

    def _record_rendered(self, rec: RenderedRecord, pdf: bytes) -> None:
        self._record_ready(rec, pdf, [], "ok")

    def _record_ready(
        self, rec: IssuedRecord | RenderedRecord, pdf: bytes, notes: list[str], kind: str
    ) -> None:
        """A draft or issued record is stored: say what needs attention, open the preview."""
        self._rendering = False
        if rec.unprintable:
            notes.append("注意：以下字符字体中没有，打印时请手写补充：" + " ".join(rec.unprintable))
            kind = "error"
        if notes:
            self.message.emit("\n".join(notes), kind)
        self.record_ready.emit((rec, pdf))
        self.changed.emit(Changes(documents=frozenset({rec.document_id})))

    def _record_failed(self, message: str) -> None:
        self._rendering = False
        self.message.emit(message, "error")
        self.reload()  # buttons follow the stored state again


def _brush(colour: str) -> Any:
    from PySide6.QtGui import QBrush, QColor

    return QBrush(QColor(colour))
