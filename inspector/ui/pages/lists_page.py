"""首页 and 检查: read-only lists fed from services, refreshed when a change set names them
(隐患 has its own table: hazards_page.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.enums import HazardGrade, HazardStatus, InspectionStatus
from inspector.services.facade import Services
from inspector.services.hazards.listing import HazardRow
from inspector.services.inspections.recording import InspectionRow
from inspector.services.overview.home import HomeSummary
from inspector.ui.refresh import ChangeFollower, anything
from inspector.ui.tasks import TaskRunner
from inspector.util.dates import day_text, moment_text

HAZARD_ROLE = Qt.ItemDataRole.UserRole + 1


def _inspection_item(r: InspectionRow) -> QListWidgetItem:
    text = f"{moment_text(r.started_at)}  {r.unit_name}  {InspectionStatus(r.status).label}"
    if r.hazard_count:
        text += f"  隐患 {r.hazard_count} 项"
    item = QListWidgetItem(text)
    item.setData(Qt.ItemDataRole.UserRole, r.id)
    return item


def _hazard_item(h: HazardRow) -> QListWidgetItem:
    deadline = f"期限 {day_text(h.deadline)}" if h.deadline else "期限：立即"
    overdue = "【逾期】" if h.overdue else ""
    flag = "【挂牌督办】" if h.supervised else ""
    text = f"{overdue}{flag}[{HazardGrade(h.grade).label}] {h.unit_name}：{h.description}（{HazardStatus(h.status).label}，{deadline}）"
    if h.conflict:
        text = f"{h.conflict_label}\n{text}"
    item = QListWidgetItem(text)
    item.setData(Qt.ItemDataRole.UserRole, h.inspection_id)
    item.setData(HAZARD_ROLE, h)
    if h.overdue or h.grade == HazardGrade.MAJOR or h.conflict:
        item.setForeground(QColor("#b71c1c"))
    return item


class FigureTile(QLabel):
    """A large number with its caption, for the 首页 figures."""

    def __init__(self, caption: str, colour: str) -> None:
        super().__init__()
        self.caption, self.colour = caption, colour
        self.setMinimumHeight(96)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(
            f"background:white; border:1px solid #d0d7de; border-top:4px solid {colour};"
            " border-radius:6px;"
        )
        self.set_value(0)

    def set_value(self, value: int) -> None:
        self.value = value
        self.setText(
            f"<div style='font-size:30px; font-weight:bold; color:{self.colour}'>{value}</div>"
            f"<div style='font-size:14px; color:#444'>{self.caption}</div>"
        )


class HomePage(QWidget):
    open_inspection_requested = Signal(str)

    def __init__(
        self, services: Services, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services, self.tasks = services, tasks
        self.headline = QLabel("")
        self.headline.setStyleSheet("font-size:18px; font-weight:bold;")
        self.tiles = {
            "inspections_today": FigureTile("今日检查", "#1f3a5f"),
            "in_progress": FigureTile("进行中的检查", "#2f5f96"),
            "open_hazards": FigureTile("未销号隐患", "#ef6c00"),
            "major_open": FigureTile("其中重大隐患", "#c62828"),
            "overdue": FigureTile("逾期未整改", "#b71c1c"),
            "unsynced": FigureTile("待同步记录", "#546e7a"),
        }
        row = QHBoxLayout()
        for tile in self.tiles.values():
            row.addWidget(tile)
        self.open_list = QListWidget()
        self.due_list = QListWidget()
        for lst in (self.open_list, self.due_list):
            lst.itemActivated.connect(self._open)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(row)
        layout.addWidget(QLabel("进行中的检查（双击继续）："))
        layout.addWidget(self.open_list, 1)
        layout.addWidget(QLabel("整改期限七日内到期或已逾期的隐患（双击打开所属检查）："))
        layout.addWidget(self.due_list, 1)
        ChangeFollower(self, tasks, anything, lambda _ch: self.load(), loads_when_shown=True)

    def load(self) -> None:
        self.tasks.read(self.services.overview.home_summary, on_done=self._show)

    def _show(self, s: HomeSummary) -> None:
        self.headline.setText(f"今天是 {day_text(s.today)} · 本辖区监管单位 {s.units} 家")
        figures = {
            "inspections_today": s.inspections_today,
            "in_progress": len(s.in_progress),
            "open_hazards": s.open_hazards,
            "major_open": s.major_open,
            "overdue": s.overdue,
            "unsynced": s.unsynced,
        }
        for key, value in figures.items():
            self.tiles[key].set_value(value)
        self.open_list.clear()
        for r in s.in_progress:
            self.open_list.addItem(_inspection_item(r))
        if not s.in_progress:
            self.open_list.addItem("（无）")
        self.due_list.clear()
        for h in s.due:
            self.due_list.addItem(_hazard_item(h))
        if not s.due:
            self.due_list.addItem("（无）")

    def _open(self, item: QListWidgetItem) -> None:
        value = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(value, str):
            self.open_inspection_requested.emit(value)


class RecordListPage(QWidget):
    """A titled list fed by one service read; double-click opens the row's inspection."""

    open_inspection_requested = Signal(str)

    def __init__(
        self,
        title: str,
        fetch: Callable[[], Sequence[Any]],
        to_item: Callable[[Any], QListWidgetItem],
        empty: str,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.fetch, self.to_item, self.empty, self.tasks = fetch, to_item, empty, tasks
        self.list = QListWidget()
        self.list.itemActivated.connect(self._open)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(title))
        layout.addWidget(self.list)
        ChangeFollower(self, tasks, anything, lambda _ch: self.load(), loads_when_shown=True)

    def load(self) -> None:
        self.tasks.read(self.fetch, on_done=self._show)

    def _show(self, rows: Sequence[Any]) -> None:
        self.list.clear()
        for row in rows:
            self.list.addItem(self.to_item(row))
        if not rows:
            self.list.addItem(self.empty)

    def _open(self, item: QListWidgetItem) -> None:
        value = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(value, str):
            self.open_inspection_requested.emit(value)


def inspections_page(services: Services, tasks: TaskRunner) -> RecordListPage:
    return RecordListPage(
        "检查记录（最近 500 次，双击打开）：",
        services.inspections.recent,
        _inspection_item,
        "（暂无检查记录）",
        tasks,
    )
