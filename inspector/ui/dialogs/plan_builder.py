"""制定检查计划: the units due by supervision level, ticked into a plan for a chosen day.

Like every data-entry dialog it does not close itself: 加入计划 emits `planned(unit_ids, date)`;
the window stores the tasks and calls `accept()`, or `show_error(message)` when that is refused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import (
    QDate,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from inspector.domain.enums import SUPERVISION_LEVELS, RiskColour
from inspector.services.plan.supervision import DueUnit, level_label
from inspector.ui.dialogs.form_dialog import FormDialog
from inspector.ui.models.table_model import ColumnsModel, Index
from inspector.util.dates import QT_DAY_FORMAT, day_text

COLUMNS = ("单位", "级别", "风险", "上次检查", "应检日期", "超期", "今年次数/上限", "原因")
_OVER_CAP = QColor("#b00020")


class ProposalModel(ColumnsModel):
    """The proposals with a tick each; the filter hides rows but keeps their ticks."""

    checked_changed = Signal()

    def __init__(self, proposals: list[DueUnit], parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self.proposals = list(proposals)
        self._haystacks = [
            f"{p.name}\n{p.address}\n{p.township}\n{level_label(p.level)}\n{p.reason}".casefold()
            for p in self.proposals
        ]
        self.visible = list(range(len(self.proposals)))
        self.checked: set[str] = set()

    # -- selection and filter ------------------------------------------------------------------
    def set_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        self.beginResetModel()
        self.visible = [n for n, h in enumerate(self._haystacks) if needle in h]
        self.endResetModel()

    def set_all_visible(self, checked: bool) -> None:
        ids = {self.proposals[n].unit_id for n in self.visible}
        self.checked = self.checked | ids if checked else self.checked - ids
        if self.visible:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self.visible) - 1, 0),
                [Qt.ItemDataRole.CheckStateRole],
            )
        self.checked_changed.emit()

    def checked_ids(self) -> list[str]:
        """The ticked units in the order proposed (most overdue first)."""
        return [p.unit_id for p in self.proposals if p.unit_id in self.checked]

    def proposal_at(self, row: int) -> DueUnit:
        return self.proposals[self.visible[row]]

    # -- Qt model ------------------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self.visible)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == 0:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self.proposal_at(index.row())
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell(p, col)
        if role == Qt.ItemDataRole.CheckStateRole and col == 0:
            return Qt.CheckState.Checked if p.unit_id in self.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole and col == 2:
            colour = _colour(p)
            return QColor(colour.hex) if colour else None
        if role == Qt.ItemDataRole.ForegroundRole and col == 6 and p.at_cap:
            return _OVER_CAP
        if role == Qt.ItemDataRole.ToolTipRole:
            level = SUPERVISION_LEVELS.get(p.level, level_label(p.level))
            return f"{p.name}\n{p.township} {p.address}\n{level}\n{p.reason}"
        if role == Qt.ItemDataRole.UserRole:
            return p.unit_id
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        uid = self.proposal_at(index.row()).unit_id
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.checked.add(uid)
        else:
            self.checked.discard(uid)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checked_changed.emit()
        return True


def _colour(p: DueUnit) -> RiskColour | None:
    try:
        return RiskColour(p.risk_colour)
    except ValueError:
        return None


def _cell(p: DueUnit, col: int) -> str:
    if col == 0:
        return p.name
    if col == 1:
        return level_label(p.level)
    if col == 2:
        colour = _colour(p)
        return colour.label if colour else p.risk_colour
    if col == 3:
        return day_text(p.last_inspection, "从未检查")
    if col == 4:
        return day_text(p.due_date, "随机抽查")
    if col == 5:
        return f"{p.days_overdue} 天" if p.days_overdue > 0 else "—"
    if col == 6:
        return f"{p.year_count}/{p.cap if p.cap is not None else '不限'}"
    return p.reason


class PlanBuilderDialog(FormDialog):
    planned = Signal(list, object)  # the ticked unit ids, the planned day (datetime.date)

    def __init__(
        self,
        proposals: list[DueUnit],
        parent: QWidget | None = None,
        planned_date: date | None = None,
    ) -> None:
        super().__init__("制定检查计划", "加入计划", parent)
        self.resize(1120, 680)
        self.model = ProposalModel(proposals, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setStyleSheet("QTableView::indicator { width:22px; height:22px; }")  # touch
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(
            max(36, self.fontMetrics().height() * 2)
        )  # a finger-sized row
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, max(header.sectionSize(0), 300))

        day = planned_date or date.today()
        self.date = QDateEdit(QDate(day.year, day.month, day.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat(QT_DAY_FORMAT)
        self.date.setMinimumDate(QDate(day.year, day.month, day.day))
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("按单位名称、地址、乡镇或原因筛选")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.model.set_filter)
        self.add_rows(("计划检查日期：", self.date), ("筛选：", self.filter))

        self.check_all = QPushButton("全选")
        self.check_none = QPushButton("全不选")
        for button, state in ((self.check_all, True), (self.check_none, False)):
            button.setToolTip("只作用于当前筛选显示的单位")
            button.setMinimumHeight(36)
            button.clicked.connect(lambda _=False, s=state: self.model.set_all_visible(s))
        self.summary = QLabel()
        tools = QHBoxLayout()
        tools.addWidget(self.check_all)
        tools.addWidget(self.check_none)
        tools.addStretch(1)
        tools.addWidget(self.summary)
        intro = QLabel(
            "按分级分类监管的检查频次和上次检查日期列出应检单位，超期最久的在前。"
            "勾选要检查的单位并选择日期。"
        )
        intro.setWordWrap(True)
        self.body.insertWidget(0, intro)
        self.body.insertLayout(2, tools)
        self.body.insertWidget(3, self.table, 1)
        self.model.checked_changed.connect(self._update_summary)
        self.model.modelReset.connect(self._update_summary)
        self._update_summary()

    def _update_summary(self) -> None:
        total = len(self.model.proposals)
        shown = self.model.rowCount()
        text = f"已选 {len(self.model.checked)} 家，共 {total} 家"
        self.summary.setText(text if shown == total else f"{text}（显示 {shown} 家）")

    def planned_date(self) -> date:
        d = self.date.date()
        return date(d.year(), d.month(), d.day())

    def value(self) -> tuple[list[str], date]:
        return self.model.checked_ids(), self.planned_date()

    def _submit(self) -> None:
        if not self.ok_button.isEnabled():
            return  # a double tap while the first one is being stored
        ids, day = self.value()
        if not ids:
            self.show_error("请至少选择一家单位")
            return
        self.error.setText("")
        self.ok_button.setEnabled(False)
        self.planned.emit(ids, day)
