"""The 统计 page on a generated three-month data set: it offers the months with data, shows the
month's figures (whole county or one township) with their definitions, draws the charts, and its
export buttons report success or a Chinese failure through `message`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCharts import (
    QBarCategoryAxis,
    QHorizontalBarSeries,
    QLineSeries,
    QStackedBarSeries,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from inspector.domain.monthly import DEFINITIONS, MonthlyFigures
from inspector.services.facade import Services
from inspector.ui import file_dialogs
from inspector.ui.app import install_fonts
from inspector.ui.pages import overview_page
from inspector.ui.pages.overview_page import OverviewPage
from inspector.ui.tasks import TaskRunner
from tests.support.overview import Generated, china_time, data

__all__ = ["china_time", "data"]  # fixtures used here

WAIT = 10_000


@pytest.fixture
def page(qtbot: QtBot, services: Services, qapp: QApplication) -> Iterator[OverviewPage]:
    install_fonts(qapp)
    tasks = TaskRunner()
    p = OverviewPage(services, tasks)
    p.resize(1280, 760)
    qtbot.addWidget(p)
    p.show()
    yield p
    tasks.shutdown()


def idle(qtbot: QtBot, page: OverviewPage) -> None:
    qtbot.waitUntil(lambda: page.tasks.pending == 0, timeout=WAIT)


def messages(page: OverviewPage) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    page.message.connect(lambda text, level: seen.append((text, level)))
    return seen


def shown(page: OverviewPage) -> dict[str, str]:
    return {key: card.value.text() for key, card in page.cards.items()}


def expected_cards(f: MonthlyFigures) -> dict[str, str]:
    rate = f.rectification_rate
    return {
        "units_inspected": str(f.units_inspected),
        "inspections": str(f.inspections),
        "hazards_found": str(f.hazards_found),
        "rectified": str(f.rectified),
        "rectification_rate": "—" if rate is None else f"{rate:.1%}",
        "overdue": str(f.overdue),
        "documents": str(f.documents),
        "fines_yuan": str(f.fines_yuan),
    }


def test_the_page_shows_a_months_figures_and_charts(
    qtbot: QtBot, page: OverviewPage, services: Services, data: Generated
) -> None:
    page.load()
    idle(qtbot, page)
    months = [page.month.itemText(i) for i in range(page.month.count())]
    assert months == ["2026年11月", "2026年10月", "2026年9月"]
    assert page.township.itemText(0) == "全部乡镇" and page.township.count() > 2
    nov = services.overview.figures(2026, 11)
    assert shown(page) == expected_cards(nov)
    assert nov.inspections > 10 and nov.documents > 3
    assert "本机记录" in page.scope.text()
    assert page.cards["overdue"].toolTip() == DEFINITIONS["overdue"]
    assert f"一般 {nov.hazards_general} · 重大 {nov.hazards_major}" == (
        page.cards["hazards_found"].detail.text()
    )
    assert "专项检查" in page.kinds.text()

    # the per-day chart: hazards stacked 一般/重大, inspections as a line, one category per day
    [bars] = [s for s in page.daily_chart.series() if isinstance(s, QStackedBarSeries)]
    [line] = [s for s in page.daily_chart.series() if isinstance(s, QLineSeries)]
    general, major = bars.barSets()
    assert (general.label(), major.label()) == ("一般隐患", "重大隐患")
    assert [major.at(i) for i in range(major.count())] == [d.hazards_major for d in nov.daily]
    so_far = [d.inspections for d in nov.daily if d.day <= nov.today]  # no line into the future
    assert [int(p.y()) for p in line.points()] == so_far and len(so_far) == 20
    [days] = [a for a in page.daily_chart.axes() if isinstance(a, QBarCategoryAxis)]
    assert days.count() == 30
    # the chart text is drawn in the application's (CJK) font
    assert page.daily_chart.titleFont().family() == QApplication.font().family()
    assert days.labelsFont().family() == QApplication.font().family()

    # documents by kind
    [docs] = [s for s in page.docs_chart.series() if isinstance(s, QHorizontalBarSeries)]
    [axis] = [a for a in page.docs_chart.axes() if isinstance(a, QBarCategoryAxis)]
    by_label = {
        overview_page.CHART_NAMES.get(k.kind, k.label): k.count for k in nov.documents_by_kind
    }
    assert "当场处罚决定书（个人）" in by_label and "现场检查记录" in by_label
    assert {axis.at(i) for i in range(axis.count())} == set(by_label)
    [counts] = docs.barSets()
    assert {axis.at(i): counts.at(i) for i in range(axis.count())} == by_label

    # another month, then one township
    page.month.setCurrentIndex(1)
    idle(qtbot, page)
    assert page.figures is not None and (page.figures.year, page.figures.month) == (2026, 10)
    assert shown(page) == expected_cards(services.overview.figures(2026, 10))
    page.township.setCurrentIndex(page.township.findData(data.township_a))
    idle(qtbot, page)
    township = services.overview.figures(2026, 10, data.township_a)
    assert shown(page) == expected_cards(township)
    assert township.inspections < services.overview.figures(2026, 10).inspections


def test_only_the_last_choice_is_shown(
    qtbot: QtBot, page: OverviewPage, services: Services, data: Generated
) -> None:
    page.load()
    idle(qtbot, page)
    page.month.setCurrentIndex(1)
    page.month.setCurrentIndex(2)  # chosen before the October figures arrived
    idle(qtbot, page)
    assert page.figures is not None and page.figures.month == 9
    assert shown(page) == expected_cards(services.overview.figures(2026, 9))


def test_export_buttons_report_success_and_failure(
    qtbot: QtBot,
    page: OverviewPage,
    data: Generated,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = messages(page)
    page.load()
    idle(qtbot, page)
    target = {"path": str(tmp_path / "十一月统计")}  # typed without an extension
    monkeypatch.setattr(
        file_dialogs.QFileDialog,
        "getSaveFileName",
        lambda *args, **kw: (target["path"], ""),
    )
    assert page.figures is not None
    qtbot.mouseClick(page.xlsx_button, Qt.MouseButton.LeftButton)
    idle(qtbot, page)
    xlsx = tmp_path / "十一月统计.xlsx"
    assert seen[-1] == (f"已导出统计表：{xlsx}", "ok")
    cells = {r[0]: r[1] for r in load_workbook(xlsx)["月度统计"].iter_rows(values_only=True)}
    assert cells["检查次数"] == page.figures.inspections

    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    idle(qtbot, page)
    pdf = tmp_path / "十一月统计.pdf"
    assert seen[-1] == (f"已导出统计表：{pdf}", "ok")
    assert pdf.read_bytes().startswith(b"%PDF")

    # the USB stick was pulled: its folder is gone (a plain file stands where it was)
    blocker = tmp_path / "U盘"
    blocker.write_text("not a folder")
    target["path"] = str(blocker / "统计" / "统计表.pdf")
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    idle(qtbot, page)
    text, level = seen[-1]
    assert level == "error"
    assert text.startswith(f"无法保存到 {blocker / '统计' / '统计表.pdf'}")
    assert "目标文件夹不存在" in text

    # cancelling the file dialog does nothing
    count = len(seen)
    target["path"] = ""
    qtbot.mouseClick(page.xlsx_button, Qt.MouseButton.LeftButton)
    idle(qtbot, page)
    assert len(seen) == count
