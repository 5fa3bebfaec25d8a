"""One hazard (隐患): description, grade, place, legal basis, measure and deadline."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.authorities import AUTHORITY_NAMES, OWN_AUTHORITY
from inspector.domain.enums import HazardGrade
from inspector.services.hazards.deadlines import deadline_problem, default_deadline
from inspector.services.inspections.recording import HazardInput
from inspector.services.inspections.views import HazardView
from inspector.ui.dialogs.form_dialog import FormDialog
from inspector.util.dates import QT_DAY_FORMAT


class HazardDialog(FormDialog):
    """Emits `submitted(HazardInput)`; the page stores it and closes the dialog on success."""

    def __init__(
        self,
        hazard: HazardView | None,
        today: date,
        parent: QWidget | None = None,
        *,
        default_days: int,  # the settings' default_deadline_days
    ) -> None:
        super().__init__("编辑隐患" if hazard else "新增检查发现（检查表以外）", parent=parent)
        self.hazard_id = hazard.id if hazard else None
        self.description = QPlainTextEdit(hazard.description if hazard else "")
        self.description.setPlaceholderText(
            "写明部位、现象和数量，例如：二车间打磨工位除尘器灰斗积尘约 5 厘米"
        )
        self.grade = QComboBox()
        for g in HazardGrade:
            self.grade.addItem(g.label, g.value)
        if hazard:
            self.grade.setCurrentIndex(self.grade.findData(hazard.grade))
        # whose matter it is: another authority's finding is transferred, not ordered
        self.authority = QComboBox()
        for code, name in AUTHORITY_NAMES.items():
            self.authority.addItem(f"{code}（{name}）", code)
        self.authority.setCurrentIndex(
            self.authority.findData(hazard.authority if hazard else OWN_AUTHORITY)
        )
        self.location = QLineEdit(hazard.location if hazard else "")
        self.basis = QPlainTextEdit(hazard.legal_basis if hazard else "")
        self.measure = QPlainTextEdit(hazard.measure if hazard else "")
        for edit in (self.basis, self.measure):
            edit.setMaximumHeight(80)
        self.today = today
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat(QT_DAY_FORMAT)
        self.deadline.setMinimumDate(QDate(today.year, today.month, today.day))
        d = hazard.deadline if hazard and hazard.deadline else None
        d = d or default_deadline(today, default_days)
        self.deadline.setDate(QDate(d.year, d.month, d.day))
        # the documents' refusal of a deadline that is not after today, said beside the field
        self.deadline_problem = QLabel("")
        self.deadline_problem.setStyleSheet("color:#b00020;")
        self.deadline_problem.setWordWrap(True)
        self.deadline.dateChanged.connect(lambda _d: self._check_deadline())
        deadline_cell = QWidget()
        cell = QVBoxLayout(deadline_cell)
        cell.setContentsMargins(0, 0, 0, 0)
        cell.addWidget(self.deadline)
        cell.addWidget(self.deadline_problem)
        self._check_deadline()
        self.add_rows(
            ("隐患描述：", self.description),
            ("隐患等级：", self.grade),
            ("所属职权：", self.authority),
            ("部位：", self.location),
            ("依据：", self.basis),
            ("整改措施：", self.measure),
            ("整改期限：", deadline_cell),
        )

    def _check_deadline(self) -> None:
        qd = self.deadline.date()
        problem = deadline_problem(date(qd.year(), qd.month(), qd.day()), self.today)
        self.deadline_problem.setText(problem)
        self.deadline_problem.setVisible(bool(problem))

    def value(self) -> HazardInput:
        qd = self.deadline.date()
        return HazardInput(
            description=self.description.toPlainText(),
            grade=self.grade.currentData(),
            location=self.location.text(),
            legal_basis=self.basis.toPlainText(),
            measure=self.measure.toPlainText(),
            deadline=date(qd.year(), qd.month(), qd.day()),
            authority=self.authority.currentData(),
        )
