"""Check that every path and module name a Markdown file quotes in backticks exists in the tree.

    python tools/check_doc_paths.py docs/ARCHITECTURE.md README.md

A quoted path (`services/sync/push.py`, `ui/refresh.ChangeFollower`, `documents/layout/`) is looked
up from the repository root, inspector/ and sync/; a dotted name (`services.changes.Done`,
`sync.contract.named_blobs`, `hazard_loop.apply`) from its longest module prefix, the rest a name
the module defines or mentions; a test (`tests/test_layers.py::test_core_imports_no_qt`, or
`::test_name` after one on the same line) must be defined in its file. Runtime paths (data dir, blobs, packs) are listed in RUNTIME.
Prints each name it could not find and exits 1 when there is any.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASES = ("", "inspector/", "sync/", "tests/", "docs/")
PACKAGES = {"inspector", "services", "store", "domain", "documents", "util", "ui", "sync", "tests"}
# Paths that exist only at run time (in a data dir, on the server, on a desktop).
RUNTIME = {
    "people/guest",
    "shared-store-before-split/",
    "forms/documents/<kind>.json",
    "~/.config/inspector/ui.ini",
    "../shared/DESIGN.md",  # beside the repository, not in it
    "../shared/NOTES.md",
    "profiles.json",
    "inspector.sqlite3",
    "blobs/",
    "settings.json",
    "incoming/",
    "/sync/meta",
    "/openapi.json",
    ".venv/",
    ".demo-data/",
    "~/.local/share/inspector",
}
# snake_case heads of dotted names that are tables or objects, not modules
NOT_MODULES = {"unit_fts_deferred", "sync_counter", "applied_ops", "packed_blob", "blob_upload"}
TICKED = re.compile(r"`([^`\n]+)`")
PATHLIKE = re.compile(r"^[\w./~-]+(?:\.[A-Za-z_]\w*)*/?$")
DOTTED = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$")


def module_files() -> dict[str, list[Path]]:
    by_name: dict[str, list[Path]] = {}
    for top in ("inspector", "sync", "tests", "tools"):
        for p in (ROOT / top).rglob("*.py"):
            by_name.setdefault(p.stem, []).append(p)
            if p.name == "__init__.py":
                by_name.setdefault(p.parent.name, []).append(p)
    return by_name


def defines(path: Path, name: str) -> bool:
    if path.is_dir():
        return (
            (path / f"{name}.py").exists()
            or (path / name).is_dir()
            or ((path / "__init__.py").exists() and defines(path / "__init__.py", name))
        )
    return re.search(rf"\b{re.escape(name)}\b", path.read_text("utf-8")) is not None


def resolve_path(token: str) -> bool:
    token = token.rstrip("/") if token.endswith("/") else token
    if any(c in token for c in "<>*…"):
        return True
    for base in BASES:
        p = ROOT / (base + token)
        if p.exists():
            return True
    # `dir/module.Name` or `dir/module.Name.attr`: a module then names inside it
    parts = token.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        stem = ".".join(parts[:cut])
        for base in BASES:
            p = ROOT / (base + stem + ".py")
            if p.exists():
                return defines(p, parts[cut])
            d = ROOT / (base + stem)
            if d.is_dir():
                return defines(d, parts[cut])
    return False


def resolve_dotted(token: str, mods: dict[str, list[Path]]) -> bool | None:
    parts = token.split(".")
    if parts[0] not in PACKAGES and parts[0] not in mods:
        # `snake_case.name` reads as a module that is not there; anything else (a column,
        # `agency.data`) is not a module reference
        return False if "_" in parts[0] and parts[0] not in NOT_MODULES else None
    # longest prefix that is a module or package path
    for cut in range(len(parts), 0, -1):
        rel = "/".join(parts[:cut])
        for base in BASES:
            for cand in (ROOT / (base + rel + ".py"), ROOT / (base + rel)):
                if cand.exists():
                    return cut == len(parts) or defines(cand, parts[cut])
    if parts[0] in mods:
        return any(len(parts) == 1 or defines(p, parts[1]) for p in mods[parts[0]])
    return False


def check(doc: Path, mods: dict[str, list[Path]]) -> list[str]:
    missing = []
    for n, line in enumerate(doc.read_text("utf-8").splitlines(), 1):
        test_file = ""
        for raw in TICKED.findall(line):
            if "::" in raw:  # `tests/x.py::test_name`, or `::test_name` of the file before it
                test_file, _, test = (
                    raw.partition("::") if raw[:2] != "::" else (test_file, "", raw[2:])
                )
                target = ROOT / test_file
                if not target.is_file() or f"def {test}(" not in target.read_text("utf-8"):
                    missing.append(f"{doc.name}:{n}: test `{raw}`")
                continue
            token = raw.split("(")[0].split(" ")[0].split("[")[0].rstrip(",:;")
            if not token or token in RUNTIME or token.startswith(("-", "http")):
                continue
            if "/" in token or re.search(r"\.(py|json|md|sh|png|toml|sqlite3)$", token):
                if not PATHLIKE.match(token):
                    continue
                if not resolve_path(token):
                    missing.append(f"{doc.name}:{n}: path `{raw}`")
            elif DOTTED.match(token):
                ok = resolve_dotted(token, mods)
                if ok is False:
                    missing.append(f"{doc.name}:{n}: name `{raw}`")
    return missing


def main(argv: list[str]) -> int:
    mods = module_files()
    missing = [m for a in argv for m in check(ROOT / a, mods)]
    print("\n".join(missing))
    print(f"{len(missing)} missing")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["docs/ARCHITECTURE.md", "README.md"]))
