"""The bundled checklists in forms/checklists/ and the demo vocabulary that points at them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from inspector.services.demo import vocab as demo_vocab
from inspector.util.paths import forms_path

CHECKLIST_DIR = forms_path("checklists")
CHECKLIST_FILES = sorted(CHECKLIST_DIR.glob("*.json"))

TOP_KEYS: dict[str, type] = {
    "code": str,
    "name": str,
    "industry": str,
    "version": str,
    "source": str,
    "items": list,
}
ITEM_KEYS: dict[str, type | tuple[type, ...]] = {
    "category": str,
    "content": str,
    "method": str,
    "legal_basis": list,  # structured references (tests/domain/test_citations.py resolves them)
    "major": bool,
    "major_basis": (dict, type(None)),
    "measure": str,
    "deadline_days": int,
    "authority": str,
    "finding": str,
}
NON_EMPTY_ITEM_FIELDS = ("category", "content", "method", "measure", "authority", "finding")


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _all() -> dict[str, dict[str, Any]]:
    return {path.name: _load(path) for path in CHECKLIST_FILES}


def test_the_expected_checklists_are_bundled() -> None:
    codes = {_load(path)["code"] for path in CHECKLIST_FILES}
    assert {"gm-dust", "hc-retail", "crowded-fire", "general-small"} <= codes


@pytest.mark.parametrize("path", CHECKLIST_FILES, ids=lambda p: p.name)
def test_checklist_schema(path: Path) -> None:
    data = _load(path)
    assert set(data) == set(TOP_KEYS), f"{path.name}: top-level keys"
    for key, typ in TOP_KEYS.items():
        assert isinstance(data[key], typ), f"{path.name}: {key} should be {typ.__name__}"
        if typ is str:
            assert data[key].strip(), f"{path.name}: {key} is empty"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", data["code"]), data["code"]
    assert path.stem == data["code"], "file name should match the code"
    assert len(data["items"]) >= 15, f"{path.name}: only {len(data['items'])} items"

    contents: set[str] = set()
    for n, item in enumerate(data["items"], start=1):
        where = f"{path.name} item {n}"
        assert isinstance(item, dict), where
        assert set(item) == set(ITEM_KEYS), f"{where}: keys {sorted(item)}"
        for key, typ in ITEM_KEYS.items():
            # bool is a subclass of int: deadline_days must be a real int, major a real bool.
            types = typ if isinstance(typ, tuple) else (typ,)
            assert type(item[key]) in types, f"{where}: {key} should be {typ}"
        for key in NON_EMPTY_ITEM_FIELDS:
            assert item[key].strip(), f"{where}: {key} is empty"
        if item["major"]:
            assert item["major_basis"], f"{where}: major item without major_basis"
        else:
            assert item["major_basis"] is None, f"{where}: major_basis on a non-major item"
        assert 0 <= item["deadline_days"] <= 90, f"{where}: deadline_days out of range"
        assert item["legal_basis"], f"{where}: legal_basis should cite a law or standard"
        assert item["content"] not in contents, f"{where}: duplicate content"
        contents.add(item["content"])


def test_checklist_codes_are_unique() -> None:
    codes = [data["code"] for data in _all().values()]
    assert len(codes) == len(set(codes)), codes


def test_checklist_industries_are_known() -> None:
    industries = {label for label, _ in demo_vocab.INDUSTRIES}
    for name, data in _all().items():
        assert data["industry"] in industries, f"{name}: industry {data['industry']!r}"


def test_checklist_by_industry_refers_to_bundled_checklists() -> None:
    codes = {data["code"] for data in _all().values()}
    industries = {label for label, _ in demo_vocab.INDUSTRIES}
    assert set(demo_vocab.CHECKLIST_BY_INDUSTRY) == industries
    for industry, wanted in demo_vocab.CHECKLIST_BY_INDUSTRY.items():
        assert wanted, industry
        assert "general-small" in wanted, industry
        assert len(wanted) == len(set(wanted)), industry
        for code in wanted:
            assert code in codes, f"{industry}: unknown checklist {code}"


def test_demo_vocab_shape() -> None:
    v = demo_vocab
    assert re.fullmatch(r"\d{6}", v.COUNTY_CODE)
    assert len(v.AGENCY_SHORT) == 1
    assert v.AGENCY_NAME.startswith(v.COUNTY)
    assert f"{v.COUNTY}人民政府" == v.REVIEW_GOVERNMENT
    assert f"{v.COUNTY}人民法院" == v.COURT
    min_lat, min_lon, max_lat, max_lon = v.COUNTY_BBOX
    assert 18 < min_lat < max_lat < 30 and 104 < min_lon < max_lon < 122

    assert len(v.TOWNSHIPS) == 8
    grid_names: list[str] = []
    for township, grids in v.TOWNSHIPS:
        assert township.endswith(("镇", "乡", "街道")), township
        assert 5 <= len(grids) <= 8, township
        grid_names.extend(grids)
    assert len(grid_names) == len(set(grid_names))

    labels = [label for label, _ in v.INDUSTRIES]
    assert len(labels) == len(set(labels))
    for required in ("工贸", "危险化学品经营", "人员密集场所", "小微企业", "建筑施工", "仓储物流"):
        assert required in labels
    assert abs(sum(w for _, w in v.INDUSTRIES) - 1.0) < 1e-9
    for industry in labels:
        assert v.INDUSTRY_NAME_PARTS[industry], industry
        assert v.TAGS[industry], industry
        assert v.SUFFIXES_BY_INDUSTRY[industry], industry

    known_suffixes = {s for s, _ in v.ORG_SUFFIXES} | {""}
    for suffixes in v.SUFFIXES_BY_INDUSTRY.values():
        assert set(suffixes) <= known_suffixes
    assert {kind for _, kind in v.ORG_SUFFIXES} == {"91", "92", "93"}

    assert len(v.NAME_PREFIXES) >= 80 and len(set(v.NAME_PREFIXES)) == len(v.NAME_PREFIXES)
    assert all(len(p) == 2 for p in v.NAME_PREFIXES)
    assert len(set(v.STREETS)) >= 40
    assert len(set(v.SURNAMES)) >= 60
    assert len(set(v.GIVEN_NAME_CHARS)) == len(v.GIVEN_NAME_CHARS) >= 80
    assert all(len(c) == 1 for c in v.GIVEN_NAME_CHARS)
    assert set(v.RARE_GIVEN_NAME_CHARS) <= set(v.GIVEN_NAME_CHARS)
    assert any(ord(c) > 0xFFFF for c in v.RARE_GIVEN_NAME_CHARS)

    assert len(v.INSPECTORS) == 6
    for name, cert in v.INSPECTORS:
        assert name and re.fullmatch(rf"{v.COUNTY_CODE}\d{{8}}", cert), cert
    assert len({cert for _, cert in v.INSPECTORS}) == 6
    assert len(set(v.GRID_WORKERS)) == len(v.GRID_WORKERS) == 8
