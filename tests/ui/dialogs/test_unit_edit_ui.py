"""修改单位信息 in the field, against the real in-process reference server: the dialog from the unit
panel refuses a wrong phone number in Chinese and keeps what was typed; a saved edit shows at once,
is merged on the server field by field (rare characters intact, on a colleague's device too), and a
field a colleague changed first lands in the 同步 page's conflicts inbox."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot
from sqlmodel import Session, select

from inspector.services.audit.verify import verify
from inspector.store.models import AuditEvent, Unit
from inspector.ui.main_window import MainWindow
from sync.server.db import Unit as ServerUnit
from tests.support.sync_devices import BASE_URL, Device, Server, make_device, server
from tests.support.sync_steps import edit_phone, first_unit
from tests.support.sync_window import cell, device, idle, sign_in, sync_now, win
from tests.support.sync_world import PASSWORD

__all__ = ["device", "make_device", "server", "win"]  # fixtures, used here

RARE_NAME = "王堃喆𠀀"


def open_edit_dialog(qtbot: QtBot, w: MainWindow, unit_id: str) -> Any:
    w.go("units")
    w.units.show_unit(unit_id)
    idle(qtbot, w)
    assert w.units.edit_button.isEnabled()
    qtbot.mouseClick(w.units.edit_button, Qt.MouseButton.LeftButton)
    dialog = w.units.edit_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_unit_edited_in_the_field_syncs_and_a_conflict_lands_in_the_inbox(
    qtbot: QtBot, win: MainWindow, device: Device, make_device: Any, server: Server
) -> None:
    win.go("sync")
    sign_in(qtbot, win)
    sync_now(qtbot, win)  # the first pull
    unit_id = first_unit(device)

    # a colleague corrects the phone number first and syncs
    other = make_device("colleague")
    other.sync.sign_in(BASE_URL, "li", PASSWORD)
    assert other.sync.run().ok
    edit_phone(other, unit_id, "13900000002")
    assert other.sync.run().ok

    # offline on this device: a wrong number is refused in Chinese, nothing typed is lost
    dialog = open_edit_dialog(qtbot, win, unit_id)
    assert dialog.height() <= 700 and dialog.width() <= 1024

    def places() -> list[QPoint]:
        return [w.mapTo(dialog, QPoint(0, 0)) for w in (dialog.phone, dialog.ok_button)]

    before = places()
    dialog.phone.setText("1380000")
    dialog.legal_rep.setText(RARE_NAME)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    idle(qtbot, win)
    assert dialog.isVisible()
    assert dialog.error.text() == "手机号码应为 11 位数字，现在是 7 位。请核对后重新填写。"
    assert dialog.legal_rep.text() == RARE_NAME and dialog.phone.text() == "1380000"
    assert places() == before  # the refusal moved nothing under the pointer
    dialog.phone.setText("abc")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    idle(qtbot, win)
    assert dialog.error.text().startswith("联系电话只能填写数字")
    assert places() == before  # two lines of refusal: still nothing moved
    dialog.lat.setText("28.2")  # a latitude without a longitude
    dialog.phone.setText("13800000001")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    idle(qtbot, win)
    assert dialog.error.text() == "位置要同时填写纬度和经度，或两项都留空。"
    dialog.lon.setText("112.95")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    idle(qtbot, win)
    assert not dialog.isVisible()

    # shown at once in the panel, queued for the server, recorded in the audit chain
    facts = win.units.facts.text()
    assert RARE_NAME in facts and "13800000001" in facts and "28.20000, 112.95000" in facts
    assert "下次同步时上传" in win.messages.label.text()
    assert win.unsynced_label.text() == "待同步 1 条"
    with device.services.ctx.store.read() as s:
        [event] = s.exec(select(AuditEvent).where(AuditEvent.kind == "unit.edited")).all()
        assert event.entity_id == unit_id and RARE_NAME in event.payload
    assert verify(device.services.ctx).ok

    # the sync merges field by field: 负责人 and location go in, the phone is a conflict
    win.go("sync")
    sync_now(qtbot, win)
    page = win.sync_page
    assert page.last_report is not None and page.last_report.ok, page.last_report
    with Session(server.engine) as s:
        unit = s.get(ServerUnit, unit_id)
        assert unit is not None
        fields = unit.data
        assert (fields["legal_rep"], fields["lat"], fields["lon"]) == (RARE_NAME, 28.2, 112.95)
        assert fields["contact_phone"] == "13900000002"  # the colleague's, changed first
    assert page.conflicts.rowCount() == 1
    assert cell(page.conflicts, 0, 1) == "联系电话"
    assert cell(page.conflicts, 0, 2) == "13900000002"
    assert cell(page.conflicts, 0, 3) == "13800000001"

    # the colleague's device gets the rare characters intact
    assert other.sync.run().ok
    with other.services.ctx.store.read() as s:
        theirs = s.get(Unit, unit_id)
        assert theirs is not None and theirs.legal_rep == RARE_NAME


def test_saving_without_a_change_writes_nothing(
    qtbot: QtBot, win: MainWindow, device: Device
) -> None:
    win.go("sync")
    sign_in(qtbot, win)
    sync_now(qtbot, win)
    dialog = open_edit_dialog(qtbot, win, first_unit(device))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    idle(qtbot, win)
    assert not dialog.isVisible()
    assert win.messages.label.text() == "单位信息没有改动，未保存新的修改。"
    assert win.unsynced_label.text() == "待同步 0 条"
