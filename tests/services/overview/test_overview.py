"""月度统计 on a generated three-month data set: the figures equal an independent count of the raw
rows (whole county, and one township), the month follows local time (China, UTC+8), and the Excel
and PDF exports hold the same numbers; a folder that cannot be written gives a Chinese message."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from inspector.domain.enums import INSPECTION_KINDS
from inspector.domain.errors import UserError
from inspector.services.facade import Services
from inspector.services.journal import row_payload
from inspector.services.overview.monthly import StatsRows, monthly_figures
from inspector.store.models import Agency, Document, Hazard, Inspection, Township, Unit
from tests.conftest import FixedClock
from tests.services.documents.test_documents import (
    inspection_with_hazards,
    load_blocks,
    penalty_draft,
)

CHINA = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 2026-11-20 10:00 in China
TODAY = date(2026, 11, 20)
HAZARD_STATES = (
    "draft",
    "pending",
    "rectifying",
    "reviewed_ok",
    "reviewed_failed",
    "closed",
    "withdrawn",
)
DOC_KINDS = (
    "site_record",
    "rectification_order",
    "hazard_notice",
    "onsite_penalty_unit",
    "onsite_penalty_person",
    "penalty_notice",
)
DOC_TITLES = {
    "site_record": "现场检查记录",
    "rectification_order": "责令限期整改指令书",
    "hazard_notice": "安全隐患整改通知书",
    "onsite_penalty_unit": "行政（当场）处罚决定书（单位）",
    "onsite_penalty_person": "行政（当场）处罚决定书（个人）",
    "penalty_notice": "行政处罚告知书",
}


@contextmanager
def china_local_time() -> Iterator[None]:
    """The device's local time is China's (UTC+8), so local months differ from UTC months."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


@pytest.fixture(autouse=True)
def china_time() -> Iterator[None]:
    with china_local_time():
        yield


@dataclass
class Generated:
    township_a: str
    township_b: str
    unit_township: dict[str, str | None]
    inspections: list[Inspection] = field(default_factory=list)
    hazards: list[Hazard] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


def _moment(rng: random.Random) -> datetime:
    """A time between 1 September and now (China time), stored as UTC."""
    start = datetime(2026, 9, 1, tzinfo=CHINA)
    span = (NOW - start).total_seconds()
    return (start + timedelta(seconds=rng.uniform(0, span))).astimezone(UTC)


def _document(rng: random.Random, insp: Inspection, moment: datetime, n: int) -> Document:
    kind = rng.choice(DOC_KINDS)
    status = rng.choices(("issued", "voided", "draft"), (0.7, 0.15, 0.15))[0]
    data: dict[str, Any] = {"fields": {}}
    if kind.startswith("onsite_penalty"):
        fine = rng.random() < 0.7
        data["input_fields"] = {
            "penalty_type": "fine" if fine else "warning",
            "fine_yuan": str(rng.choice((100, 200, 500, 1000, 2000, 3000))) if fine else "",
        }
    if kind == "penalty_notice":  # an intended penalty: no fine decided yet
        data["fields"] = {"penalty": "罚款人民币3万元"}
        data["input_fields"] = {"penalty": "罚款人民币3万元"}
    return Document(
        id=f"doc-{n:04d}",
        inspection_id=insp.id,
        unit_id=insp.unit_id,
        kind=kind,
        title=DOC_TITLES[kind],
        number=None if status == "draft" else f"（岚）应急〔2026〕{n}号",
        status=status,
        data=json.dumps(data, ensure_ascii=False),
        created_at=moment,
        issued_at=None if status == "draft" else moment,
        voided_at=moment + timedelta(days=1) if status == "voided" else None,
    )


def make_rows(
    township_a: str, township_b: str, chosen: dict[str, str], agency_id: str, seed: int = 11
) -> Generated:
    """Inspections, hazards and documents (not stored) for the chosen units (unit → township)."""
    rng = random.Random(seed)
    gen = Generated(township_a, township_b, dict(chosen))
    units = sorted(chosen)
    moments = [_moment(rng) for _ in range(118)]
    # two inspections on either side of local midnight at the October/November boundary
    moments += [
        datetime(2026, 10, 31, 16, 30, tzinfo=UTC),  # 1 November 00:30 in China
        datetime(2026, 10, 31, 15, 30, tzinfo=UTC),  # 31 October 23:30 in China
    ]
    for n, started in enumerate(moments):
        finished = n >= 118 or rng.random() < 0.85
        insp = Inspection(
            id=f"insp-{n:04d}",
            unit_id=rng.choice(units),
            agency_id=agency_id,
            kind=rng.choice(INSPECTION_KINDS),
            started_at=started,
            ended_at=started + timedelta(hours=1) if finished else None,
            status="finished" if finished else "in_progress",
            updated_at=started,
        )
        gen.inspections.append(insp)
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            created = started + timedelta(minutes=rng.randint(1, 50))
            status = rng.choice(HAZARD_STATES[1:]) if finished else "draft"
            deadline = (
                None
                if rng.random() < 0.1
                else to_china(created).date() + timedelta(days=rng.randint(3, 40))
            )
            gen.hazards.append(
                Hazard(
                    id=f"haz-{len(gen.hazards):04d}",
                    inspection_id=insp.id,
                    unit_id=insp.unit_id,
                    grade="major" if rng.random() < 0.25 else "general",
                    description="配电箱前堆放杂物",
                    deadline=deadline,
                    status=status,
                    created_at=created,
                    updated_at=created,
                )
            )
        if finished:
            for _ in range(rng.choice((0, 1, 1, 2))):
                issued = started + timedelta(hours=rng.uniform(1, 30))
                gen.documents.append(_document(rng, insp, issued, len(gen.documents) + 1))
    return gen


def generate(services: Services, seed: int = 11) -> Generated:
    """~45 units (20 + 20 in two townships, 5 elsewhere), ~120 inspections over three months with
    unfinished ones, hazards of both grades in every status, issued/voided/draft documents."""
    with services.ctx.store.read() as s:
        agency_id = s.exec(select(Agency.id)).one()
        towns = list(s.exec(select(Township.id).order_by(Township.name)))
        by_town = {t: list(s.exec(select(Unit.id).where(Unit.township_id == t))) for t in towns}
    a, b, *others = sorted(towns, key=lambda t: -len(by_town[t]))
    chosen = {u: a for u in by_town[a][:20]} | {u: b for u in by_town[b][:20]}
    chosen |= {u: others[0] for u in by_town[others[0]][:5]}
    gen = make_rows(a, b, chosen, agency_id, seed)
    with services.ctx.store.write() as s:
        for row in [*gen.inspections, *gen.hazards, *gen.documents]:
            s.add(row)
            s.flush()
        gen.inspections = list(s.exec(select(Inspection)))
        gen.hazards = list(s.exec(select(Hazard)))
        gen.documents = list(s.exec(select(Document)))
        for row in [*gen.inspections, *gen.hazards, *gen.documents]:
            s.expunge(row)
    return gen


def to_china(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA)


def expected(gen: Generated, year: int, month: int, township: str | None = None) -> dict[str, Any]:
    """The figures counted the plain way from the raw rows."""

    def mine(unit_id: str, moment: datetime | None) -> bool:
        if moment is None or (township is not None and gen.unit_township[unit_id] != township):
            return False
        local = to_china(moment)
        return (local.year, local.month) == (year, month)

    units, kinds, per_day = set(), Counter(), Counter()
    for i in gen.inspections:
        if i.status == "finished" and mine(i.unit_id, i.started_at):
            units.add(i.unit_id)
            kinds[i.kind] += 1
            per_day[to_china(i.started_at).day, "inspections"] += 1
    found = general = major = rectified = overdue = 0
    for h in gen.hazards:
        if h.status in ("draft", "withdrawn") or not mine(h.unit_id, h.created_at):
            continue
        found += 1
        if h.grade == "major":
            major += 1
        else:
            general += 1
        per_day[to_china(h.created_at).day, h.grade] += 1
        if h.status in ("reviewed_ok", "closed"):
            rectified += 1
        elif h.deadline is not None and h.deadline < TODAY:
            overdue += 1
    docs: Counter[str] = Counter()
    penalties = fines = 0
    for d in gen.documents:
        if d.status != "issued" or not mine(d.unit_id, d.issued_at):
            continue
        docs[DOC_TITLES[d.kind]] += 1
        body = json.loads(d.data).get("input_fields", {})
        if d.kind.startswith("onsite_penalty") and body.get("penalty_type") == "fine":
            penalties += 1
            fines += int(body["fine_yuan"])
    return {
        "units_inspected": len(units),
        "inspections": sum(kinds.values()),
        "by_kind": {k: kinds[k] for k in INSPECTION_KINDS},
        "hazards_found": found,
        "hazards_general": general,
        "hazards_major": major,
        "rectified": rectified,
        "rate": rectified / found if found else None,
        "overdue": overdue,
        "documents": dict(docs),
        "penalties": penalties,
        "fines_yuan": fines,
        "daily": per_day,
    }


def actual(f: Any) -> dict[str, Any]:
    daily: Counter[Any] = Counter()
    for d in f.daily:
        for key, n in (
            ("inspections", d.inspections),
            ("general", d.hazards_general),
            ("major", d.hazards_major),
        ):
            if n:
                daily[d.day.day, key] = n
    return {
        "units_inspected": f.units_inspected,
        "inspections": f.inspections,
        "by_kind": {k.kind: k.count for k in f.inspections_by_kind},
        "hazards_found": f.hazards_found,
        "hazards_general": f.hazards_general,
        "hazards_major": f.hazards_major,
        "rectified": f.rectified,
        "rate": f.rectification_rate,
        "overdue": f.overdue,
        "documents": {k.label: k.count for k in f.documents_by_kind},
        "penalties": f.penalties,
        "fines_yuan": f.fines_yuan,
        "daily": daily,
    }


@pytest.fixture
def data(services: Services, clock: FixedClock) -> Generated:
    clock.moment = NOW
    return generate(services)


@pytest.mark.parametrize(("year", "month"), [(2026, 9), (2026, 10), (2026, 11)])
def test_figures_equal_an_independent_count(
    services: Services, data: Generated, year: int, month: int
) -> None:
    figures = services.overview.figures(year, month)
    want = expected(data, year, month)
    assert actual(figures) == want
    assert want["inspections"] > 10 and want["hazards_found"] > 5  # the data set is not trivial
    assert len(figures.daily) == {9: 30, 10: 31, 11: 30}[month]
    assert figures.agency_name and figures.township_name == ""


def test_a_township_counts_only_its_units(services: Services, data: Generated) -> None:
    for township in (data.township_a, data.township_b):
        for month in (10, 11):
            figures = services.overview.figures(2026, month, township)
            assert actual(figures) == expected(data, 2026, month, township)
            assert figures.township_name and figures.township_name in figures.title
    whole = services.overview.figures(2026, 11)
    a = services.overview.figures(2026, 11, data.township_a)
    b = services.overview.figures(2026, 11, data.township_b)
    assert a.inspections + b.inspections < whole.inspections  # the five units elsewhere count too


def test_the_month_follows_local_time(services: Services, data: Generated) -> None:
    """Started 31 October 16:30 UTC = 1 November 00:30 in China: a November inspection."""
    nov, oct_ = services.overview.figures(2026, 11), services.overview.figures(2026, 10)
    assert nov.daily[0].day == date(2026, 11, 1) and nov.daily[0].inspections >= 1
    assert oct_.daily[-1].day == date(2026, 10, 31) and oct_.daily[-1].inspections >= 1


def test_months_with_data_newest_first(services: Services, data: Generated) -> None:
    assert services.overview.months() == [(2026, 11), (2026, 10), (2026, 9)]


def test_an_empty_month_has_no_rate(services: Services, clock: FixedClock) -> None:
    clock.moment = NOW
    figures = services.overview.figures(2026, 11)
    assert figures.hazards_found == 0 and figures.rectification_rate is None
    assert next(x for x in figures.lines() if x.key == "rectification_rate").text == "—"
    assert services.overview.months() == [(2026, 11)]


def test_the_pushed_json_records_give_the_same_figures(services: Services, data: Generated) -> None:
    """The server can run the same function over the row snapshots devices push."""

    def payloads(rows: list[Any]) -> list[dict[str, Any]]:
        return [json.loads(json.dumps(row_payload(r))) for r in rows]

    with services.ctx.store.read() as s:
        units = payloads(list(s.exec(select(Unit))))
    rows = StatsRows.from_payloads(
        payloads(data.inspections), payloads(data.hazards), payloads(data.documents), units
    )
    for township in (None, data.township_a):
        from_json = monthly_figures(rows, 2026, 10, TODAY, township)
        assert actual(from_json) == actual(services.overview.figures(2026, 10, township))


def test_excel_export_holds_the_numbers(
    services: Services, data: Generated, tmp_path: Path
) -> None:
    figures = services.overview.figures(2026, 10)
    path = services.overview.export_xlsx(figures, tmp_path / "统计" / "2026年10月.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["月度统计", "文书", "每日"]
    main = {r[0]: r[1] for r in wb["月度统计"].iter_rows(min_row=2, values_only=True)}
    want = expected(data, 2026, 10)
    assert main["检查单位数"] == want["units_inspected"]
    assert main["检查次数"] == want["inspections"]
    assert main["其中：专项检查"] == want["by_kind"]["专项检查"]
    assert main["发现隐患"] == want["hazards_found"]
    assert main["其中：重大隐患"] == want["hazards_major"]
    assert main["已整改"] == want["rectified"]
    assert main["整改率"] == pytest.approx(want["rate"])
    assert main["逾期未整改"] == want["overdue"]
    assert main["罚款金额"] == want["fines_yuan"] and isinstance(main["罚款金额"], int)
    docs = {r[0]: r[1] for r in wb["文书"].iter_rows(min_row=2, values_only=True)}
    assert docs == {**want["documents"], "合计": sum(want["documents"].values())}
    daily = list(wb["每日"].iter_rows(min_row=2, values_only=True))
    assert len(daily) == 31
    assert daily[30][0].date() == date(2026, 10, 31)
    assert [r[1] for r in daily] == [want["daily"][d, "inspections"] for d in range(1, 32)]
    assert [r[3] for r in daily] == [want["daily"][d, "major"] for d in range(1, 32)]


def _pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return out.stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_export_holds_the_figures(services: Services, data: Generated, tmp_path: Path) -> None:
    figures = services.overview.figures(2026, 11, data.township_a)
    path = services.overview.export_pdf(figures, tmp_path / "统计表.pdf")
    text = _pdf_text(path)
    assert figures.title in text and "本机记录" in text
    assert figures.agency_name in text
    lines = {ln.split()[0]: ln.split()[1] for ln in text.splitlines() if len(ln.split()) > 1}
    want = expected(data, 2026, 11, data.township_a)
    assert lines["检查单位数"] == str(want["units_inspected"])
    assert lines["检查次数"] == str(want["inspections"])
    assert lines["发现隐患"] == str(want["hazards_found"])
    assert lines["逾期未整改"] == str(want["overdue"])
    assert lines["罚款金额"] == str(want["fines_yuan"])
    rate = want["rate"]
    assert lines["整改率"] == ("—" if rate is None else f"{rate:.1%}")
    for title, n in want["documents"].items():
        assert any(ln.split()[:2] == [title, str(n)] for ln in text.splitlines())


def _immutable(folder: Path) -> bool:
    """Make `folder` unwritable even for root (ext4 immutable flag); False when not possible."""
    chattr = shutil.which("chattr")
    if chattr is None:
        return False
    return subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0


def test_an_unwritable_folder_gives_a_chinese_message(
    services: Services, data: Generated, tmp_path: Path
) -> None:
    figures = services.overview.figures(2026, 11)
    folder = tmp_path / "只读U盘"
    folder.mkdir()
    folder.chmod(0o500)
    locked = _immutable(folder)
    if not locked and os.geteuid() == 0:
        pytest.skip("root ignores permissions and the immutable flag is not available here")
    try:
        for export, name in (
            (services.overview.export_xlsx, "统计.xlsx"),
            (services.overview.export_pdf, "统计.pdf"),
        ):
            with pytest.raises(UserError) as err:
                export(figures, folder / name)
            assert f"无法保存到 {folder / name}" in err.value.message
            assert "没有写入权限" in err.value.message
        assert list(folder.iterdir()) == []  # no partial or temporary file left
    finally:
        if locked:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o700)


def test_a_folder_that_is_gone_gives_a_chinese_message(
    services: Services, data: Generated, tmp_path: Path
) -> None:
    """The USB stick was pulled: its folder path now runs through something that is no folder."""
    figures = services.overview.figures(2026, 11)
    blocker = tmp_path / "U盘"
    blocker.write_text("not a folder")
    with pytest.raises(UserError, match="目标文件夹不存在"):
        services.overview.export_xlsx(figures, blocker / "统计" / "统计.xlsx")
    assert blocker.read_text() == "not a folder"


def test_other_disk_failures_are_said_in_chinese(
    services: Services, data: Generated, tmp_path: Path
) -> None:
    """A file where the folder should be, a folder where the file should be: no English errno
    text reaches the person; what was exported elsewhere is readable by others (not 0600)."""
    figures = services.overview.figures(2026, 11)
    blocker = tmp_path / "统计"
    blocker.write_text("a file, not a folder")
    with pytest.raises(UserError, match="同名的文件，不能当作文件夹") as caught:
        services.overview.export_xlsx(figures, blocker / "统计.xlsx")
    assert "File exists" not in str(caught.value)
    (tmp_path / "表.xlsx").mkdir()
    with pytest.raises(UserError, match="已有同名的文件夹"):
        services.overview.export_xlsx(figures, tmp_path / "表.xlsx")
    out = services.overview.export_xlsx(figures, tmp_path / "ok" / "统计.xlsx")
    assert out.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in out.parent.iterdir()) == ["统计.xlsx"]  # no temporary left


def test_documents_issued_through_the_service_are_counted(
    services: Services, tmp_path: Path
) -> None:
    """The real flow: a finished inspection with two findings, two fines decided on the spot
    (2,000 and 200 yuan); voiding one takes it out of the figures."""
    iid = inspection_with_hazards(services)
    load_blocks(services, tmp_path, "罚当")
    unit = services.documents.issue(penalty_draft(services, iid, "onsite_penalty_unit", "2000"))
    services.documents.issue(penalty_draft(services, iid, "onsite_penalty_person", "200"))
    today = services.ctx.clock.today()
    figures = services.overview.figures(today.year, today.month)
    assert (figures.inspections, figures.units_inspected) == (1, 1)
    assert (figures.hazards_found, figures.hazards_general, figures.hazards_major) == (2, 1, 1)
    assert (figures.penalties, figures.fines_yuan) == (2, 2200)
    assert {k.label: k.count for k in figures.documents_by_kind} == {
        "行政（当场）处罚决定书（单位）": 1,
        "行政（当场）处罚决定书（个人）": 1,
    }
    services.documents.void(unit.document_id, "罚款金额写错")
    figures = services.overview.figures(today.year, today.month)
    assert (figures.penalties, figures.fines_yuan, figures.documents) == (1, 200, 1)
