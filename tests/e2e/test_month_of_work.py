"""A generated month of work on two devices, synced to the real server: inspections of every kind,
hazards rectified (复查 passed, 销号), failed and overdue, every kind of document including the
现场检查记录, fines, voided documents, work just outside the month (China time, so the local month
differs from the UTC one). The figures of each device (本机记录) and of the server (全辖区) equal a
count made with plain SQL on each database — the documents placed in the month by their issue
event (device) or their creation (server), not by the `issued_at` column the figures use."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from inspector.domain.document_kinds import SERVICE_METHODS, SPECS
from inspector.domain.enums import INSPECTION_KINDS
from inspector.domain.monthly import MonthlyFigures, month_bounds
from inspector.domain.numbering import DOC_CODES
from inspector.services.documents import Draft
from inspector.services.inspections.recording import HazardInput, StartInspection
from sync.server.stats import local_today
from tests.support.overview import china_local_time
from tests.support.sync_devices import BASE_URL, Device, Server
from tests.support.sync_steps import issue_blocks_to
from tests.support.sync_world import PASSWORD, enable_enforcement

CHINA = ZoneInfo("Asia/Shanghai")
ORDERS = ("rectification_order", "onsite_measures")  # reviewed by a 整改复查意见书
# one of these per finished inspection, in turn; site records and 送达回执 come on top
MAIN_KINDS = (
    "rectification_order",
    "hazard_notice",
    "onsite_measures",
    "seizure",
    "onsite_penalty_unit",
    "penalty_notice",
    "onsite_penalty_person",
    "evidence_notice",
)


@pytest.fixture(autouse=True)
def china_time() -> Iterator[None]:
    with china_local_time():
        yield


def the_month() -> tuple[int, int]:
    """A month well before the real today, so every deadline in it is past on the server too
    (which judges 逾期 on its own calendar day) and none lies near that day."""
    first = (date.today().replace(day=1) - timedelta(days=40)).replace(day=1)
    return first.year, first.month


@dataclass
class Work:
    open_orders: list[tuple[str, date]] = field(default_factory=list)  # (order id, issued on)
    notices: list[str] = field(default_factory=list)  # hazards under a township notice
    # 罚告 awaiting their 处罚决定书 (issue 16): (notice id, issued on)
    penalty_notices: list[tuple[str, date]] = field(default_factory=list)
    turn: int = 0


def fill(dev: Device, draft: Draft, rng: random.Random) -> Draft:
    """What a person types into the form of each kind."""
    today = dev.clock.today()
    f = draft.fields
    if draft.kind == "onsite_measures":
        f["measures"] = "从危险区域内撤出作业人员"
    elif draft.kind == "seizure":
        f.update(measure="查封", period_start=today.isoformat())
        f["period_end"] = (today + timedelta(days=29)).isoformat()
        draft.rows = [{"name": "砂光机", "spec": "MM5213", "quantity": "2台", "place": "打磨车间"}]
    elif draft.kind.startswith("onsite_penalty"):
        person = draft.kind.endswith("person")
        if person:
            draft.party = type(draft.party)(
                name="赵赟", address="沙河街道解放路22号", gender="男", age="46"
            )
        fine = rng.choice((50, 100, 200)) if person else rng.choice((500, 1000, 2000, 3000))
        f.update(
            facts="经营场所内违规存放汽油约20升。",
            violated="《中华人民共和国安全生产法》第四十二条第一款",
            applied="《中华人民共和国安全生产法》第一百零五条",
            penalty_type="fine",
            fine_yuan=str(fine),
            payment="bank",
            told="yes",  # the 告知 on the spot and the party's 陈述、申辩 (none made)
            statement_outcome="none",
        )
    elif draft.kind == "penalty_notice":
        f.update(
            facts="未采取措施消除除尘系统未设泄爆装置的事故隐患。",
            evidence="现场检查记录、现场照片。",
            violated="《中华人民共和国安全生产法》第四十一条第二款",
            applied="《中华人民共和国安全生产法》第一百零二条",
            fine_yuan="30000",  # the intended penalty is a structured field; its hearing follows
        )
    elif draft.kind == "evidence_notice":
        f.update(
            suspected="未经许可经营危险化学品",
            keep_mode="agency",
            keep_place="柴桑区应急管理局证据保存室",
            appear_date=(today + timedelta(days=5)).isoformat(),
            appear_place="柴桑区应急管理局执法大队",
        )
        draft.rows = [{"name": "工业酒精", "spec": "25升/桶", "quantity": "12桶", "note": ""}]
    elif draft.kind == "inquiry_notice":
        f.update(appear_place="柴桑区应急管理局执法大队", contact="周明", contact_phone="5551234")
    elif draft.kind == "inquiry_record":  # a 询问笔录 has no 文号 but counts as issued
        draft.party = type(draft.party)(name="赵赟", gender="男", age="46")
        f.update(time_from="09:00", time_to="09:40")
        draft.rows = [{"q": r["q"], "a": "清楚。"} for r in draft.rows]
    elif draft.kind == "evidence_decision":
        f["outcome"] = "解除先行登记保存并退还"
    elif draft.kind == "seizure_extension":  # the default new end: the original + 30 days
        f["reason"] = "案情复杂，涉案设备须委托检测"
    elif draft.kind == "seizure_decision":
        f.update(facts="隐患已整改，查封扣押的设备不再需要扣押", outcome="解除查封扣押")
    elif draft.kind == "service_receipt":
        f.update(case_name="沙河机械厂安全生产检查", method=SERVICE_METHODS[0], place="单位办公室")
    draft.signers = dev.services.documents.default_signers(draft)
    problems = dev.services.documents.problems(draft)
    assert problems == [], (draft.kind, problems)
    return draft


def visit(dev: Device, unit_id: str, rng: random.Random, work: Work) -> None:
    """One inspection at the device's present time, with what follows from it there."""
    svc = dev.services
    today = dev.clock.today()
    people = [p.id for p in svc.inspections.people() if p.role == "inspector"][:2]
    checklist = svc.inspections.checklists()[0].id
    kind = rng.choice(INSPECTION_KINDS)
    iid = svc.inspections.start(StartInspection(unit_id, people, [checklist], kind=kind)).value
    fire = MAIN_KINDS[work.turn % len(MAIN_KINDS)] == "rectification_order"
    if fire:  # a 消防 matter too: left off the order, transferred (issue 16)
        svc.inspections.add_hazard(
            iid,
            HazardInput(
                "二楼疏散通道堆放纸箱",
                legal_basis="《中华人民共和国消防法》第二十八条",
                deadline=today + timedelta(days=3),
                authority="消防救援",
            ),
        )
    for n in range(rng.choice((1, 2))):
        svc.inspections.add_hazard(
            iid,
            HazardInput(
                f"配电箱前堆放杂物（第{n + 1}处）",
                grade=rng.choice(("general", "general", "major")),
                legal_basis="《中华人民共和国安全生产法》第四十二条",
                measure="清除杂物",
                deadline=today + timedelta(days=rng.choice((2, 4, 7, 12))),
            ),
        )
    if rng.random() < 0.15:
        return  # left unfinished: neither the inspection nor its hazards count
    svc.inspections.finish(iid, "检查发现问题，已责令整改。")
    if rng.random() < 0.85:
        record = svc.records.issue_site_record(iid).value
        if rng.random() < 0.1:
            svc.documents.void(record.document_id, "检查时间写错")
    main = MAIN_KINDS[work.turn % len(MAIN_KINDS)]
    work.turn += 1
    issued = svc.documents.issue(
        fill(dev, svc.documents.draft_from_inspection(main, iid), rng)
    ).value
    if rng.random() < 0.1 and main not in ORDERS and main != "hazard_notice":
        svc.documents.void(issued.document_id, "当事人名称写错")
        return
    # the decisions that follow (先保 within its 7 days, a 查扣 extended once and then decided)
    for follow in {"evidence_notice": ("evidence_decision",),
                   "seizure": ("seizure_extension", "seizure_decision")}.get(main, ()):  # fmt: skip
        svc.documents.issue(
            fill(dev, svc.documents.draft_from_document(follow, issued.document_id), rng)
        )
    if main == "penalty_notice":  # the 询问笔录 the case rests on (no 文号, counted all the same)
        work.penalty_notices.append((issued.document_id, today))
        for step in ("inquiry_notice", "inquiry_record"):  # the 询问: its 通知书, then the 笔录
            svc.documents.issue(fill(dev, svc.documents.draft_from_inspection(step, iid), rng))
    if fire and main == "rectification_order":
        svc.documents.issue(
            fill(dev, svc.documents.draft_from_inspection("case_transfer", iid), rng)
        )
    if main in ORDERS:
        work.open_orders.append((issued.document_id, today))
    if main == "hazard_notice":
        work.notices += [h.id for h in svc.inspections.view(iid).hazards]
    if rng.random() < 0.4:
        svc.documents.issue(
            fill(dev, svc.documents.draft_from_document("service_receipt", issued.document_id), rng)
        )


def follow_up(dev: Device, rng: random.Random, work: Work) -> None:
    """复查 of orders issued at least two days ago (passed: 销号; failed: a new deadline), and the
    township's 复查 of hazards under its notice; some are never followed up (逾期)."""
    svc = dev.services
    today = dev.clock.today()
    due = [o for o in work.open_orders if (today - o[1]).days >= 2]
    for order_id, issued_on in due[:1]:
        work.open_orders.remove((order_id, issued_on))
        if rng.random() < 0.3:
            continue  # never reviewed
        people = [p.id for p in svc.inspections.people() if p.role == "inspector"][:2]
        svc.documents.start_review(order_id, people)
        draft = svc.documents.draft_from_document("review_opinion", order_id)
        for item in draft.items:
            item.verdict = rng.choice(("ok", "ok", "failed"))
            if item.verdict == "failed":
                item.note = "仍未整改"
                item.deadline = today + timedelta(days=rng.choice((3, 6)))
        svc.documents.issue(fill(dev, draft, rng))
    # the 一般程序 处罚决定书 once the 罚告's 陈述申辩 and hearing periods (3 and 5 days) have run
    for notice_id, issued_on in [n for n in work.penalty_notices if (today - n[1]).days > 5][:1]:
        work.penalty_notices.remove((notice_id, issued_on))
        draft = svc.documents.draft_from_document("penalty_decision", notice_id)
        svc.documents.issue(fill(dev, draft, rng))
    for hazard_id in work.notices[:1]:
        work.notices.remove(hazard_id)
        passed = rng.random() < 0.6
        svc.hazard_loop.recheck(
            hazard_id, passed, "已整改" if passed else "未整改", today + timedelta(days=5)
        )


def month_of_work(dev: Device, units: list[str], year: int, month: int, seed: int) -> None:
    """Visits every two to three days across the month, starting the evening before it and
    ending the morning after it (local time); the device is back at the present after."""
    rng = random.Random(seed)
    work = Work()
    first, last = month_bounds(year, month)
    moments = [datetime.combine(first - timedelta(days=1), time(23, 30), CHINA)]
    day = first
    while day <= last:
        moments.append(datetime.combine(day, time(rng.choice((0, 9, 14, 23)), 40), CHINA))
        day += timedelta(days=rng.choice((2, 3)))
    moments.append(datetime.combine(last + timedelta(days=1), time(0, 20), CHINA))
    for moment in moments:
        dev.clock.moment = moment.astimezone(UTC)
        follow_up(dev, rng, work)
        visit(dev, rng.choice(units), rng, work)
    dev.clock.moment = datetime.now(UTC)  # it syncs today, its clock right


# -- the independent counts -----------------------------------------------------------------------
def utc_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    first, last = month_bounds(year, month)
    lo = datetime.combine(first, time.min, CHINA).astimezone(UTC)
    hi = datetime.combine(last + timedelta(days=1), time.min, CHINA).astimezone(UTC)
    return lo, hi


COUNTED = ("pending", "rectifying", "reviewed_ok", "reviewed_failed", "closed")
OPEN = ("pending", "rectifying", "reviewed_failed")
PENALTIES = ("onsite_penalty_unit", "onsite_penalty_person")


def shown(figures: MonthlyFigures) -> dict[str, Any]:
    return {
        "inspections": figures.inspections,
        "units_inspected": figures.units_inspected,
        "by_kind": {k.kind: k.count for k in figures.inspections_by_kind if k.count},
        "hazards_found": figures.hazards_found,
        "hazards_general": figures.hazards_general,
        "hazards_major": figures.hazards_major,
        "rectified": figures.rectified,
        "overdue": figures.overdue,
        "documents": {k.kind: k.count for k in figures.documents_by_kind if k.count},
        "penalties": figures.penalties,
        "fines_yuan": figures.fines_yuan,
    }


def device_count(dev: Device, year: int, month: int) -> dict[str, Any]:
    """Plain SQL on the device's file. A document is placed by its `document.issued` audit event."""
    lo, hi = (m.strftime("%Y-%m-%d %H:%M:%S") for m in utc_bounds(year, month))
    today = dev.clock.today().isoformat()
    p = {"lo": lo, "hi": hi, "today": today}
    with sqlite3.connect(dev.data_dir / "inspector.sqlite3") as db:
        insp = "FROM inspection WHERE status = 'finished' AND datetime(started_at) >= :lo"
        insp += " AND datetime(started_at) < :hi"
        haz = f"FROM hazard WHERE status IN {COUNTED} AND datetime(created_at) >= :lo"
        haz += " AND datetime(created_at) < :hi"
        docs = (
            "FROM document d JOIN auditevent e ON e.entity_id = d.id"
            " AND e.kind = 'document.issued' WHERE d.status = 'issued'"
            " AND datetime(e.device_time) >= :lo AND datetime(e.device_time) < :hi"
        )
        fine = "CAST(json_extract(d.data, '$.input_fields.fine_yuan') AS INTEGER)"
        fined = (
            f" AND d.kind IN {PENALTIES}"
            " AND json_extract(d.data, '$.input_fields.penalty_type') = 'fine'"
        )

        def one(sql: str) -> Any:
            return db.execute(sql, p).fetchone()[0]

        return {
            "inspections": one(f"SELECT count(*) {insp}"),
            "units_inspected": one(f"SELECT count(DISTINCT unit_id) {insp}"),
            "by_kind": dict(db.execute(f"SELECT kind, count(*) {insp} GROUP BY kind", p)),
            "hazards_found": one(f"SELECT count(*) {haz}"),
            "hazards_general": one(f"SELECT count(*) {haz} AND grade = 'general'"),
            "hazards_major": one(f"SELECT count(*) {haz} AND grade = 'major'"),
            "rectified": one(f"SELECT count(*) {haz} AND status IN ('reviewed_ok', 'closed')"),
            "overdue": one(f"SELECT count(*) {haz} AND status IN {OPEN} AND deadline < :today"),
            "documents": dict(db.execute(f"SELECT d.kind, count(*) {docs} GROUP BY d.kind", p)),
            "penalties": one(f"SELECT count(*) {docs}{fined}"),
            "fines_yuan": one(f"SELECT coalesce(sum({fine}), 0) {docs}{fined}"),
        }


def server_count(engine: Engine, year: int, month: int, today: date) -> dict[str, Any]:
    """Plain SQL on the server's records (JSON as the devices pushed them), SQLite or PostgreSQL.
    A document is placed by its creation, which is its issue (rows are made issued)."""
    lo, hi = utc_bounds(year, month)
    sqlite = engine.dialect.name == "sqlite"

    def f(name: str) -> str:
        return f"json_extract(data, '$.{name}')" if sqlite else f"(data->>'{name}')"

    def t(name: str) -> str:
        return f"datetime({f(name)})" if sqlite else f"({f(name)})::timestamptz"

    def inner(path: str) -> str:  # a field of the document's own frozen JSON (a string)
        if sqlite:
            return f"json_extract(json_extract(data, '$.data'), '$.{path}')"
        return f"((data->>'data')::json #>> '{{{path.replace('.', ',')}}}')"

    p: dict[str, Any] = {
        "lo": lo.strftime("%Y-%m-%d %H:%M:%S") if sqlite else lo,
        "hi": hi.strftime("%Y-%m-%d %H:%M:%S") if sqlite else hi,
        "today": today.isoformat(),
    }
    insp = f"FROM record WHERE entity = 'inspection' AND {f('status')} = 'finished'"
    insp += f" AND {t('started_at')} >= :lo AND {t('started_at')} < :hi"
    haz = f"FROM record WHERE entity = 'hazard' AND {f('status')} IN {COUNTED}"
    haz += f" AND {t('created_at')} >= :lo AND {t('created_at')} < :hi"
    docs = f"FROM record WHERE entity = 'document' AND {f('status')} = 'issued'"
    docs += f" AND {t('created_at')} >= :lo AND {t('created_at')} < :hi"
    fined = f" AND {f('kind')} IN {PENALTIES} AND {inner('input_fields.penalty_type')} = 'fine'"
    fine = f"CAST({inner('input_fields.fine_yuan')} AS INTEGER)"
    with engine.connect() as conn:

        def one(sql: str) -> Any:
            return conn.execute(text(sql), p).scalar_one()

        def grouped(column: str, sql: str) -> dict[str, int]:
            return {
                k: n
                for k, n in conn.execute(
                    text(f"SELECT {column}, count(*) {sql} GROUP BY {column}"), p
                )
            }

        return {
            "inspections": one(f"SELECT count(*) {insp}"),
            "units_inspected": one(f"SELECT count(DISTINCT unit_id) {insp}"),
            "by_kind": grouped(f("kind"), insp),
            "hazards_found": one(f"SELECT count(*) {haz}"),
            "hazards_general": one(f"SELECT count(*) {haz} AND {f('grade')} = 'general'"),
            "hazards_major": one(f"SELECT count(*) {haz} AND {f('grade')} = 'major'"),
            "rectified": one(
                f"SELECT count(*) {haz} AND {f('status')} IN ('reviewed_ok', 'closed')"
            ),
            "overdue": one(
                f"SELECT count(*) {haz} AND {f('status')} IN {OPEN} AND {f('deadline')} < :today"
            ),
            "documents": grouped(f("kind"), docs),
            "penalties": one(f"SELECT count(*) {docs}{fined}"),
            "fines_yuan": int(one(f"SELECT coalesce(sum({fine}), 0) {docs}{fined}")),
        }


def test_a_month_of_work_on_two_devices_counts_the_same_everywhere(
    server: Server, make_device: Any
) -> None:
    year, month = the_month()
    enable_enforcement(server.engine, server.agency)
    devices: list[Device] = []
    for n, name in enumerate(("zhang", "li")):
        dev = make_device(name)
        dev.sync.sign_in(BASE_URL, name, PASSWORD)
        issue_blocks_to(server, dev, sorted(set(DOC_CODES.values())), [year], count=300)
        assert dev.sync.run().ok
        units = sorted(u.id for u in dev.services.units.search("沙河机械厂"))
        month_of_work(dev, units[n::2] + units[:1], year, month, seed=20 + n)
        report = dev.sync.run()
        assert report.ok and not report.rejected and not report.conflicts, report.error
        devices.append(dev)

    every_kind = {"site_record", *SPECS}
    for dev in devices:
        figures = dev.services.overview.figures(year, month)
        counted = device_count(dev, year, month)
        assert shown(figures) == counted, dev.data_dir.name
        assert counted["rectified"] and counted["overdue"] and counted["fines_yuan"]
    total = Counter[str]()
    for dev in devices:
        total.update(device_count(dev, year, month)["documents"])
    assert set(total) == every_kind, total  # every kind issued in the month, 现场检查记录 included

    today = local_today()
    expected = server_count(server.engine, year, month, today)
    assert dict(total) == expected["documents"]  # the server holds what the devices issued
    for dev in devices:  # 全辖区 as each device's 统计 page asks the server for it
        dev.services.sync = dev.sync
        assert shown(dev.services.overview.server_figures(year, month)) == expected
