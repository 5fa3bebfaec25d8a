"""The test tree's own rules: tests mirror the package they test, and shared helpers live in
tests/support/ (a test module imports no other test module and no conftest)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
# folders that mirror no package: the shared helpers, client+server end-to-end tests, benchmarks
NOT_MIRRORS = {"support", "e2e", "bench"}


def tree_files() -> list[Path]:
    """Every Python file of the test tree (test modules, conftests, tests/support), benchmarks aside."""
    found = [
        p
        for p in sorted(TESTS.rglob("*.py"))
        if "__pycache__" not in p.parts and p.relative_to(TESTS).parts[0] != "bench"
    ]
    assert found
    return found


def imports_of_tests(source: str, package: tuple[str, ...]) -> list[tuple[int, str]]:
    """(line, module) of every import of a `tests…` module in `source`, nested and relative ones
    included (`package` is the dotted package the source sits in, e.g. ("tests", "ui"))."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "tests"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                found.append((node.lineno, ".".join((*base, node.module or "")).rstrip(".")))
            elif node.module and node.module.split(".")[0] == "tests":
                found.append((node.lineno, node.module))
    return found


def forbidden(imports: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return [
        (n, m) for n, m in imports if m != "tests.support" and not m.startswith("tests.support.")
    ]


def test_the_tree_imports_helpers_only_from_tests_support() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in tree_files()
        for line, module in forbidden(
            imports_of_tests(path.read_text("utf-8"), path.relative_to(ROOT).parent.parts)
        )
    ]
    assert not bad, "shared helpers belong in tests/support/:\n" + "\n".join(bad)


def test_the_import_rule_catches_each_way_of_reaching_a_test_module() -> None:
    source = (
        "import tests.e2e.conftest\n"
        "from tests.services.inspections.test_inspection_flow import start\n"
        "from .test_documents import load_blocks\n"
        "from .. import conftest\n"
        "def helper() -> None:\n"
        "    from tests.conftest import FixedClock\n"
        "from tests.support.documents import load_blocks\n"
        "from tests.support import tables\n"
        "from inspector.services.facade import Services\n"
    )
    package = ("tests", "services", "documents")
    assert forbidden(imports_of_tests(source, package)) == [
        (1, "tests.e2e.conftest"),
        (2, "tests.services.inspections.test_inspection_flow"),
        (3, "tests.services.documents.test_documents"),
        (4, "tests.services"),
        (6, "tests.conftest"),
    ]


def test_each_test_package_mirrors_a_package() -> None:
    """tests/sync/… mirrors sync/…; every other tests/<path> mirrors inspector/<path>; each has an
    __init__.py so that two test modules of the same name in different folders do not clash."""
    bad = []
    for folder in sorted(p for p in TESTS.rglob("*") if p.is_dir()):
        parts = folder.relative_to(TESTS).parts
        if parts[0] in NOT_MIRRORS or "__pycache__" in parts or parts[0].startswith("."):
            continue
        mirrored = (
            ROOT.joinpath(*parts) if parts[0] == "sync" else ROOT.joinpath("inspector", *parts)
        )
        if not (mirrored / "__init__.py").is_file():
            bad.append(f"tests/{'/'.join(parts)} mirrors no package ({mirrored.relative_to(ROOT)})")
        if not (folder / "__init__.py").is_file():
            bad.append(f"tests/{'/'.join(parts)} has no __init__.py")
    assert not bad, "\n".join(bad)
