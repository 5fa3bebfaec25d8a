"""文书: the register of issued and voided documents (文书台账) and what can be done with one —
preview/print, register the handwritten signatures, void with a reason, correct, start the 复查 of an
order, make its 送达回执, export the register to Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.document_kinds import ORDER_KINDS, PENALTY_DECISION, SPECS, follow_up_kinds
from inspector.services.changes import Done
from inspector.services.documents import VOIDED, DocumentRow, Draft, SignerInput
from inspector.services.documents.case_file import Case
from inspector.services.facade import Services
from inspector.ui.file_dialogs import open_file_name, save_file_name
from inspector.ui.models.table_model import Index, RowsModel
from inspector.ui.refresh import ChangeFollower
from inspector.ui.tasks import TaskRunner
from inspector.ui.widgets.flow_layout import FlowLayout
from inspector.util.dates import day_text

COLUMNS = ("单位", "文书种类", "文号", "签发日期", "状态", "签名", "打印份数")


def case_deadlines_text(case: Case) -> str:
    """ "本案期限：行政处罚告知书 陈述、申辩期限至 2026-12-09（已届满）；…" ("" when none)."""
    parts = [
        f"{e.title}{e.number} {d.label}至 {day_text(d.due)}" + ("（已届满）" if d.passed else "")
        for e in case.entries
        for d in e.deadlines
    ]
    return "本案期限：" + "；".join(parts) + "。" if parts else ""


class RegisterModel(RowsModel):
    rows: list[DocumentRow]

    def __init__(self) -> None:
        super().__init__(COLUMNS)

    def data(self, index: Index, role: int = 0) -> Any:
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            status = r.status_label
            if r.supersedes:
                status += f"（更正 {r.supersedes}）"
            return (
                r.unit_name,
                r.title,
                r.number,
                day_text(r.issued_on),
                status,
                r.signing,
                str(r.print_count),
            )[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and r.status == VOIDED:
            return QColor("#9e9e9e")
        if role == Qt.ItemDataRole.ToolTipRole and r.void_reason:
            return f"作废理由：{r.void_reason}"
        return None


class ChoosePeopleDialog(QDialog):
    """Pick the (at least two) inspectors for a 复查."""

    def __init__(self, people: list[Any], me: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("选择复查人员")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("复查须由两名以上执法人员进行："))
        self.boxes: list[tuple[QCheckBox, str]] = []
        for p in people:
            box = QCheckBox(f"{p.name}（执法证号 {p.cert_no or '无'}）")
            box.setMinimumHeight(36)
            box.setChecked(p.id == me)
            self.boxes.append((box, p.id))
            layout.addWidget(box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> list[str]:
        return [pid for box, pid in self.boxes if box.isChecked()]


def _refusal_toggled(signed: QCheckBox, refused: bool) -> None:
    """Refused and signed exclude each other; taking a refusal back does not tick 已签名."""
    signed.setChecked(False)
    signed.setEnabled(not refused)


class PaperSigningDialog(QDialog):
    """After printing: who signed by hand, who refused (reason, witness), and the photo of the
    signed copy."""

    def __init__(self, signers: list[SignerInput], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("登记手写签名")
        self.photo: Path | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("请勾选已在纸质文书上签名的人；拒绝签名的，写明理由和见证人："))
        self.rows: list[tuple[SignerInput, QCheckBox, QCheckBox, QLineEdit, QLineEdit]] = []
        for s in signers:
            # nobody counts as signed until the person ticks it: a wrong tick would be on the record
            signed = QCheckBox(f"{s.name or '（未填姓名）'} 已签名")
            refused = QCheckBox("拒绝签名")
            reason, witness = QLineEdit(), QLineEdit()
            reason.setPlaceholderText("拒签理由")
            witness.setPlaceholderText("见证人")
            refused.setVisible(s.role != "officer")
            reason.setVisible(s.role != "officer")
            witness.setVisible(s.role != "officer")
            refused.toggled.connect(lambda on, box=signed: _refusal_toggled(box, on))
            row = QHBoxLayout()
            for w in (signed, refused, reason, witness):
                row.addWidget(w)
            layout.addLayout(row)
            self.rows.append((s, signed, refused, reason, witness))
        self.photo_label = QLabel("签字文书照片：未选择")
        pick = QPushButton("选择签字文书照片…")
        pick.clicked.connect(self._pick)
        layout.addWidget(self.photo_label)
        layout.addWidget(pick)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("登记")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for _s, signed, refused, _r, _w in self.rows:
            signed.toggled.connect(self._ticks_changed)
            refused.toggled.connect(self._ticks_changed)
        self._ticks_changed()

    def _ticks_changed(self) -> None:
        """登记 only once somebody is ticked as signed or as refusing."""
        self.ok_button.setEnabled(bool(self.signers()))

    def _pick(self) -> None:
        path = open_file_name(self, "签字文书照片", "图片 (*.jpg *.jpeg *.png)")
        if path:
            self.photo = Path(path)
            self.photo_label.setText(f"签字文书照片：{path}")

    def signers(self) -> list[SignerInput]:
        out = []
        for s, signed, refused, reason, witness in self.rows:
            if refused.isChecked():
                out.append(
                    SignerInput(
                        s.role,
                        s.name,
                        refused=True,
                        refusal_reason=reason.text().strip(),
                        witness=witness.text().strip(),
                    )
                )
            elif signed.isChecked():
                out.append(SignerInput(s.role, s.name, s.cert_no))
        return out


class DocumentsPage(QWidget):
    """The register; each action runs through the services on a worker thread."""

    draft_ready = Signal(object)  # Draft: the main window opens the draft dialog
    pdf_ready = Signal(str, bytes, str)  # title, PDF, document id
    message = Signal(str, str)

    def __init__(
        self, services: Services, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services, self.tasks = services, tasks
        ChangeFollower(
            self,
            tasks,
            lambda ch: bool(ch.documents),
            lambda _ch: self.load(),
            loads_when_shown=True,
        )
        self.model = RegisterModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setDefaultSectionSize(40)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((260, 200, 250, 100, 180, 90)):
            self.view.setColumnWidth(col, width)
        self.view.doubleClicked.connect(lambda _i: self.open_pdf())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._enable())

        self.kind = QComboBox()
        self.kind.addItem("全部文书", "")
        self.kind.addItem("现场检查记录", "site_record")
        for spec in SPECS.values():
            self.kind.addItem(spec.title, spec.kind)
        self.kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind.setMinimumContentsLength(12)
        self.status = QComboBox()
        for label, value in (("全部状态", ""), ("已签发", "issued"), ("已作废", "voided")):
            self.status.addItem(label, value)
        self.unit_text = QLineEdit()
        self.unit_text.setPlaceholderText("单位名称")
        self.unit_text.returnPressed.connect(self.load)
        for w in (self.kind, self.status):
            w.currentIndexChanged.connect(self.load)
        export = QPushButton("导出台账（Excel）…")
        export.clicked.connect(self.export)
        # filters and actions wrap into more rows on a narrow screen; no button is hidden
        filters = FlowLayout()
        for widget in (QLabel("文书台账"), self.kind, self.status, self.unit_text, export):
            filters.addWidget(widget)

        self.buttons: dict[str, QPushButton] = {}
        # the decisions that follow the selected issued document (先保处, 延长 / 处理 of a 查扣)
        self.follow_menu = QMenu(self)
        self.follow_menu.aboutToShow.connect(self._fill_follow_menu)
        actions = FlowLayout()
        for key, label, slot in (
            ("open", "预览 / 打印", self.open_pdf),
            ("sign", "登记手写签名…", self.register_signing),
            ("review", "开始复查…", self.start_review),
            ("receipt", "送达回执…", self.make_receipt),
            ("decision", "处罚决定书…", self.make_decision),
            ("case", "生成案卷…", self.make_case_file),
            ("follow", "后续文书…", None),
            ("void", "作废…", self.void),
            ("correct", "更正…", self.correct),
        ):
            b = QPushButton(label)
            b.setMinimumHeight(44)
            if slot is None:
                b.setMenu(self.follow_menu)
            else:
                b.clicked.connect(slot)
            self.buttons[key] = b
            actions.addWidget(b)
        self.count = QLabel("")
        self.deadlines = QLabel("")  # the periods running in the selected document's case
        self.deadlines.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(actions)
        layout.addWidget(self.deadlines)
        layout.addWidget(self.count)
        self._enable()

    # -- list ----------------------------------------------------------------------------------
    def load(self) -> None:
        kind, status = self.kind.currentData() or None, self.status.currentData() or None
        unit_text = self.unit_text.text()

        def read() -> tuple[list[DocumentRow], int]:
            rows = self.services.documents.register(kind=kind, status=status, unit_text=unit_text)
            today = self.services.ctx.clock.today()
            # the month's figure comes from the one count 统计 shows (services/overview)
            return rows, self.services.overview.figures(today.year, today.month).documents

        self.tasks.read(read, on_done=self._show)

    def _show(self, listed: tuple[list[DocumentRow], int]) -> None:
        rows, this_month = listed
        self.model.set_rows(rows)
        self.count.setText(
            f"共 {len(rows)} 份（本页所列，含已作废）；本月签发且有效 {this_month} 份（与“统计”同一口径）"
        )
        self._enable()

    def selected(self) -> DocumentRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _enable(self) -> None:
        r = self.selected()
        issued = r is not None and r.status == "issued"
        self.buttons["open"].setEnabled(r is not None)
        self.buttons["sign"].setEnabled(issued and r is not None and r.signing == "手写签名")
        order = issued and r is not None and r.kind in ORDER_KINDS
        self.buttons["review"].setEnabled(order)
        self.buttons["receipt"].setEnabled(issued and r is not None and r.kind != "service_receipt")
        self.buttons["decision"].setEnabled(issued and r is not None and r.kind == "penalty_notice")
        self.buttons["case"].setEnabled(r is not None and r.kind in (*SPECS, "site_record"))
        self.buttons["follow"].setEnabled(
            issued and r is not None and bool(follow_up_kinds(r.kind))
        )
        self.buttons["void"].setEnabled(issued)
        self.buttons["correct"].setEnabled(r is not None and r.status == VOIDED and r.kind in SPECS)
        self._show_deadlines(r)

    def _show_deadlines(self, r: DocumentRow | None) -> None:
        """The deadlines that run in the selected document's case (陈述申辩, 听证, 先保, 查扣)."""
        self.deadlines.setText("")
        if r is None:
            return
        self.tasks.read(
            self.services.documents.case_of,
            r.id,
            on_done=lambda case: self.deadlines.setText(case_deadlines_text(case)),
            on_error=lambda _message: self.deadlines.setText(""),
        )

    # -- actions -------------------------------------------------------------------------------
    def open_pdf(self) -> None:
        r = self.selected()
        if r is None:
            return
        voided = r.status == VOIDED
        self.tasks.read(
            self.services.documents.pdf,
            r.id,
            on_done=lambda packet: self.pdf_ready.emit(
                f"【已作废】{packet[0]}" if voided else packet[0],
                packet[1],
                "" if voided else r.id,  # a voided document's copies are not counted
            ),
        )

    def void(self) -> None:
        r = self.selected()
        if r is None:
            return
        reason, ok = QInputDialog.getText(
            self, "作废文书", f"作废 {r.number}。请写明作废理由（如：单位名称写错）："
        )
        if not ok:
            return
        self.tasks.write(
            self.services.documents.void,
            r.id,
            reason,
            on_done=lambda ch: self._done(ch, f"{r.number} 已作废。如需更正，请选中后点“更正…”。"),
        )

    def correct(self) -> None:
        r = self.selected()
        if r is not None:
            self.tasks.read(
                self.services.documents.draft_correction, r.id, on_done=self.draft_ready.emit
            )

    def make_receipt(self) -> None:
        self._draft_from_selected("service_receipt")

    def make_decision(self) -> None:
        """行政处罚决定书（一般程序） from the selected issued 行政处罚告知书."""
        self._draft_from_selected(PENALTY_DECISION)

    def make_case_file(self) -> None:
        """The 案卷 PDF of the selected document's case, shown in the preview to save or print
        (its copies are not counted as prints of any one document)."""
        r = self.selected()
        if r is not None:
            self.tasks.read(
                self.services.documents.case_pdf,
                r.id,
                on_done=lambda packet: self.pdf_ready.emit(packet[0], packet[1], ""),
            )

    def _draft_from_selected(self, kind: str) -> None:
        r = self.selected()
        if r is not None:
            self.tasks.read(
                self.services.documents.draft_from_document,
                kind,
                r.id,
                on_done=self.draft_ready.emit,
            )

    def _fill_follow_menu(self) -> None:
        """One entry per follow-up kind of the selected issued document."""
        self.follow_menu.clear()
        r = self.selected()
        if r is None or r.status != "issued":
            return
        for spec in follow_up_kinds(r.kind):
            action = self.follow_menu.addAction(spec.title)
            action.triggered.connect(
                lambda _checked=False, kind=spec.kind: self._draft_from_selected(kind)
            )

    def start_review(self) -> None:
        r = self.selected()
        if r is None:
            return
        self.tasks.read(
            lambda: (
                self.services.inspections.people(),
                self.services.inspections.current_user_id(),
            ),
            on_done=lambda data: self._choose_reviewers(r, data),
        )

    def _choose_reviewers(self, r: DocumentRow, data: tuple[list[Any], str | None]) -> None:
        people, me = data
        dialog = ChoosePeopleDialog([p for p in people if p.role == "inspector"], me, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        chosen = dialog.chosen()

        def start_and_draft() -> Done[Draft]:
            started = self.services.documents.start_review(r.id, chosen)
            draft = self.services.documents.draft_from_document("review_opinion", r.id)
            return Done(draft, started.changes)

        self.tasks.write(start_and_draft, on_done=self.draft_ready.emit)

    def register_signing(self) -> None:
        r = self.selected()
        if r is None:
            return
        self.tasks.read(
            self.services.documents.paper_signers, r.id, on_done=lambda s: self._ask_signing(r, s)
        )

    def _ask_signing(self, r: DocumentRow, signers: list[SignerInput]) -> None:
        dialog = PaperSigningDialog(signers, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.tasks.write(
            self.services.documents.record_paper_signing,
            r.id,
            dialog.signers(),
            dialog.photo,
            on_done=lambda ch: self._done(ch, f"已登记 {r.number} 的签名情况。"),
        )

    def export(self) -> None:
        path = save_file_name(self, "导出文书台账", "文书台账.xlsx", "Excel (*.xlsx)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        rows = list(self.model.rows)
        self.tasks.read(
            self.services.documents.export_register,
            path,
            rows,
            on_done=lambda p: self.message.emit(f"已导出 {len(rows)} 份文书到 {p}", "ok"),
        )

    def _done(self, _value: object, text: str) -> None:
        self.message.emit(text, "ok")  # the register reloads itself from the runner's changes
