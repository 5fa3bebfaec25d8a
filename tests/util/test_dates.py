"""One date format for the person: every page shows a day as 2026-12-06 and a moment as
2026-12-06 14:30 through inspector.util.dates, and no page formats a date by itself."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from inspector.util.clock import to_local
from inspector.util.dates import QT_DAY_FORMAT, day_text, moment_text

ROOT = Path(__file__).resolve().parents[2]
# a date formatted by hand: strftime, isoformat() of a date, a Qt display format, 年…月…日 built
PATTERNS = {
    "strftime": re.compile(r"(\.strftime\(|:)[^)}]*%[Ymd]"),  # a time alone (%H:%M) is fine
    "isoformat": re.compile(r"\.isoformat\(\)"),
    "Qt format": re.compile(r'setDisplayFormat\("'),
    "年月日": re.compile(r"\}年\{[^}]*\}月\{[^}]*\}日"),
}
# where a page's text is made: the window, and the service reads that hand it preformatted times
SHOWN = [
    *(ROOT / "inspector" / "ui").rglob("*.py"),
    ROOT / "inspector" / "services" / "hazards" / "loop.py",
    ROOT / "inspector" / "services" / "plan" / "work_tasks.py",
]
# not a date shown on a page: a value written into a document's fields, times stored in a task's
# history
ALLOWED = {
    ("document_draft.py", "fields[key] = value.isoformat()"),
    ("work_tasks.py", "now.isoformat()"),
}


def test_the_helper_says_a_day_and_a_moment_one_way() -> None:
    assert day_text(date(2026, 12, 6)) == "2026-12-06"
    assert day_text(None) == "" and day_text(None, "立即") == "立即"
    moment = datetime(2026, 12, 6, 6, 30, tzinfo=UTC)
    local = to_local(moment)
    assert moment_text(moment) == f"{local:%Y-%m-%d %H:%M}"
    assert moment_text(moment.replace(tzinfo=None)) == moment_text(moment)  # naive means UTC
    assert QT_DAY_FORMAT == "yyyy-MM-dd"


def test_no_page_formats_a_date_by_itself() -> None:
    found = []
    for path in SHOWN:
        for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            code = line.split("  #")[0].strip()
            allowed = any(path.name == f and part in code for f, part in ALLOWED)
            if allowed or code.startswith(('"""', "#")):
                continue
            for what, pattern in PATTERNS.items():
                if pattern.search(code):
                    found.append(f"{path.relative_to(ROOT)}:{n}: {what}: {code}")
    assert not found, "\n".join(found)
