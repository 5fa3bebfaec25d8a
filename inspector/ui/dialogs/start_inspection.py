"""开始检查: inspectors (two or more), checklists, place and the unit's representative.

With a `VisitCheck` that has warnings (already inspected today, yearly cap near or reached) an amber
banner shows them first; a second visit today or a reached cap keeps 开始检查 disabled until the
person ticks 我已知悉，仍要开始检查.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.enums import INSPECTION_KINDS
from inspector.services.inspections.recording import ChecklistInfo, Person, StartInspection
from inspector.services.plan.supervision import VisitCheck
from inspector.services.units.directory import UnitDetail
from inspector.ui.dialogs.form_dialog import FormDialog

INSPECTOR_ROWS = 6  # every inspector of a usual team in sight; more scroll with a visible bar
CHECKLIST_ROWS = 6
ROW_HEIGHT = 32  # a finger-sized row (8.5 mm at 96 dpi)
CHECK_ROOM = 40  # the tick box and the margins beside a row's text


def show_all_rows(widget: QListWidget, most: int) -> None:
    """Make the list tall enough for all its rows up to `most`; beyond that the scroll bar is
    always shown, so nobody can be ticked out of sight unnoticed."""
    rows = min(max(widget.count(), 1), most)
    row_height = max(widget.sizeHintForRow(0), widget.fontMetrics().lineSpacing() + 4)
    widget.setFixedHeight(rows * row_height + 2 * widget.frameWidth() + 4)
    texts = [widget.item(i).text() for i in range(widget.count())]
    widest = max((widget.fontMetrics().horizontalAdvance(t) for t in texts), default=0)
    room = CHECK_ROOM + widget.verticalScrollBar().sizeHint().width() + 2 * widget.frameWidth()
    widget.setMinimumWidth(widest + room)
    if widget.count() > most:
        widget.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)


class StartInspectionDialog(FormDialog):
    """Emits `submitted` with the request; the window closes it once the inspection is stored."""

    def __init__(
        self,
        unit: UnitDetail,
        people: list[Person],
        checklists: list[ChecklistInfo],
        current_user_id: str | None,
        suggested_codes: list[str],
        parent: QWidget | None = None,
        visit_check: VisitCheck | None = None,
    ) -> None:
        super().__init__("开始现场检查", "开始检查", parent)
        self.unit = unit
        u = unit.unit
        self.inspectors = QListWidget()
        for p in people:
            if p.role != "inspector":
                continue
            me = "（本人）" if p.id == current_user_id else ""
            item = QListWidgetItem(f"{p.name}{me}（执法证号 {p.cert_no or '无'}）")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if p.id == current_user_id else Qt.CheckState.Unchecked
            )
            item.setSizeHint(item.sizeHint().expandedTo(QSize(0, ROW_HEIGHT)))
            self.inspectors.addItem(item)
        self.checklists = QListWidget()
        for c in checklists:
            item = QListWidgetItem(f"{c.name}（{c.item_count} 项）")
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if c.code in suggested_codes else Qt.CheckState.Unchecked
            )
            item.setSizeHint(item.sizeHint().expandedTo(QSize(0, ROW_HEIGHT)))
            self.checklists.addItem(item)
        self.kind = QComboBox()
        self.kind.addItems(INSPECTION_KINDS)
        self.place = QLineEdit(u["address"])
        self.representative = QLineEdit(u["legal_rep"])
        self.title = QLineEdit()
        self.phone = QLineEdit(u["contact_phone"])
        self.add_rows(
            ("检查类型：", self.kind),
            ("检查场所：", self.place),
            ("现场负责人：", self.representative),
            ("职务：", self.title),
            ("联系电话：", self.phone),
        )
        show_all_rows(self.inspectors, INSPECTOR_ROWS)
        show_all_rows(self.checklists, CHECKLIST_ROWS)
        self.inspectors_label = QLabel()
        self.inspectors.itemChanged.connect(self._count_inspectors)
        self._count_inspectors()
        heading = QLabel(f"被检查单位：{u['name']}")
        heading.setStyleSheet("font-size:16px; font-weight:bold;")
        # side by side: on a 700 px high screen the form and 开始检查 stay in sight
        lists = QHBoxLayout()
        for label, widget in (
            (self.inspectors_label, self.inspectors),
            (QLabel("检查表（可多选）："), self.checklists),
        ):
            column = QVBoxLayout()
            column.addWidget(label)
            column.addWidget(widget)
            column.addStretch(1)
            lists.addLayout(column, 1)
        self.body.insertWidget(0, heading)
        self.body.insertLayout(1, lists)
        self.warning_banner: QFrame | None = None
        self.warning_labels: list[QLabel] = []
        self.acknowledge: QCheckBox | None = None
        self._storing = False  # 开始检查 was tapped and the write has not answered yet
        if visit_check is not None and visit_check.warnings:
            self._add_warning_banner(visit_check)
        # wide enough for both lists whole (Qt would cap a first show at 2/3 of the screen)
        self.resize(self.sizeHint().expandedTo(self.minimumSizeHint()))

    def _count_inspectors(self) -> None:
        total, chosen = self.inspectors.count(), len(self._checked(self.inspectors))
        self.inspectors_label.setText(
            f"检查人员（至少两名执法人员；共 {total} 人，已选 {chosen} 人）："
        )

    def _add_warning_banner(self, check: VisitCheck) -> None:
        banner = QFrame()
        banner.setObjectName("visitWarning")
        banner.setStyleSheet(
            "#visitWarning { background:#fff4e0; border:1px solid #f0a020; border-radius:6px; }"
            "#visitWarning QLabel { color:#6d4200; }"
        )
        box = QVBoxLayout(banner)
        title = QLabel("请注意")
        title.setStyleSheet("font-weight:bold;")
        box.addWidget(title)
        for text in check.warnings:
            label = QLabel(f"• {text}")
            label.setWordWrap(True)
            box.addWidget(label)
            self.warning_labels.append(label)
        if check.needs_acknowledgement:
            ack = QCheckBox("我已知悉，仍要开始检查")
            ack.setMinimumHeight(40)  # a finger-sized target; Space toggles it from the keyboard
            ack.setStyleSheet("QCheckBox::indicator { width:24px; height:24px; }")
            ack.toggled.connect(
                lambda ticked: self.ok_button.setEnabled(ticked and not self._storing)
            )
            box.addWidget(ack)
            self.acknowledge = ack
            self.ok_button.setEnabled(False)
            ack.setFocus()
        self.body.insertWidget(0, banner)
        self.warning_banner = banner

    def _submit(self) -> None:
        if self.ok_button.isEnabled():
            self._storing = True
        super()._submit()

    def show_error(self, message: str) -> None:
        self._storing = False
        super().show_error(message)
        if self.acknowledge is not None:
            self.ok_button.setEnabled(self.acknowledge.isChecked())

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

    def value(self) -> StartInspection:
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
