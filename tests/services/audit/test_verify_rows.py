"""`verify` replays the audit chain against the rows: a record deleted or edited behind the
program's back, a step of a hazard's loop removed, a row no event wrote, a blob no row names —
each named (which record, which event, what differs). Damage is done as a careless colleague or
an attacker would: with sqlite3 on the database file, the program closed or not."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from inspector.services import row_state
from inspector.services.audit.verify import verify
from inspector.services.facade import Services
from inspector.services.inspections.recording import HazardInput
from tests.support.inspections import start
from tests.support.worked import Worked, work


@pytest.fixture
def worked(services: Services, tmp_path: Path, photo_file: Path) -> Worked:
    return work(services, tmp_path, photo_file)


def problems(w: Worked) -> str:
    report = verify(w.services.ctx)
    assert not report.ok
    return "\n".join(report.problems)


def test_a_whole_store_verifies_with_nothing_to_note(worked: Worked) -> None:
    report = verify(worked.services.ctx)
    assert report.ok, report.problems
    assert report.notes == []
    assert report.rows_checked >= 6  # inspection, item result, hazard, photo, two documents


def test_a_deleted_issued_document_is_named_with_its_event_and_its_orphaned_pdf(
    worked: Worked,
) -> None:
    doc = worked.record_id
    worked.sql(
        ("DELETE FROM numberuse WHERE document_id = ?", (doc,)),
        ("DELETE FROM outbox WHERE entity = 'document' AND entity_id = ?", (doc,)),
        ("DELETE FROM document WHERE id = ?", (doc,)),
    )
    found = problems(worked)
    number = worked.record_number
    assert f"文书{number}：由审计事件 #" in found and "签发文书" in found
    assert "记录本身却已不存在（被删除）" in found
    assert f"附件 {worked.pdf_sha256[:12]}…" in found
    assert f"曾记录它为文书{number}的PDF" in found


def test_a_deleted_hazard_and_a_deleted_loop_step_are_named(worked: Worked) -> None:
    worked.sql(
        ("DELETE FROM hazardevent WHERE hazard_id = ? AND kind = 'ordered'", (worked.hazard_id,))
    )
    found = problems(worked)
    assert "隐患“配电箱前堆放杂物”" in found
    assert "隐患责令整改" in found and "处理步骤“责令整改”已从隐患处理记录中删除" in found

    worked.sql(("DELETE FROM hazard WHERE id = ?", (worked.hazard_id,)))
    found = problems(worked)
    line = next(p for p in found.splitlines() if "记录本身却已不存在" in p)
    assert line.startswith("隐患“配电箱前堆放杂物”") and "记录隐患" in line
    assert "hazard." not in found  # the events in words, not their codes


def test_a_deleted_photo_is_named_and_its_three_files_reported(worked: Worked) -> None:
    worked.sql(("DELETE FROM photo WHERE id = ?", (worked.photo_id,)))
    found = problems(worked)
    assert "照片“IMG_0001.JPG”：由审计事件 #" in found and "添加照片" in found
    for part in ("原图", "显示图", "缩略图"):
        assert f"曾记录它为照片“IMG_0001.JPG”的{part}" in found


def test_edited_rows_are_named_with_what_was_changed(worked: Worked) -> None:
    worked.sql(
        (
            "UPDATE hazard SET description = '无隐患', deadline = '2099-12-31' WHERE id = ?",
            (worked.hazard_id,),
        )
    )
    found = problems(worked)
    line = next(p for p in found.splitlines() if p.startswith("隐患“配电箱前堆放杂物”"))
    assert "已被改动" in line and "隐患责令整改" in line
    assert "隐患描述：“配电箱前堆放杂物”改为“无隐患”" in line
    assert "整改期限：" in line and "改为“2099-12-31”" in line

    worked.sql(
        ("UPDATE inspection SET place = '二号车间' WHERE id = ?", (worked.inspection_id,)),
        ("UPDATE itemresult SET result = 'fail' WHERE inspection_id = ?", (worked.inspection_id,)),
    )
    found = problems(worked)
    assert "检查场所：“一号车间”改为“二号车间”" in found and "完成检查" in found
    assert "的结果：与最后一次审计事件" in found and "检查结果：“pass”改为“fail”" in found


def test_a_photo_swapped_for_another_picture_is_named(worked: Worked) -> None:
    with worked.services.ctx.store.read() as s:
        other = (
            s.connection()
            .exec_driver_sql("SELECT sha256 FROM blob WHERE media_type = 'application/pdf' LIMIT 1")
            .scalar_one()
        )
    worked.sql(("UPDATE photo SET original_sha256 = ? WHERE id = ?", (other, worked.photo_id)))
    found = problems(worked)
    assert "照片“IMG_0001.JPG”：与最后一次审计事件" in found and "原图：“" in found


def test_a_row_no_event_wrote_is_named(worked: Worked) -> None:
    worked.sql(
        (
            "INSERT INTO hazard (id, inspection_id, unit_id, grade, description, location,"
            " legal_basis, measure, status, supervised, created_at, updated_at)"
            " SELECT 'forged-hazard', id, unit_id, 'general', '伪造的隐患', '', '', '', 'closed', 0,"
            " started_at, started_at FROM inspection WHERE id = ?",
            (worked.inspection_id,),
        )
    )
    found = problems(worked)
    assert "隐患“伪造的隐患”" in found and "没有任何审计事件记录它" in found


def test_an_orphan_blob_is_reported_and_a_stray_file_only_noted(worked: Worked) -> None:
    ctx = worked.services.ctx
    stray = ctx.blobs.put(b"left behind by a save that was cut short")
    report = verify(ctx)
    assert report.ok, report.problems  # a file nothing registered or named: noted, not a break
    assert any(stray[:12] in n and "未登记" in n for n in report.notes)

    orphan = ctx.blobs.put(b"a picture some row once named")
    worked.sql(
        (
            "INSERT INTO blob (sha256, size, media_type, created_at)"
            " VALUES (?, 29, 'image/jpeg', '2026-01-01 00:00:00')",
            (orphan,),
        )
    )
    found = problems(worked)
    assert f"附件 {orphan[:12]}…（image/jpeg，29 字节）没有任何记录引用" in found


def test_events_from_before_row_digests_vouch_for_existence_only(
    services: Services, tmp_path: Path, photo_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(row_state, "stamp", lambda *_a: {})  # a store written by an older version
    w = work(services, tmp_path, photo_file)
    monkeypatch.undo()
    report = verify(services.ctx)
    assert report.ok, report.problems
    [note] = report.notes
    assert "只核对了它们存在" in note
    w.sql(("UPDATE hazard SET description = '无隐患' WHERE id = ?", (w.hazard_id,)))
    assert verify(services.ctx).ok  # nothing recorded to compare with
    w.sql(("DELETE FROM hazard WHERE id = ?", (w.hazard_id,)))
    assert "记录本身却已不存在（被删除）" in problems(w)


@pytest.fixture
def statements(services: Services) -> Iterator[Callable[[], int]]:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    engine = services.ctx.store.reader
    event.listen(engine, "before_cursor_execute", count)
    yield lambda: len(seen)
    event.remove(engine, "before_cursor_execute", count)


def test_verify_reads_each_table_once_however_many_events(
    services: Services, tmp_path: Path, photo_file: Path, statements: Callable[[], int]
) -> None:
    work(services, tmp_path, photo_file)
    before = statements()
    assert verify(services.ctx).ok
    small = statements() - before
    for _ in range(5):  # many more records and events
        iid = start(services)
        for n in range(4):
            services.inspections.add_hazard(iid, HazardInput(f"消防通道堵塞{n}"))
        services.photos.add_file(iid, photo_file, "现场")
        services.inspections.finish(iid)
    before = statements()
    report = verify(services.ctx)
    assert report.ok, report.problems
    assert statements() - before == small  # no query per event or per record
    with services.ctx.store.read() as s:
        payloads = s.connection().exec_driver_sql("SELECT payload FROM auditevent").scalars()
        assert all(row_state.DIGEST in json.loads(p) for p in payloads if '"hazard' in p)
