"""隐患: a sortable table of hazards with filters (state, grade, unit, deadline) and a search box,
and the loop steps a person takes on the selected one (挂牌督办 / 解除督办, 销号, 复查核实).
Enter or a double-click opens the hazard's inspection."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.enums import HazardGrade, HazardStatus
from inspector.services.facade import Services
from inspector.services.hazards.filters import (
    DUE_CHOICES,
    GRADE_CHOICES,
    STATE_CHOICES,
    HazardQuery,
)
from inspector.services.hazards.listing import HazardRow
from inspector.ui.models.table_model import Index, RowsModel
from inspector.ui.refresh import ChangeFollower, anything
from inspector.ui.tasks import TaskRunner
from inspector.util.dates import QT_DAY_FORMAT, day_text

COLUMNS = ("单位", "隐患描述", "等级", "状态", "整改期限", "发现日期", "检查")
SORT_ROLE = Qt.ItemDataRole.UserRole
RED = QColor("#b71c1c")
UNIT_COLUMN_MIN = 210
NOTHING_SELECTED = "请先在表格中选择一项隐患，再点“{}”。"


def state_text(h: HazardRow) -> str:
    text = HazardStatus(h.status).label
    if h.overdue:
        text = f"逾期（{text}）"
    if h.supervised:
        text += " · 挂牌督办"
    if h.conflict:
        text = f"⚠ 状态冲突 · {text}"
    return text


class HazardTableModel(RowsModel):
    rows: list[HazardRow]

    def __init__(self) -> None:
        super().__init__(COLUMNS)

    def cells(self, h: HazardRow) -> tuple[str, ...]:
        return (
            h.unit_name,
            h.description,
            "重大" if h.grade == HazardGrade.MAJOR else "一般",
            state_text(h),
            day_text(h.deadline, "立即"),
            day_text(h.found_on),
            day_text(h.inspected_on),
        )

    def data(self, index: Index, role: int = 0) -> Any:
        h = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(h)[column]
        if role == SORT_ROLE:
            if column == 2:
                return 0 if h.grade == HazardGrade.MAJOR else 1  # 重大 first
            if column == 4:
                return day_text(h.deadline, "0000")  # 立即 before any date
            return self.cells(h)[column]
        if role == Qt.ItemDataRole.ForegroundRole and (
            h.overdue or h.grade == HazardGrade.MAJOR or h.conflict
        ):
            return RED
        if role == Qt.ItemDataRole.ToolTipRole:  # what an elided cell holds, in full
            if column == 1 and h.conflict:
                return h.conflict_label
            return self.cells(h)[column]
        return None


class HazardsPage(QWidget):
    """The table of hazards and what can be done with the selected one."""

    open_inspection_requested = Signal(str)
    message = Signal(str, str)

    def __init__(
        self, services: Services, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services, self.tasks = services, tasks
        ChangeFollower(self, tasks, anything, lambda _ch: self.load(), loads_when_shown=True)
        self.model = HazardTableModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(36)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the service's order first
        self.view.setSortingEnabled(True)
        for column, width in ((0, UNIT_COLUMN_MIN), (2, 48), (3, 130), (4, 92), (5, 92), (6, 92)):
            self.view.setColumnWidth(column, width)
        self.view.activated.connect(lambda _i: self.open_selected())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._show_detail())
        # the selected hazard in full: a long description or the server's conflict flag
        self.detail = QLabel("")
        self.detail.setWordWrap(True)

        self.state = self._combo(STATE_CHOICES)
        self.grade = self._combo(GRADE_CHOICES)
        self.due = self._combo(DUE_CHOICES)
        self.unit_text = QLineEdit()
        self.unit_text.setPlaceholderText("单位名称")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索隐患描述、部位或单位")
        self.search.setClearButtonEnabled(True)
        self._typing = QTimer(self)  # one read after a pause in typing, not one per key
        self._typing.setSingleShot(True)
        self._typing.setInterval(250)
        self._typing.timeout.connect(self.load)
        for edit in (self.unit_text, self.search):
            edit.textChanged.connect(lambda _t: self._typing.start())
            edit.returnPressed.connect(self._search_entered)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("隐患"))
        for widget, stretch in (
            (self.state, 0),
            (self.grade, 0),
            (self.due, 0),
            (self.unit_text, 1),
            (self.search, 2),
        ):
            filters.addWidget(widget, stretch)

        self.supervise_button = QPushButton("挂牌督办 / 解除督办")
        self.close_button = QPushButton("销号")
        self.recheck_button = QPushButton("复查核实…")
        self.recheck_button.setToolTip("按安全隐患整改通知书的复查栏记录复查结果")
        self.open_button = QPushButton("打开所属检查")
        actions = QHBoxLayout()
        for button, slot in (
            (self.supervise_button, self.toggle_supervision),
            (self.close_button, self.close_hazard),
            (self.recheck_button, self.recheck),
            (self.open_button, self.open_selected),
        ):
            button.setMinimumHeight(44)
            button.clicked.connect(slot)
            actions.addWidget(button)
        actions.addStretch(1)
        self.count = QLabel("")
        info = QHBoxLayout()
        info.addWidget(self.detail, 1)
        info.addWidget(self.count, 0, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(info)
        layout.addLayout(actions)
        self._asked = 0  # the latest read; an older answer arriving late is dropped

    def _combo(self, choices: tuple[tuple[str, str], ...]) -> QComboBox:
        combo = QComboBox()
        for value, label in choices:
            combo.addItem(label, value)
        combo.currentIndexChanged.connect(lambda _i: self.load())
        return combo

    def query(self) -> HazardQuery:
        return HazardQuery(
            state=self.state.currentData(),
            grade=self.grade.currentData(),
            unit_text=self.unit_text.text(),
            due=self.due.currentData(),
            text=self.search.text(),
        )

    # -- the table -----------------------------------------------------------------------------
    def load(self) -> None:
        self._typing.stop()
        self._asked += 1
        asked = self._asked
        self.tasks.read(
            self.services.hazards.find, self.query(), on_done=lambda rows: self._show(asked, rows)
        )

    def _show(self, asked: int, rows: list[HazardRow]) -> None:
        if asked != self._asked:
            return
        chosen = self.selected()
        self.model.set_rows(rows)
        if chosen is not None:
            self.select(chosen.id)
        self._show_detail()
        self._fit_unit_column()
        major = sum(1 for h in rows if h.grade == HazardGrade.MAJOR)
        overdue = sum(1 for h in rows if h.overdue)
        self.count.setText(
            f"共 {len(rows)} 项，其中重大 {major} 项、逾期 {overdue} 项"
            if rows
            else "没有符合条件的隐患"
        )

    def _fit_unit_column(self) -> None:
        """Unit names in full where the screen allows: up to about 3/10 of the table's width."""
        self.view.resizeColumnToContents(0)
        cap = max(UNIT_COLUMN_MIN, self.view.viewport().width() * 3 // 10)
        width = self.view.columnWidth(0)
        self.view.setColumnWidth(0, max(UNIT_COLUMN_MIN, min(width, cap)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_unit_column()

    def _show_detail(self) -> None:
        h = self.selected()
        if h is None:
            self.detail.setText("")
            return
        text = f"{h.unit_name}：{h.description}"
        self.detail.setText(f"{h.conflict_label}\n{text}" if h.conflict else text)

    def _search_entered(self) -> None:
        self.load()
        self.view.setFocus()
        if self.proxy.rowCount() and not self.view.currentIndex().isValid():
            self.view.selectRow(0)

    def select(self, hazard_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(row, 0))
            if self.model.rows[source.row()].id == hazard_id:
                self.view.selectRow(row)
                return

    def selected(self) -> HazardRow | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.rows[self.proxy.mapToSource(rows[0]).row()]

    def _chosen(self, action: str) -> HazardRow | None:
        h = self.selected()
        if h is None:
            self.message.emit(NOTHING_SELECTED.format(action), "info")
        return h

    # -- what can be done with the selected hazard ---------------------------------------------
    def open_selected(self) -> None:
        h = self._chosen("打开所属检查")
        if h is not None:
            self.open_inspection_requested.emit(h.inspection_id)

    def toggle_supervision(self) -> None:
        h = self._chosen("挂牌督办 / 解除督办")
        if h is not None:
            on = not h.supervised
            self.tasks.write(
                self.services.hazard_loop.supervise,
                h.id,
                on,
                on_done=lambda ch: self._done(ch, "已挂牌督办。" if on else "已解除督办。"),
            )

    def close_hazard(self) -> None:
        h = self._chosen("销号")
        if h is not None:
            self.tasks.write(
                self.services.hazard_loop.close,
                h.id,
                on_done=lambda ch: self._done(ch, "隐患已销号。"),
            )

    def recheck(self) -> None:
        h = self._chosen("复查核实")
        if h is None:
            return
        dialog = RecheckDialog(h, self.services.ctx.clock.today(), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        passed, note, deadline = dialog.result_values()
        self.tasks.write(
            self.services.hazard_loop.recheck,
            h.id,
            passed,
            note,
            deadline,
            on_done=lambda ch: self._done(
                ch, "复查合格，已销号。" if passed else "已记录复查不合格和新的整改期限。"
            ),
        )

    def _done(self, _value: object, text: str) -> None:
        self.message.emit(text, "ok")  # the table reloads itself from the runner's changes


class RecheckDialog(QDialog):
    """The 复查栏 of a township's 安全隐患整改通知书: result, what was seen, and a new deadline."""

    def __init__(self, hazard: HazardRow, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("复查核实")
        self.passed = QRadioButton("已整改（复查合格，销号）")
        self.failed = QRadioButton("未整改（给出新的整改期限）")
        self.passed.setChecked(True)
        self.note = QLineEdit()
        self.note.setPlaceholderText("复查情况")
        self.deadline = QDateEdit(QDate(today.year, today.month, today.day).addDays(7))
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat(QT_DAY_FORMAT)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{hazard.unit_name}：{hazard.description}"))
        for w in (self.passed, self.failed, self.note, QLabel("新的整改期限："), self.deadline):
            layout.addWidget(w)
        layout.addWidget(buttons)

    def result_values(self) -> tuple[bool, str, date | None]:
        d = self.deadline.date()
        deadline = None if self.passed.isChecked() else date(d.year(), d.month(), d.day())
        return self.passed.isChecked(), self.note.text().strip(), deadline


def hazards_page(services: Services, tasks: TaskRunner) -> HazardsPage:
    return HazardsPage(services, tasks)
