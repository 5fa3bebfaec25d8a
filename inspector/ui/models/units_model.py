"""The unit list: pages fetched in the background as the view scrolls (100,000 rows stay smooth)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from inspector.domain.enums import SUPERVISION_LEVELS, RiskColour
from inspector.services.facade import Services
from inspector.services.units.directory import UnitFilters, UnitRow
from inspector.ui.models.table_model import ColumnsModel, Index
from inspector.ui.tasks import TaskRunner

PAGE = 200
COLUMNS = ("单位名称", "风险", "分级", "行业", "统一社会信用代码", "地址")


class UnitsModel(ColumnsModel):
    count_changed = Signal(int)
    loaded = Signal()

    def __init__(
        self, services: Services, tasks: TaskRunner, parent: QObject | None = None
    ) -> None:
        super().__init__(COLUMNS, parent)
        self.services = services
        self.tasks = tasks
        self.rows: list[UnitRow] = []
        self.total = 0
        self.query = ""
        self.filters = UnitFilters()
        self._generation = 0
        self._fetching = False

    # -- loading -------------------------------------------------------------------------------
    def set_query(self, query: str, filters: UnitFilters) -> None:
        self.query, self.filters = query, filters
        self._generation += 1
        gen = self._generation
        self._fetching = True
        self.tasks.read(
            self.services.units.search, query, filters, on_done=lambda rows: self._reset(gen, rows)
        )
        self.tasks.read(
            self.services.units.count, query, filters, on_done=lambda n: self._counted(gen, n)
        )

    def refresh(self) -> None:
        self.set_query(self.query, self.filters)

    def _reset(self, gen: int, rows: list[UnitRow]) -> None:
        if gen != self._generation:
            return
        self.beginResetModel()
        self.rows = list(rows)
        # The count arrives separately; until then a short page is the whole answer.
        self.total = len(rows) if len(rows) < PAGE else max(self.total, len(rows))
        self.endResetModel()
        self._fetching = False
        self.loaded.emit()

    def _counted(self, gen: int, n: int) -> None:
        if gen != self._generation:
            return
        self.total = n
        self.count_changed.emit(n)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._fetching and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._fetching:
            return
        self._fetching = True
        gen = self._generation
        query, filters, offset = self.query, self.filters, len(self.rows)
        self.tasks.read(
            lambda: self.services.units.search(query, filters, limit=PAGE, offset=offset),
            on_done=lambda rows: self._append(gen, rows),
        )

    def _append(self, gen: int, rows: list[UnitRow]) -> None:
        self._fetching = False
        if gen != self._generation or not rows:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    # -- Qt model ------------------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return row.name
            if col == 1:
                return RiskColour(row.risk_colour).label
            if col == 2:
                return row.level
            if col == 3:
                return row.industry
            if col == 4:
                return row.credit_code or "（无代码）"
            return row.address
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            return QColor(RiskColour(row.risk_colour).hex)
        if role == Qt.ItemDataRole.ToolTipRole:
            tags = "、".join(row.tags)
            return f"{row.name}\n{SUPERVISION_LEVELS.get(row.level, row.level)}" + (
                f"\n标签：{tags}" if tags else ""
            )
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def unit_at(self, row: int) -> UnitRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None
