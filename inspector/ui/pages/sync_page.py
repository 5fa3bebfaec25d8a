"""同步: the sync centre — who is signed in where, what waits to be sent, a sync run with progress
and cancel, records the server did not take (with 重试), the conflicts inbox and "可以安全退出登录吗？".

The run goes to a task-runner worker; its database writes are sent to the runner's writer one
short transaction at a time, so the rest of the app keeps working. Progress crosses to the GUI thread through a signal of a
QObject living on the GUI thread, never through widget calls from the worker.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.domain.record_kinds import record_name
from inspector.services.desk import PeopleDesk
from inspector.services.facade import Services
from inspector.services.sync.engine import (
    ConflictItem,
    Problem,
    SyncReport,
    SyncStatus,
)
from inspector.ui.dialogs.sign_in import SignInDialog
from inspector.ui.tasks import TaskRunner
from inspector.ui.widgets.buttons import touch_button
from inspector.util.clock import clock_warning
from inspector.util.dates import moment_text

# the steps of a run, in order, as the engine names them
STEPS = ("连接服务器", "上传附件", "上传记录", "下载更新")
BAR_MAX = 1000
PENDING_ORDER = ("inspection", "item_result", "hazard", "hazardevent", "photo", "document")


def _value(v: Any) -> str:
    return "（空）" if v is None or v == "" else str(v)


class _ProgressBridge(QObject):
    """Lives on the GUI thread; the worker only emits its signal (queued to the GUI thread)."""

    step = Signal(str, int, int)


class SyncPage(QWidget):
    message = Signal(str, str)  # text, kind (for the window's message bar)
    synced = Signal(bool)  # a run or an action ended; True when units may have changed
    # another person's own store is to be shown (signed in as someone else, or signed out)
    person_changed = Signal(object)
    identity_changed = Signal()  # signed in or out in this window (the status bar follows)

    def __init__(
        self,
        services: Services,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        desk: PeopleDesk | None = None,
    ):
        super().__init__(parent)
        self.services = services
        self.tasks = tasks
        tasks.serve(services.ctx)  # a run's database writes go to the runner's writer
        self.desk = desk  # one store per person; None: this store only (tests of one store)
        self.status: SyncStatus | None = None
        self.last_report: SyncReport | None = None
        self.sign_in_dialog: SignInDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self._cancel = threading.Event()
        self._running = False
        self._bridge = _ProgressBridge(self)
        self._bridge.step.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

        layout = QVBoxLayout(self)
        # account and clock
        account = QGroupBox("账户与服务器")
        al = QGridLayout(account)
        self.account_label = QLabel("尚未登录")
        self.last_sync_label = QLabel("上次同步：从未")
        self.clock_label = QLabel("时钟偏差：尚未与服务器校准")
        self.sign_in_button = touch_button("登录…", self.open_sign_in)
        self.sign_out_button = touch_button("退出登录", self.request_sign_out)
        al.addWidget(self.account_label, 0, 0)
        al.addWidget(self.sign_in_button, 0, 1)
        al.addWidget(self.sign_out_button, 0, 2)
        al.addWidget(self.last_sync_label, 1, 0)
        al.addWidget(self.clock_label, 2, 0, 1, 3)
        self.safe_label = QLabel("")
        self.safe_label.setWordWrap(True)
        al.addWidget(self.safe_label, 3, 0, 1, 3)
        layout.addWidget(account)

        # pending and the run
        run = QGroupBox("待同步")
        rl = QVBoxLayout(run)
        self.pending_label = QLabel("")
        self.pending_label.setWordWrap(True)
        rl.addWidget(self.pending_label)
        row = QHBoxLayout()
        self.sync_button = QPushButton("立即同步")
        self.sync_button.setMinimumHeight(56)
        self.sync_button.setStyleSheet("font-size:20px; font-weight:bold; padding:0 32px;")
        self.sync_button.clicked.connect(self.start_sync)
        row.addWidget(self.sync_button)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.setMinimumHeight(56)
        self.cancel_button.clicked.connect(self.cancel_sync)
        self.cancel_button.hide()
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        rl.addLayout(row)
        self.progress = QProgressBar()
        self.progress.setRange(0, BAR_MAX)
        self.progress.setValue(0)
        self.progress.setTextVisible(False)
        self.step_label = QLabel("")
        rl.addWidget(self.progress)
        rl.addWidget(self.step_label)
        self.report_label = QLabel("")
        self.report_label.setWordWrap(True)
        rl.addWidget(self.report_label)
        layout.addWidget(run)

        # problem records
        problems = QGroupBox("未被服务器接受的记录")
        pl = QVBoxLayout(problems)
        self.problems = QTableWidget(0, 4)
        self.problems.setHorizontalHeaderLabels(("种类", "记录", "原因", ""))
        self._stretch(self.problems, 2)
        pl.addWidget(self.problems)
        # the two lists side by side: the page fits a 700 px high screen
        lists = QHBoxLayout()
        lists.addWidget(problems, 1)
        layout.addLayout(lists, 1)

        # conflicts inbox
        conflicts = QGroupBox("冲突待处理（服务器的值已保留）")
        cl = QVBoxLayout(conflicts)
        self.conflicts = QTableWidget(0, 5)
        self.conflicts.setHorizontalHeaderLabels(("单位", "字段", "服务器的值", "本机的值", ""))
        self._stretch(self.conflicts, 0)
        cl.addWidget(self.conflicts)
        lists.addWidget(conflicts, 1)
        self._set_running(False)

    @staticmethod
    def _stretch(table: QTableWidget, column: int) -> None:
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setWordWrap(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

    # -- loading -------------------------------------------------------------------------------
    def load(self) -> None:
        self.tasks.read(self.services.sync.status, on_done=self.show_status)

    def show_status(self, st: SyncStatus) -> None:
        self.status = st
        if st.username:
            state = "已登录" if st.signed_in else "登录已失效，请重新登录"
            self.account_label.setText(f"{st.username} @ {st.server_url or '—'}（{state}）")
        else:
            self.account_label.setText("尚未登录同步服务器")
        self.sign_out_button.setEnabled(bool(st.username) and not self._running)
        last = st.last_sync_at
        self.last_sync_label.setText("上次同步：" + moment_text(last, "从未"))
        off = st.clock_offset_s
        if off is None:
            self.clock_label.setText("时钟偏差：尚未与服务器校准")
            self.clock_label.setStyleSheet("")
        elif st.clock_warning:
            self.clock_label.setText("⚠ " + clock_warning(off))
            self.clock_label.setStyleSheet("color:#b00020; font-weight:bold;")
        else:
            self.clock_label.setText(f"时钟偏差：{off:+.0f} 秒（正常）")
            self.clock_label.setStyleSheet("")
        self._show_pending(st)
        self._show_problems(st.problems)
        self._show_conflicts(st.conflicts)
        if st.safe_to_sign_out:
            self.safe_label.setText("可以安全退出登录吗？可以：本机没有未同步的数据。")
            self.safe_label.setStyleSheet("color:#1e4620;")
        else:
            left = st.unsynced.total
            self.safe_label.setText(
                f"可以安全退出登录吗？不可以：本机还有 {left} 条记录未同步到服务器，"
                "请先同步或处理下方的问题记录。"
            )
            self.safe_label.setStyleSheet("color:#b00020;")

    def _show_pending(self, st: SyncStatus) -> None:
        keys = [k for k in PENDING_ORDER if k in st.pending]
        keys += sorted(k for k in st.pending if k not in PENDING_ORDER)
        parts = [f"{record_name(k)} {st.pending[k]} 条" for k in keys]
        if parts:
            self.pending_label.setText("、".join(parts) + f"；共 {st.total_pending} 条待同步")
        else:
            self.pending_label.setText("没有待同步的记录（共 0 条）")

    def _show_problems(self, problems: list[Problem]) -> None:
        t = self.problems
        t.setRowCount(len(problems))
        for n, p in enumerate(problems):
            state = "" if p.state == "rejected" else "（下次同步重试）"
            t.setItem(n, 0, QTableWidgetItem(p.kind))
            t.setItem(n, 1, QTableWidgetItem(p.title or f"本机 {moment_text(p.queued_at)} 所记"))
            t.setItem(n, 2, QTableWidgetItem(p.reason + state))
            if p.state == "rejected":
                button = QPushButton("重试")
                button.clicked.connect(lambda _c=False, op=p.op_id: self.retry(op))
                t.setCellWidget(n, 3, button)
            else:
                t.removeCellWidget(n, 3)
        t.resizeRowsToContents()

    def _show_conflicts(self, items: list[ConflictItem]) -> None:
        t = self.conflicts
        t.setRowCount(len(items))
        for n, c in enumerate(items):
            t.setItem(n, 0, QTableWidgetItem(c.title))
            if c.deleted:
                fields, server, device = "（整个单位）", "已删除", "本机的修改"
            else:
                fields = "\n".join(f.label for f in c.fields)
                server = "\n".join(_value(f.server_value) for f in c.fields)
                device = "\n".join(_value(f.device_value) for f in c.fields)
            for col, text in ((1, fields), (2, server), (3, device)):
                item = QTableWidgetItem(text)
                item.setToolTip(c.reason)
                t.setItem(n, col, item)
            cell = QWidget()
            cl = QHBoxLayout(cell)
            cl.setContentsMargins(2, 2, 2, 2)
            accept = QPushButton("采用服务器值")
            accept.clicked.connect(lambda _c=False, op=c.op_id: self.settle(op, []))
            cl.addWidget(accept)
            if not c.deleted:
                keep = QPushButton("保留本机值")
                names = [f.field for f in c.fields]
                keep.clicked.connect(lambda _c=False, op=c.op_id, f=names: self.settle(op, f))
                cl.addWidget(keep)
            t.setCellWidget(n, 4, cell)
        t.resizeRowsToContents()

    # -- signing in and out --------------------------------------------------------------------
    def open_sign_in(self) -> None:
        st = self.status
        desk = self.desk
        sign_in = (
            (lambda url, user, pw: desk.sign_in(self.services, url, user, pw))
            if desk is not None
            else self.services.sync.sign_in
        )
        dialog = SignInDialog(
            sign_in,
            self.tasks,
            self,
            server_url=(st.server_url or "") if st else "",
            username=(st.username or "") if st else "",
        )
        dialog.signed_in.connect(self._signed_in)
        dialog.signed_in_to.connect(self._maybe_switch)
        self.sign_in_dialog = dialog
        dialog.open()

    def _signed_in(self, username: str) -> None:
        self.message.emit(f"已登录为 {username}。", "ok")
        self.load()
        self.identity_changed.emit()

    def _maybe_switch(self, result: object) -> None:
        if isinstance(result, Services) and result is not self.services:
            self.person_changed.emit(result)

    def request_sign_out(self) -> None:
        self.tasks.read(self.services.sync.status, on_done=self._ask_sign_out)

    def _ask_sign_out(self, st: SyncStatus) -> None:
        self.show_status(st)
        if st.safe_to_sign_out:
            self.sign_out()
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "本机还有未同步的数据",
            f"本机还有未同步到服务器的记录（{st.unsynced.text()}）。退出登录不会删除它们，"
            "但在重新登录并同步之前，"
            "服务器和同事看不到这些记录。\n\n建议先点“立即同步”。仍要退出登录吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("仍然退出登录")
        box.button(QMessageBox.StandardButton.No).setText("不退出")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.finished.connect(
            lambda code: self.sign_out() if code == QMessageBox.StandardButton.Yes else None
        )
        self.confirm_box = box
        self.message.emit("本机还有未同步的数据，未退出登录。", "info")
        box.open()

    def sign_out(self) -> None:
        if self.desk is not None:
            self.tasks.write(self.desk.sign_out, self.services, on_done=self._signed_out_to)
            return
        self.tasks.read(self.services.sync.sign_out, on_done=lambda _r: self._signed_out())

    def _signed_out_to(self, guest: Services) -> None:
        self._signed_out()
        self.person_changed.emit(guest)

    def _signed_out(self) -> None:
        self.message.emit("已退出登录。本机的记录都保留着。", "ok")
        self.load()
        self.identity_changed.emit()

    # -- a run ---------------------------------------------------------------------------------
    def _set_running(self, running: bool) -> None:
        self._running = running
        self.sync_button.setEnabled(not running)
        self.sync_button.setText("正在同步…" if running else "立即同步")
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.sign_in_button.setEnabled(not running)
        self.sign_out_button.setEnabled(not running and bool(self.status and self.status.username))

    @property
    def running(self) -> bool:
        return self._running

    def start_sync(self) -> None:
        if self._running:
            return
        if self.status is not None and not self.status.signed_in:
            self.message.emit("请先登录同步服务器。", "info")
            self.open_sign_in()
            return
        self._cancel.clear()
        self._set_running(True)
        self.progress.setValue(0)
        self.step_label.setText("正在连接服务器…")
        self.report_label.setText("")
        bridge, cancel = self._bridge, self._cancel

        def work() -> SyncReport:  # on the worker: only emits and reads the event
            return self.services.sync.run(
                lambda step, done, total: bridge.step.emit(step, done, total), cancel.is_set
            )

        self.tasks.read(work, on_done=self._finished, on_error=self._failed)

    def cancel_sync(self) -> None:
        if self._running:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.step_label.setText("正在取消…（当前请求完成后停止）")

    def _on_progress(self, step: str, done: int, total: int) -> None:
        if not self._running:
            return
        phase = STEPS.index(step) if step in STEPS else 0
        share = BAR_MAX // len(STEPS)
        within = (done / total) if total > 0 else 0.0
        value = phase * share + int(share * min(within, 1.0))
        self.progress.setValue(max(self.progress.value(), value))
        if total > 0:
            self.step_label.setText(f"{step}：{done} / {total}")
        else:
            self.step_label.setText(f"{step}：已下载 {done} 条")

    def _finished(self, report: SyncReport) -> None:
        self._set_running(False)
        self.last_report = report
        pulled = sum(report.pulled.values())
        summary = report.summary()
        if report.ok:
            self.progress.setValue(BAR_MAX)
            if report.waiting:  # reached the end, but the server sent records back
                headline, kind = "同步结束，但仍有记录未上传成功", "error"
            else:
                headline = "同步完成"
                kind = "info" if report.rejected or report.conflicts or report.warnings else "ok"
            self.step_label.setText(headline)
            self.report_label.setText(f"{headline}：{summary}。")
            self.message.emit(" ".join([f"{headline}：{summary}。", *report.warnings]), kind)
        else:
            self.step_label.setText("已取消" if report.cancelled else "同步未完成")
            self.report_label.setText(f"{report.error}（本次：{summary}）")
            self.message.emit(report.error or "", "info" if report.cancelled else "error")
        self.synced.emit(pulled > 0)
        self.load()

    def _failed(self, message: str) -> None:
        self._set_running(False)
        self.step_label.setText("同步未完成")
        self.report_label.setText(message)
        self.message.emit(message, "error")
        self.synced.emit(False)
        self.load()

    # -- problem records and conflicts -----------------------------------------------------------
    def retry(self, op_id: str) -> None:
        self.tasks.write(
            self.services.sync.retry,
            op_id,
            on_done=lambda _r: self._after_action("已放回待同步，下次同步时重新提交。", False),
            on_error=lambda m: self.message.emit(m, "error"),
        )

    def settle(self, op_id: str, keep_device_fields: list[str]) -> None:
        note = (
            "已保留本机的值，下次同步时提交给服务器。"
            if keep_device_fields
            else "已采用服务器的值。"
        )
        self.tasks.write(
            self.services.sync.settle_conflict,
            op_id,
            keep_device_fields,
            on_done=lambda _r: self._after_action(note, bool(keep_device_fields)),
            on_error=lambda m: self.message.emit(m, "error"),
        )

    def _after_action(self, note: str, units_changed: bool) -> None:
        self.message.emit(note, "ok")
        self.synced.emit(units_changed)
        self.load()
