"""The citation registry: every citation in forms/ (checklists, templates) and in the filled
examples resolves in it; bare law names and articles it lacks are refused; numerals print as
legal documents write them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from inspector.documents.examples import KINDS, example
from inspector.documents.form_document import render_document
from inspector.documents.raster import page_texts
from inspector.domain.authorities import AUTHORITIES
from inspector.domain.checklist_items import device_item, reads_as_question
from inspector.domain.citations import (
    CitationError,
    chinese_number,
    cite,
    major_sentence,
    parse_chinese_number,
    printed_refs,
    refs_of,
    registry,
)
from inspector.util.paths import forms_path

CHECKLISTS = sorted(forms_path("checklists").glob("*.json"))
TEMPLATES = sorted(forms_path("documents").glob("*.json"))


def _items() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in CHECKLISTS:
        for n, item in enumerate(json.loads(path.read_text("utf-8"))["items"], start=1):
            yield f"{path.name} item {n}", item


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (28, "二十八"),
        (41, "四十一"),
        (65, "六十五"),
        (100, "一百"),
        (102, "一百零二"),
        (105, "一百零五"),
        (110, "一百一十"),
        (112, "一百一十二"),
        (120, "一百二十"),
    ],
)
def test_article_numbers_in_chinese_numerals(n: int, text: str) -> None:
    assert chinese_number(n) == text
    assert parse_chinese_number(text) == n


def test_citations_print_as_legal_documents_write_them() -> None:
    law = "安全生产法"
    assert cite({"law": law, "article": 102}) == "《中华人民共和国安全生产法》第一百零二条"
    assert cite({"law": law, "article": 105, "item": 1}).endswith("第一百零五条第（一）项")
    assert cite({"law": law, "article": 65, "paragraph": 1, "item": 4}).endswith(
        "第六十五条第一款第（四）项"
    )
    several = cite(
        [
            {"law": law, "article": 42, "paragraph": 2},
            {"law": law, "article": 105, "item": 2},
            {"law": "消防法", "article": 60, "paragraph": 1, "item": 3},
        ]
    )
    assert several == (
        "《中华人民共和国安全生产法》第四十二条第二款、第一百零五条第（二）项"
        "和《中华人民共和国消防法》第六十条第一款第（三）项"
    )
    assert "；" not in several
    criterion = cite({"law": "工贸重大隐患判定标准", "article": 11, "item": 10})
    assert major_sentence(criterion) == (
        "属《工贸企业重大事故隐患判定标准》第十一条第（十）项规定的重大事故隐患"
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"law": "消防法"},  # a bare law name
        "《中华人民共和国消防法》",  # free text instead of a reference
        {"law": "安全生产法", "article": 999},
        {"law": "安全生产法", "article": 41, "paragraph": 4},
        {"law": "安全生产法", "article": 105, "item": 3},
        {"law": "安全生产法", "article": 65, "item": 3},  # several 款: the 款 must be named
        {"law": "工贸行业重大事故隐患判定标准", "article": 12},  # repealed in 2023
        {"law": "安全生产违法行为行政处罚办法", "article": 25},  # reported repealed 2026
        {"law": "建设工程安全生产管理条例", "article": 1},  # not in the registry
    ],
)
def test_a_reference_that_does_not_resolve_is_refused(bad: Any) -> None:
    with pytest.raises(CitationError):
        cite(bad)


@pytest.mark.parametrize(
    "text",
    [
        "依据《中华人民共和国消防法》的规定",
        "《中华人民共和国安全生产法》第一百零五条第（三）项",
        "《工贸行业重大事故隐患判定标准》（应急管理部令第10号）第十二条第（三）项",
    ],
)
def test_a_printed_citation_that_does_not_resolve_is_refused(text: str) -> None:
    with pytest.raises(CitationError):
        printed_refs(text)


def test_every_checklist_citation_resolves_in_the_registry() -> None:
    for where, item in _items():
        try:
            stored = device_item(item)
        except CitationError as exc:
            pytest.fail(f"{where}: {exc}")
        assert printed_refs(stored["legal_basis"]), where
        if item["major"]:
            assert printed_refs(stored["major_basis"]), where


def test_a_checklist_item_citing_a_bare_law_is_refused() -> None:
    _, item = next(_items())
    with pytest.raises(CitationError, match="只写了法规名称"):
        device_item({**item, "legal_basis": [{"law": "消防法"}]})
    with pytest.raises(CitationError, match="不在引用登记表中"):
        device_item({**item, "legal_basis": [{"law": "安全生产法", "article": 41, "paragraph": 5}]})


def test_every_checklist_item_has_a_known_authority_and_a_finding_stated_as_a_fact() -> None:
    seen = set()
    for where, item in _items():
        assert item["authority"] in AUTHORITIES, f"{where}: authority {item['authority']!r}"
        seen.add(item["authority"])
        finding = item["finding"]
        assert finding.strip(), f"{where}: no finding"
        assert "是否" not in finding and "？" not in finding, f"{where}: {finding}"
        assert not reads_as_question(finding), where
        assert finding != item["content"], where
    # 消防 matters are the 消防救援机构's, 特种设备 the 市场监管's (legal review item 1)
    assert {"应急", "消防救援", "市场监管"} <= seen


def test_fire_and_special_equipment_items_are_not_the_agencys_own() -> None:
    for where, item in _items():
        laws = {ref.law for ref in refs_of(item["legal_basis"])}
        if laws == {"消防法"}:
            assert item["authority"] == "消防救援", where
        if "特种设备安全法" in laws:
            assert item["authority"] == "市场监管", where
        if item["authority"] == "应急":
            assert "消防法" not in laws, where


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_cite_only_through_the_registry(path: Path) -> None:
    template = json.loads(path.read_text("utf-8"))
    for refs in list((template.get("citations") or {}).values()) + [
        v for v in (template.get("defaults") or {}).values() if not isinstance(v, str)
    ]:
        assert printed_refs(cite(refs)), path.name
    # no citation typed free in the template's text: law titles come from the registry
    titles = [f"《{law['title']}》" for law in registry().laws.values()]
    for text in _strings({k: v for k, v in template.items() if k != "citations"}):
        assert not any(t in text for t in titles), f"{path.name}: typed citation in {text!r}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_citation_in_the_examples_resolves(kind: str) -> None:
    data = example(kind)
    texts = list(_strings(data.fields)) + list(_strings([asdict(i) for i in data.items]))
    cited = [t for t in texts if "《" in t]
    if kind in ("rectification_order", "onsite_penalty_unit", "seizure"):
        assert cited, kind
    for text in cited:
        try:
            printed_refs(text)
        except CitationError as exc:
            pytest.fail(f"{kind}: {exc} in {text!r}")


LAW_TITLE = re.compile(r"《[^》]*(?:法|条例|规定|办法|标准|规则|（试行）)》")


@pytest.mark.parametrize("kind", KINDS)
def test_every_citation_printed_on_the_example_documents_resolves(kind: str) -> None:
    """What the party reads: each law title on the rendered PDF is followed by an article that
    exists in the registry (a bare "依据《中华人民共和国消防法》的规定" fails)."""
    text = re.sub(r"\s+", "", "".join(page_texts(render_document(example(kind)))))
    for match in LAW_TITLE.finditer(text):
        span = text[match.start() : match.end() + 40]
        try:
            printed_refs(span)
        except CitationError as exc:
            pytest.fail(f"{kind}: {exc} in {span!r}")
