"""文号 of the enforcement documents (责改, 现决, 复查, or one 案 serial per case) on several offline
devices sharing an agency's blocks, an issue that fails half-way, and a laptop killed mid-issue."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from inspector.documents.raster import page_texts
from inspector.domain.errors import UserError
from inspector.domain.numbering import CASE_SERIES, DOC_CODES
from inspector.services.audit.verify import verify
from inspector.services.documents import Draft
from inspector.services.facade import Services
from inspector.store.models import AuditEvent, Document, NumberBlock, NumberUse
from tests.support.clock import FixedClock
from tests.support.demo_seed import seeded
from tests.support.documents import inspection_with_hazards
from tests.support.number_blocks import block, block_file, set_agency

__all__ = ["seeded"]  # fixtures used here

ROOT = Path(__file__).resolve().parents[3]
ORDER, MEASURES, REVIEW = "rectification_order", "onsite_measures", "review_opinion"
KINDS = (ORDER, MEASURES, REVIEW)
SERIES = (DOC_CODES[ORDER], DOC_CODES[MEASURES], DOC_CODES[REVIEW], CASE_SERIES)
NUMBER = re.compile(r"（([^（）]+)）(应急|安)([^〔〕（）]+)〔(\d{4})〕(\d+)号")
RENDER = "inspector.documents.form_document.render_document"


def parse(number: str) -> tuple[str, int, int]:
    """（岚）应急责改〔2026〕15号 → ("责改", 2026, 15)."""
    m = NUMBER.fullmatch(number)
    assert m, number
    return m[3], int(m[4]), int(m[5])


def printed_numbers(pdf: bytes) -> list[str]:
    """Every 文号 printed in a PDF, in reading order (a 复查 also prints the order's number)."""
    return [m[0] for m in NUMBER.finditer(re.sub(r"\s+", "", "".join(page_texts(pdf))))]


def assert_pdf_shows_its_number(services: Services, doc: Document) -> None:
    assert doc.number and doc.pdf_sha256
    found = printed_numbers(services.ctx.blobs.read(doc.pdf_sha256))
    own_code = DOC_CODES[doc.kind]
    assert found and found[0] == doc.number, (doc.number, found)  # the heading
    assert {n for n in found if parse(n)[0] == own_code} == {doc.number}, (doc.number, found)


def measures_draft(services: Services, iid: str) -> Draft:
    draft = services.documents.draft_from_inspection(MEASURES, iid)
    draft.fields["measures"] = "从危险区域内撤出作业人员"
    return draft


def review_draft(services: Services, order_id: str) -> Draft:
    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    services.documents.start_review(order_id, people)
    draft = services.documents.draft_from_document(REVIEW, order_id)
    for item in draft.items:  # 未整改: the hazards stay open, so the order can be reviewed again
        item.verdict = "failed"
        item.deadline = services.ctx.clock.today() + timedelta(days=10)
    return draft


def snapshot(services: Services) -> tuple[object, ...]:
    """Everything an issue may change in numbering: used serials, documents, blocks' `next`."""
    with services.ctx.store.read() as s:
        uses = sorted(
            (u.series, u.year, u.serial, u.document_id) for u in s.exec(select(NumberUse))
        )
        docs = sorted(d.id for d in s.exec(select(Document)))
        blocks = sorted((b.id, b.next) for b in s.exec(select(NumberBlock)))
    return tuple(uses), tuple(docs), tuple(blocks)


def check_numbering_rows(
    services: Services, per_case: bool
) -> list[tuple[str, int, int, Document]]:
    """This device's rows agree with each other: every issued document has its NumberUse (per-case
    documents share their case's) and its document.issued audit event, every NumberUse names an
    issued document with its serial, and each block's used serials are exactly first..next-1.
    Returns (series, year, serial, doc)."""
    with services.ctx.store.read() as s:
        docs = list(s.exec(select(Document).where(col(Document.kind).in_(KINDS))))
        uses = list(s.exec(select(NumberUse)))
        blocks = {b.id: b for b in s.exec(select(NumberBlock))}
        issued = {
            e.entity_id: json.loads(e.payload)
            for e in s.exec(select(AuditEvent).where(AuditEvent.kind == "document.issued"))
        }
    by_id = {d.id: d for d in docs}
    out = []
    for doc in docs:
        assert doc.status == "issued" and doc.number
        code, year, serial = parse(doc.number)
        assert code == DOC_CODES[doc.kind]
        series = CASE_SERIES if per_case else code
        if per_case:  # a 复查 is numbered in its order's case
            case = by_id[doc.refers_to_id].inspection_id if doc.refers_to_id else doc.inspection_id
            [use] = [u for u in uses if u.series == series and u.case_id == case]
        else:
            [use] = [u for u in uses if u.document_id == doc.id]
        assert (use.series, use.year, use.serial) == (series, year, serial), doc.number
        frozen = issued.get(doc.id, {})  # verify() skips a document without its audit event
        assert (frozen.get("number"), frozen.get("pdf_sha256")) == (doc.number, doc.pdf_sha256)
        out.append((series, year, serial, doc))
    for use in uses:  # no number taken without the document that carries it
        holder = by_id.get(use.document_id or "")
        assert holder is not None, f"{use.series} {use.serial} has no document"
        assert parse(holder.number or "")[1:] == (use.year, use.serial)
    assert len({u.document_id for u in uses}) == len(uses)
    for b in blocks.values():
        mine = sorted(u.serial for u in uses if u.block_id == b.id)
        assert mine == list(range(b.first, b.next)), (b.series, b.first, b.last, b.next, mine)
        assert b.first <= b.next <= b.last + 1
    return out


# -- several devices, offline, sharing an agency's blocks ----------------------------------------


@dataclass
class Device:
    """One simulated laptop and what the test expects of it."""

    n: int
    services: Services
    dealt: dict[str, list[int]]  # series → this year's serials dealt to the device, in order
    used: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SERIES, 0))
    cases: dict[str, int] = field(default_factory=dict)  # inspection → its 案 serial
    inspections: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)  # issued 责改/现决, reviewable
    order_case: dict[str, str] = field(default_factory=dict)  # order → its inspection (case)
    issued_kinds: set[tuple[str, str]] = field(default_factory=set)  # (kind, inspection)


def case_of(dev: Device, draft: Draft) -> str:
    """The case a per-case agency numbers the draft in: a 复查 belongs to its order's case."""
    if draft.kind == REVIEW:
        assert draft.refers_to_id is not None
        return dev.order_case[draft.refers_to_id]
    assert draft.inspection_id is not None
    return draft.inspection_id


def expected_serial(dev: Device, draft: Draft, per_case: bool) -> int | None:
    """The serial the next issue of `draft` must carry on `dev` (None: refused, used up)."""
    series = CASE_SERIES if per_case else DOC_CODES[draft.kind]
    if per_case and case_of(dev, draft) in dev.cases:
        return dev.cases[case_of(dev, draft)]
    if dev.used[series] < len(dev.dealt[series]):
        return dev.dealt[series][dev.used[series]]
    return None


def issue(dev: Device, draft: Draft, per_case: bool, year: int, *, crash: bool) -> bool:
    """Issue `draft` on `dev`, first failing half-way (render raises) when `crash`. False when the
    device's blocks are used up; anything else unexpected fails the test."""
    svc = dev.services
    before = snapshot(svc)
    assert draft.inspection_id is not None
    if (draft.kind, draft.inspection_id) in dev.issued_kinds:  # the same document twice
        with pytest.raises(UserError, match="同一文书不能重复签发"):
            svc.documents.issue(draft)
        assert snapshot(svc) == before
        return True
    want = expected_serial(dev, draft, per_case)
    if want is None:
        with pytest.raises(UserError, match="文号已用完"):
            svc.documents.issue(draft)
        assert snapshot(svc) == before  # refused: nothing taken, nothing stored
        return False
    if crash:  # the number is taken, then rendering dies: all of it must roll back
        with (
            mock.patch(RENDER, side_effect=RuntimeError("渲染时断电")),
            pytest.raises(RuntimeError),
        ):
            svc.documents.issue(draft)
        assert snapshot(svc) == before
    issued = svc.documents.issue(draft).value
    assert parse(issued.number) == (DOC_CODES[draft.kind], year, want), (dev.n, issued.number)
    case = case_of(dev, draft)
    if not (per_case and case in dev.cases):
        dev.used[CASE_SERIES if per_case else DOC_CODES[draft.kind]] += 1
    if per_case:
        dev.cases[case] = want
    dev.issued_kinds.add((draft.kind, draft.inspection_id))
    if draft.kind != REVIEW:
        dev.orders.append(issued.document_id)
        dev.order_case[issued.document_id] = draft.inspection_id
    return True


def new_inspection(dev: Device) -> str:
    iid = inspection_with_hazards(dev.services)
    dev.inspections.append(iid)
    return iid


def deal(
    devices: list[Services], plan: list[list[list[tuple[int, int]]]], work: Path, year: int
) -> list[dict[str, list[int]]]:
    """The "server": disjoint blocks per series, dealt round-robin (so one device's blocks are
    interleaved with the others'), with gaps; plus a next-year 责改 block that must stay unused."""
    dealt: list[dict[str, list[int]]] = [{s: [] for s in SERIES} for _ in devices]
    files: list[list[dict[str, object]]] = [[] for _ in devices]
    for k, series in enumerate(SERIES):
        cursor = 1
        for rnd in range(max(len(p[k]) for p in plan)):
            for d, svc in enumerate(devices):
                if rnd >= len(plan[d][k]):
                    continue
                size, gap = plan[d][k][rnd]
                first, last = cursor, cursor + size - 1
                files[d].append(block(svc, first, last, series=series, block_id=f"{series}{first}"))
                dealt[d][series].extend(range(first, last + 1))
                cursor = last + 1 + gap
    for d, svc in enumerate(devices):
        files[d].append(block(svc, 1, 5, series=SERIES[0], year=year + 1, block_id=f"next{d}"))
        svc.numbering.load_block_file(block_file(work, *files[d]))
    return dealt


BLOCKS = st.lists(st.tuples(st.integers(1, 3), st.integers(0, 2)), max_size=2)  # (size, gap)
OPS = st.tuples(
    st.integers(0, 3),  # device
    st.sampled_from(KINDS),
    st.integers(0, 3),  # 0: a new inspection; else an earlier one (or order, for a 复查)
    st.integers(0, 5),  # 0: the issue first fails half-way
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    per_case=st.booleans(),
    plan=st.lists(st.lists(BLOCKS, min_size=4, max_size=4), min_size=2, max_size=4),
    ops=st.lists(OPS, max_size=20),
)
def test_offline_devices_never_share_or_invent_a_document_number(
    seeded: Path,
    tmp_path_factory: pytest.TempPathFactory,
    per_case: bool,
    plan: list[list[list[tuple[int, int]]]],
    ops: list[tuple[int, str, int, int]],
) -> None:
    work = tmp_path_factory.mktemp("devices")
    year = date.today().year
    clock = FixedClock(datetime(year, 6, 15, 1, 0, tzinfo=UTC))  # no new year mid-example
    services: list[Services] = []
    try:
        for d in range(len(plan)):
            shutil.copytree(seeded, work / f"dev{d}")
            svc = Services.open(work / f"dev{d}", clock=clock)
            services.append(svc)
            set_agency(svc, numbers_per_case=per_case)
        devices = [
            Device(d, svc, dealt)
            for d, (svc, dealt) in enumerate(
                zip(services, deal(services, plan, work, year), strict=True)
            )
        ]

        for pick, kind, reuse, fail in ops:  # a random day's work on random devices
            clock.advance(minutes=1)  # reviews of one order are told apart by start time
            dev = devices[pick % len(devices)]
            if kind == REVIEW:
                if not dev.orders:
                    continue
                draft = review_draft(dev.services, dev.orders[reuse % len(dev.orders)])
            else:
                iid = (
                    dev.inspections[reuse % len(dev.inspections)]
                    if reuse and dev.inspections
                    else new_inspection(dev)
                )
                draft = (
                    dev.services.documents.draft_from_inspection(ORDER, iid)
                    if kind == ORDER
                    else measures_draft(dev.services, iid)
                )
            issue(dev, draft, per_case, year, crash=fail == 0)

        for dev in devices:  # then each device issues until its blocks run out
            svc = dev.services
            for _ in range(sum(len(v) for v in dev.dealt.values()) + 1):
                iid = new_inspection(dev)  # one order per inspection (a second is refused)
                if not issue(
                    dev,
                    svc.documents.draft_from_inspection(ORDER, iid),
                    per_case,
                    year,
                    crash=False,
                ):
                    break
            else:
                pytest.fail("the device never ran out of numbers")
            if per_case:
                assert dev.used[CASE_SERIES] == len(dev.dealt[CASE_SERIES])
                held = [
                    i
                    for i in dev.inspections
                    if i in dev.cases and (MEASURES, i) not in dev.issued_kinds
                ]
                if held:  # a case that holds a serial still gets it with the blocks used up
                    assert issue(dev, measures_draft(svc, held[0]), per_case, year, crash=False)
                continue
            for kind in (MEASURES, REVIEW):
                for _ in range(len(dev.dealt[DOC_CODES[kind]]) + 1):
                    if kind == REVIEW and not dev.orders:
                        break  # no 责改/现决 block at all: nothing to review
                    clock.advance(minutes=1)
                    draft = (
                        measures_draft(svc, new_inspection(dev))
                        if kind == MEASURES
                        else review_draft(svc, dev.orders[0])
                    )
                    if not issue(dev, draft, per_case, year, crash=False):
                        break
            for series in SERIES[:2]:
                assert dev.used[series] == len(dev.dealt[series])
            if dev.orders:
                assert dev.used[SERIES[2]] == len(dev.dealt[SERIES[2]])

        # across all devices, from the stored rows (not the test's model)
        holders: dict[tuple[str, int, int], set[tuple[int, str | None]]] = defaultdict(set)
        docs_per_number: dict[tuple[str, int, int], int] = defaultdict(int)
        case_serials: dict[tuple[int, str | None], set[int]] = defaultdict(set)
        for dev in devices:
            rows = check_numbering_rows(dev.services, per_case)
            by_doc = {doc.id: doc for *_r, doc in rows}
            for series, yr, serial, doc in rows:
                assert yr == year
                assert serial in dev.dealt[series], (dev.n, doc.number)  # only its own blocks
                holders[series, yr, serial].add(
                    (
                        dev.n,
                        by_doc[doc.refers_to_id].inspection_id
                        if doc.refers_to_id
                        else doc.inspection_id,
                    )
                )
                docs_per_number[series, yr, serial] += 1
                case = (
                    by_doc[doc.refers_to_id].inspection_id
                    if doc.refers_to_id
                    else doc.inspection_id
                )
                case_serials[dev.n, case].add(serial)
                assert_pdf_shows_its_number(dev.services, doc)
            report = verify(dev.services.ctx)
            assert report.ok, report.problems
        for key, who in holders.items():
            assert len(who) == 1, (key, who)  # never one number on two devices or two cases
            if not per_case:
                assert docs_per_number[key] == 1, key
        if per_case:
            assert all(len(serials) == 1 for serials in case_serials.values())
    finally:
        for svc in services:
            svc.close()


# -- a laptop that dies in the middle of issuing -------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import inspector.documents.form_document as form_document
    from inspector.services.facade import Services
    from tests.support.documents import inspection_with_hazards

    real_render = form_document.render_document

    def render(data):  # runs inside the write transaction, after the number was taken
        print("render", data.number, flush=True)
        return real_render(data)

    form_document.render_document = render
    services = Services.open(Path(sys.argv[1]))
    print("ready", flush=True)
    while True:  # one order per inspection, as an inspector issues them
        draft = services.documents.draft_from_inspection(
            "rectification_order", inspection_with_hazards(services)
        )
        print("issued", services.documents.issue(draft).value.number, flush=True)
    """
)


@dataclass
class Round:
    committed: list[str]  # numbers the child printed after issue() returned
    in_flight: str | None  # the number being rendered when the kill came, if any


def run_and_kill(data: Path, rng: random.Random, at_render: bool) -> Round:
    """Run the child until a random moment, then SIGKILL it. `at_render`: the moment is a short
    random delay after it starts rendering a numbered document (surely mid-transaction); else a
    random delay after its n-th committed issue (anywhere in the loop)."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout is not None and child.stderr is not None
    lines: list[str] = []
    try:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        issues_before = rng.randint(0, 3)
        while sum(ln.startswith("issued") for ln in lines) < issues_before:
            lines.append(child.stdout.readline().strip())
            assert lines[-1], child.stderr.read()
        if at_render:
            while not lines or not lines[-1].startswith("render"):
                lines.append(child.stdout.readline().strip())
                assert lines[-1], child.stderr.read()
            time.sleep(rng.uniform(0, 0.02))
        else:
            time.sleep(rng.uniform(0, 0.15))
    finally:
        child.send_signal(signal.SIGKILL)
        rest, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err
    lines += rest.split("\n")
    committed = [ln.split()[1] for ln in lines if ln.startswith("issued")]
    rendering = [ln.split()[1] for ln in lines if ln.startswith("render")]
    in_flight = rendering[-1] if rendering and rendering[-1] not in committed else None
    return Round(committed, in_flight)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_sigkill_mid_issue_neither_loses_nor_reuses_a_document_number(
    seeded: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(seeded, data)
    svc = Services.open(data)
    year = svc.ctx.clock.today().year
    code = DOC_CODES[ORDER]
    svc.numbering.load_block_file(  # a short block first, so the child crosses into the next
        block_file(tmp_path, block(svc, 101, 104, series=code), block(svc, 301, 400, series=code))
    )
    svc.close()
    dealt = [*range(101, 105), *range(301, 401)]
    seed = time.time_ns()
    print("random seed", seed)  # shown when the test fails
    rng = random.Random(seed)
    printed: list[str] = []
    mid_issue = 0
    rounds = 0
    while rounds < 3 or (mid_issue == 0 and rounds < 8):
        done = run_and_kill(data, rng, at_render=rounds % 2 == 0)
        rounds += 1
        printed += done.committed
        print(f"round {rounds}: committed {done.committed}, in flight {done.in_flight}")

        con = sqlite3.connect(data / "inspector.sqlite3")
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            con.close()
        svc = Services.open(data)
        try:
            rows = check_numbering_rows(svc, per_case=False)
            with svc.ctx.store.read() as s:
                in_order = list(s.exec(select(NumberUse).order_by(col(NumberUse.used_at))))
            serials = [u.serial for u in in_order]
            assert serials == sorted(set(serials))  # strictly increasing: none reused
            assert serials == dealt[: len(serials)]  # none skipped: nothing lost
            numbers = {doc.number for *_, doc in rows}
            assert set(printed) <= numbers  # every issue that returned is kept
            if done.in_flight is not None and done.in_flight not in numbers:
                mid_issue += 1  # killed between taking the number and the commit
                assert parse(done.in_flight)[2] == dealt[len(serials)]  # it is free again
            for *_, doc in rows:
                assert_pdf_shows_its_number(svc, doc)
            report = verify(svc.ctx)
            assert report.ok, report.problems
            # after the restart the next issue gets the first unused serial
            iid = inspection_with_hazards(svc)
            after = svc.documents.issue(svc.documents.draft_from_inspection(ORDER, iid)).value
            assert parse(after.number) == (code, year, dealt[len(serials)])
            assert verify(svc.ctx).ok
        finally:
            svc.close()
    assert mid_issue, f"no kill in {rounds} rounds landed between taking a number and the commit"
