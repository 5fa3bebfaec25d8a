"""文号 audit: every number the client prints parses back; a number used by two documents (a device
restored from an old backup issued it again, in another case or in the same one) and a number
outside the issuing device's blocks are reported; a voided document and the correction that
supersedes it with its number (per-case numbering), drafts and numbers inside the blocks are not."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.domain.numbering import DOC_CODES, number_for
from sync.server import admin
from sync.server.cli import main
from sync.server.number_check import ParsedNumber, check_numbers, parse_number
from tests.support.server_api import Api, inspection, op


def test_every_number_the_client_prints_parses_back() -> None:
    for kind, code in DOC_CODES.items():
        for short, year, serial in (("柴", 2026, 1), ("城关", 2031, 123456), ("𠀀堃", 2000, 7)):
            parsed = parse_number(number_for(kind, short, year, serial))
            assert parsed == ParsedNumber(code, year, serial), kind
    for bad in ("", "柴应急责改2026年1号", "（柴）应急〔2026〕1号", "（柴）应急责改〔26〕1号"):
        assert parse_number(bad) is None


def document(unit_id: str, inspection_id: str, number: str, status: str = "issued") -> dict:
    return {
        "id": f"doc-{abs(hash((number, inspection_id, status))) % 10**12}",
        "inspection_id": inspection_id,
        "unit_id": unit_id,
        "kind": "rectification_order",
        "title": "责令限期整改指令书",
        "number": number,
        "status": status,
        "data": "{}",
        "created_at": "2026-11-20T09:00:00+08:00",
        "issued_at": "2026-11-20T10:00:00+08:00",
    }


def push(api: Api, username: str, payloads: list[tuple[str, dict[str, Any]]]) -> None:
    headers = api.login(username)
    results = api.push(headers, f"dev-{username}", [op(e, p["id"], p) for e, p in payloads])
    assert {r["status"] for r in results} == {"applied"}, results


def test_reused_and_unleased_numbers_are_reported(
    api: Api, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    w = api.world
    for device in ("dev-insp_a", "dev-insp_a2"):
        admin.issue_blocks(
            api.engine, agency_id=w.agency, device_id=device, series="责改", year=2026, count=10
        )
    # insp_a holds 1–10, insp_a2 holds 11–20
    ok = "（柴）应急责改〔2026〕3号"
    a1, a2 = inspection(w.units_a[0]), inspection(w.units_a[1])
    voided = document(w.units_a[0], a1["id"], ok, "voided")
    push(
        api,
        "insp_a",
        [
            ("inspection", a1),
            ("inspection", a2),
            # a correction numbered per case keeps the number of the voided one it supersedes
            ("document", {**document(w.units_a[0], a1["id"], ok), "supersedes_id": voided["id"]}),
            ("document", voided),
            ("document", document(w.units_a[1], a2["id"], "（柴）应急责改〔2026〕5号", "draft")),
        ],
    )
    assert check_numbers(api.engine, w.agency) == []
    assert main(["check-numbers", "--db", db_url, "--agency", w.agency]) == 0
    assert "未发现问题" in capsys.readouterr().out

    # insp_a2's device, restored from an old backup, issues 3 again and then 25
    b1, b2 = inspection(w.units_a[2]), inspection(w.units_a[2])
    push(
        api,
        "insp_a2",
        [
            ("inspection", b1),
            ("inspection", b2),
            ("document", document(w.units_a[2], b1["id"], ok)),
            ("document", document(w.units_a[2], b2["id"], "（柴）应急责改〔2026〕15号")),
            ("document", document(w.units_a[2], b2["id"], "（柴）应急责改〔2026〕25号")),
        ],
    )
    problems = check_numbers(api.engine, w.agency)
    texts = [p.text for p in problems]
    assert len(problems) == 3, texts
    assert any("〔2026〕3号”被 2 个不同案件" in t for t in texts)
    assert sum("不在签发设备 dev-insp_a2 领用的文号段内" in t for t in texts) == 2  # 3 and 25
    assert not any("15号" in t for t in texts)
    duplicate = next(p for p in problems if "不同案件" in p.text)
    assert len(duplicate.document_ids) == 3  # both of the first case and the second case's
    assert main(["check-numbers", "--db", db_url, "--agency", w.agency]) == 1
    assert "发现 3 个问题" in capsys.readouterr().out


def test_a_number_reissued_within_one_inspection_is_reported(
    api: Api, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two different 责令限期整改指令书 of one inspection, both 74号 (the device was restored from an
    old copy): reported, naming both documents, though they share the case."""
    w = api.world
    admin.issue_blocks(
        api.engine, agency_id=w.agency, device_id="dev-insp_a", series="责改", year=2026, count=80
    )
    number = "（柴）应急责改〔2026〕74号"
    case = inspection(w.units_a[0])
    first = document(w.units_a[0], case["id"], number)
    again = {**document(w.units_a[0], case["id"], number), "id": "doc-restored-again"}
    push(api, "insp_a", [("inspection", case), ("document", first), ("document", again)])
    problems = check_numbers(api.engine, w.agency)
    assert [(p.number, p.document_ids) for p in problems] == [
        (number, tuple(sorted((first["id"], again["id"]))))
    ]
    assert "被同一案件的 2 份不同文书使用" in problems[0].text
    assert main(["check-numbers", "--db", db_url, "--agency", w.agency]) == 1
    out = capsys.readouterr().out
    assert "74号”被同一案件的 2 份不同文书使用" in out and "发现 1 个问题" in out
