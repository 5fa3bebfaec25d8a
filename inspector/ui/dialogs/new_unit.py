"""新增单位: a unit found on site that is not on the list yet (e.g. a new 个体工商户)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from inspector.domain.enums import SUPERVISION_LEVELS, RiskColour
from inspector.services.units.directory import FilterOptions, NewUnit
from inspector.ui.dialogs.form_dialog import FormDialog


class NewUnitDialog(FormDialog):
    """Emits `submitted(NewUnit)`; the page stores it and closes the dialog on success."""

    def __init__(self, options: FilterOptions, parent: QWidget | None = None) -> None:
        super().__init__("新增单位", parent=parent)
        self.name = QLineEdit()
        self.name.setPlaceholderText("营业执照上的全称")
        self.credit_code = QLineEdit()
        self.credit_code.setPlaceholderText("18 位；个体户或老单位没有可不填")
        self.address = QLineEdit()
        self.township = QComboBox()
        self.township.addItem("（未指定）", None)
        for tid, name in options.townships:
            self.township.addItem(name, tid)
        self.grid = QComboBox()
        self._grids = options.grids
        self.township.currentIndexChanged.connect(self._fill_grids)
        self._fill_grids()
        self.industry = QComboBox()
        self.industry.setEditable(True)
        self.industry.addItems(options.industries)
        self.level = QComboBox()
        for code, label in SUPERVISION_LEVELS.items():
            self.level.addItem(label, code)
        self.level.setCurrentIndex(self.level.findData("D"))
        self.risk = QComboBox()
        for c in RiskColour:
            self.risk.addItem(f"{c.label}（{c.meaning}）", c.value)
        self.risk.setCurrentIndex(self.risk.findData("blue"))
        self.legal_rep = QLineEdit()
        self.phone = QLineEdit()
        self.add_rows(
            ("单位名称：", self.name),
            ("统一社会信用代码：", self.credit_code),
            ("地址：", self.address),
            ("乡镇（街道）：", self.township),
            ("网格：", self.grid),
            ("行业：", self.industry),
            ("监管分级：", self.level),
            ("风险等级：", self.risk),
            ("法定代表人（负责人）：", self.legal_rep),
            ("联系电话：", self.phone),
        )

    def _fill_grids(self) -> None:
        tid = self.township.currentData()
        self.grid.clear()
        self.grid.addItem("（未指定）", None)
        for gid, g_tid, name in self._grids:
            if g_tid == tid:
                self.grid.addItem(name, gid)

    def value(self) -> NewUnit:
        return NewUnit(
            name=self.name.text(),
            address=self.address.text(),
            credit_code=self.credit_code.text() or None,
            township_id=self.township.currentData(),
            grid_id=self.grid.currentData(),
            industry=self.industry.currentText().strip(),
            supervision_level=self.level.currentData(),
            risk_colour=self.risk.currentData(),
            legal_rep=self.legal_rep.text(),
            contact_phone=self.phone.text(),
        )
