"""Trusted time on one device: once a sync measured the clock's offset, records and documents take
the corrected time and keep the offset; a large, old correction is confirmed before issuing;
number years follow the corrected year and a wrong clock is named as the cause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.documents.layout import chinese_date
from inspector.documents.patrol_print import render_grid_notice
from inspector.domain.errors import UserError
from inspector.services.audit.verify import verify
from inspector.services.demo.county import load_demo
from inspector.services.facade import Services
from inspector.services.setting_rows import remember_clock_offset
from inspector.store.models import AuditEvent, Document, Hazard, HazardEvent, Inspection
from inspector.util.clock import clock_note, to_local
from tests.support.clock import FixedClock
from tests.support.documents import flat_text, inspection_with_hazards, load_blocks
from tests.support.number_blocks import block, block_file
from tests.support.patrol_notice import notice

TWO_DAYS = 2 * 86400


def synced(services: Services, offset_s: float, *, hours_ago: float = 0) -> None:
    """What a sync leaves behind: the measured offset, kept and applied."""
    clock = services.ctx.clock
    with services.ctx.store.write() as s:
        remember_clock_offset(s, clock, offset_s, clock.device_now() - timedelta(hours=hours_ago))


def test_the_clock_corrects_by_whole_seconds_and_never_by_minus_zero() -> None:
    clock = FixedClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    assert clock.now() == clock.device_now() and clock.offset_s is None
    clock.adopt_offset(-0.0004, clock.device_now())
    assert clock.offset_s == 0.0 and str(clock.offset_s) == "0.0"
    clock.adopt_offset(TWO_DAYS + 0.4, clock.device_now())
    assert clock.now() == datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    assert clock.device_now() == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert clock_note(30) == ""  # changes no printed minute
    assert clock_note(TWO_DAYS) == (
        "注：制作本文书时，本机时钟比服务器时间慢2天0小时；本文书所载日期和时间均已按服务器"
        "时间校正。"
    )
    assert "快8小时0分" in clock_note(-8 * 3600)


def test_the_offset_survives_a_restart(tmp_path: Path) -> None:
    clock = FixedClock()
    svc = Services.open(tmp_path / "d", clock=clock)
    synced(svc, -8 * 3600)
    svc.close()
    again = Services.open(tmp_path / "d", clock=FixedClock(clock.moment))
    try:
        assert again.ctx.clock.offset_s == -8 * 3600
        assert again.ctx.clock.now() == clock.moment - timedelta(hours=8)
    finally:
        again.close()


def test_records_and_an_order_take_the_servers_date_and_keep_the_offset(
    services: Services, tmp_path: Path
) -> None:
    clock = services.ctx.clock
    synced(services, TWO_DAYS)  # the device is two days behind
    server_today = to_local(clock.device_now() + timedelta(days=2)).date()
    iid = inspection_with_hazards(services)  # deadlines a week from the (corrected) today
    load_blocks(services, tmp_path, "责改")
    issued = services.documents.issue(
        services.documents.draft_from_inspection("rectification_order", iid)
    ).value
    text = flat_text(services.ctx.blobs.read(issued.pdf_sha256))
    assert chinese_date(server_today) in text
    assert f"于{chinese_date(server_today + timedelta(days=7))}前整改完毕" in text
    assert "本机时钟比服务器时间慢2天0小时" in text
    with services.ctx.store.read() as s:
        doc = s.get(Document, issued.document_id)
        assert doc is not None and doc.clock_offset_s == TWO_DAYS
        assert doc.issued_at is not None and to_local(doc.issued_at).date() == server_today
        insp = s.get(Inspection, iid)
        assert insp is not None and insp.clock_offset_s == TWO_DAYS
        hazards = s.exec(select(Hazard).where(Hazard.inspection_id == iid)).all()
        assert hazards and all(h.clock_offset_s == TWO_DAYS for h in hazards)
        events = s.exec(select(HazardEvent)).all()
        assert events and all(e.clock_offset_s == TWO_DAYS for e in events)
        event = s.exec(select(AuditEvent).where(AuditEvent.entity_id == doc.id)).first()
        assert event is not None and event.clock_offset_s == TWO_DAYS
        # the audit trail keeps what the device's own clock said
        assert datetime.fromisoformat(event.device_time) == clock.device_now()
    # the site record prints the offset its inspection was made with
    record = services.records.render_site_record(iid).value
    assert "本机时钟比服务器时间慢2天0小时" in flat_text(services.records.pdf(record.pdf_sha256))
    assert verify(services.ctx).ok


def test_no_note_without_a_noticeable_offset(services: Services, tmp_path: Path) -> None:
    synced(services, 12.3)
    iid = inspection_with_hazards(services)
    load_blocks(services, tmp_path, "责改")
    issued = services.documents.issue(
        services.documents.draft_from_inspection("rectification_order", iid)
    ).value
    assert "本机时钟" not in flat_text(services.ctx.blobs.read(issued.pdf_sha256))


@pytest.mark.parametrize("offset_s", ["-0.0", "-0.0004", "0.25", "-120.5", "172800.4"])
def test_audit_chain_verifies_whatever_offset_the_clock_applies(
    services: Services, offset_s: str
) -> None:
    synced(services, float(offset_s))
    inspection_with_hazards(services)
    assert verify(services.ctx).ok


def test_a_large_old_correction_is_confirmed_before_issuing(
    services: Services, tmp_path: Path
) -> None:
    iid = inspection_with_hazards(services)
    load_blocks(services, tmp_path, "责改")
    load_blocks(services, tmp_path, "检记")
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    synced(services, TWO_DAYS, hours_ago=1)  # recent: no question
    assert services.time_check() is None
    synced(services, 120, hours_ago=72)  # small: no question
    assert services.time_check() is None
    synced(services, TWO_DAYS, hours_ago=72)
    check = services.time_check()
    assert check is not None
    shown = to_local(services.ctx.clock.device_now() + timedelta(days=2))
    assert check.shown == shown
    assert "本机时钟比服务器时间慢2天0小时" in check.question
    assert "已有 3 天未与服务器校时" in check.question
    assert f"{chinese_date(shown.date())}{shown.hour}时{shown.minute:02d}分" in check.question
    with pytest.raises(UserError, match="签发前请确认时间"):
        services.documents.issue(draft)
    with pytest.raises(UserError, match="签发前请确认时间"):
        services.records.issue_site_record(iid)
    with services.ctx.store.read() as s:
        assert s.exec(select(Document).where(Document.status == "issued")).first() is None
    assert services.documents.issue(draft, time_confirmed=True).value.number
    assert services.records.issue_site_record(iid, time_confirmed=True).value.number
    # a clock set back since the sync makes the correction doubtful too
    synced(services, TWO_DAYS, hours_ago=-5)
    check = services.time_check()
    assert check is not None and "被往回调过" in check.question


def test_number_years_follow_the_corrected_year_and_a_wrong_year_names_the_clock(
    tmp_path: Path,
) -> None:
    server_now = datetime.now(UTC)
    clock = FixedClock(server_now - timedelta(days=366))  # a year behind
    svc = Services.open(tmp_path / "d", clock=clock)
    try:
        load_demo(svc.ctx, n_units=20, seed=3)
        server_year = to_local(server_now).year
        device_year = to_local(clock.moment).year
        svc.numbering.load_block_file(
            block_file(tmp_path, block(svc, 1, 10, series="检记", year=server_year))
        )
        iid = inspection_with_hazards(svc)
        # before any sync: refused, and the message is about the clock
        with pytest.raises(UserError) as refused:
            svc.records.issue_site_record(iid)
        assert refused.value.message.startswith(f"本机时钟显示 {device_year} 年")
        assert "请先校准本机时钟" in refused.value.message
        # after a sync measured the offset: numbered in the server's year
        with svc.ctx.store.write() as s:
            remember_clock_offset(
                s, clock, (server_now - clock.moment).total_seconds(), clock.moment
            )
        issued = svc.records.issue_site_record(iid).value
        assert f"〔{server_year}〕1号" in issued.number
    finally:
        svc.close()


def test_the_grids_notice_notes_the_offset_too() -> None:
    noted = flat_text(render_grid_notice(notice(clock_note=clock_note(-8 * 3600))))
    assert "本机时钟比服务器时间快8小时0分" in noted and "已按服务器时间校正" in noted
    assert "本机时钟" not in flat_text(render_grid_notice(notice()))
