"""月度统计 on a generated three-month data set: the figures equal an independent count of the raw
rows (whole county, and one township), the month follows local time (China, UTC+8), and the Excel
and PDF exports hold the same numbers; a folder that cannot be written gives a Chinese message."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from inspector.domain.errors import UserError
from inspector.domain.monthly import StatsRows, monthly_figures
from inspector.services.facade import Services
from inspector.services.journal import row_payload
from inspector.store.models import Unit
from tests.support.clock import FixedClock
from tests.support.documents import inspection_with_hazards, load_blocks, penalty_draft
from tests.support.overview import (
    NOW,
    TODAY,
    Generated,
    actual,
    china_time,
    data,
    expected,
)

__all__ = ["china_time", "data"]  # fixtures used here


@pytest.mark.parametrize(("year", "month"), [(2026, 9), (2026, 10), (2026, 11)])
def test_figures_equal_an_independent_count(
    services: Services, data: Generated, year: int, month: int
) -> None:
    figures = services.overview.figures(year, month)
    want = expected(data, year, month)
    assert actual(figures) == want
    assert want["inspections"] > 10 and want["hazards_found"] > 5  # the data set is not trivial
    assert len(figures.daily) == {9: 30, 10: 31, 11: 30}[month]
    assert figures.agency_name and figures.township_name == ""


def test_a_township_counts_only_its_units(services: Services, data: Generated) -> None:
    for township in (data.township_a, data.township_b):
        for month in (10, 11):
            figures = services.overview.figures(2026, month, township)
            assert actual(figures) == expected(data, 2026, month, township)
            assert figures.township_name and figures.township_name in figures.title
    whole = services.overview.figures(2026, 11)
    a = services.overview.figures(2026, 11, data.township_a)
    b = services.overview.figures(2026, 11, data.township_b)
    assert a.inspections + b.inspections < whole.inspections  # the five units elsewhere count too


def test_the_month_follows_local_time(services: Services, data: Generated) -> None:
    """Started 31 October 16:30 UTC = 1 November 00:30 in China: a November inspection."""
    nov, oct_ = services.overview.figures(2026, 11), services.overview.figures(2026, 10)
    assert nov.daily[0].day == date(2026, 11, 1) and nov.daily[0].inspections >= 1
    assert oct_.daily[-1].day == date(2026, 10, 31) and oct_.daily[-1].inspections >= 1


def test_months_with_data_newest_first(services: Services, data: Generated) -> None:
    assert services.overview.months() == [(2026, 11), (2026, 10), (2026, 9)]


def test_an_empty_month_has_no_rate(services: Services, clock: FixedClock) -> None:
    clock.moment = NOW
    figures = services.overview.figures(2026, 11)
    assert figures.hazards_found == 0 and figures.rectification_rate is None
    assert next(x for x in figures.lines() if x.key == "rectification_rate").text == "—"
    assert services.overview.months() == [(2026, 11)]


def test_the_pushed_json_records_give_the_same_figures(services: Services, data: Generated) -> None:
    """The server can run the same function over the row snapshots devices push."""

    def payloads(rows: list[Any]) -> list[dict[str, Any]]:
        return [json.loads(json.dumps(row_payload(r))) for r in rows]

    with services.ctx.store.read() as s:
        units = payloads(list(s.exec(select(Unit))))
    rows = StatsRows.from_payloads(
        payloads(data.inspections), payloads(data.hazards), payloads(data.documents), units
    )
    for township in (None, data.township_a):
        from_json = monthly_figures(rows, 2026, 10, TODAY, township)
        assert actual(from_json) == actual(services.overview.figures(2026, 10, township))


def test_excel_export_holds_the_numbers(
    services: Services, data: Generated, tmp_path: Path
) -> None:
    figures = services.overview.figures(2026, 10)
    path = services.overview.export_xlsx(figures, tmp_path / "统计" / "2026年10月.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["月度统计", "文书", "每日"]
    main = {r[0]: r[1] for r in wb["月度统计"].iter_rows(min_row=2, values_only=True)}
    want = expected(data, 2026, 10)
    assert main["检查单位数"] == want["units_inspected"]
    assert main["检查次数"] == want["inspections"]
    assert main["其中：专项检查"] == want["by_kind"]["专项检查"]
    assert main["发现隐患"] == want["hazards_found"]
    assert main["其中：重大隐患"] == want["hazards_major"]
    assert main["已整改"] == want["rectified"]
    assert main["整改率"] == pytest.approx(want["rate"])
    assert main["逾期未整改"] == want["overdue"]
    assert main["罚款金额"] == want["fines_yuan"] and isinstance(main["罚款金额"], int)
    docs = {r[0]: r[1] for r in wb["文书"].iter_rows(min_row=2, values_only=True)}
    assert docs == {**want["documents"], "合计": sum(want["documents"].values())}
    daily = list(wb["每日"].iter_rows(min_row=2, values_only=True))
    assert len(daily) == 31
    assert daily[30][0].date() == date(2026, 10, 31)
    assert [r[1] for r in daily] == [want["daily"][d, "inspections"] for d in range(1, 32)]
    assert [r[3] for r in daily] == [want["daily"][d, "major"] for d in range(1, 32)]


def _pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return out.stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_export_holds_the_figures(services: Services, data: Generated, tmp_path: Path) -> None:
    figures = services.overview.figures(2026, 11, data.township_a)
    path = services.overview.export_pdf(figures, tmp_path / "统计表.pdf")
    text = _pdf_text(path)
    assert figures.title in text and "本机记录" in text
    assert figures.agency_name in text
    lines = {ln.split()[0]: ln.split()[1] for ln in text.splitlines() if len(ln.split()) > 1}
    want = expected(data, 2026, 11, data.township_a)
    assert lines["检查单位数"] == str(want["units_inspected"])
    assert lines["检查次数"] == str(want["inspections"])
    assert lines["发现隐患"] == str(want["hazards_found"])
    assert lines["逾期未整改"] == str(want["overdue"])
    assert lines["罚款金额"] == str(want["fines_yuan"])
    rate = want["rate"]
    assert lines["整改率"] == ("—" if rate is None else f"{rate:.1%}")
    for title, n in want["documents"].items():
        assert any(ln.split()[:2] == [title, str(n)] for ln in text.splitlines())


def _immutable(folder: Path) -> bool:
    """Make `folder` unwritable even for root (ext4 immutable flag); False when not possible."""
    chattr = shutil.which("chattr")
    if chattr is None:
        return False
    return subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0


def test_an_unwritable_folder_gives_a_chinese_message(
    services: Services, data: Generated, tmp_path: Path
) -> None:
    figures = services.overview.figures(2026, 11)
    folder = tmp_path / "只读U盘"
    folder.mkdir()
    folder.chmod(0o500)
    locked = _immutable(folder)
    if not locked and os.geteuid() == 0:
        pytest.skip("root ignores permissions and the immutable flag is not available here")
    try:
        for export, name in (
            (services.overview.export_xlsx, "统计.xlsx"),
            (services.overview.export_pdf, "统计.pdf"),
        ):
            with pytest.raises(UserError) as err:
                export(figures, folder / name)
            assert f"无法保存到 {folder / name}" in err.value.message
            assert "没有写入权限" in err.value.message
        assert list(folder.iterdir()) == []  # no partial or temporary file left
    finally:
        if locked:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o700)


def test_a_folder_that_is_gone_gives_a_chinese_message(
    services: Services, data: Generated, tmp_path: Path
) -> None:
    """The USB stick was pulled: its folder path now runs through something that is no folder."""
    figures = services.overview.figures(2026, 11)
    blocker = tmp_path / "U盘"
    blocker.write_text("not a folder")
    with pytest.raises(UserError, match="目标文件夹不存在"):
        services.overview.export_xlsx(figures, blocker / "统计" / "统计.xlsx")
    assert blocker.read_text() == "not a folder"


def test_other_disk_failures_are_said_in_chinese(
    services: Services, data: Generated, tmp_path: Path
) -> None:
    """A file where the folder should be, a folder where the file should be: no English errno
    text reaches the person; what was exported elsewhere is readable by others (not 0600)."""
    figures = services.overview.figures(2026, 11)
    blocker = tmp_path / "统计"
    blocker.write_text("a file, not a folder")
    with pytest.raises(UserError, match="同名的文件，不能当作文件夹") as caught:
        services.overview.export_xlsx(figures, blocker / "统计.xlsx")
    assert "File exists" not in str(caught.value)
    (tmp_path / "表.xlsx").mkdir()
    with pytest.raises(UserError, match="已有同名的文件夹"):
        services.overview.export_xlsx(figures, tmp_path / "表.xlsx")
    out = services.overview.export_xlsx(figures, tmp_path / "ok" / "统计.xlsx")
    assert out.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in out.parent.iterdir()) == ["统计.xlsx"]  # no temporary left


def test_documents_issued_through_the_service_are_counted(
    services: Services, tmp_path: Path
) -> None:
    """The real flow: a finished inspection with two findings, two fines decided on the spot
    (2,000 and 200 yuan); voiding one takes it out of the figures."""
    iid = inspection_with_hazards(services)
    load_blocks(services, tmp_path, "罚当")
    unit = services.documents.issue(
        penalty_draft(services, iid, "onsite_penalty_unit", "2000")
    ).value
    services.documents.issue(penalty_draft(services, iid, "onsite_penalty_person", "200"))
    today = services.ctx.clock.today()
    figures = services.overview.figures(today.year, today.month)
    assert (figures.inspections, figures.units_inspected) == (1, 1)
    assert (figures.hazards_found, figures.hazards_general, figures.hazards_major) == (2, 1, 1)
    assert (figures.penalties, figures.fines_yuan) == (2, 2200)
    assert {k.label: k.count for k in figures.documents_by_kind} == {
        "行政（当场）处罚决定书（单位）": 1,
        "行政（当场）处罚决定书（个人）": 1,
    }
    services.documents.void(unit.document_id, "罚款金额写错")
    figures = services.overview.figures(today.year, today.month)
    assert (figures.penalties, figures.fines_yuan, figures.documents) == (1, 200, 1)
