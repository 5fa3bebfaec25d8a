"""待办: the due list of the work plan — township tasks (grid reports, 双随机, assignments) and the
inspector's own plan — with each task's history and the next step the person may take."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from inspector.services.facade import Services
from inspector.services.plan.work_tasks import TaskRow
from inspector.ui.models.table_model import Index, RowsModel
from inspector.ui.refresh import ChangeFollower, anything
from inspector.ui.tasks import TaskRunner
from inspector.util.dates import day_text

COLUMNS = ("应完成", "类型", "任务", "单位（场所）", "状态", "来源")


def due_text(row: TaskRow) -> str:
    if row.due_date is None:
        return "—"
    if row.days_left is None or row.days_left > 1:
        return day_text(row.due_date)
    if row.days_left == 1:
        return f"{day_text(row.due_date)} 明天"
    if row.days_left == 0:
        return f"{day_text(row.due_date)} 今天"
    return f"{day_text(row.due_date)} 逾期{-row.days_left}天"


class TaskModel(RowsModel):
    rows: list[TaskRow]

    def __init__(self) -> None:
        super().__init__(COLUMNS)

    def data(self, index: Index, role: int = 0) -> Any:
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            origin = "自行安排" if r.origin == "self" else "乡镇下达"
            title = r.title.removeprefix(f"{r.unit_name}：") if r.unit_name else r.title
            return (due_text(r), r.kind, title, r.unit_name, r.state_label, origin)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0 and r.overdue:
            return QColor("#b00020")
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.detail or r.title
        return None


class TasksPage(QWidget):
    """The due list. Emits `start_inspection_requested(unit_id, task_id)` for 去检查."""

    message = Signal(str, str)
    start_inspection_requested = Signal(str, str)
    plan_requested = Signal()

    def __init__(self, services: Services, tasks: TaskRunner) -> None:
        super().__init__()
        self.services, self.tasks = services, tasks
        ChangeFollower(self, tasks, anything, lambda _ch: self.load(), loads_when_shown=True)
        self.title = QLabel("待办任务")
        self.title.setStyleSheet("font-size:20px; font-weight:bold;")
        self.summary = QLabel("")
        self.plan_button = QPushButton("制定检查计划…")
        self.plan_button.setToolTip("按监管分级和上次检查日期，列出应检查的单位，选中后加入待办")
        self.plan_button.clicked.connect(self.plan_requested.emit)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.summary, 1)
        head.addWidget(self.plan_button)

        self.model = TaskModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setDefaultSectionSize(40)
        self.table.verticalHeader().hide()
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for c in (0, 1, 3, 4, 5):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.empty = QLabel("没有待办任务。同步后，乡镇下达的任务和网格上报的问题会出现在这里。")
        self.empty.setStyleSheet("color:#666; padding:12px;")

        self.detail = QTextBrowser()
        self.step_buttons = QHBoxLayout()
        self.inspect_button = QPushButton("去检查")
        self.inspect_button.setMinimumHeight(40)
        self.inspect_button.clicked.connect(self._inspect)
        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.detail, 1)
        sl.addLayout(self.step_buttons)
        sl.addWidget(self.inspect_button)
        split = QSplitter()
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.table, 1)
        ll.addWidget(self.empty)
        split.addWidget(left)
        split.addWidget(side)
        split.setSizes([760, 380])
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(split, 1)
        self._show_current()

    def set_role(self, role: str) -> None:
        self.plan_button.setVisible(role != "grid_worker")
        self.inspect_button.setVisible(role != "grid_worker")

    def load(self) -> None:
        self.tasks.read(self.services.work_plan.due_list, on_done=self._loaded)

    def _loaded(self, rows: list[TaskRow]) -> None:
        keep = self.current()
        self.model.set_rows(rows)
        overdue = sum(1 for r in rows if r.overdue)
        today = sum(1 for r in rows if r.days_left == 0)
        self.summary.setText(
            f"共 {len(rows)} 项"
            + (f"，今天到期 {today} 项" if today else "")
            + (f"，逾期 {overdue} 项" if overdue else "")
        )
        self.empty.setVisible(not rows)
        for n, r in enumerate(rows):
            if keep is not None and r.id == keep.id:
                self.table.selectRow(n)
                break
        else:
            if rows:
                self.table.selectRow(0)
        self._show_current()

    def current(self) -> TaskRow | None:
        idx = self.table.currentIndex()
        if not idx.isValid() or idx.row() >= len(self.model.rows):
            return None
        return self.model.rows[idx.row()]

    def _show_current(self) -> None:
        while self.step_buttons.count():
            item = self.step_buttons.takeAt(0)
            w = item.widget() if item else None
            if w is not None:
                w.deleteLater()
        row = self.current()
        self.inspect_button.setEnabled(row is not None and row.unit_id is not None)
        if row is None:
            self.detail.setHtml("<p style='color:#666'>选择一项任务查看详情。</p>")
            return
        lines = [
            f"<h3>{escape(row.title)}</h3>",
            f"<p>类型：{escape(row.kind)}　状态：<b>{escape(row.state_label)}</b>　"
            f"应完成：{escape(due_text(row))}</p>",
        ]
        if row.detail:
            lines.append(f"<p>{escape(row.detail)}</p>")
        lines.append("<h4>办理经过</h4><ul>")
        for h in row.history:
            mark = "" if h.get("moved", True) else "（未改变状态）"
            lines.append(
                f"<li>{escape(h.get('at_local', ''))} {escape(h.get('by', ''))}："
                f"{escape(h.get('note', ''))}{mark}</li>"
            )
        lines.append("</ul>")
        self.detail.setHtml("".join(lines))
        for step, label in row.next_steps:
            b = QPushButton(label)
            b.setMinimumHeight(40)
            b.clicked.connect(lambda _=False, s=step, lab=label: self._step(s, lab))
            self.step_buttons.addWidget(b)

    def _step(self, step: str, label: str) -> None:
        row = self.current()
        if row is None:
            return
        note = ""
        if step in ("feedback", "verified", "closed"):
            text, ok = QInputDialog.getMultiLineText(self, label, f"{label}：请简要说明")
            if not ok:
                return
            note = text
        self.tasks.write(
            self.services.work_plan.take_step,
            row.id,
            step,
            note,
            on_done=lambda ch: self._stepped(ch, label),
            on_error=lambda m: self.message.emit(m, "error"),
        )

    def _stepped(self, _value: None, label: str) -> None:
        self.message.emit(f"已{label}，同步后乡镇和相关人员可见。", "ok")

    def _inspect(self) -> None:
        row = self.current()
        if row is not None and row.unit_id:
            self.start_inspection_requested.emit(row.unit_id, row.id)
