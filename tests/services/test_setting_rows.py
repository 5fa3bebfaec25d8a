"""The store's key-value rows: each key's name written once, read and written through it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel
from sqlmodel import SQLModel

import sync.contract
import sync.server.db  # registers the server's tables (their column names)
from inspector.services.facade import Services
from inspector.services.setting_rows import (
    KEYS,
    STATS_CACHE,
    USERNAME,
    current_agency_id,
    current_user_id,
    drop_personal_rows,
    get_setting,
    set_current_user,
    set_setting,
)
from inspector.util.settings import SETTINGS, SETTINGS_FILE

REPO = Path(__file__).resolve().parents[2]
ROWS_MODULE = REPO / "inspector" / "services" / "setting_rows.py"
SETTINGS_MODULE = REPO / "inspector" / "util" / "settings.py"


def _sources() -> Iterator[tuple[Path, ast.Module]]:
    for root in (REPO / "inspector", REPO / "sync"):
        for path in sorted(root.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text("utf-8"))


def _string_literals() -> list[tuple[Path, str]]:
    return [
        (path, node.value)
        for path, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_each_key_name_is_written_once_in_inspector_and_sync() -> None:
    literals = _string_literals()
    # a name that is also a column or a field of the sync contract (agency_id, device_id,
    # clock_offset_s) is written as that elsewhere; the next test keeps those from the setting table
    columns = {c.name for t in SQLModel.metadata.tables.values() for c in t.columns}
    columns |= {
        name
        for model in vars(sync.contract).values()
        if isinstance(model, type) and issubclass(model, BaseModel)
        for name in model.model_fields
    }
    for key in KEYS:
        places = [
            path
            for path, text in literals
            if text == key.name or (key.family and text.startswith(key.name))
        ]
        assert places.count(ROWS_MODULE) == 1, key.name
        if key.name not in columns:
            elsewhere = sorted({str(p.relative_to(REPO)) for p in places if p != ROWS_MODULE})
            assert elsewhere == [], f"setting key {key.name!r} written again in {elsewhere}"
    for name in [*SETTINGS, SETTINGS_FILE]:
        elsewhere = sorted({str(p.relative_to(REPO)) for p, t in literals if t == name})
        assert elsewhere in ([], [str(SETTINGS_MODULE.relative_to(REPO))]), name


def test_the_setting_table_is_reached_only_through_the_declared_keys() -> None:
    """Nothing but setting_rows.py imports the `Setting` table or declares a `Key`, so a row
    named by a bare string (get_setting takes a Key) cannot be written or read elsewhere."""
    offenders = []
    for path, tree in _sources():
        if path == ROWS_MODULE:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in (
                "inspector.store.models",
                "inspector.services.setting_rows",
            ):
                names = {a.name for a in node.names}
                if names & {"Setting", "Key"}:
                    offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_every_key_has_a_one_line_description() -> None:
    assert len({k.name for k in KEYS}) == len(KEYS)
    for key in KEYS:
        assert key.description and "\n" not in key.description, key.name


def test_typed_accessors_and_the_rows_a_person_keeps(services: Services) -> None:
    with services.ctx.store.write() as s:
        set_current_user(s, "user-1")
        set_setting(s, USERNAME, "li")
        set_setting(s, STATS_CACHE.at("li:2026-11:*"), "{}")
    with services.ctx.store.read() as s:
        assert current_user_id(s) == "user-1"
        assert current_agency_id(s) is not None  # the demo's county
    with services.ctx.store.write() as s:
        drop_personal_rows(s)  # what another person's split store must not inherit
    with services.ctx.store.read() as s:
        assert get_setting(s, USERNAME) is None
        assert get_setting(s, STATS_CACHE.at("li:2026-11:*")) is None
        assert current_user_id(s) == "user-1"  # not personal: set anew by the split
        assert current_agency_id(s) is None
