"""Ownership end to end (issue 15): a colleague of the same township, holding a copy of an
inspector's store, edits the inspector's hazard, adds a photo to the inspection and finishes it,
and syncs. The real server refuses every one of those changes and stores nothing of them; the
colleague's sync page names each refused record with the Chinese reason; the inspector's next sync
is clean and his device, like the server, still holds what he recorded."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import Session, select

from inspector.domain.errors import UserError
from inspector.services.inspections.recording import HazardInput
from inspector.services.setting_rows import USERNAME
from inspector.services.sync.engine import REASONS
from inspector.store.models import Hazard, Inspection, Outbox, Photo, Setting
from inspector.ui.main_window import MainWindow
from sync.server.db import BlobRef, Record
from tests.support.sync_devices import BASE_URL, Device, Server
from tests.support.sync_steps import first_unit, open_inspection, sign_in_and_pull, write_photo
from tests.support.sync_world import PASSWORD
from tests.support.window import shown_window

WAIT = 15_000
NOT_OWNER = REASONS["not_owner"]


def server_state(server: Server) -> tuple[list[Any], list[Any]]:
    with Session(server.engine) as s:
        records = sorted(
            (r.entity, r.id, r.version, r.seq, r.user_id, r.device_id,
             json.dumps(r.data, sort_keys=True, ensure_ascii=False))
            for r in s.exec(select(Record))
        )  # fmt: skip
        refs = sorted((b.sha256, b.entity, b.record_id) for b in s.exec(select(BlobRef)))
    return records, refs


def device_state(dev: Device) -> list[Any]:
    with dev.services.ctx.store.read() as s:
        return [
            sorted((i.id, i.status, i.summary, i.ended_at) for i in s.exec(select(Inspection))),
            sorted((h.id, h.description, h.deadline, h.status) for h in s.exec(select(Hazard))),
            sorted((p.id, p.original_sha256) for p in s.exec(select(Photo))),
        ]


def cell(w: MainWindow, row: int, column: int) -> str:
    item = w.sync_page.problems.item(row, column)
    return item.text() if item is not None else ""


def test_a_colleagues_changes_are_refused_and_the_inspector_sees_his_own_records(
    qtbot: QtBot, qapp: Any, tmp_path: Path, server: Server, make_device: Any
) -> None:
    zhang = make_device("zhang-laptop")
    sign_in_and_pull(zhang, "zhang")
    photo = write_photo(tmp_path, "a.jpg", (200, 60, 40))
    iid, hid, _pid = open_inspection(zhang, first_unit(zhang), photo)
    first = zhang.sync.run()
    assert first.ok and not first.rejected and first.pushed["hazard"] == 1
    mine = device_state(zhang)
    on_server = server_state(server)

    # a colleague gets a copy of the store (a backup, a shared laptop) and signs in on it
    zhang.services.close()
    shutil.copytree(zhang.data_dir, tmp_path / "li-copy")
    li = make_device("li-copy")
    # the app itself refuses another person on a store someone signed in to (one store per
    # person) ...
    with pytest.raises(UserError, match="属于另一位已登录过的人员"):
        li.sync.sign_in(BASE_URL, "li", PASSWORD)
    # ... so the colleague edits the file to get past it: the server must refuse on its own
    with li.services.ctx.store.write() as s:
        s.delete(s.get(Setting, USERNAME.name))
    li.sync.sign_in(BASE_URL, "li", PASSWORD)
    li.services.sync = li.sync  # the window's services talk to the in-process server
    li.services.inspections.update_hazard(
        hid, HazardInput(description="无隐患", deadline=date(2099, 12, 31))
    )
    li.services.photos.add_file(iid, write_photo(tmp_path, "b.jpg", (40, 60, 200)), "现场检查")
    li.services.inspections.finish(iid, "未发现隐患。")

    w = shown_window(qtbot, qapp, li.services, timeout=WAIT)
    qtbot.mouseClick(w.sync_page.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.tasks.pending == 0 and not w.sync_page.running, timeout=WAIT)
    report = w.sync_page.last_report
    assert report is not None and report.ok, report.error
    assert not report.pushed  # nothing of it was taken
    refused = {(r.entity, r.reason) for r in report.rejected}
    assert refused == {(e, NOT_OWNER) for e in ("inspection", "hazard", "hazardevent", "photo")}
    # the sync page names each refused record, in Chinese, and says it is not safe to sign out
    page = w.sync_page
    rows = {(cell(w, n, 0), cell(w, n, 2)) for n in range(page.problems.rowCount())}
    assert rows == {(kind, NOT_OWNER) for kind in ("检查记录", "隐患", "隐患处理记录", "照片")}
    assert "该记录由其他人员创建" in NOT_OWNER and "不可以" in page.safe_label.text()
    # the server stored nothing of it: no record changed, no blob reference added
    assert server_state(server) == on_server

    # the inspector's next sync: clean, and his device still holds what he recorded
    zhang = make_device("zhang-laptop")
    again = zhang.sync.run()
    assert again.ok and not again.rejected and not again.conflicts and not again.pushed
    assert device_state(zhang) == mine
    status = zhang.sync.status()
    assert status.safe_to_sign_out and not status.problems
    with zhang.services.ctx.store.read() as s:
        assert {o.state for o in s.exec(select(Outbox))} == {"done"}
    records, _ = server_state(server)
    hazard = next(r for r in records if r[:2] == ("hazard", hid))
    assert hazard[4] == server.users["zhang"] and "无隐患" not in hazard[6]
    assert server_state(server) == on_server
