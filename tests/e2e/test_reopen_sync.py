"""A reopened inspection goes up as its creator's snapshot: the server accepts it and keeps the
reason; finishing it again is accepted too (real server app, real client stores)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from inspector.services.inspections.reopen import reopen
from sync.server.db import AppliedOp, Record
from tests.support.sync_devices import Server
from tests.support.sync_steps import record_inspection, sign_in_and_pull


def server_inspection(server: Server, iid: str) -> dict[str, Any]:
    with Session(server.engine) as s:
        row = s.exec(select(Record).where(Record.entity == "inspection", Record.id == iid)).one()
        return dict(row.data)


def test_the_server_accepts_a_reopen_and_the_refinish(
    server: Server, make_device: Any, photo_file: Path
) -> None:
    dev = make_device("device-r")
    sign_in_and_pull(dev, "zhang")
    unit = dev.services.units.search("", limit=1)[0]
    iid, _hid, _pid = record_inspection(dev, unit.id, photo_file)
    assert dev.sync.run().ok
    assert server_inspection(server, iid)["status"] == "finished"

    reopen(dev.services.inspections, iid, "误点完成，补录检查项")
    report = dev.sync.run()
    assert report.ok, report.error
    assert not report.rejected
    on_server = server_inspection(server, iid)
    assert on_server["status"] == "in_progress"
    assert json.loads(on_server["reopenings"])[0]["reason"] == "误点完成，补录检查项"

    item = dev.services.inspections.view(iid).checklists[0].items[0]
    dev.services.inspections.set_item(iid, item.id, "pass")
    dev.services.inspections.finish(iid, "补录后完成。")
    report = dev.sync.run()
    assert report.ok, report.error
    on_server = server_inspection(server, iid)
    assert on_server["status"] == "finished" and on_server["summary"] == "补录后完成。"
    assert len(json.loads(on_server["reopenings"])) == 1
    with Session(server.engine) as s:
        answers = s.exec(select(AppliedOp.status).where(AppliedOp.entity_id == iid)).all()
    assert set(answers) == {"applied"}
