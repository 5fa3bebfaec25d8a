"""巡查: a grid worker's patrol — start it, record each place with the "六个一" (走看闻听讲记),
problems by class and the action taken, report a hazard, follow the reports (跟踪), finish, print."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.tasks import ACTIONS, ASPECT_HINTS, ASPECTS, PLACE_KINDS, PROBLEM_CLASSES
from inspector.services.evidence.photo_list import ListedPhoto
from inspector.services.evidence.photos import IMAGE_FILTER, PreparedPhoto
from inspector.services.facade import Services
from inspector.services.patrols.patrol import (
    GridInfo,
    PatrolView,
    Place,
    ReportInput,
    ReportRow,
    VisitInput,
    VisitView,
)
from inspector.ui.dialogs.photo_viewer import PhotoViewer, open_viewer
from inspector.ui.dialogs.report_dialog import ReportDialog
from inspector.ui.file_dialogs import open_file_names
from inspector.ui.refresh import ChangeFollower
from inspector.ui.tasks import TaskRunner
from inspector.ui.widgets.flow_layout import FlowLayout
from inspector.ui.widgets.photo_strip import PhotoStrip
from inspector.util.clock import to_local
from inspector.util.dates import QT_DAY_FORMAT, moment_text

PROBLEM_ROWS = 3
SIGNED = (("", "未请签名"), ("signed", "已签名"), ("refused", "拒绝签名"))


class PatrolPage(QWidget):
    message = Signal(str, str)
    pdf_ready = Signal(str, bytes)  # title, PDF: shown in the print preview

    def __init__(self, services: Services, tasks: TaskRunner) -> None:
        super().__init__()
        self.services, self.tasks = services, tasks
        ChangeFollower(
            self, tasks, lambda ch: ch.reference, lambda _ch: self.load(), loads_when_shown=True
        )
        self.patrol: PatrolView | None = None
        self.places: list[Place] = []
        self.visit_id: str | None = None
        self.report_dialog: ReportDialog | None = None

        title = QLabel("网格巡查")
        title.setStyleSheet("font-size:20px; font-weight:bold;")
        self.header = QLabel("")
        self.header.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addWidget(self.header, 1)

        # -- no patrol running: start one
        self.grid = QComboBox()
        self.companions = QLineEdit()
        self.companions.setPlaceholderText("同行人员（可不填）")
        self.start_button = QPushButton("开始巡查")
        self.start_button.setMinimumHeight(44)
        self.start_button.clicked.connect(self._start)
        start = QWidget()
        sf = QFormLayout(start)
        sf.addRow("巡查网格", self.grid)
        sf.addRow("同行人员", self.companions)
        sf.addRow("", self.start_button)

        # -- a patrol running: places on the left, the place's record on the right
        self.visits = QListWidget()
        self.visits.currentRowChanged.connect(self._visit_chosen)
        new_visit = QPushButton("＋ 记录一处场所")
        new_visit.setMinimumHeight(40)
        new_visit.clicked.connect(self.new_visit)
        self.summary = QLineEdit()
        self.summary.setPlaceholderText("巡查小结（可不填）")
        self.finish_button = QPushButton("结束巡查")
        self.finish_button.setMinimumHeight(40)
        self.finish_button.clicked.connect(self._finish)
        discard = QPushButton("删除本次巡查")
        discard.setToolTip("误点“开始巡查”时使用：只有还没有记录任何场所的巡查才能删除")
        discard.clicked.connect(self._discard)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("本次巡查的场所"))
        ll.addWidget(self.visits, 1)
        ll.addWidget(new_visit)
        ll.addWidget(self.summary)
        ll.addWidget(self.finish_button)
        ll.addWidget(discard)
        self.editor = self._build_editor()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.editor)
        running = QSplitter()
        running.addWidget(left)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(scroll, 1)
        rl.addLayout(self.editor_actions)
        running.addWidget(right)
        running.setChildrenCollapsible(False)
        running.setSizes([240, 900])

        self.stack = QStackedWidget()
        self.stack.addWidget(start)
        self.stack.addWidget(running)

        # -- reports and past patrols (跟踪)
        self.reports = QListWidget()
        self.reports.setMaximumHeight(84)
        self.print_last = QPushButton("打印最近一次巡查记录")
        self.print_last.clicked.connect(self._print_last)
        tail = QHBoxLayout()
        tail.addWidget(QLabel("我的上报（跟踪办理进度，同步后更新）"), 1)
        tail.addWidget(self.print_last)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.stack, 1)
        layout.addLayout(tail)
        layout.addWidget(self.reports)

    def _build_editor(self) -> QWidget:
        w = QWidget()
        self.place = QComboBox()
        self.place.setMinimumWidth(200)
        self.place.currentIndexChanged.connect(self._place_chosen)
        add_place = QPushButton("新场所…")
        add_place.setToolTip("九小场所、出租房、自建房等没有登记的场所")
        add_place.clicked.connect(self._add_place)
        self.kind = QComboBox()
        self.kind.addItems(PLACE_KINDS)
        place_row = QHBoxLayout()
        place_row.addWidget(self.place, 1)
        place_row.addWidget(add_place)
        place_row.addWidget(QLabel("类型"))
        place_row.addWidget(self.kind)

        # no quote marks: the style sizes a group title by its ink, not its advance, and the
        # wide bearings of CJK punctuation then cut off the last character
        six = QGroupBox("六个一巡查情况")
        grid = QGridLayout(six)
        self.notes: dict[str, QLineEdit] = {}
        self.photo_buttons: dict[str, QPushButton] = {}
        for n, (aspect, label) in enumerate(ASPECTS.items()):
            edit = QLineEdit()
            edit.setPlaceholderText(ASPECT_HINTS[aspect])
            edit.setMinimumHeight(34)
            button = QPushButton("照片 0")
            button.setToolTip("为这一项添加照片（先保存场所记录）")
            button.clicked.connect(lambda _=False, a=aspect: self._add_photo(a))
            self.notes[aspect] = edit
            self.photo_buttons[aspect] = button
            tag = QLabel(label)
            tag.setStyleSheet("font-weight:bold;")
            grid.addWidget(tag, n, 0)
            grid.addWidget(edit, n, 1)
            grid.addWidget(button, n, 2)
        # the place's photos: each with its item and time; double-click or Enter opens it large
        self.photo_strip = PhotoStrip(self.services, self.tasks)
        self.photo_strip.open_requested.connect(self._open_photo)
        self.photo_viewer: PhotoViewer | None = None
        grid.addWidget(QLabel("本处照片"), len(ASPECTS), 0)
        grid.addWidget(self.photo_strip, len(ASPECTS), 1, 1, 2)

        problems = QGroupBox("发现的问题（按类别，可不填）")
        pl = QGridLayout(problems)
        self.problem_class: list[QComboBox] = []
        self.problem_text: list[QLineEdit] = []
        for n in range(PROBLEM_ROWS):
            c = QComboBox()
            c.addItems(PROBLEM_CLASSES)
            t = QLineEdit()
            t.setPlaceholderText("问题描述")
            self.problem_class.append(c)
            self.problem_text.append(t)
            pl.addWidget(c, n, 0)
            pl.addWidget(t, n, 1)

        act = QGroupBox("处置")
        al = FlowLayout(act)  # the boxes wrap on a narrow screen
        self.action_boxes: dict[str, QCheckBox] = {}
        for a in ACTIONS:
            box = QCheckBox(a)
            self.action_boxes[a] = box
            al.addWidget(box)
        self.fixed = QCheckBox("当场整改")
        self.has_deadline = QCheckBox("限期")
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat(QT_DAY_FORMAT)
        self.deadline.setEnabled(False)
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        al.addWidget(self.fixed)
        al.addWidget(self.has_deadline)
        al.addWidget(self.deadline)

        self.party = QLineEdit()
        self.party.setPlaceholderText("现场人员姓名")
        self.signed = QComboBox()
        for code, label in SIGNED:
            self.signed.addItem(label, code)
        party_row = QHBoxLayout()
        party_row.addWidget(self.party, 1)
        party_row.addWidget(self.signed)

        self.save_button = QPushButton("保存场所记录")
        self.report_button = QPushButton("上报隐患…")
        self.notice_button = QPushButton("打印整改通知书")
        for b in (self.save_button, self.report_button, self.notice_button):
            b.setMinimumHeight(40)
        self.save_button.clicked.connect(self.save_visit)
        self.report_button.clicked.connect(self.open_report)
        self.notice_button.clicked.connect(self._print_notice)
        # the place's actions sit under the scrolling form, always in reach
        self.editor_actions = QHBoxLayout()
        self.editor_actions.addWidget(self.save_button)
        self.editor_actions.addWidget(self.report_button)
        self.editor_actions.addWidget(self.notice_button)
        self.editor_actions.addStretch(1)

        form = QFormLayout()
        form.addRow("场所", place_row)
        form.addRow("现场人员", party_row)
        layout = QVBoxLayout(w)
        layout.addLayout(form)
        layout.addWidget(six)
        layout.addWidget(problems)
        layout.addWidget(act)
        layout.addStretch(1)
        return w

    # -- loading -------------------------------------------------------------------------------
    def load(self) -> None:
        patrols = self.services.patrols
        self.tasks.read(
            lambda: (patrols.grids(), patrols.open_patrol(), patrols.reports()),
            on_done=self._loaded,
        )

    def _loaded(self, data: tuple[list[GridInfo], PatrolView | None, list[ReportRow]]) -> None:
        grids, patrol, reports = data
        keep = self.grid.currentData()
        self.grid.clear()
        for g in grids:
            self.grid.addItem(f"{g.township} · {g.name}", g.id)
        if keep:
            self.grid.setCurrentIndex(max(0, self.grid.findData(keep)))
        self.start_button.setEnabled(bool(grids))
        self._show_reports(reports)
        self.patrol = patrol
        if patrol is None:
            self.stack.setCurrentIndex(0)
            self.header.setText("" if grids else "本机还没有网格信息：请先登录并同步。")
            return
        self.stack.setCurrentIndex(1)
        started = moment_text(patrol.started_at)
        where = f"{patrol.grid.township} · {patrol.grid.name}" if patrol.grid else ""
        self.header.setText(f"{where}　{started} 开始　已记录 {len(patrol.visits)} 处")
        grid_id = patrol.grid.id if patrol.grid else None
        self.tasks.read(self.services.patrols.places, grid_id, on_done=self._places_loaded)

    def _places_loaded(self, places: list[Place]) -> None:
        self.places = places
        self.place.blockSignals(True)
        self.place.clear()
        for p in places:
            self.place.addItem(p.name + (f"（{p.address}）" if p.address else ""), p.unit_id)
        self.place.blockSignals(False)
        self._show_visits()

    def _show_visits(self) -> None:
        assert self.patrol is not None
        keep = self.visit_id
        self.visits.blockSignals(True)
        self.visits.clear()
        for v in self.patrol.visits:
            mark = "⚠ " if v.data.problems else ""
            item = QListWidgetItem(f"{mark}{v.place_name}\n{to_local(v.visited_at):%H:%M}")
            item.setData(Qt.ItemDataRole.UserRole, v.id)
            self.visits.addItem(item)
        self.visits.blockSignals(False)
        ids = [v.id for v in self.patrol.visits]
        if keep in ids:
            self.visits.setCurrentRow(ids.index(keep))
        elif not ids:
            self.new_visit()

    def _show_reports(self, reports: list[ReportRow]) -> None:
        self.reports.clear()
        for r in reports:
            urgent = "【紧急】" if r.urgency == "urgent" else ""
            self.reports.addItem(
                f"{r.number}　{urgent}{r.place_name}：{r.category} — {r.description[:30]}"
                f"　［{r.state_label}］"
            )
        if not reports:
            self.reports.addItem("还没有上报。")

    def _start(self) -> None:
        grid_id = self.grid.currentData()
        if not grid_id:
            self.message.emit("请选择要巡查的网格。", "error")
            return
        self.tasks.write(
            self.services.patrols.start,
            grid_id,
            self.companions.text(),
            on_done=self._started,
            on_error=lambda m: self.message.emit(m, "error"),
        )

    def _started(self, _patrol_id: str) -> None:
        self.message.emit("巡查已开始。每到一处，选择场所，按“六个一”记录后保存。", "ok")
        self.load()

    # -- one place ------------------------------------------------------------------------------
    def current_visit(self) -> VisitView | None:
        if self.patrol is None or self.visit_id is None:
            return None
        return next((v for v in self.patrol.visits if v.id == self.visit_id), None)

    def new_visit(self) -> None:
        self.visit_id = None
        self.visits.clearSelection()
        self._fill(None)

    def _visit_chosen(self, row: int) -> None:
        if self.patrol is None or not 0 <= row < len(self.patrol.visits):
            return
        v = self.patrol.visits[row]
        self.visit_id = v.id
        self._fill(v)

    def _place_chosen(self, _index: int) -> None:
        place = next((p for p in self.places if p.unit_id == self.place.currentData()), None)
        if place is not None and self.visit_id is None:
            kind = place.kind if place.kind in PLACE_KINDS else "企业"
            self.kind.setCurrentText(kind)

    def _fill(self, v: VisitView | None) -> None:
        d = v.data if v else VisitInput(unit_id="")
        if v is not None:
            self.place.setCurrentIndex(max(0, self.place.findData(v.unit_id)))
        self.kind.setCurrentText(d.place_kind)
        for aspect, edit in self.notes.items():
            edit.setText(d.observations.get(aspect, ""))
            count = v.photo_counts.get(aspect, 0) if v else 0
            self.photo_buttons[aspect].setText(f"照片 {count}")
            self.photo_buttons[aspect].setEnabled(v is not None)
        self.photo_strip.set_photos([])
        if v is not None:
            self.tasks.read(
                self.services.photo_edits.visit_photos,
                v.id,
                on_done=partial(self._show_photos, v.id),
            )
        for n in range(PROBLEM_ROWS):
            cls, text = d.problems[n] if n < len(d.problems) else (PROBLEM_CLASSES[0], "")
            self.problem_class[n].setCurrentText(cls)
            self.problem_text[n].setText(text)
        for a, box in self.action_boxes.items():
            box.setChecked(a in d.actions)
        self.fixed.setChecked(d.fixed_on_spot)
        self.has_deadline.setChecked(d.deadline is not None)
        when = d.deadline or self.services.ctx.clock.today()
        self.deadline.setDate(QDate(when.year, when.month, when.day))
        self.party.setText(d.party)
        self.signed.setCurrentIndex(max(0, self.signed.findData(d.party_signed)))
        self.notice_button.setEnabled(v is not None and bool(d.problems))

    def visit_input(self) -> VisitInput:
        qd = self.deadline.date()
        return VisitInput(
            unit_id=str(self.place.currentData() or ""),
            place_kind=self.kind.currentText(),
            observations={a: e.text() for a, e in self.notes.items() if e.text().strip()},
            problems=[
                (self.problem_class[n].currentText(), self.problem_text[n].text())
                for n in range(PROBLEM_ROWS)
                if self.problem_text[n].text().strip()
            ],
            actions=[a for a, box in self.action_boxes.items() if box.isChecked()],
            fixed_on_spot=self.fixed.isChecked(),
            deadline=date(qd.year(), qd.month(), qd.day())
            if self.has_deadline.isChecked()
            else None,
            party=self.party.text(),
            party_signed=str(self.signed.currentData() or ""),
        )

    def save_visit(self) -> None:
        if self.patrol is None:
            return
        self.tasks.write(
            self.services.patrols.save_visit,
            self.patrol.id,
            self.visit_input(),
            self.visit_id,
            on_done=self._saved,
            on_error=lambda m: self.message.emit(m, "error"),
        )

    def _saved(self, visit_id: str) -> None:
        self.visit_id = visit_id
        self.message.emit("场所记录已保存。", "ok")
        self.load()

    def _add_place(self) -> None:
        if self.patrol is None or self.patrol.grid is None:
            return
        name, ok = QInputDialog.getText(
            self, "新场所", "场所名称（如：张记小吃店、沙河村12号出租房）"
        )
        if not ok or not name.strip():
            return
        kind, ok = QInputDialog.getItem(self, "新场所", "场所类型", list(PLACE_KINDS[1:]), 0, False)
        if not ok:
            return
        address, _ = QInputDialog.getText(self, "新场所", "地址或门牌号")
        self.tasks.write(
            self.services.patrols.add_place,
            self.patrol.grid.id,
            name,
            kind,
            address,
            on_done=self._place_added,
            on_error=lambda m: self.message.emit(m, "error"),
        )

    def _place_added(self, unit_id: str) -> None:
        grid_id = self.patrol.grid.id if self.patrol and self.patrol.grid else None

        def chosen(places: list[Place]) -> None:
            self._places_loaded(places)
            self.place.setCurrentIndex(max(0, self.place.findData(unit_id)))

        self.tasks.read(self.services.patrols.places, grid_id, on_done=chosen)

    def _add_photo(self, aspect: str) -> None:
        if self.visit_id is None:
            self.message.emit("请先保存场所记录，再添加照片。", "info")
            return
        files = open_file_names(self, f"{ASPECTS[aspect]}：选择照片", IMAGE_FILTER)
        patrols, visit_id = self.services.patrols, self.visit_id

        def store(photo: PreparedPhoto) -> None:
            self.tasks.write(
                patrols.add_visit_photo,
                visit_id,
                aspect,
                photo,
                on_done=self._photo_added,
                on_error=self._photo_failed,
            )

        for f in files:  # decoded, scaled and watermarked on the pool; stored on the writer
            self.tasks.read(
                patrols.prepare_visit_photo, Path(f), on_done=store, on_error=self._photo_failed
            )

    def _photo_failed(self, message: str) -> None:
        self.message.emit(message, "error")

    def _show_photos(self, visit_id: str, photos: list[ListedPhoto]) -> None:
        if visit_id == self.visit_id:
            self.photo_strip.set_photos(photos, lambda p: ASPECTS.get(p.aspect, "照片"))

    def _open_photo(self, index: int) -> None:
        photos = self.photo_strip.viewer_photos()
        self.photo_viewer = open_viewer(
            self, self.services, self.tasks, photos, index, self._photo_added
        )

    def _photo_added(self, _value: object = None) -> None:
        self.load()

    # -- report, finish, print -----------------------------------------------------------------
    def open_report(self) -> None:
        unit_id = self.place.currentData() if self.patrol else None
        dialog = ReportDialog(self.places or [], unit_id, self.visit_id, self)
        dialog.submitted.connect(lambda data, paths: self._report(dialog, data, paths))
        self.report_dialog = dialog
        dialog.open()

    def _report(self, dialog: ReportDialog, data: ReportInput, paths: list[Path]) -> None:
        patrols = self.services.patrols

        def store(photos: list[PreparedPhoto]) -> None:
            self.tasks.write(
                patrols.report,
                replace(data, photos=[*data.photos, *photos]),
                on_done=lambda _report_id: self._reported(dialog),
                on_error=dialog.show_error,
            )

        # the photos are prepared on the pool, the report and its photos stored on the writer
        self.tasks.read(
            patrols.prepare_report_photos, paths, on_done=store, on_error=dialog.show_error
        )

    def _reported(self, dialog: ReportDialog) -> None:
        dialog.accept()
        self.message.emit("已上报。同步后乡镇受理，办理进度会显示在“我的上报”。", "ok")
        self.load()

    def _finish(self) -> None:
        if self.patrol is None:
            return
        self.tasks.write(
            self.services.patrols.finish,
            self.patrol.id,
            self.summary.text(),
            on_done=self._finished,
            on_error=lambda m: self.message.emit(m, "error"),
        )

    def _finished(self, _value: None) -> None:
        self.message.emit("巡查已结束，记录已保存，同步后上传。可打印巡查记录。", "ok")
        self.summary.clear()
        self.visit_id = None
        self.load()

    def _discard(self) -> None:
        if self.patrol is None:
            return
        self.tasks.write(
            self.services.patrols.discard,
            self.patrol.id,
            on_done=self._discarded,
            on_error=lambda m: self.message.emit(m, "error"),
        )

    def _discarded(self, _value: None) -> None:
        self.load()

    def _print_last(self) -> None:
        self.tasks.read(
            self.services.patrols.patrol_pdf,
            None,
            on_done=lambda pdf: self.pdf_ready.emit("网格安全巡查记录", pdf),
            on_error=lambda m: self.message.emit(m, "error"),
        )

    def _print_notice(self) -> None:
        if self.visit_id is None:
            return
        self.tasks.read(
            self.services.patrols.notice_pdf,
            self.visit_id,
            on_done=lambda pdf: self.pdf_ready.emit("安全隐患整改通知书", pdf),
            on_error=lambda m: self.message.emit(m, "error"),
        )
