"""Two devices holding the same hazard (the second laptop set up from a backup of the first) judge
its 复查 oppositely: the server keeps the steps of both, folds them in time order, flags the
hazard (销号, then 复查不合格 from the other device), and after a sync both devices show the same
status with the flag — in the 隐患 list as a person sees it. The restored device also issued the
inspection's 现场检查记录 a second time under the same 文号: `check-numbers` reports it."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import Session, select

from inspector.domain.hazard_loop import HazardStep
from inspector.services.audit.verify import verify
from inspector.store.models import Document, Hazard
from inspector.ui.pages.hazards_page import HazardsPage
from inspector.ui.tasks import TaskRunner
from sync.server.cli import main as server_cli
from sync.server.db import HazardFold, Record
from sync.server.number_check import check_numbers
from tests.support.sync_devices import BASE_URL, Device, Server
from tests.support.sync_steps import issue_blocks_to, record_at_first_unit
from tests.support.sync_world import PASSWORD, enable_enforcement
from tests.support.tables import rows_of

WAIT = 15_000


def synced(dev: Device) -> None:
    """A sync at the present moment, the device's clock right (the work was done before)."""
    dev.clock.moment = datetime.now(UTC)
    report = dev.sync.run()
    assert report.ok and not report.rejected and not report.conflicts, report.error


def restored_copy(source: Device, target: Path) -> None:
    """The second laptop: the first one's data folder as a backup holds it (the database copied
    with SQLite's backup, the files as they are)."""
    shutil.copytree(source.data_dir, target, ignore=shutil.ignore_patterns("inspector.sqlite3*"))
    with (
        sqlite3.connect(source.data_dir / "inspector.sqlite3") as src,
        sqlite3.connect(target / "inspector.sqlite3") as dst,
    ):
        src.backup(dst)


def review(dev: Device, order_id: str, passed: bool) -> str:
    """The 整改复查意见书 of the order: 已整改 (销号) or 未整改 with a new deadline."""
    docs = dev.services.documents
    people = [p.id for p in dev.services.inspections.people() if p.role == "inspector"][:2]
    docs.start_review(order_id, people)
    draft = docs.draft_from_document("review_opinion", order_id)
    for item in draft.items:
        item.verdict = "ok" if passed else "failed"
        if not passed:
            item.note = "配电箱仍未修复"
            item.deadline = dev.clock.today() + timedelta(days=10)
    assert docs.problems(draft) == []
    return docs.issue(draft).value.document_id


def hazard_row(dev: Device, hazard_id: str) -> Hazard:
    with dev.services.ctx.store.read() as s:
        row = s.get(Hazard, hazard_id)
        assert row is not None
        return row


def test_opposite_reviews_on_two_devices_are_kept_flagged_and_shown_on_both(
    qtbot: QtBot, qapp: Any, tmp_path: Path, server: Server, make_device: Any, db_url: str
) -> None:
    enable_enforcement(server.engine, server.agency)
    a = make_device("laptop-1")
    a.sync.sign_in(BASE_URL, "zhang", PASSWORD)
    now = datetime.now(UTC)
    years = sorted({(now - timedelta(days=3)).astimezone().year, now.astimezone().year})
    issue_blocks_to(server, a, ("责改", "复查", "检记"), years, count=20)
    synced(a)  # units, people, checklists and the number blocks
    # three days ago, laptop 1: the inspection and its 责令限期整改指令书
    a.clock.moment = now - timedelta(days=3)
    iid, hid, _ = record_at_first_unit(a, tmp_path, "a.jpg", (90, 60, 40))
    order = a.services.documents.issue(
        a.services.documents.draft_from_inspection("rectification_order", iid)
    ).value
    assert hazard_row(a, hid).status == "rectifying"
    synced(a)

    restored_copy(a, tmp_path / "laptop-2")
    b = make_device("laptop-2")
    b.sync.sign_in(BASE_URL, "zhang", PASSWORD)

    # two days ago, laptop 1: the site record, then the 复查 passes and the hazard is 销号
    a.clock.moment = now - timedelta(days=2)
    a_record = a.services.records.issue_site_record(iid).value
    review(a, order.document_id, passed=True)
    assert hazard_row(a, hid).status == "closed"
    synced(a)
    # yesterday, laptop 2 (which never saw that): the site record again, and a failed 复查
    b.clock.moment = now - timedelta(days=1)
    b_record = b.services.records.issue_site_record(iid).value
    assert b_record.number == a_record.number  # its blocks were rewound with the backup
    review(b, order.document_id, passed=False)
    assert hazard_row(b, hid).status == "rectifying"
    synced(b)
    synced(a)  # laptop 1 pulls what the server made of it

    # the server keeps every step of both devices and flags the hazard
    with Session(server.engine) as s:
        steps = s.exec(select(Record).where(Record.entity == "hazardevent")).all()
        kinds = sorted(r.data["kind"] for r in steps if r.data["hazard_id"] == hid)
        assert kinds == sorted(
            ["registered", "ordered", "review_passed", "closed", "review_failed", "ordered"]
        )
        fold = s.get(HazardFold, hid)
        assert fold is not None and fold.status == "closed" and fold.seq > 0
        assert len(fold.anomalies) == 2
        assert fold.anomalies[0].startswith(f"已销号时不应有“{HazardStep.REVIEW_FAILED.label}”")

    # both devices: the same status and the flag, said in words
    for dev in (a, b):
        row = hazard_row(dev, hid)
        assert row.status == "closed", dev.data_dir.name
        assert "已销号时不应有“复查不合格”" in row.conflict
        assert "已销号时不应有“责令整改”" in row.conflict
        listed = {h.id: h for h in dev.services.hazards.listed_hazards()}
        assert listed[hid].conflict_label.startswith("⚠ 状态冲突：已销号时不应有“复查不合格”")
        view = dev.services.inspections.view(iid)
        assert next(h for h in view.hazards if h.id == hid).conflict == row.conflict
        assert verify(dev.services.ctx).ok, dev.data_dir.name

    # what a person sees on the 隐患 page of laptop 2: the flagged hazard first, with its marker
    tasks = TaskRunner()
    page = HazardsPage(b.services, tasks)
    qtbot.addWidget(page)
    try:
        page.load()
        qtbot.waitUntil(lambda: tasks.pending == 0 and page.proxy.rowCount() > 0, timeout=WAIT)
        page.view.selectRow(0)
        selected = page.selected()
        assert selected is not None and selected.id == hid
        first = rows_of(page.proxy)[0]
        assert first[3].startswith("⚠ 状态冲突") and "已销号" in first[3]
        assert "配电箱箱门损坏" in first[1]
        tip = page.proxy.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
        assert tip.startswith("⚠ 状态冲突：已销号时不应有“复查不合格”")
    finally:
        tasks.shutdown()

    # the 现场检查记录 issued twice under one 文号 in the same inspection is reported
    problems = check_numbers(server.engine, server.agency)
    reused = [p for p in problems if p.number == a_record.number]
    assert len(reused) == 1 and "被同一案件的 2 份不同文书使用" in reused[0].text
    assert set(reused[0].document_ids) == {a_record.document_id, b_record.document_id}
    assert server_cli(["check-numbers", "--db", db_url, "--agency", server.agency]) == 1
    with b.services.ctx.store.read() as s:
        assert s.get(Document, b_record.document_id) is not None
