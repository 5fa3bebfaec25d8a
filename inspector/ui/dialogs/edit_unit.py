"""修改单位信息: correct a unit's address, 负责人, contact and location in the field.

The edit is stored on this device at once and merged into the server's copy field by field at the
next sync; a field a colleague changed meanwhile waits in the 同步 page's conflicts inbox.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from inspector.services.units.field_edit import UnitEdit
from inspector.ui.dialogs.form_dialog import FormDialog


def _coordinate_text(value: Any) -> str:
    return "" if value is None else f"{float(value):.6f}".rstrip("0").rstrip(".")


class EditUnitDialog(FormDialog):
    """Emits `submitted(UnitEdit)`; the page stores it and closes the dialog on success."""

    def __init__(self, unit: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__("修改单位信息", parent=parent)
        self.setMinimumWidth(520)
        self.unit_id: str = unit["id"]
        name = QLabel(unit["name"])
        name.setWordWrap(True)
        name.setStyleSheet("font-weight:bold;")
        self.address = QLineEdit(unit["address"] or "")
        self.address.setMaxLength(300)
        self.legal_rep = QLineEdit(unit["legal_rep"] or "")
        self.legal_rep.setMaxLength(50)
        self.contact_name = QLineEdit(unit["contact_name"] or "")
        self.contact_name.setMaxLength(50)
        self.phone = QLineEdit(unit["contact_phone"] or "")
        self.phone.setMaxLength(30)
        self.phone.setPlaceholderText("如 13812345678 或 0731-84123456")
        self.lat = QLineEdit(_coordinate_text(unit["lat"]))
        self.lat.setPlaceholderText("纬度，如 28.19432")
        self.lon = QLineEdit(_coordinate_text(unit["lon"]))
        self.lon.setPlaceholderText("经度，如 112.98227")
        location = QWidget()
        row = QHBoxLayout(location)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.lat)
        row.addWidget(self.lon)
        for field in (self.address, self.legal_rep, self.contact_name, self.phone):
            field.setMinimumHeight(34)
        self.add_rows(
            ("单位：", name),
            ("地址：", self.address),
            ("法定代表人（负责人）：", self.legal_rep),
            ("联系人：", self.contact_name),
            ("联系电话：", self.phone),
            ("位置（纬度、经度）：", location),
        )
        note = QLabel(
            "修改先保存在本机，下次同步时逐项合并到服务器；如果同事同时改了同一项，"
            "会在“同步”页的冲突列表中请您选择保留哪一个。"
        )
        note.setWordWrap(True)
        note.setStyleSheet("color:#555;")
        self.body.insertWidget(1, note)
        # room for a two-line refusal from the start: when one appears, 保存 stays where it was
        self.error.setMinimumHeight(self.error.fontMetrics().lineSpacing() * 2 + 4)

    def value(self) -> UnitEdit:
        return UnitEdit(
            address=self.address.text(),
            legal_rep=self.legal_rep.text(),
            contact_name=self.contact_name.text(),
            contact_phone=self.phone.text(),
            lat=self.lat.text(),
            lon=self.lon.text(),
        )
