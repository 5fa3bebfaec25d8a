"""The sync centre against the real in-process reference server: sign in through the dialog, sync
from the page (progress, pending counts, status bar), a rejected record with its Chinese reason and
重试, the conflicts inbox, cancel mid-run, and "可以安全退出登录吗？"."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlmodel import Session, select

from inspector.services.sync.apply import queue_unit_patch
from inspector.store.models import Outbox, Photo, Unit
from inspector.ui.main_window import MainWindow
from inspector.ui.pages.sync_page import BAR_MAX
from tests.support.sync_devices import BASE_URL, Device, Server, make_device, server
from tests.support.sync_steps import (
    edit_phone,
    first_unit,
    record_at_first_unit,
    record_inspection,
    write_photo,
)
from tests.support.sync_window import cell, device, idle, sign_in, sync_now, win
from tests.support.sync_world import PASSWORD
from tests.support.writer import in_write

__all__ = ["device", "make_device", "server", "win"]  # the sync fixtures, used here

WAIT = 10_000


class GatedClient(TestClient):
    """Holds the first request of a run until the test opens the gate."""

    def __init__(self, app: Any, gate: threading.Event, entered: threading.Event, **kw: Any):
        super().__init__(app, **kw)
        self.gate, self.entered = gate, entered

    def request(self, method: str, url: Any, **kw: Any) -> Any:
        self.entered.set()
        assert self.gate.wait(10)
        return super().request(method, url, **kw)


def pending_ops(dev: Device) -> int:
    with dev.services.ctx.store.read() as s:
        return len(s.exec(select(Outbox.seq).where(Outbox.state == "pending")).all())


def test_sign_in_sync_rejected_record_conflict_and_sign_out(
    qtbot: QtBot, win: MainWindow, device: Device, make_device: Any, tmp_path: Path
) -> None:
    page = win.sync_page
    win.go("sync")
    idle(qtbot, win)
    assert "尚未登录" in page.account_label.text()

    # a wrong password: a Chinese error inside the dialog, which stays open
    sign_in(qtbot, win, password="wrong-password")
    dialog = page.sign_in_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.error.text() == "用户名或密码错误。"
    dialog.password.setText(PASSWORD)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    idle(qtbot, win)
    assert not dialog.isVisible()
    assert "zhang @ http://sync.test（已登录）" in page.account_label.text()

    sync_now(qtbot, win)  # the first pull
    assert page.last_report is not None and page.last_report.ok
    assert page.last_report.pulled.get("unit") == 5

    # offline work: an inspection with a photo, and an impossible latitude the server refuses
    unit_id = first_unit(device)
    record_inspection(device, unit_id, write_photo(tmp_path, "ui.jpg", (200, 60, 40)))

    def impossible_latitude(s: Session) -> None:
        other_unit = s.exec(select(Unit.id).where(Unit.id != unit_id)).first()
        assert other_unit is not None
        queue_unit_patch(s, device.clock, other_unit, {"lat": 999.0})

    in_write(device, impossible_latitude)
    # a colleague changes the same phone number first: a conflict for this device
    other = make_device("colleague")
    other.sync.sign_in(BASE_URL, "li", PASSWORD)
    assert other.sync.run().ok
    edit_phone(other, unit_id, "13900000002")
    assert other.sync.run().ok
    edit_phone(device, unit_id, "13800000001")

    page.load()
    idle(qtbot, win)
    assert "检查记录 1 条" in page.pending_label.text()
    assert "照片 1 条" in page.pending_label.text()
    assert "不可以" in page.safe_label.text()
    win.refresh_status()
    idle(qtbot, win)
    assert win.unsynced_label.text() != "待同步 0 条"

    sync_now(qtbot, win)
    report = page.last_report
    assert report is not None and report.ok, report.error
    assert page.progress.value() == BAR_MAX
    assert page.step_label.text() == "同步完成"
    assert "上传" in page.report_label.text() and "下载" in page.report_label.text()
    assert pending_ops(device) == 0
    assert "共 0 条" in page.pending_label.text()
    # the refused record is counted where the sign-out line counts it (issue 18: one count)
    assert win.unsynced_label.text() == "待同步 0 条，另有 1 条未被服务器接受"
    assert win.network_label.text().startswith("● 已连接（")  # the last sync reached the server

    # the rejected record, named as a person knows it, with its Chinese reason and 重试
    assert page.problems.rowCount() == 1
    assert cell(page.problems, 0, 0) == "单位"
    assert cell(page.problems, 0, 1).startswith("沙河机械厂")
    assert "「纬度」的值无效" in cell(page.problems, 0, 2)
    assert "不可以" in page.safe_label.text()  # a rejected record still needs a look

    # the conflicts inbox: server value vs device value
    assert page.conflicts.rowCount() == 1
    assert cell(page.conflicts, 0, 1) == "联系电话"
    assert cell(page.conflicts, 0, 2) == "13900000002"
    assert cell(page.conflicts, 0, 3) == "13800000001"

    # 重试 puts it back in the queue (under a new op id; the server would refuse it again)
    retry = page.problems.cellWidget(0, 3)
    assert isinstance(retry, QPushButton) and retry.text() == "重试"
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    idle(qtbot, win)
    assert pending_ops(device) == 1
    assert page.problems.rowCount() == 0
    assert win.unsynced_label.text() == "待同步 1 条"

    # 保留本机值 queues the device's phone again as a new edit on top of the server's version
    keep = [
        b
        for b in page.conflicts.cellWidget(0, 4).findChildren(QPushButton)
        if b.text() == "保留本机值"
    ]
    qtbot.mouseClick(keep[0], Qt.MouseButton.LeftButton)
    idle(qtbot, win)
    assert page.conflicts.rowCount() == 0
    assert pending_ops(device) == 2  # the latitude again + the device's phone

    # sign-out refuses while data is unsynced, unless confirmed
    qtbot.mouseClick(page.sign_out_button, Qt.MouseButton.LeftButton)
    idle(qtbot, win)
    box = page.confirm_box
    assert box is not None and box.isVisible()
    assert "未同步" in box.text()
    assert "zhang" in page.account_label.text()
    box.reject()
    idle(qtbot, win)
    assert "（已登录）" in page.account_label.text()

    # the next run: the device's phone is merged on the server; the latitude is refused again
    sync_now(qtbot, win)
    assert pending_ops(device) == 0
    with device.services.ctx.store.read() as s:
        unit = s.get(Unit, unit_id)
        assert unit is not None and unit.contact_phone == "13800000001"
    assert page.conflicts.rowCount() == 0 and page.problems.rowCount() == 1


def test_cancel_mid_sync_stops_with_a_message_and_loses_nothing(
    qtbot: QtBot, win: MainWindow, device: Device, server: Server, tmp_path: Path
) -> None:
    page = win.sync_page
    win.go("sync")
    sign_in(qtbot, win)
    sync_now(qtbot, win)
    record_at_first_unit(device, tmp_path, "c.jpg", (1, 2, 3))
    before = pending_ops(device)
    assert before > 0

    gate, entered = threading.Event(), threading.Event()

    def gated(url: str, token: str | None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return GatedClient(server.app, gate, entered, base_url=url, headers=headers)

    device.sync.client_factory = gated
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(entered.is_set, timeout=WAIT)
    # the app stays usable while the run waits: another page loads
    win.go("units")
    win.go("sync")
    assert page.running and page.cancel_button.isVisible()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert "正在取消" in page.step_label.text()
    gate.set()
    idle(qtbot, win)

    report = page.last_report
    assert report is not None and report.cancelled
    assert page.step_label.text() == "已取消"
    assert "同步已取消" in win.messages.text()
    assert pending_ops(device) == before  # nothing lost, nothing half-sent
    assert win.unsynced_label.text() == f"待同步 {before} 条"
    assert page.sync_button.isEnabled() and not page.cancel_button.isVisible()

    # the next run sends everything
    sync_now(qtbot, win)
    assert page.last_report is not None and page.last_report.ok
    assert pending_ops(device) == 0
    assert "可以：本机没有未同步的数据" in page.safe_label.text()


def test_a_record_the_server_sends_back_is_named_not_shown_as_done(
    qtbot: QtBot, win: MainWindow, device: Device, tmp_path: Path
) -> None:
    page = win.sync_page
    win.go("sync")
    sign_in(qtbot, win)
    sync_now(qtbot, win)  # the first pull
    _iid, _hid, pid = record_at_first_unit(device, tmp_path, "lost.jpg", (9, 9, 200))
    with device.services.ctx.store.read() as s:
        photo = s.get(Photo, pid)
        assert photo is not None
    device.services.ctx.blobs.path_for(photo.original_sha256).unlink()  # the file is gone

    sync_now(qtbot, win)
    report = page.last_report
    assert report is not None and report.ok and report.waiting
    assert page.step_label.text() != "同步完成"
    text = page.report_label.text()
    assert text.startswith("同步结束，但仍有记录未上传成功")
    assert "照片：附件尚未完整上传" in text and "仍待同步 1 条" in text
