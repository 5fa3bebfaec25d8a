"""The client's sync engine against the real in-process reference server (SQLite)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from inspector.domain.authorities import AUTHORITIES
from inspector.domain.checklist_items import reads_as_question
from inspector.domain.citations import printed_refs
from inspector.services.inspections.recording import StartInspection
from inspector.services.sync import blobs as sync_blobs
from inspector.services.sync.apply import UNIT_FIELDS
from inspector.store.models import ChecklistItem, Outbox, Unit
from sync.server.blobs import read_blob
from sync.server.db import AppliedOp, Blob, BlobRef, Conflict, Record
from tests.support.photos import jpeg_bytes
from tests.support.sync_devices import BASE_URL, Device, Server
from tests.support.sync_steps import (
    edit_phone,
    first_unit,
    record_at_first_unit,
    record_inspection,
    sign_in_and_pull,
    write_photo,
)
from tests.support.sync_world import PASSWORD


def outbox_states(dev: Device) -> dict[str, int]:
    with dev.services.ctx.store.read() as s:
        out: dict[str, int] = {}
        for state in s.exec(select(Outbox.state)):
            out[state] = out.get(state, 0) + 1
        return out


def unit_table(dev: Device) -> list[tuple[Any, ...]]:
    with dev.services.ctx.store.read() as s:
        return sorted(
            (u.id, u.version, u.deleted, *(getattr(u, f) for f in UNIT_FIELDS))
            for u in s.exec(select(Unit))
        )


def server_records(server: Server, entity: str) -> list[Record]:
    with Session(server.engine) as s:
        return list(s.exec(select(Record).where(Record.entity == entity)))


def test_two_devices_sync_inspections_photos_and_conflicting_unit_edit(
    tmp_path: Path, server: Server, make_device: Any
) -> None:
    a, b = make_device("device-a"), make_device("device-b")
    sign_in_and_pull(a, "zhang")
    sign_in_and_pull(b, "li")
    unit_id = first_unit(a)
    assert first_unit(b) == unit_id
    with a.services.ctx.store.read() as s:
        base_phone = s.get(Unit, unit_id).contact_phone  # type: ignore[union-attr]

    # offline on both devices
    ins_a = record_inspection(a, unit_id, write_photo(tmp_path, "a.jpg", (200, 60, 40)))
    ins_b = record_inspection(b, unit_id, write_photo(tmp_path, "b.jpg", (40, 60, 200)))
    edit_phone(a, unit_id, "13800000001")
    edit_phone(b, unit_id, "13900000002")

    ra = a.sync.run()
    assert ra.ok, ra.error
    assert not ra.conflicts and not ra.rejected
    assert ra.pushed["inspection"] == 1 and ra.pushed["photo"] == 1 and ra.pushed["unit"] == 1
    assert ra.blobs_uploaded == 3
    rb = b.sync.run()
    assert rb.ok, rb.error
    assert not rb.rejected
    assert [(c.entity, c.entity_id) for c in rb.conflicts] == [("unit", unit_id)]
    assert "联系电话" in rb.conflicts[0].reason
    assert rb.pushed["inspection"] == 1 and rb.pushed["photo"] == 1

    # a final pull on both
    assert a.sync.run().ok and b.sync.run().ok

    # the server holds each record exactly once, with verified blobs
    for entity, ids in (
        ("inspection", {ins_a[0], ins_b[0]}),
        ("hazard", {ins_a[1], ins_b[1]}),
        ("photo", {ins_a[2], ins_b[2]}),
    ):
        rows = server_records(server, entity)
        assert sorted(r.id for r in rows) == sorted(ids), entity
    with Session(server.engine) as s:
        refs = list(s.exec(select(BlobRef).where(BlobRef.entity == "photo")))
        assert len(refs) == 6
        for ref in refs:
            blob = s.get(Blob, ref.sha256)
            assert blob is not None
            data = read_blob(server.engine, server.blob_dir, ref.sha256) or b""
            assert hashlib.sha256(data).hexdigest() == ref.sha256 and len(data) == blob.length
        conflicts = list(s.exec(select(Conflict)))
        assert [(c.field, c.server_value, c.device_value) for c in conflicts] == [
            ("contact_phone", "13800000001", "13900000002")
        ]
        assert conflicts[0].base_value == base_phone
        ops = list(s.exec(select(AppliedOp)))
        assert len(ops) == len({o.op_id for o in ops})

    # both outboxes emptied: done, or conflict (the second device's edit, kept for the inbox)
    assert set(outbox_states(a)) == {"done"}
    assert set(outbox_states(b)) == {"done", "conflict"} and outbox_states(b)["conflict"] == 1
    # identical unit data on both devices, the first edit won
    assert unit_table(a) == unit_table(b)
    with b.services.ctx.store.read() as s:
        unit = s.get(Unit, unit_id)
        assert unit is not None and unit.contact_phone == "13800000001" and unit.version == 2
    assert a.services.units.search("沙河机械厂")  # pulled units are searchable


class Forwarding:
    """A client that forwards to the in-process server; subclasses spoil some answers."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __enter__(self) -> Forwarding:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.inner.__exit__(*exc)

    def request(self, method: str, url: str, **kw: Any) -> Any:
        return self.inner.request(method, url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.request("POST", url, **kw)


class CutAfterPush(Forwarding):
    """Forwards a push to the server, then loses the answer (a ReadError), once."""

    def __init__(self, inner: Any, state: dict[str, int]) -> None:
        super().__init__(inner)
        self.state = state

    def request(self, method: str, url: str, **kw: Any) -> Any:
        r = self.inner.request(method, url, **kw)
        if url == "/sync/push" and self.state["cuts"] > 0:
            self.state["cuts"] -= 1
            raise httpx.ReadError("connection reset by peer")
        return r


def test_answer_lost_after_server_applied_push_is_not_duplicated(
    tmp_path: Path, server: Server, make_device: Any
) -> None:
    state = {"cuts": 0}
    plain = server.factory()
    dev = make_device("device-c", factory=lambda url, tok: CutAfterPush(plain(url, tok), state))
    sign_in_and_pull(dev, "zhang")
    unit_id = first_unit(dev)
    iid, hid, pid = record_inspection(dev, unit_id, write_photo(tmp_path, "c.jpg", (10, 200, 10)))
    edit_phone(dev, unit_id, "13700000003")
    pending = outbox_states(dev)["pending"]

    state["cuts"] = 1
    cut = dev.sync.run()
    assert not cut.ok and "网络连接中断" in (cut.error or "")
    assert outbox_states(dev) == {"pending": pending}  # answers never stored
    with Session(server.engine) as s:
        assert len(list(s.exec(select(AppliedOp)))) == pending  # ... but the server applied all

    # an edit after the cut must not change the frozen, already-sent op
    edit_phone(dev, unit_id, "13700000004")

    again = dev.sync.run()
    assert again.ok, again.error
    assert again.duplicates == pending
    assert not again.rejected and not again.conflicts
    assert again.pushed == {"unit": 1}  # only the new edit is new
    assert outbox_states(dev) == {"done": pending + 1}
    for entity, rid in (("inspection", iid), ("hazard", hid), ("photo", pid)):
        assert [r.id for r in server_records(server, entity)] == [rid]
    with Session(server.engine) as s:
        assert len(list(s.exec(select(AppliedOp)))) == pending + 1
    with dev.services.ctx.store.read() as s:
        unit = s.get(Unit, unit_id)
        assert unit is not None and unit.contact_phone == "13700000004" and unit.version == 3


def test_no_secret_on_disk_or_in_logs(
    tmp_path: Path, server: Server, make_device: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    dev = make_device("device-d")
    token = sign_in_and_pull(dev, "wang")
    unit_id = first_unit(dev)
    record_inspection(dev, unit_id, write_photo(tmp_path, "d.jpg", (90, 90, 10)))
    report = dev.sync.run()
    assert report.ok and report.pushed["photo"] == 1
    with dev.services.ctx.store.read() as s:
        assert s.exec(select(Outbox).where(Outbox.state != "done")).first() is None
    dev.services.close()  # flush everything the store keeps open

    secrets = [token.encode(), PASSWORD.encode()]
    files = [p for p in dev.data_dir.rglob("*") if p.is_file()]
    assert any(p.name.startswith("inspector.sqlite3") for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret not in data, f"secret found in {path}"
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert token not in text and PASSWORD not in text


def zhang_with_an_inspection(
    dev: Device, tmp_path: Path, photo: str, colour: tuple[int, int, int]
) -> Device:
    """The device signed in as zhang and pulled, then an inspection recorded on it (not pushed)."""
    sign_in_and_pull(dev, "zhang")
    record_at_first_unit(dev, tmp_path, photo, colour)
    return dev


def test_cancel_and_bad_token_stop_with_chinese_message_and_lose_nothing(
    tmp_path: Path, server: Server, make_device: Any
) -> None:
    dev = zhang_with_an_inspection(make_device("device-e"), tmp_path, "e.jpg", (1, 2, 3))
    pending = outbox_states(dev)["pending"]
    seen: list[str] = []

    def progress(step: str, done: int, total: int) -> None:
        seen.append(step)

    cancelled = dev.sync.run(progress, cancelled=lambda: "上传附件" in seen)
    assert cancelled.cancelled and "取消" in (cancelled.error or "")
    assert outbox_states(dev) == {"pending": pending}

    dev.sync._token = "not-a-valid-token"  # an expired or revoked token
    dev.sync.credentials.forget("zhang")
    bad = dev.sync.run()
    assert not bad.ok and "重新登录" in (bad.error or "")
    assert outbox_states(dev) == {"pending": pending}

    dev.sync.sign_in(BASE_URL, "zhang", PASSWORD)
    done = dev.sync.run()
    assert done.ok and done.last_ok is not None and not done.retry
    assert outbox_states(dev) == {"done": pending}


def test_child_queued_before_its_parent_goes_in_a_second_pass(
    tmp_path: Path, server: Server, make_device: Any
) -> None:
    dev = zhang_with_an_inspection(make_device("device-f"), tmp_path, "f.jpg", (5, 5, 5))
    with dev.services.ctx.store.write() as s:  # the parent inspection now comes last
        s.connection().exec_driver_sql(
            "UPDATE outbox SET seq = seq + 1000 WHERE entity = 'inspection'"
        )
    pending = outbox_states(dev)["pending"]
    report = dev.sync.run()
    assert report.ok and not report.retry and not report.rejected
    assert outbox_states(dev) == {"done": pending}
    assert report.pushed["photo"] == 1 and report.pushed["inspection"] == 1
    with dev.services.ctx.store.read() as s:
        photo_op = s.exec(select(Outbox).where(Outbox.entity == "photo")).one()
        assert photo_op.attempts == 2  # `retry: missing_parent` first, then applied


class LoseAnswers(Forwarding):
    """Forwards requests; the answer to the n-th PATCH is lost (a ReadError) after the server
    took the piece, so the resend meets a server that is further on and answers 409."""

    def __init__(self, inner: Any, lose: set[int]) -> None:
        super().__init__(inner)
        self.lose = lose
        self.patches = 0
        self.statuses: list[int] = []

    def request(self, method: str, url: str, **kw: Any) -> Any:
        r = self.inner.request(method, url, **kw)
        if method == "PATCH":
            self.statuses.append(r.status_code)
            self.patches += 1
            if self.patches in self.lose:
                raise httpx.ReadError("connection reset by peer")
        return r


def test_a_lost_upload_answer_resumes_at_the_servers_offset(
    tmp_path: Path, server: Server, make_device: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_blobs, "UPLOAD_WORKERS", 1)  # which PATCH is lost is then known
    plain = server.factory()
    wrappers: list[LoseAnswers] = []

    def factory(url: str, tok: str | None) -> LoseAnswers:
        wrappers.append(LoseAnswers(plain(url, tok), lose={2}))
        return wrappers[-1]

    dev = make_device("device-g", factory=factory, retries=1)
    dev.sync.chunk_size = 4 << 10  # each file goes up in several pieces
    sign_in_and_pull(dev, "zhang")
    big = tmp_path / "big.jpg"
    big.write_bytes(jpeg_bytes(1200, 900, colour=(7, 99, 3)))
    assert big.stat().st_size > 3 * dev.sync.chunk_size
    record_inspection(dev, first_unit(dev), big)
    dev.sync.retries = 1
    report = dev.sync.run()
    assert report.ok, report.error
    assert 409 in wrappers[-1].statuses  # the resent piece was refused with the server's offset
    assert outbox_states(dev) == {"done": outbox_states(dev)["done"]}
    with Session(server.engine) as s:
        for blob in s.exec(select(Blob)):
            data = read_blob(server.engine, server.blob_dir, blob.sha256) or b""
            assert hashlib.sha256(data).hexdigest() == blob.sha256 and len(data) == blob.length


def test_the_signed_in_inspector_is_known_before_any_pull(server: Server, make_device: Any) -> None:
    """The first sync may fail (no network after the login): the signed-in inspector must still
    be someone the device knows, to be named on inspections and hazard steps offline."""
    dev = make_device("device-h")
    resp = dev.sync.sign_in(BASE_URL, "li", PASSWORD)
    names = {p.id: p.name for p in dev.services.inspections.people()}
    assert names.get(resp.user_id) == "李四"  # the sign-in answer names them (issue 18)
    report = dev.sync.run()
    assert report.ok, report.error
    names = {p.id: p.name for p in dev.services.inspections.people()}
    assert names[resp.user_id] == "李四"


def test_published_checklist_items_reach_the_device_with_authority_and_finding(
    server: Server, make_device: Any
) -> None:
    """The server publishes forms/checklists with printed citations, each item's authority and
    its finding; a device that pulls them drafts a 不符合 item's hazard from that finding."""
    dev = make_device("device-c")
    sign_in_and_pull(dev, "li")
    with dev.services.ctx.store.read() as s:
        items = list(s.exec(select(ChecklistItem)))
    assert items
    for item in items:
        assert item.authority in AUTHORITIES, item.content
        assert item.finding and not reads_as_question(item.finding), item.content
        assert printed_refs(item.legal_basis), item.content
    fire = [i for i in items if i.authority == "消防救援"]
    assert fire and all("《中华人民共和国消防法》第" in i.legal_basis for i in fire)
    svc = dev.services
    gm = next(c.id for c in svc.inspections.checklists() if c.code == "gm-dust")
    iid = svc.inspections.start(
        StartInspection(
            unit_id=first_unit(dev),
            inspector_ids=[p.id for p in svc.inspections.people()][:2],
            checklist_ids=[gm],
        )
    ).value
    items_of = svc.inspections.view(iid).checklists[0].items
    item = next(i for i in items_of if i.major and "积尘" in i.content)
    svc.inspections.set_item(iid, item.id, "fail")
    [hazard] = svc.inspections.view(iid).hazards
    assert hazard.description.startswith("未落实粉尘清理制度")
    assert hazard.description.endswith("第十一条第（十）项规定的重大事故隐患")
    assert hazard.legal_basis == "《中华人民共和国安全生产法》第一百零二条"
