"""What the sync page shows is said in Chinese: pending counts for every kind of record, records the
server refused and the conflicts inbox, with no internal word ("owntask", "hazardreport") and no
record named by its hex id."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import select

from inspector.services.facade import Services
from inspector.services.journal import queue
from inspector.services.sync.apply import queue_unit_patch
from inspector.store.models import Outbox, Unit
from inspector.ui.pages.sync_page import SyncPage
from inspector.ui.tasks import TaskRunner
from inspector.util.ids import uuid7
from sync.contract import DEVICE_ENTITIES, PULLED_ENTITIES, SHARED_ENTITIES
from tests.support.writer import writes

WAIT = 10_000
INTERNAL = {*DEVICE_ENTITIES, *SHARED_ENTITIES, *PULLED_ENTITIES, "ConnectError", "upsert", "patch"}
HEX_RUN = re.compile(r"[0-9a-f]{8,}")


@pytest.fixture
def page(qtbot: QtBot, services: Services) -> Iterator[SyncPage]:
    tasks = TaskRunner()
    p = SyncPage(services, tasks)
    qtbot.addWidget(p)
    p.resize(1000, 800)
    p.show()
    yield p
    tasks.shutdown()


@writes
def seed_outbox(services: Services) -> str:
    """One pending record of every kind a device sends, two refused ones (one to be retried) and
    a conflicting unit edit the server answered."""
    ctx = services.ctx
    with ctx.store.write() as s:
        for entity in DEVICE_ENTITIES:
            queue(s, ctx.clock, entity, uuid7(), {"note": "待同步"})
        for entity, state, error, retry in (
            ("owntask", "rejected", "服务器不接受该记录：任务已被撤回。", ""),
            ("hazardreport", "pending", "上级记录尚未上传，下次同步重试。", "missing_parent"),
        ):
            queue(s, ctx.clock, entity, uuid7(), {"note": "被退回"})
            row = s.exec(select(Outbox).where(Outbox.entity == entity)).all()[-1]
            row.state, row.last_error, row.attempts = state, error, 1
            row.retry_reason = retry  # a `retry` answer is kept in its column (migration 0014)
            s.add(row)
        unit = s.exec(select(Unit).limit(1)).one()
        queue_unit_patch(s, ctx.clock, unit.id, {"contact_phone": "13800000000"})
        op = s.exec(select(Outbox).where(Outbox.entity == "unit")).all()[-1]
        op.state = "conflict"
        op.result = json.dumps(
            {"reason": "field_conflict:contact_phone", "row": {"contact_phone": "13900000000"}}
        )
        s.add(op)
        return unit.name


def visible_texts(page: SyncPage) -> list[str]:
    from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget

    out = [w.text() for w in page.findChildren(QLabel) if w.isVisible()]
    out += [b.text() for b in page.findChildren(QPushButton) if b.isVisible()]
    for table in (page.problems, page.conflicts):
        assert isinstance(table, QTableWidget)
        for r in range(table.rowCount()):
            for c in range(table.columnCount()):
                item = table.item(r, c)
                if item is not None:
                    out += [item.text(), item.toolTip()]
    return out


def test_the_sync_page_names_every_kind_in_chinese(
    qtbot: QtBot, page: SyncPage, services: Services
) -> None:
    unit_name = seed_outbox(services)
    page.load()
    qtbot.waitUntil(
        lambda: page.status is not None and page.conflicts.rowCount() == 1, timeout=WAIT
    )
    pending = page.pending_label.text()
    for said in ("自行安排的任务", "隐患上报", "任务办理记录", "巡查走访记录", "签名"):
        assert said in pending
    kinds = [page.problems.item(r, 0).text() for r in range(page.problems.rowCount())]
    assert sorted(kinds) == ["自行安排的任务", "隐患上报"]
    titles = [page.problems.item(r, 1).text() for r in range(page.problems.rowCount())]
    assert all(t.startswith("本机 ") and t.endswith(" 所记") for t in titles)
    assert page.conflicts.item(0, 0).text() == unit_name
    texts = visible_texts(page)
    words = {w for t in texts for w in re.findall(r"[A-Za-z]+", t)}
    assert not words & INTERNAL, words & INTERNAL
    hex_ids = [h for t in texts for h in HEX_RUN.findall(t) if not h.isdigit()]  # not a phone
    assert not hex_ids
