"""The form in which an inspector edits a document before it is issued (never the PDF itself).

Everything the reviewer's rules look at is here: the party, the kind's own fields, each problem
(included, or excluded with a reason), deadlines, the 清单 rows, how it is signed (paper by default;
on screen where the agency allows it) and refusals with reason and witness. 检查 lists what still
stops the issue; 预览 shows the PDF without a number; 签发 numbers and freezes it.

The form saves itself every few seconds once it differs from how it opened (services.drafts), and
closing it asks whether to keep the draft, throw it away or go back, so neither a flat battery
nor a mistaken 取消 costs the inspector a form filled in front of the unit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.documents.model import Party
from inspector.domain.document_kinds import FieldSpec
from inspector.services.documents import ELECTRONIC, PAPER, Draft, IssuedDocument
from inspector.services.documents.drafts import draft_json
from inspector.services.facade import Services
from inspector.services.sync.trusted_time import TimeCheck
from inspector.ui.dialogs.time_confirm import NOT_CONFIRMED, ask_time_confirmed
from inspector.ui.tasks import TaskRunner
from inspector.ui.widgets.signature_pad import SignatureDialog
from inspector.util.dates import QT_DAY_FORMAT

_NO_DATE = QDate(2000, 1, 1)
AUTOSAVE_MS = 2000
KEEP, DISCARD, STAY = "keep", "discard", "stay"
VERDICTS = (("", "请选择"), ("ok", "已整改"), ("failed", "未整改"))


def _date_edit(value: date | None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(QT_DAY_FORMAT)
    edit.setMinimumDate(_NO_DATE)
    edit.setSpecialValueText("未设")
    edit.setDate(QDate(value.year, value.month, value.day) if value else _NO_DATE)
    edit.setMinimumHeight(36)
    return edit


def _date_of(edit: QDateEdit) -> date | None:
    d = edit.date()
    if d == _NO_DATE:
        return None
    return date(d.year(), d.month(), d.day())


class SignerRow(QWidget):
    """One signer: sign on screen (electronic), or mark a refusal with reason and witness."""

    def __init__(self, role_label: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.png: bytes | None = None
        self.name_label = QLabel(f"{role_label}：{name or '（未填）'}")
        self.sign_button = QPushButton("签名…")
        self.sign_button.setMinimumHeight(36)
        self.state = QLabel("未签")
        self.refused = QCheckBox("拒绝签名")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("拒签理由")
        self.witness = QLineEdit()
        self.witness.setPlaceholderText("见证人姓名、单位")
        for w in (self.reason, self.witness):
            w.setEnabled(False)
        self.refused.toggled.connect(self.reason.setEnabled)
        self.refused.toggled.connect(self.witness.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name_label, 2)
        row.addWidget(self.sign_button)
        row.addWidget(self.state)
        row.addWidget(self.refused)
        row.addWidget(self.reason, 2)
        row.addWidget(self.witness, 2)


class DocumentDraftDialog(QDialog):
    issued = Signal(object)  # IssuedDocument
    preview_ready = Signal(str, bytes)  # title, PDF

    def __init__(
        self,
        draft: Draft,
        services: Services,
        tasks: TaskRunner,
        *,
        electronic_allowed: bool,
        restored: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.draft, self.services, self.tasks = draft, services, tasks
        self._opened_as = draft_json(draft)  # autosave starts once the form differs from this
        self._saved: str | None = self._opened_as if restored else None  # what the store holds
        spec = draft.spec
        self.setWindowTitle(f"制作{spec.title}")
        self.resize(1100, 860)
        body = QWidget()
        form = QVBoxLayout(body)
        title = QLabel(f"<b style='font-size:18px'>{spec.title}</b>　{draft.party.name}")
        form.addWidget(title)
        officers = "、".join(
            f"{o.name}（{o.cert_no}）" if o.cert_no else o.name for o in draft.officers
        )
        form.addWidget(QLabel(f"执法人员：{officers or '（无）'}"))

        # the party
        party_box = QGroupBox(
            spec.party_label or ("被处罚人" if spec.person else "被检查（被通知）单位")
        )
        pf = QFormLayout(party_box)
        self.party_edits: dict[str, QLineEdit] = {}
        keys = (
            [("name", "姓名"), ("gender", "性别"), ("age", "年龄"), ("id_no", "身份证号"),
             ("address", "住址"), ("workplace", "工作单位"), ("phone", "联系电话")]
            if spec.person
            else [("name", "单位名称"), ("address", "地址"), ("legal_rep", "负责人"),
                  ("legal_rep_title", "职务"), ("phone", "联系电话")]
        )  # fmt: skip
        if not spec.person and any(f.key == "party_type" for f in spec.fields):
            keys.append(("id_no", "身份证号（当事人为个人时）"))  # 罚告, 先保通: either party
        for key, label in keys:
            edit = QLineEdit(str(getattr(draft.party, key)))
            edit.setMinimumHeight(34)
            self.party_edits[key] = edit
            pf.addRow(label, edit)
        form.addWidget(party_box)

        # the kind's own fields
        self.field_widgets: dict[str, QWidget] = {}
        if spec.fields:
            box = QGroupBox("文书内容")
            ff = QFormLayout(box)
            for f in spec.fields:
                widget = self._field_widget(f, draft.fields.get(f.key, ""))
                self.field_widgets[f.key] = widget
                ff.addRow(f.label + ("" if f.required else "（选填）"), widget)
            form.addWidget(box)

        # the numbered items
        self.items_table: QTableWidget | None = None
        if spec.items_label:
            box = QGroupBox(f"{spec.items_label}（取消勾选的须写明不列入理由）")
            bl = QVBoxLayout(box)
            self.items_table = self._items_table()
            bl.addWidget(self.items_table)
            form.addWidget(box)

        # the 清单 / 送达 table
        self.rows_table: QTableWidget | None = None
        if spec.row_columns:
            box = QGroupBox(spec.rows_label)
            bl = QVBoxLayout(box)
            self.rows_table = self._rows_table()
            add = QPushButton(f"添加{spec.rows_noun}")
            remove = QPushButton("删除所选行")
            add.clicked.connect(lambda: self._add_row({}))
            remove.clicked.connect(self._remove_row)
            buttons = QHBoxLayout()
            buttons.addWidget(add)
            buttons.addWidget(remove)
            buttons.addStretch(1)
            bl.addWidget(self.rows_table)
            bl.addLayout(buttons)
            form.addWidget(box)

        # signing
        sign_box = QGroupBox("签名方式")
        sl = QVBoxLayout(sign_box)
        self.paper = QRadioButton("纸质签名：打印后由各方手写签名（默认）")
        self.electronic = QRadioButton("电子签名：各方在屏幕上签名，签名嵌入文书")
        self.electronic.setEnabled(electronic_allowed)
        if not electronic_allowed:
            self.electronic.setToolTip("本机关未启用电子签名")
        group = QButtonGroup(self)
        group.addButton(self.paper)
        group.addButton(self.electronic)
        (self.electronic if draft.signing == ELECTRONIC else self.paper).setChecked(True)
        sl.addWidget(self.paper)
        sl.addWidget(self.electronic)
        self.signer_rows: list[SignerRow] = []
        role_labels = {"officer": "执法人员", "party": "当事人", "recipient": "受送达人",
                       "witness": "见证人"}  # fmt: skip
        for signer in draft.signers:
            row = SignerRow(role_labels.get(signer.role, signer.role), signer.name)
            row.png = signer.image_png
            row.state.setText("已签" if signer.image_png else "未签")
            row.refused.setChecked(signer.refused)
            row.reason.setText(signer.refusal_reason)
            row.witness.setText(signer.witness)
            row.refused.setVisible(signer.role != "officer")
            row.reason.setVisible(signer.role != "officer")
            row.witness.setVisible(signer.role != "officer")
            row.sign_button.clicked.connect(lambda _=False, r=row: self._sign(r))
            self.signer_rows.append(row)
            sl.addWidget(row)
        self.paper.toggled.connect(self._signing_changed)
        self._signing_changed()
        self.with_photos = QCheckBox(f"附证据照片附页（{len(draft.photo_ids)} 张）")
        self.with_photos.setChecked(bool(draft.photo_ids))
        self.with_photos.setEnabled(bool(draft.photo_ids))
        sl.addWidget(self.with_photos)
        form.addWidget(sign_box)

        self.problems_label = QLabel("")
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color:#b00020; font-size:15px;")
        form.addWidget(self.problems_label)
        form.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.check_button = QPushButton("检查")
        self.preview_button = QPushButton("预览")
        self.issue_button = QPushButton("签发（取文号）" if spec.numbered else "签发")
        self.issue_button.setStyleSheet("font-weight:bold;")
        cancel = QPushButton("取消")
        for b in (self.check_button, self.preview_button, self.issue_button, cancel):
            b.setMinimumHeight(44)
        self.check_button.clicked.connect(self.check)
        self.preview_button.clicked.connect(self.preview)
        self.issue_button.clicked.connect(self.issue)
        cancel.clicked.connect(self.reject)
        self.saved_label = QLabel("已恢复上次保存的草稿" if restored else "")
        self.saved_label.setStyleSheet("color:#555;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.saved_label)
        buttons.addStretch(1)
        for b in (self.check_button, self.preview_button, self.issue_button, cancel):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()

    # -- widgets ---------------------------------------------------------------------------------
    def _field_widget(self, f: FieldSpec, value: str) -> QWidget:
        if f.kind == "multiline":
            edit = QPlainTextEdit(value)
            edit.setFixedHeight(80)
            edit.setPlaceholderText(f.hint)
            return edit
        if f.kind == "date":
            try:
                d: date | None = date.fromisoformat(value) if value else None
            except ValueError:
                d = None
            return _date_edit(d)
        if f.kind == "choice":
            combo = QComboBox()
            for v, label in f.choices:
                combo.addItem(label, v)
            index = combo.findData(value)
            combo.setCurrentIndex(max(index, 0))
            combo.setMinimumHeight(34)
            return combo
        if f.kind == "flag":
            box = QCheckBox()
            box.setChecked(bool(value))
            return box
        line = QLineEdit(value)
        line.setPlaceholderText(f.hint)
        line.setMinimumHeight(34)
        return line

    def _items_table(self) -> QTableWidget:
        reviews = self.draft.spec.reviews
        headers = (
            ["问题", "复查结果", "新的整改期限（未整改时）", "说明"]
            if reviews
            else ["列入", "问题", "依据", "整改期限", "不列入理由"]
        )
        table = QTableWidget(len(self.draft.items), len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setDefaultSectionSize(40)
        for r, item in enumerate(self.draft.items):
            if reviews:
                table.setItem(r, 0, QTableWidgetItem(item.text))
                combo = QComboBox()
                for v, label in VERDICTS:
                    combo.addItem(label, v)
                combo.setCurrentIndex(max(combo.findData(item.verdict), 0))
                table.setCellWidget(r, 1, combo)
                table.setCellWidget(r, 2, _date_edit(item.deadline))
                table.setItem(r, 3, QTableWidgetItem(item.note))
            else:
                check = QTableWidgetItem()
                check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                check.setCheckState(
                    Qt.CheckState.Checked if item.include else Qt.CheckState.Unchecked
                )
                table.setItem(r, 0, check)
                table.setItem(r, 1, QTableWidgetItem(item.text))
                table.setItem(r, 2, QTableWidgetItem(item.legal_basis))
                table.setCellWidget(r, 3, _date_edit(item.deadline))
                table.setItem(r, 4, QTableWidgetItem(item.exclude_reason))
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        table.setColumnWidth(0 if reviews else 1, 320)
        if not reviews:
            table.setColumnWidth(0, 48)
            table.setColumnWidth(2, 260)
            table.setColumnWidth(3, 150)
        table.setMinimumHeight(min(60 + 40 * len(self.draft.items), 320))
        return table

    def _rows_table(self) -> QTableWidget:
        columns = self.draft.spec.row_columns
        table = QTableWidget(0, len(columns))
        table.setHorizontalHeaderLabels([label for _k, label in columns])
        table.horizontalHeader().setStretchLastSection(True)
        table.setWordWrap(True)  # long answers wrap; the rows grow to hold them
        if len(columns) == 2:  # 问/答: the question gets room too
            table.setColumnWidth(0, 380)
        table.itemChanged.connect(lambda _item: table.resizeRowsToContents())
        table.setMinimumHeight(160)
        self.rows_table = table
        for row in self.draft.rows:
            self._add_row(row)
        return table

    def _add_row(self, values: dict[str, str]) -> None:
        table = self.rows_table
        assert table is not None
        r = table.rowCount()
        table.insertRow(r)
        for c, (key, _label) in enumerate(self.draft.spec.row_columns):
            table.setItem(r, c, QTableWidgetItem(values.get(key, "")))

    def _remove_row(self) -> None:
        table = self.rows_table
        if table is not None and table.currentRow() >= 0:
            table.removeRow(table.currentRow())

    def _signing_changed(self) -> None:
        electronic = self.electronic.isChecked()
        for row in self.signer_rows:
            row.sign_button.setEnabled(electronic)
            row.state.setVisible(electronic)

    def _sign(self, row: SignerRow) -> None:
        dialog = SignatureDialog(f"请 {row.name_label.text()} 在下方签名", self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            row.png = dialog.png()
            row.state.setText("已签" if row.png else "未签")

    # -- the draft from the widgets ------------------------------------------------------------
    def collect(self) -> Draft:
        d = self.draft
        party = replace(d.party, **{k: e.text().strip() for k, e in self.party_edits.items()})
        fields = dict(d.fields)
        for key, widget in self.field_widgets.items():
            if isinstance(widget, QPlainTextEdit):
                fields[key] = widget.toPlainText().strip()
            elif isinstance(widget, QDateEdit):
                value = _date_of(widget)
                fields[key] = value.isoformat() if value else ""
            elif isinstance(widget, QComboBox):
                fields[key] = str(widget.currentData() or "")
            elif isinstance(widget, QCheckBox):
                fields[key] = "yes" if widget.isChecked() else ""
            elif isinstance(widget, QLineEdit):
                fields[key] = widget.text().strip()
        items = [replace(i) for i in d.items]
        table = self.items_table
        if table is not None:
            for r, item in enumerate(items):
                if d.spec.reviews:
                    combo = table.cellWidget(r, 1)
                    deadline = table.cellWidget(r, 2)
                    assert isinstance(combo, QComboBox) and isinstance(deadline, QDateEdit)
                    item.verdict = str(combo.currentData() or "")
                    item.deadline = _date_of(deadline)
                    item.note = _cell(table, r, 3)
                else:
                    check = table.item(r, 0)
                    item.include = check is not None and check.checkState() == Qt.CheckState.Checked
                    item.text = _cell(table, r, 1)
                    item.legal_basis = _cell(table, r, 2)
                    deadline = table.cellWidget(r, 3)
                    assert isinstance(deadline, QDateEdit)
                    item.deadline = _date_of(deadline)
                    item.exclude_reason = _cell(table, r, 4)
        rows = list(d.rows)
        if self.rows_table is not None:
            rows = []
            for r in range(self.rows_table.rowCount()):
                row = {
                    key: _cell(self.rows_table, r, c)
                    for c, (key, _l) in enumerate(d.spec.row_columns)
                }
                if any(row.values()):
                    rows.append(row)
        signers = []
        for signer, signer_row in zip(d.signers, self.signer_rows, strict=True):
            signers.append(
                replace(
                    signer,
                    image_png=signer_row.png if self.electronic.isChecked() else None,
                    refused=signer_row.refused.isChecked(),
                    refusal_reason=signer_row.reason.text().strip(),
                    witness=signer_row.witness.text().strip(),
                )
            )
        return replace(
            d,
            party=party if isinstance(party, Party) else d.party,
            fields=fields,
            items=items,
            rows=rows,
            signing=ELECTRONIC if self.electronic.isChecked() else PAPER,
            signers=signers,
            photo_ids=list(d.photo_ids) if self.with_photos.isChecked() else [],
        )

    # -- saving the draft ----------------------------------------------------------------------
    def autosave(self) -> None:
        """Keep the form if it changed since it opened and since the last save (writer thread)."""
        draft = self.collect()
        text = draft_json(draft)
        if text == self._saved or (self._saved is None and text == self._opened_as):
            return
        self._saved = text
        self.tasks.write(
            self.services.drafts.save,
            draft,
            on_done=lambda at: self.saved_label.setText(
                f"草稿已自动保存（{at.astimezone():%H:%M:%S}）"
            ),
            on_error=lambda err: self.saved_label.setText(f"草稿未能保存：{err}"),
        )

    def close_choice(self) -> str:
        """Ask what becomes of the draft: KEEP, DISCARD or STAY."""
        box = QMessageBox(self)
        box.setWindowTitle("关闭文书草稿")
        box.setText("这份文书还没有签发。保留草稿，下次从这次检查再制作同一文书时可以继续编辑。")
        keep = box.addButton("保留草稿", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("放弃草稿", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("返回编辑", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        return KEEP if clicked is keep else DISCARD if clicked is discard else STAY

    def reject(self) -> None:
        """取消, Esc or the window's ×: nothing to ask when the form is as it opened and nothing
        is saved; otherwise keep the draft, throw it away, or go back to it."""
        text = draft_json(self.collect())
        if self._saved is None and text == self._opened_as:
            self._close(None)
            return
        choice = self.close_choice()
        if choice == STAY:
            return
        self._close(choice)

    def _close(self, choice: str | None) -> None:
        self.autosave_timer.stop()
        if choice == KEEP:
            self.autosave()
        elif choice == DISCARD:
            self.tasks.write(self.services.drafts.discard, self.draft)
        super().reject()

    # -- actions -------------------------------------------------------------------------------
    def show_problems(self, problems: list[str]) -> None:
        if problems:
            self.problems_label.setText("还不能签发：\n" + "\n".join(f"· {p}" for p in problems))
        else:
            self.problems_label.setStyleSheet("color:#1b5e20; font-size:15px;")
            self.problems_label.setText("检查通过，可以签发。")

    def show_error(self, message: str) -> None:
        self.problems_label.setStyleSheet("color:#b00020; font-size:15px;")
        self.problems_label.setText(message)
        self.issue_button.setEnabled(True)
        self.autosave_timer.start()

    def check(self) -> None:
        self.problems_label.setStyleSheet("color:#b00020; font-size:15px;")
        self.tasks.read(
            self.services.documents.problems,
            self.collect(),
            on_done=self.show_problems,
            on_error=self.show_error,
        )

    def preview(self) -> None:
        title = self.draft.spec.title
        self.problems_label.setText("正在生成预览…")
        self.tasks.read(
            self.services.documents.preview,
            self.collect(),
            on_done=lambda pdf: self._previewed(title, pdf),
            on_error=self.show_error,
        )

    def _previewed(self, title: str, pdf: bytes) -> None:
        self.problems_label.setText("")
        self.preview_ready.emit(f"{title}（预览，未编号）", pdf)

    def issue(self) -> None:
        self.issue_button.setEnabled(False)  # a double tap must not issue twice
        # the clock's correction is read on the pool (no database read on the GUI thread)
        self.tasks.read(self.services.time_check, on_done=self._issue_at, on_error=self.show_error)

    def _issue_at(self, check: TimeCheck | None) -> None:
        """Issue once the time the document will carry is confirmed (or needs no look)."""
        if check is not None and not ask_time_confirmed(self, check):
            self.show_error(NOT_CONFIRMED)
            return
        # no save may land after the issue removed the draft (the writer thread keeps order)
        self.autosave_timer.stop()
        self.problems_label.setText("正在签发…")
        self.tasks.write(
            partial(self.services.documents.issue, time_confirmed=check is not None),
            self.collect(),
            on_done=self._issued,
            on_error=self.show_error,
        )

    def _issued(self, result: IssuedDocument) -> None:
        self.issued.emit(result)
        self.accept()


def _cell(table: QTableWidget, row: int, col: int) -> str:
    item = table.item(row, col)
    return item.text().strip() if item is not None else ""
