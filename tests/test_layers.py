"""The layers of DESIGN.md, checked by walking every import: the core knows no Qt, and the UI
never reaches into the store."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def files(*parts: str) -> list[Path]:
    found = sorted(ROOT.joinpath(*parts).rglob("*.py"))
    assert found, parts
    return found


def test_core_imports_no_qt() -> None:
    for layer in (
        ("inspector", "domain"),
        ("inspector", "services"),
        ("inspector", "store"),
        ("inspector", "documents"),
        ("inspector", "util"),
        ("sync",),
    ):
        for path in files(*layer):
            bad = {n for n in imports_of(path) if n.startswith(("PySide6", "inspector.ui"))}
            assert not bad, f"{path.relative_to(ROOT)} imports {bad}"
    assert not {n for n in imports_of(ROOT / "inspector" / "fonts.py") if n.startswith("PySide6")}


def test_ui_imports_no_store_and_no_sql() -> None:
    for path in files("inspector", "ui"):
        names = imports_of(path)
        bad = {
            n
            for n in names
            if n.startswith(("inspector.store", "sqlalchemy", "sqlmodel", "sqlite3"))
        }
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_domain_imports_no_database() -> None:
    for path in files("inspector", "domain"):
        bad = {
            n
            for n in imports_of(path)
            if n.startswith(("sqlalchemy", "sqlmodel", "inspector.store", "inspector.services"))
        }
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"
