"""上报隐患: a grid worker's quick hazard report — class, what, how urgent, where, and photos."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.tasks import PROBLEM_CLASSES, URGENCIES
from inspector.services.evidence.photos import IMAGE_FILTER
from inspector.services.patrols.patrol import Place, ReportInput
from inspector.ui.file_dialogs import open_file_names


class ReportDialog(QDialog):
    """Collects a report; emits `submitted(ReportInput, photo paths)`; the caller files it and
    calls `accept()` or `show_error(message)` (the dialog stays open with what was typed)."""

    submitted = Signal(object, list)

    def __init__(
        self,
        places: list[Place],
        unit_id: str | None,
        visit_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.visit_id = visit_id
        self.setWindowTitle("上报隐患")
        self.setMinimumWidth(520)
        self.places = places
        self.photo_paths: list[Path] = []
        self.place = QComboBox()
        for p in places:
            self.place.addItem(p.name, p.unit_id)
        if unit_id is not None:
            self.place.setCurrentIndex(max(0, self.place.findData(unit_id)))
        self.category = QComboBox()
        self.category.addItems(PROBLEM_CLASSES)
        self.urgency = QComboBox()
        for code, label in URGENCIES.items():
            self.urgency.addItem(label, code)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("看到了什么问题，在哪里，可能造成什么后果")
        self.description.setFixedHeight(90)
        self.location = QLineEdit()
        self.location.setPlaceholderText("门牌号、楼层、房间，如：3号楼一楼楼梯间")
        self.use_place_gps = QPushButton("用该场所的坐标")
        self.use_place_gps.clicked.connect(self._use_place_gps)
        self.gps = QLabel("坐标：未定位（照片带GPS时自动取用）")
        self.lat: float | None = None
        self.lon: float | None = None
        self.photos_label = QLabel("照片：0 张")
        add_photo = QPushButton("添加照片…")
        add_photo.clicked.connect(self._add_photos)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b00020;")
        self.error.hide()

        form = QFormLayout()
        form.addRow("问题所在场所", self.place)
        form.addRow("问题类别", self.category)
        form.addRow("紧急程度", self.urgency)
        form.addRow("问题描述", self.description)
        form.addRow("位置说明", self.location)
        gps_row = QHBoxLayout()
        gps_row.addWidget(self.gps, 1)
        gps_row.addWidget(self.use_place_gps)
        form.addRow("", gps_row)
        photo_row = QHBoxLayout()
        photo_row.addWidget(self.photos_label, 1)
        photo_row.addWidget(add_photo)
        form.addRow("现场照片", photo_row)
        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton("上报", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        hint = QLabel("紧急情况（如燃气泄漏、起火）请先拨打 119 / 乡镇值班电话，再补报。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#8a6d00;")
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _use_place_gps(self) -> None:
        place = next((p for p in self.places if p.unit_id == self.place.currentData()), None)
        if place is None or place.lat is None or place.lon is None:
            self.show_error("该场所没有登记坐标，请填写位置说明。")
            return
        self.set_position(place.lat, place.lon)

    def set_position(self, lat: float, lon: float) -> None:
        self.lat, self.lon = lat, lon
        self.gps.setText(f"坐标：{lat:.5f}, {lon:.5f}")

    def _add_photos(self) -> None:
        files = open_file_names(self, "选择现场照片", IMAGE_FILTER)
        self.add_photo_paths([Path(f) for f in files])

    def add_photo_paths(self, paths: list[Path]) -> None:
        self.photo_paths.extend(paths)
        self.photos_label.setText(f"照片：{len(self.photo_paths)} 张")

    def report(self) -> ReportInput:
        return ReportInput(
            unit_id=str(self.place.currentData() or ""),
            category=self.category.currentText(),
            description=self.description.toPlainText(),
            urgency=str(self.urgency.currentData()),
            lat=self.lat,
            lon=self.lon,
            location=self.location.text(),
            visit_id=self.visit_id,
        )

    def _submit(self) -> None:
        self.error.hide()
        self.ok.setEnabled(False)
        self.submitted.emit(self.report(), list(self.photo_paths))

    def show_error(self, message: str) -> None:
        self.ok.setEnabled(True)
        self.error.setText(message)
        self.error.show()
