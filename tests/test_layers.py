"""The layers of DESIGN.md, checked by walking every import: the core knows no Qt, and the UI
never reaches into the store."""

from __future__ import annotations

import ast
import subprocess
import sys
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


def test_sync_imports_no_client_services_and_no_store() -> None:
    """The contract and the reference server share the client's domain, never its services or
    store (they would load the client's sync client, keyring code and tables)."""
    for path in files("sync"):
        bad = {
            n for n in imports_of(path) if n.startswith(("inspector.services", "inspector.store"))
        }
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_server_process_loads_no_client_services_and_no_store() -> None:
    """Starting the server's modules (the app and its CLI) loads neither, not even indirectly."""
    code = (
        "import sys, sync.server.app, sync.server.cli\n"
        "print(' '.join(sorted(m for m in sys.modules"
        " if m.startswith(('inspector.services', 'inspector.store', 'keyring', 'PySide6')))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == []


SERVICES = ROOT / "inspector" / "services"
COMPOSITION = {"facade", "desk"}  # open whole stores: above every capability, imported by none


def services_graph() -> dict[str, dict[str, set[str]]]:
    """Which part of inspector/services (a package, or a module at its top) imports which other
    part, and from which files."""
    parts = {
        p.stem for p in SERVICES.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()
    }
    graph: dict[str, dict[str, set[str]]] = {}
    for path in files("inspector", "services"):
        source = path.relative_to(SERVICES).parts[0].removesuffix(".py")
        for name in imports_of(path):
            bits = name.split(".")
            if bits[:2] != ["inspector", "services"] or len(bits) < 3:
                continue
            target = bits[2]
            if target in parts and target != source:
                graph.setdefault(source, {}).setdefault(target, set()).add(path.name)
    return graph


def cycle_in(graph: dict[str, dict[str, set[str]]]) -> list[str]:
    """One import cycle as the parts along it ([] when there is none)."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_services_parts_import_one_another_without_a_cycle() -> None:
    graph = services_graph()
    cycle = cycle_in(graph)
    assert not cycle, " → ".join(cycle)
    for composer in COMPOSITION:
        users = {s for s, t in graph.items() if composer in t} - COMPOSITION
        assert not users, f"{composer} is imported by {users}"


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycle_in({"a": {"b": {"x"}}, "b": {"c": {"y"}}, "c": {"a": {"z"}}}) == [
        "a",
        "b",
        "c",
        "a",
    ]
    assert cycle_in({"a": {"b": {"x"}}, "b": {}}) == []
