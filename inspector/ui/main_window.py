"""The main window: left navigation, the pages, a message bar and the status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.services.changes import after_sync
from inspector.services.counts import Unsynced
from inspector.services.desk import PeopleDesk
from inspector.services.documents import Draft, IssuedDocument
from inspector.services.documents.drafts import SavedDraft
from inspector.services.facade import Services
from inspector.services.inspections.recording import StartInspection
from inspector.services.people.role import NO_ENFORCEMENT, Identity, read_identity
from inspector.services.sync.engine import CLOCK_WARN_S
from inspector.ui.dialogs.document_draft import DocumentDraftDialog
from inspector.ui.dialogs.help_dialog import HelpDialog
from inspector.ui.dialogs.pdf_preview import PdfPreviewDialog
from inspector.ui.dialogs.plan_builder import PlanBuilderDialog
from inspector.ui.dialogs.start_inspection import StartInspectionDialog
from inspector.ui.pages.documents_page import DocumentsPage
from inspector.ui.pages.hazards_page import hazards_page
from inspector.ui.pages.inspection_page import InspectionPage
from inspector.ui.pages.lists_page import HomePage, inspections_page
from inspector.ui.pages.map_page import MapPage
from inspector.ui.pages.overview_page import OverviewPage
from inspector.ui.pages.patrol_page import PatrolPage
from inspector.ui.pages.sync_page import SyncPage
from inspector.ui.pages.tasks_page import TasksPage
from inspector.ui.pages.units_page import UnitsPage
from inspector.ui.tasks import TaskRunner
from inspector.ui.widgets.message_bar import MessageBar
from inspector.ui.widgets.person_badge import PersonBadge
from inspector.util.clock import offset_direction, offset_words
from inspector.util.dates import moment_text

log = logging.getLogger("inspector.ui")

NAV = (
    ("home", "首页"),
    ("tasks", "待办"),
    ("patrol", "巡查"),
    ("units", "单位"),
    ("inspection", "检查"),
    ("hazards", "隐患"),
    ("documents", "文书"),
    ("overview", "统计"),
    ("map", "地图"),
    ("sync", "同步"),
)
# the pages each role sees: a grid worker patrols and reports, an inspector enforces
ROLE_PAGES: dict[str, frozenset[str]] = {
    "grid_worker": frozenset({"tasks", "patrol", "units", "sync"}),
    "inspector": frozenset(k for k, _ in NAV) - {"patrol"},
    "admin": frozenset(k for k, _ in NAV),
}


class MainWindow(QMainWindow):
    def __init__(
        self,
        services: Services,
        tasks: TaskRunner | None = None,
        *,
        desk: PeopleDesk | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        # set when another person's store is to be shown: the window closes and the app opens
        # a new one on it (ui.app.run_gui), so no page can hold the previous person's data
        self.next_services: Services | None = None
        self.tasks = tasks or TaskRunner(self)
        # from here on every write to this person's store runs on the runner's writer thread
        self.tasks.serve(services.ctx)
        self.setWindowTitle("安全生产现场执法检查终端")
        self.resize(1366, 860)
        self.start_dialog: StartInspectionDialog | None = None
        self.preview: PdfPreviewDialog | None = None

        self.nav = QListWidget()
        self.nav.setFixedWidth(120)
        self.nav.setIconSize(QSize(24, 24))
        self.nav.setStyleSheet(
            "QListWidget{background:#1f3a5f; color:white; font-size:17px; border:none;}"
            "QListWidget::item{height:56px; padding-left:18px;}"
            "QListWidget::item:selected{background:#2f5f96;}"
        )
        self.pages = QStackedWidget()
        self.home = HomePage(services, self.tasks)
        self.units = UnitsPage(services, self.tasks)
        self.inspection = InspectionPage(services, self.tasks)
        self.inspection_list = inspections_page(services, self.tasks)
        self.hazards = hazards_page(services, self.tasks)
        self.documents = DocumentsPage(services, self.tasks)
        self.sync_page = SyncPage(services, self.tasks, desk=desk)
        self.tasks_page = TasksPage(services, self.tasks)
        self.patrol = PatrolPage(services, self.tasks)
        self.overview = OverviewPage(services, self.tasks)
        self.map = MapPage(services, self.tasks)
        self.role = "inspector"
        self.plan_dialog: PlanBuilderDialog | None = None
        self._shortcuts: list[QShortcut] = []
        self.draft_dialog: DocumentDraftDialog | None = None
        inspection_stack = QStackedWidget()
        inspection_stack.addWidget(self.inspection_list)
        inspection_stack.addWidget(self.inspection)
        self.inspection_stack = inspection_stack
        # each page and what showing it loads: the units page loads at start and keeps its search
        # as it was; the inspection list loads when it, not an open inspection, is in front
        nav_pages: dict[str, tuple[QWidget, Callable[[], None] | None]] = {
            "home": (self.home, self.home.load),
            "units": (self.units, None),
            "inspection": (inspection_stack, self._load_inspection_list),
            "hazards": (self.hazards, self.hazards.load),
            "documents": (self.documents, self.documents.load),
            "sync": (self.sync_page, self.sync_page.load),
            "tasks": (self.tasks_page, self.tasks_page.load),
            "patrol": (self.patrol, self.patrol.load),
            "overview": (self.overview, self.overview.load),
            "map": (self.map, self.map.load),
        }
        self._page_index: dict[str, int] = {}
        self._load_on_show: dict[str, Callable[[], None]] = {}
        for key, label in NAV:
            widget, load = nav_pages[key]
            self._page_index[key] = self.pages.addWidget(widget)
            if load is not None:
                self._load_on_show[key] = load
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._nav_changed)

        self.messages = MessageBar()
        body = QWidget()
        bl = QVBoxLayout(body)
        bl.setContentsMargins(8, 8, 8, 0)
        bl.addWidget(self.pages, 1)
        central = QWidget()
        cl = QHBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        cl.addWidget(self.nav)
        cl.addWidget(body, 1)
        self.setCentralWidget(central)

        self.network_label = QLabel("● 离线")
        self.network_label.setStyleSheet("color:#9e9e9e; padding:0 12px;")
        self.unsynced_label = QLabel("")
        self.clock_label = QLabel("")
        self.busy_label = QLabel("")
        self.person = PersonBadge()  # who is signed in, and as what (issue 18)
        for w in (self.person, self.network_label, self.unsynced_label, self.clock_label):
            self.statusBar().addPermanentWidget(w)
        self.statusBar().addWidget(self.busy_label)
        # always there, one fixed height: a message never moves the page (docs/ARCHITECTURE.md)
        self.statusBar().insertWidget(0, self.messages, 1)
        self.pages.currentChanged.connect(self.messages.clear)
        inspection_stack.currentChanged.connect(self.messages.clear)
        self.tasks.changed.connect(lambda _changes: self.messages.clear_error())
        QShortcut(QKeySequence(Qt.Key.Key_F1), self).activated.connect(self.show_help)
        self.help_dialog: HelpDialog | None = None

        self.tasks.error.connect(lambda m: self.messages.show_message(m, "error"))
        self.tasks.busy_changed.connect(lambda n: self.busy_label.setText("正在处理…" if n else ""))
        for page in (self.home, self.units, self.inspection_list, self.hazards):
            page.open_inspection_requested.connect(self.open_inspection)
        self.units.start_inspection_requested.connect(self.ask_start_inspection)
        self.units.message.connect(self.messages.show_message)
        # the pages follow the runner's changes themselves (inspector.ui.refresh); the window
        # keeps only its own status bar current
        self.tasks.changed.connect(lambda _changes: self.refresh_status())
        self.inspection.message.connect(self.messages.show_message)
        self.inspection.record_ready.connect(self.show_record)
        self.inspection.back_requested.connect(self.show_inspection_list)
        self.inspection.document_requested.connect(self.draft_document)
        self.documents.draft_ready.connect(self.open_draft)
        self.documents.pdf_ready.connect(self.show_document)
        self.hazards.message.connect(self.messages.show_message)
        self.documents.message.connect(self.messages.show_message)
        self.sync_page.message.connect(self.messages.show_message)
        self.sync_page.synced.connect(self._after_sync)
        self.sync_page.person_changed.connect(self.switch_person)
        self.sync_page.identity_changed.connect(self._identity_changed)
        for other in (self.tasks_page, self.patrol, self.overview, self.map):
            other.message.connect(self.messages.show_message)
        self.tasks_page.start_inspection_requested.connect(
            lambda unit_id, _task: self.ask_start_inspection(unit_id)
        )
        self.tasks_page.plan_requested.connect(self.open_plan_builder)
        self.patrol.pdf_ready.connect(lambda title, pdf: self.show_document(title, pdf, ""))
        self.map.open_unit_requested.connect(self.open_unit)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self).activated.connect(
            self._focus_search
        )

        self._status_timer = QTimer(self)
        self._status_timer.setInterval(60_000)
        self._status_timer.timeout.connect(self.refresh_status)
        self._status_timer.start()

    # -- navigation ----------------------------------------------------------------------------
    def start(self) -> None:
        self.apply_role("inspector")
        self.go("units")
        self.home.load()
        self.units.load()
        self.refresh_status()
        if settings_problems := self.services.ctx.settings.report():
            self.messages.show_message(settings_problems, "error")
        self.tasks.read(self.services.work_plan.role, on_done=self._role_known)

    def _role_known(self, role: str) -> None:
        if role != self.role:
            self.apply_role(role)
            if role == "grid_worker":
                self.go("patrol")

    def apply_role(self, role: str) -> None:
        """Show the pages of the signed-in person's role (Ctrl+1… follow the visible order)."""
        self.role = role if role in ROLE_PAGES else "inspector"
        visible = ROLE_PAGES[self.role]
        for sc in self._shortcuts:
            sc.setEnabled(False)
            sc.deleteLater()
        self._shortcuts = []
        n = 0
        for row, (key, _label) in enumerate(NAV):
            self.nav.item(row).setHidden(key not in visible)
            if key in visible:
                n += 1
                sc = QShortcut(QKeySequence(f"Ctrl+{n % 10}"), self)
                sc.activated.connect(lambda k=key: self.go(k))
                self._shortcuts.append(sc)
        self.tasks_page.set_role(self.role)
        self.units.start_button.setVisible(self.role != "grid_worker")  # no enforcement act
        current = NAV[self.nav.currentRow()][0] if self.nav.currentRow() >= 0 else ""
        if current and current not in visible:
            self.go(next(k for k, _ in NAV if k in visible))

    def open_unit(self, unit_id: str) -> None:
        self.go("units")
        self.units.show_unit(unit_id)

    def open_plan_builder(self) -> None:
        self.tasks.read(self.services.plan.propose, on_done=self._show_plan_builder)

    def _show_plan_builder(self, proposals: list[Any]) -> None:
        dialog = PlanBuilderDialog(proposals, self, self.services.ctx.clock.today())
        dialog.planned.connect(lambda ids, due: self._plan_chosen(dialog, ids, due))
        self.plan_dialog = dialog
        dialog.open()

    def _plan_chosen(self, dialog: PlanBuilderDialog, ids: list[str], due: Any) -> None:
        self.tasks.write(
            self.services.work_plan.create_own,
            ids,
            due,
            on_done=lambda _v: self._planned(dialog, len(ids)),
            on_error=dialog.show_error,
        )

    def _planned(self, dialog: PlanBuilderDialog, n: int) -> None:
        dialog.accept()
        self.messages.show_message(f"已把 {n} 家单位加入待办。", "ok")

    def go(self, key: str) -> None:
        row = [k for k, _ in NAV].index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)
        else:
            self._nav_changed(row)

    def _nav_changed(self, row: int) -> None:
        key = NAV[row][0]
        self.pages.setCurrentIndex(self._page_index[key])
        if load := self._load_on_show.get(key):
            load()

    def _load_inspection_list(self) -> None:
        if self.inspection_stack.currentWidget() is self.inspection_list:
            self.inspection_list.load()

    def _focus_search(self) -> None:
        self.go("units")
        self.units.search.setFocus()
        self.units.search.selectAll()

    def show_inspection_list(self) -> None:
        self.inspection_stack.setCurrentWidget(self.inspection_list)
        self.inspection_list.load()
        self.go("inspection")

    def open_inspection(self, inspection_id: str) -> None:
        self.inspection_stack.setCurrentWidget(self.inspection)
        self.go("inspection")
        self.inspection.open(inspection_id)

    # -- starting an inspection ----------------------------------------------------------------
    def ask_start_inspection(self, unit_id: str) -> None:
        if self.role == "grid_worker":
            self.messages.show_message(NO_ENFORCEMENT, "error")
            return

        def gather() -> tuple[object, ...]:
            s = self.services
            return (
                s.units.detail(unit_id),
                s.inspections.people(),
                s.inspections.checklists(),
                s.inspections.current_user_id(),
                s.plan.visit_check(unit_id),
            )

        self.tasks.read(gather, on_done=self._open_start_dialog)

    def _open_start_dialog(self, data: tuple[object, ...]) -> None:
        detail, people, checklists, me, visit_check = data
        industry = detail.unit["industry"]  # type: ignore[attr-defined]
        codes = [c.code for c in checklists if c.industry == industry]  # type: ignore[attr-defined]
        dialog = StartInspectionDialog(
            detail,  # type: ignore[arg-type]
            people,  # type: ignore[arg-type]
            checklists,  # type: ignore[arg-type]
            me,  # type: ignore[arg-type]
            codes,
            self,
            visit_check=visit_check,  # type: ignore[arg-type]
        )
        dialog.submitted.connect(self._start_submitted)
        self.start_dialog = dialog
        dialog.open()

    def _start_submitted(self, request: StartInspection) -> None:
        dialog = self.start_dialog
        assert dialog is not None
        self.tasks.write(
            self.services.inspections.start,
            request,
            on_done=lambda inspection_id: self._started(dialog, inspection_id),
            on_error=dialog.show_error,
        )

    def _started(self, dialog: StartInspectionDialog, inspection_id: str) -> None:
        dialog.accept()
        self.open_inspection(inspection_id)
        self.messages.show_message(
            "检查已开始。逐项标记“符合 / 不符合 / 不涉及”，每项修改即时保存。", "ok"
        )

    # -- after a sync ------------------------------------------------------------------------
    def _after_sync(self, units_changed: bool) -> None:
        """A sync run (or a conflict settled) changed what is pending and maybe the units."""
        self._show_connection()
        self.tasks.read(self.services.work_plan.role, on_done=self._role_known)
        self.tasks.announce(after_sync(units_changed))

    def _show_connection(self) -> None:
        """Online means: the last sync reached the server (a desktop app cannot know more
        without probing the network all the time)."""
        report = self.sync_page.last_report
        if report is not None and report.ok and report.last_ok is not None:
            at = report.last_ok.astimezone().strftime("%H:%M")
            self.network_label.setText(f"● 已连接（{at} 同步）")
            self.network_label.setStyleSheet("color:#2e7d32; padding:0 12px;")
        else:
            self.network_label.setText("● 离线")
            self.network_label.setStyleSheet("color:#9e9e9e; padding:0 12px;")

    def _identity_changed(self) -> None:
        """Signed in or out in this window: no sync has reached the server for this person yet."""
        self.sync_page.last_report = None
        self._show_connection()
        self.tasks.read(self.services.work_plan.role, on_done=self._role_known)
        self.refresh_status()

    def refresh_status(self) -> None:
        ctx = self.services.ctx
        self.tasks.read(
            lambda: (
                self.services.unsynced(),
                self.services.clock_offset(),
                read_identity(ctx, session=self.services.sync.has_session()),
            ),
            on_done=self._show_status,
        )

    def _show_status(self, status: tuple[Unsynced, float | None, Identity]) -> None:
        unsynced, offset, who = status
        self.person.show_identity(who)
        self.unsynced_label.setText(unsynced.text())
        if offset is None:
            self.clock_label.setText("时钟：尚未与服务器校准")
        elif abs(offset) > CLOCK_WARN_S:
            self.clock_label.setText(
                f"⚠ 本机时钟{offset_direction(offset)}{offset_words(offset)}，请校准"
                "（时间已按服务器校正）"
            )
            self.clock_label.setStyleSheet("color:#b00020;")
        else:
            self.clock_label.setText(f"时钟偏差 {offset:+.0f} 秒")

    def show_record(self, packet: tuple[object, bytes]) -> None:
        rec, pdf = packet
        number = getattr(rec, "number", None)
        title = f"现场检查记录 {number}" if number else "现场检查记录"
        # only an issued (numbered) record counts its printed copies; a draft is just looked at
        self.show_document(title, pdf, str(getattr(rec, "document_id", "")) if number else "")

    # -- documents -----------------------------------------------------------------------------
    def draft_document(self, kind: str, inspection_id: str) -> None:
        self.tasks.read(
            self.services.documents.draft_from_inspection,
            kind,
            inspection_id,
            on_done=self.open_draft,
        )

    def open_draft(self, draft: Draft) -> None:
        """Show the form, after asking whether to go on with a saved draft of the same case."""
        documents, drafts = self.services.documents, self.services.drafts
        self.tasks.read(
            lambda: (documents.electronic_signing_allowed(draft.agency_id), drafts.find(draft)),
            on_done=lambda found: self._show_draft(draft, *found),
        )

    def ask_restore(self, saved: SavedDraft) -> bool:
        """Continue the saved draft (True) or start again from the record (False)?"""
        when = moment_text(saved.saved_at)
        box = QMessageBox(self)
        box.setWindowTitle("未签发的草稿")
        text = f"这份{saved.draft.spec.title}有一份 {when} 保存、尚未签发的草稿。"
        if saved.had_signatures:
            text += "\n草稿中的签名不保存，继续编辑后请各方重新签名。"
        box.setText(text)
        resume = box.addButton("继续编辑草稿", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("重新填写", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(resume)
        box.exec()
        return box.clickedButton() is resume

    def _show_draft(self, draft: Draft, electronic_allowed: bool, saved: SavedDraft | None) -> None:
        restored = saved is not None and self.ask_restore(saved)
        if saved is not None and restored:
            draft = saved.draft
        elif saved is not None:
            self.tasks.write(self.services.drafts.discard, draft)
        dialog = DocumentDraftDialog(
            draft,
            self.services,
            self.tasks,
            electronic_allowed=electronic_allowed,
            restored=restored,
            parent=self,
        )
        # the preview belongs to the form: it scrolls, prints and closes while the form stays open
        dialog.preview_ready.connect(lambda t, pdf: self.show_document(t, pdf, "", owner=dialog))
        dialog.issued.connect(self.document_issued)
        self.draft_dialog = dialog
        dialog.open()

    def document_issued(self, result: IssuedDocument) -> None:
        note = f"已签发 {result.number}。请打印，由各方签名后交被检查单位一份、存档一份。"
        if result.low_warning:
            note += result.low_warning
        self.messages.show_message(note, "info" if result.low_warning else "ok")
        self.tasks.read(
            self.services.documents.pdf,
            result.document_id,
            on_done=lambda packet: self.show_document(packet[0], packet[1], result.document_id),
        )

    def show_document(
        self, title: str, pdf: bytes, document_id: str, owner: QWidget | None = None
    ) -> None:
        self.preview = PdfPreviewDialog(
            pdf,
            title,
            self.tasks,
            owner or self,
            document_id=document_id or None,
            print_service=self.services.printing,
        )
        self.preview.printed.connect(lambda _n: self.documents.load())
        self.preview.show()

    def show_help(self) -> None:
        """F1: the short help, over the window the person is in (a dialog if one is open)."""
        owner = QApplication.activeModalWidget() or QApplication.activeWindow() or self
        if self.help_dialog is None or self.help_dialog.parentWidget() is not owner:
            self.help_dialog = HelpDialog(owner)
        self.help_dialog.show()
        self.help_dialog.activateWindow()

    def switch_person(self, services: Services) -> None:
        """Close this window on the current person's store; the app reopens on `services`."""
        self.next_services = services
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._status_timer.stop()
        self.inspection.save_pending_text()
        if self.draft_dialog is not None and self.draft_dialog.isVisible():
            self.draft_dialog.autosave()  # the last seconds of typing, before the writer stops
        self._status_timer.stop()  # it would ask the stopped runner for a read a minute later
        self.tasks.shutdown()
        super().closeEvent(event)
