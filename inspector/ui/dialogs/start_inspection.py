"""开始检查: inspectors (two or more), checklists, place and the unit's representative."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.services.inspections import ChecklistInfo, Person, StartInspection
from inspector.services.units import UnitDetail

KINDS = ("日常检查", "专项检查", "双随机抽查", "举报核查", "复查")


class StartInspectionDialog(QDialog):
    """Emits `submitted` with the request; the window closes it once the inspection is stored."""

    submitted = Signal(object)

    def __init__(
        self,
        unit: UnitDetail,
        people: list[Person],
        checklists: list[ChecklistInfo],
        current_user_id: str | None,
        suggested_codes: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("开始现场检查")
        self.setMinimumWidth(560)
        self.unit = unit
        u = unit.unit
        self.inspectors = QListWidget()
        for p in people:
            if p.role != "inspector":
                continue
            item = QListWidgetItem(f"{p.name}（执法证号 {p.cert_no or '无'}）")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if p.id == current_user_id else Qt.CheckState.Unchecked
            )
            item.setSizeHint(
                item.sizeHint().expandedTo(self.fontMetrics().boundingRect("国").size() * 2)
            )
            self.inspectors.addItem(item)
        self.checklists = QListWidget()
        for c in checklists:
            item = QListWidgetItem(f"{c.name}（{c.item_count} 项）")
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if c.code in suggested_codes else Qt.CheckState.Unchecked
            )
            self.checklists.addItem(item)
        self.kind = QComboBox()
        self.kind.addItems(KINDS)
        self.place = QLineEdit(u["address"])
        self.representative = QLineEdit(u["legal_rep"])
        self.title = QLineEdit()
        self.phone = QLineEdit(u["contact_phone"])
        form = QFormLayout()
        form.addRow("检查类型：", self.kind)
        form.addRow("检查场所：", self.place)
        form.addRow("现场负责人：", self.representative)
        form.addRow("职务：", self.title)
        form.addRow("联系电话：", self.phone)
        self.error = QLabel("")
        self.error.setStyleSheet("color:#b00020;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("开始检查")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        heading = QLabel(f"被检查单位：{u['name']}")
        heading.setStyleSheet("font-size:16px; font-weight:bold;")
        layout.addWidget(heading)
        layout.addWidget(QLabel("检查人员（至少两名执法人员）："))
        layout.addWidget(self.inspectors)
        layout.addWidget(QLabel("检查表（可多选）："))
        layout.addWidget(self.checklists)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _checked(self, widget: QListWidget) -> list[str]:
        return [
            widget.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, widget: QListWidget, ids: list[str]) -> None:
        for i in range(widget.count()):
            item = widget.item(i)
            state = (
                Qt.CheckState.Checked
                if item.data(Qt.ItemDataRole.UserRole) in ids
                else Qt.CheckState.Unchecked
            )
            item.setCheckState(state)

    def request(self) -> StartInspection:
        return StartInspection(
            unit_id=self.unit.unit["id"],
            inspector_ids=self._checked(self.inspectors),
            checklist_ids=self._checked(self.checklists),
            place=self.place.text(),
            representative=self.representative.text(),
            representative_title=self.title.text(),
            representative_phone=self.phone.text(),
            kind=self.kind.currentText(),
        )

    def _submit(self) -> None:
        self.error.setText("")
        self.submitted.emit(self.request())

    def show_error(self, message: str) -> None:
        self.error.setText(message)
