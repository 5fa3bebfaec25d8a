"""The status bar's 待同步 and the 同步 page's count and sign-out line read one count."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlmodel import Session, select

from inspector.services.facade import Services
from inspector.store.models import Outbox
from inspector.ui.main_window import MainWindow
from tests.support.inspections import start
from tests.support.window import WAIT, idle
from tests.support.writer import in_write, on_writer


def test_the_status_bar_and_the_sync_page_agree_on_what_is_unsynced(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    iid = start(services)

    def refused(s: Session) -> None:  # the server refused one of them
        op = s.exec(select(Outbox).where(Outbox.entity_id == iid)).one()
        op.state = "rejected"
        s.add(op)

    in_write(services, refused)
    item = services.inspections.view(iid).checklists[0].items[0]
    on_writer(  # two more waiting
        services, lambda: services.inspections.set_item(iid, item.id, "fail", "配电箱未上锁")
    )
    counted = services.unsynced()
    status = services.sync.status()
    assert counted == status.unsynced and counted.rejected == 1 and counted.pending > 0
    assert counted.pending == status.total_pending
    w = window
    w.refresh_status()
    w.go("sync")
    idle(qtbot, w)
    qtbot.waitUntil(lambda: "不可以" in w.sync_page.safe_label.text(), timeout=WAIT)
    assert w.unsynced_label.text() == f"待同步 {counted.pending} 条，另有 1 条未被服务器接受"
    assert f"还有 {counted.total} 条记录未同步" in w.sync_page.safe_label.text()
    assert f"共 {counted.pending} 条待同步" in w.sync_page.pending_label.text()
