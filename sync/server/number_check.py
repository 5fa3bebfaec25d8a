"""文号 audit over the documents devices pushed: a number used by two cases, and a number outside
every block leased to the device that issued it.

Devices never invent a number outside their blocks, so either finding means something went
wrong outside the rules — most likely a device restored from an old backup, whose blocks were
rewound and which then issued serials a second time. The documents are issued legal papers
already handed over, so nothing is refused: the administrator gets the list and the inspectors
correct (作废 and 更正) what needs it. Any two documents with one 文号 are reported, of one case or
of two (a restored device reissues serials inside an inspection as readily as across them); the
one pair that may share a 文号 is a voided document and the correction that supersedes it, which
agencies numbering per case give the same serial.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import select

from inspector.domain.numbering import CASE_SERIES, DOC_CODES
from sync.server.db import NumberBlock, Record, read_session

# （柴）应急责改〔2026〕15号 — the short name, the prefix (应急 or a township's 安), the 代字
NUMBER_RE = re.compile(
    r"^（(?P<short>[^）]+)）(?P<word>.+?)〔(?P<year>\d{4})〕(?P<serial>\d{1,9})号$"
)
CODES = sorted(set(DOC_CODES.values()), key=len, reverse=True)  # 先保通 before 罚 and the like


@dataclass(frozen=True)
class ParsedNumber:
    code: str  # the 代字, which is also the series of per-kind numbering
    year: int
    serial: int


def parse_number(number: str) -> ParsedNumber | None:
    """The 代字, year and serial of a 文号 the client prints (None: not one of ours)."""
    m = NUMBER_RE.match(number.strip().replace("[", "〔").replace("]", "〕"))
    if m is None:
        return None
    word = m["word"]
    code = next((c for c in CODES if word.endswith(c)), None)
    if code is None:
        return None
    return ParsedNumber(code, int(m["year"]), int(m["serial"]))


@dataclass(frozen=True)
class NumberProblem:
    number: str
    document_ids: tuple[str, ...]
    text: str


def check_numbers(engine: Engine, agency_id: str) -> list[NumberProblem]:
    """Every issued or voided document of the agency whose 文号 is used by another case or lies
    outside the blocks leased to its device; empty when all is well."""
    with read_session(engine) as s:
        docs = list(
            s.exec(
                select(Record.id, Record.device_id, Record.data).where(
                    Record.entity == "document", Record.agency_id == agency_id
                )
            )
        )
        blocks = [
            (b.device_id, b.series, b.year, b.first, b.last)
            for b in s.exec(select(NumberBlock).where(NumberBlock.agency_id == agency_id))
        ]
    leased: dict[tuple[str, str, int], list[tuple[int, int]]] = defaultdict(list)
    for device, series, year, first, last in blocks:
        leased[device, series, year].append((first, last))

    problems: list[NumberProblem] = []
    by_number: dict[str, list[_Numbered]] = defaultdict(list)
    for doc_id, device_id, data in docs:
        number = data.get("number") if isinstance(data, dict) else None
        if not isinstance(number, str) or not number or data.get("status") == "draft":
            continue
        case = str(data.get("inspection_id") or doc_id)
        supersedes = data.get("supersedes_id")
        by_number[number].append(
            _Numbered(doc_id, case, supersedes if isinstance(supersedes, str) else None)
        )
        parsed = parse_number(number)
        if parsed is None:
            problems.append(NumberProblem(number, (doc_id,), f"文号“{number}”的格式无法识别。"))
            continue
        ranges = [
            *leased.get((device_id, parsed.code, parsed.year), []),
            *leased.get((device_id, CASE_SERIES, parsed.year), []),
        ]
        if not any(first <= parsed.serial <= last for first, last in ranges):
            problems.append(
                NumberProblem(
                    number,
                    (doc_id,),
                    f"文号“{number}”不在签发设备 {device_id} 领用的文号段内"
                    "（该设备可能从旧备份恢复过，或文号段来自本服务器以外）。",
                )
            )
    for number, found in by_number.items():
        text = _reuse(number, found)
        if text:
            problems.append(NumberProblem(number, tuple(sorted(d.id for d in found)), text))
    return sorted(problems, key=lambda p: (p.number, p.text))


@dataclass(frozen=True)
class _Numbered:
    id: str
    case: str  # the inspection, or the document itself when it names none
    supersedes: str | None


def _reuse(number: str, found: list[_Numbered]) -> str:
    """Why `number` is used twice, or "" when its documents are one paper (a voided document and
    the correction superseding it count once)."""
    ids = {d.id for d in found}
    replaced = {d.supersedes for d in found if d.supersedes in ids}
    papers = [d for d in found if d.id not in replaced]
    if len(papers) < 2:
        return ""
    cases = {d.case for d in papers}
    if len(cases) > 1:
        return f"文号“{number}”被 {len(cases)} 个不同案件的文书使用，须作废并更正其中重号的文书。"
    return (
        f"文号“{number}”被同一案件的 {len(papers)} 份不同文书使用"
        "（该设备可能从旧备份恢复后再次用了这个号），须作废并更正其中重号的文书。"
    )
