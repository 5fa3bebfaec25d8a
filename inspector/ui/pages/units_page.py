"""单位: one search box (Chinese, pinyin, initials, credit code) with filters, the list, the unit."""

from __future__ import annotations

import json
from functools import partial
from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.enums import (
    SUPERVISION_LEVELS,
    HazardGrade,
    HazardStatus,
    InspectionStatus,
    RiskColour,
)
from inspector.services.changes import Changes
from inspector.services.facade import Services
from inspector.services.units.directory import FilterOptions, NewUnit, UnitDetail, UnitFilters
from inspector.services.units.field_edit import UnitEdit
from inspector.ui.dialogs.edit_unit import EditUnitDialog
from inspector.ui.dialogs.new_unit import NewUnitDialog
from inspector.ui.models.units_model import UnitsModel
from inspector.ui.pages.units_keys import install_unit_keys
from inspector.ui.refresh import ChangeFollower
from inspector.ui.tasks import TaskRunner
from inspector.ui.widgets.flow_layout import FlowLayout

# the unit panel's narrowest width; the list gets the rest of the page
PANEL_MIN_WIDTH = 300


def shows_unit_facts(changes: Changes) -> bool:
    """The list shows units; the panel a unit's inspections and open hazards."""
    return bool(changes.units or changes.inspections or changes.hazards)


class UnitsPage(QWidget):
    start_inspection_requested = Signal(str)  # unit id
    open_inspection_requested = Signal(str)  # inspection id
    message = Signal(str, str)  # text, level

    def __init__(
        self, services: Services, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.tasks = tasks
        ChangeFollower(self, tasks, shows_unit_facts, self._changes)
        self.current_unit_id: str | None = None
        self.detail: UnitDetail | None = None

        self.search = QLineEdit()
        self.search.setPlaceholderText(
            "搜索单位：名称或地址中的字、拼音（如 hgjx）、统一社会信用代码前几位"
        )
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumHeight(40)
        self.industry = QComboBox()
        self.risk = QComboBox()
        self.level = QComboBox()
        self.township = QComboBox()
        self.grid = QComboBox()
        self.count_label = QLabel("")
        self.new_button = QPushButton("新增单位…")
        self.new_button.setMinimumHeight(36)
        self.new_dialog: NewUnitDialog | None = None
        self._options: FilterOptions | None = None
        for combo, all_label in (
            (self.industry, "全部行业"),
            (self.risk, "全部风险"),
            (self.level, "全部分级"),
            (self.township, "全部乡镇（街道）"),
            (self.grid, "全部网格"),
        ):
            combo.addItem(all_label, None)
            combo.setMinimumHeight(36)
            # as wide as a short name, not the longest one (a long township name elides)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(7)
        for c in RiskColour:
            self.risk.addItem(f"{c.label}（{c.meaning}）", c.value)
        for code, label in SUPERVISION_LEVELS.items():
            self.level.addItem(label, code)

        self.model = UnitsModel(services, tasks, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(36)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 60), (2, 50), (3, 120), (4, 200)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.setSectionHidden(5, True)

        # the unit panel
        self.title = QLabel("请选择一个单位")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size:18px; font-weight:bold;")
        self.facts = QLabel("")
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.start_button = QPushButton("开始检查")
        self.start_button.setMinimumHeight(44)
        self.start_button.setEnabled(False)
        self.start_button.setStyleSheet("font-size:16px;")
        self.edit_button = QPushButton("修改单位信息…")
        self.edit_button.setToolTip("更正地址、负责人、联系电话或位置，同步时合并到服务器")
        self.edit_button.setMinimumHeight(44)
        self.edit_button.setEnabled(False)
        self.edit_dialog: EditUnitDialog | None = None
        self.history = QListWidget()
        self.hazards = QListWidget()

        panel = QWidget()
        pl = QVBoxLayout(panel)
        pl.addWidget(self.title)
        pl.addWidget(self.facts)
        actions = QHBoxLayout()
        actions.addWidget(self.start_button, 2)
        actions.addWidget(self.edit_button, 1)
        pl.addLayout(actions)
        pl.addWidget(QLabel("检查记录："))
        pl.addWidget(self.history, 1)
        pl.addWidget(QLabel("未销号隐患："))
        pl.addWidget(self.hazards, 1)

        # the filters wrap into a second row on a narrow screen (they never set the page's width)
        filters = FlowLayout()
        for w in (self.industry, self.risk, self.level, self.township, self.grid):
            filters.addWidget(w)
        filters.addWidget(self.count_label)
        filters.addWidget(self.new_button)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.search)
        ll.addLayout(filters)
        ll.addWidget(self.table, 1)
        # the unit panel scrolls when it is taller than the screen; the list keeps the width
        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(PANEL_MIN_WIDTH)
        self.panel_scroll = scroll
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([3 * PANEL_MIN_WIDTH, 2 * PANEL_MIN_WIDTH])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        install_unit_keys(self)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.run_search)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self.run_search)
        for combo in (self.industry, self.risk, self.level, self.grid):
            combo.currentIndexChanged.connect(self.run_search)
        self.township.currentIndexChanged.connect(self._township_changed)
        self.model.count_changed.connect(self._show_count)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.activated.connect(lambda idx: self._row_changed(idx, idx))
        self.start_button.clicked.connect(self._start_clicked)
        self.new_button.clicked.connect(self.open_new_unit)
        self.edit_button.clicked.connect(self.open_edit_unit)
        self.history.itemActivated.connect(
            lambda it: self.open_inspection_requested.emit(it.data(Qt.ItemDataRole.UserRole))
        )
        self._grids: list[tuple[str, str, str]] = []

    # -- data ----------------------------------------------------------------------------------
    def load(self) -> None:
        self.tasks.read(self.services.units.filter_options, on_done=self._set_options)
        self.run_search()

    def _set_options(self, opts: FilterOptions) -> None:
        self._options = opts
        for combo in (self.industry, self.township):
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
        for name in opts.industries:
            self.industry.addItem(name, name)
        for tid, name in opts.townships:
            self.township.addItem(name, tid)
        self._grids = opts.grids
        for combo in (self.industry, self.township):
            combo.blockSignals(False)
        self._fill_grids()

    def _township_changed(self) -> None:
        self._fill_grids()
        self.run_search()

    def _fill_grids(self) -> None:
        tid = self.township.currentData()
        self.grid.blockSignals(True)
        while self.grid.count() > 1:
            self.grid.removeItem(1)
        for gid, g_tid, name in self._grids:
            if tid is None or g_tid == tid:
                self.grid.addItem(name, gid)
        self.grid.blockSignals(False)

    def current_filters(self) -> UnitFilters:
        return UnitFilters(
            industry=self.industry.currentData(),
            risk_colour=self.risk.currentData(),
            level=self.level.currentData(),
            township_id=self.township.currentData(),
            grid_id=self.grid.currentData(),
        )

    def run_search(self) -> None:
        self._debounce.stop()
        self.model.set_query(self.search.text(), self.current_filters())

    def _show_count(self, n: int) -> None:
        self.count_label.setText(f"共 {n} 个单位")

    def _row_changed(self, current: object, _previous: object) -> None:
        row = self.model.unit_at(current.row())  # type: ignore[attr-defined]
        if row is not None:
            self.show_unit(row.id)

    def show_unit(self, unit_id: str) -> None:
        self.current_unit_id = unit_id
        self.tasks.read(self.services.units.detail, unit_id, on_done=self._show_detail)

    def _changes(self, changes: Changes) -> None:
        """A write changed units (the list) or a unit's inspections and hazards (the panel)."""
        if changes.units:
            self.model.refresh()
        self.refresh_unit()

    def refresh_unit(self) -> None:
        if self.current_unit_id:
            self.show_unit(self.current_unit_id)

    def _show_detail(self, d: UnitDetail) -> None:
        if d.unit["id"] != self.current_unit_id:
            return
        self.detail = d
        u = d.unit
        colour = RiskColour(u["risk_colour"])
        self.title.setText(u["name"])
        tags = "、".join(json.loads(u["tags"])) or "—"
        contact = f"{u['contact_name']}  {u['contact_phone']}".strip() or "—"
        gps = f"{u['lat']:.5f}, {u['lon']:.5f}" if u["lat"] is not None else "—"
        rows = (
            ("统一社会信用代码", escape(u["credit_code"] or "（无统一社会信用代码）")),
            ("地址", escape(u["address"])),
            ("乡镇 / 网格", escape(f"{d.township} / {d.grid}")),
            ("行业", escape(u["industry"])),
            (
                "监管分级",
                escape(SUPERVISION_LEVELS.get(u["supervision_level"], u["supervision_level"])),
            ),
            (
                "风险等级",
                f"<span style='color:{colour.hex}'>●</span> {colour.label}（{colour.meaning}）",
            ),
            ("标签", escape(tags)),
            ("法定代表人（负责人）", escape(u["legal_rep"] or "—")),
            ("联系人 / 电话", escape(contact)),
            ("位置", gps),
        )
        self.facts.setText(
            "<table cellspacing='0' cellpadding='3'>"
            + "".join(
                f"<tr><td style='color:#555; white-space:nowrap'>{k}：</td><td>{v}</td></tr>"
                for k, v in rows
            )
            + "</table>"
        )
        self.start_button.setEnabled(True)
        self.edit_button.setEnabled(True)
        self.history.clear()
        for i in d.inspections:
            label = f"{i.started_at[:16].replace('T', ' ')}  {i.kind}  {InspectionStatus(i.status).label}"
            if i.hazard_count:
                label += f"  隐患 {i.hazard_count} 项"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, i.id)
            self.history.addItem(item)
        if not d.inspections:
            self.history.addItem("（暂无检查记录）")
        self.hazards.clear()
        for h in d.open_hazards:
            deadline = f"  期限 {h.deadline}" if h.deadline else ""
            self.hazards.addItem(
                f"[{HazardGrade(h.grade).label}] {h.description}（{HazardStatus(h.status).label}{deadline}）"
            )
        if not d.open_hazards:
            self.hazards.addItem("（无）")

    def open_new_unit(self) -> None:
        dialog = NewUnitDialog(self._options or FilterOptions([], [], []), self)
        dialog.submitted.connect(self._new_unit_submitted)
        self.new_dialog = dialog
        dialog.open()

    def _new_unit_submitted(self, unit: NewUnit) -> None:
        dialog = self.new_dialog
        assert dialog is not None
        self.tasks.write(
            self.services.units.add,
            unit,
            on_done=lambda result: self._unit_added(dialog, result),
            on_error=dialog.show_error,
        )

    def _unit_added(self, dialog: NewUnitDialog, unit_id: str) -> None:
        dialog.accept()
        self.search.setText(dialog.name.text().strip())
        self.run_search()
        self.show_unit(unit_id)

    def open_edit_unit(self) -> None:
        """修改单位信息 for the unit shown in the panel."""
        if self.detail is None or self.detail.unit["id"] != self.current_unit_id:
            return
        dialog = EditUnitDialog(self.detail.unit, self)
        dialog.submitted.connect(partial(self._store_edit, dialog))
        self.edit_dialog = dialog
        dialog.open()

    def _store_edit(self, dialog: EditUnitDialog, edit: UnitEdit) -> None:
        done = partial(self._unit_edited, dialog)
        store = self.services.units.edit
        self.tasks.write(store, dialog.unit_id, edit, on_done=done, on_error=dialog.show_error)

    def _unit_edited(self, dialog: EditUnitDialog, fields: list[str]) -> None:
        dialog.accept()
        if not fields:
            self.message.emit("单位信息没有改动，未保存新的修改。", "info")
            return
        self.message.emit("单位信息已在本机修改，下次同步时上传并与服务器合并。", "ok")

    def _start_clicked(self) -> None:
        if self.current_unit_id:
            self.start_inspection_requested.emit(self.current_unit_id)

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        idx = self.model.index(row, 0)
        self.table.setCurrentIndex(idx)
