"""检查: one inspection being recorded — items, findings, photos, finishing, the printable record.

Every change is stored the moment it is made (the writer thread), so there is nothing to "save".
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.enums import HazardGrade, ItemResult
from inspector.services.changes import Changes
from inspector.services.documents import KindChoice
from inspector.services.facade import Services
from inspector.services.hazards.listing import conflict_label
from inspector.services.inspections.views import HazardView, InspectionView, ItemView
from inspector.ui.dialogs.finish_confirm import FinishConfirmDialog, ReopenDialog
from inspector.ui.dialogs.hazard_dialog import HazardDialog
from inspector.ui.dialogs.photo_viewer import PhotoViewer
from inspector.ui.pages.inspection_hazards import HazardEditing
from inspector.ui.pages.inspection_keys import (
    focus_checklist,
    install_inspection_keys,
    remember_mark,
)
from inspector.ui.pages.inspection_photos import PhotoImport, PhotosPanel
from inspector.ui.pages.inspection_record import RecordActions
from inspector.ui.refresh import ChangeFollower
from inspector.ui.tasks import TaskRunner
from inspector.ui.widgets.buttons import button_row, touch_button
from inspector.util.clock import format_cn_date
from inspector.util.dates import moment_text

# the current item's text box: about four lines, scrolling for a long legal basis
ITEM_TEXT_HEIGHT = 96

RESULT_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "na": "#757575", "unchecked": "#9e9e9e"}
RESULT_KEYS = {
    "1": ItemResult.PASS,
    "2": ItemResult.FAIL,
    "3": ItemResult.NA,
    "0": ItemResult.UNCHECKED,
}


def shows_inspection(changes: Changes) -> bool:
    """The page shows one inspection: its items, hazards, photos and its record."""
    return bool(changes.inspections or changes.hazards or changes.photos or changes.documents)


class InspectionPage(QWidget):
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
        ChangeFollower(self, tasks, shows_inspection, lambda _ch: self.reload())
        self.view: InspectionView | None = None
        self.current_item: ItemView | None = None
        self.undo_marks: list[tuple[str, str, str]] = []  # (inspection, item, result before)
        self.items_by_id: dict[str, QTreeWidgetItem] = {}
        self._view_generation = 0
        self._note_item_id: str | None = None  # the item whose note the field holds
        self._note_dirty = False
        self.summary_dirty = False
        self.records = RecordActions(self)
        self.hazard_editing = HazardEditing(self)

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
        # one row for the place and the site representative: the checklist keeps the height
        header_form = QHBoxLayout()
        row = header_form
        row.addWidget(QLabel("检查场所："))
        row.addWidget(self.place, 2)
        for label, w in (
            ("现场负责人：", self.representative),
            ("职务：", self.rep_title),
            ("电话：", self.rep_phone),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(w, 1)
        for w in (self.place, self.representative, self.rep_title, self.rep_phone):
            w.editingFinished.connect(self._header_edited)

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["检查内容", "结果"])
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
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
        # the item's full text scrolls in a few lines; the list above keeps its rows
        item_scroll = QScrollArea()
        item_scroll.setWidget(self.item_text)
        item_scroll.setWidgetResizable(True)
        item_scroll.setFrameShape(QFrame.Shape.NoFrame)
        item_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        item_scroll.setMaximumHeight(ITEM_TEXT_HEIGHT)
        ib.addWidget(item_scroll)
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
        self.add_hazard_button = touch_button("新增发现", self.new_hazard)
        self.edit_hazard_button = touch_button("编辑隐患", self.edit_hazard)
        self.photos = PhotosPanel(self.services, tasks, lambda: self.view, self.selected_hazard_id)
        self.photos.message.connect(self.message.emit)
        self.photos.imported.connect(self._photos_imported)
        self.photo_list = self.photos.photo_list
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel("发现的问题（隐患）："))
        rl.addWidget(self.hazard_list, 2)
        rl.addLayout(button_row(self.add_hazard_button, self.edit_hazard_button))
        rl.addWidget(self.photos, 1)

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
        self.issue_button.clicked.connect(self.records.issue_record)
        self.finish_button.clicked.connect(self.finish)
        self.reopen_button = QPushButton("重新打开…")
        self.reopen_button.setMinimumHeight(44)
        self.reopen_button.setToolTip("尚未签发文书时，可凭理由重新打开已完成的检查（记入审计）。")
        self.reopen_button.clicked.connect(self.ask_reopen)
        self.record_button.clicked.connect(self.records.make_record)

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
        install_inspection_keys(self)

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
        if first or v.finished or not self.summary_dirty:
            self.summary.blockSignals(True)
            self.summary.setPlainText(v.summary)
            self.summary.blockSignals(False)
            self.summary_dirty = False
        self.summary.setReadOnly(v.finished)
        self._fill_tree(v, keep_current=not first)
        if first and not v.finished:
            focus_checklist(self)
        self._fill_hazards(v)
        self.photos.fill(v)
        for button in (
            self.finish_button,
            self.add_hazard_button,
            self.edit_hazard_button,
            self.photos.add_photo_button,
            self.photos.add_folder_button,
            self.save_note,
        ):
            button.setEnabled(not v.finished)
        for b in self.result_buttons.values():
            b.setEnabled(not v.finished)
        self.record_button.setEnabled(v.finished and not self.records.rendering)
        self.issue_button.setEnabled(
            v.finished and not v.record_number and not self.records.rendering
        )
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
        self.items_by_id.clear()
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
                self.items_by_id[it.id] = node
            top.setExpanded(True)
        self.tree.blockSignals(False)
        target = self.items_by_id.get(current_id) if current_id else None
        if target is None and self.items_by_id:
            target = next(iter(self.items_by_id.values()))
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
        self.summary_dirty = True

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
                on_error=self.refused,
            )
        if self.summary_dirty:
            self.summary_dirty = False
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
                on_error=self.refused,
            )

    def mark_current(self, result: ItemResult) -> None:
        if self.view is None or self.current_item is None:
            return
        note = self.note.toPlainText() if self._note_item_id == self.current_item.id else None
        self._note_dirty = False
        remember_mark(self, self.current_item)
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
            on_error=self.refused,
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
            on_error=self.refused,
        )

    def _back(self) -> None:
        self.save_pending_text()
        self.back_requested.emit()

    def refused(self, message: str) -> None:
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
        self.hazard_editing.open(hazard)

    @property
    def hazard_dialog(self) -> HazardDialog | None:
        return self.hazard_editing.dialog

    # -- photos and the record (their own modules) ----------------------------------------------
    @property
    def photo_import(self) -> PhotoImport | None:
        return self.photos.photo_import

    @property
    def photo_viewer(self) -> PhotoViewer | None:
        return self.photos.photo_viewer

    @property
    def finish_dialog(self) -> FinishConfirmDialog | None:
        return self.records.finish_dialog

    @property
    def reopen_dialog(self) -> ReopenDialog | None:
        return self.records.reopen_dialog

    def add_photo_files(self, paths: list[Path]) -> None:
        self.photos.add_photo_files(paths)

    def _photos_imported(self) -> None:
        self.hazard_list.clearSelection()  # the next photos do not silently go to the same hazard
        self.hazard_list.setCurrentRow(-1)
        self.reload()

    def ask_reopen(self) -> None:
        self.records.ask_reopen()

    def finish(self) -> None:
        self.records.finish()


def _brush(colour: str) -> Any:
    from PySide6.QtGui import QBrush, QColor

    return QBrush(QColor(colour))
