"""统计 through the server: two inspectors record offline and sync; their leader's 统计 page, on a
third device that holds none of their records, shows the whole jurisdiction's month from the
server (本机记录 shows nothing), keeps that answer for when the server is out of reach, and says
plainly when it has nothing to show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from openpyxl import load_workbook
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from inspector.ui import file_dialogs
from inspector.ui.app import install_fonts
from inspector.ui.pages.overview_page import OverviewPage
from inspector.ui.tasks import TaskRunner
from tests.support.photos import jpeg_bytes
from tests.support.sync_devices import BASE_URL, Device, Server
from tests.support.sync_steps import record_inspection
from tests.support.sync_world import PASSWORD

WAIT = 15_000


def cards(page: OverviewPage) -> dict[str, str]:
    return {key: card.value.text() for key, card in page.cards.items()}


def offline(_base_url: str, _token: str | None) -> httpx.Client:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    return httpx.Client(base_url=_base_url, transport=httpx.MockTransport(refuse))


def test_the_leader_sees_the_jurisdictions_month_from_the_server(
    qtbot: QtBot,
    qapp: QApplication,
    server: Server,
    make_device: Any,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg_bytes(640, 480))
    devices: list[Device] = []
    for name in ("zhang", "li"):
        dev = make_device(name)
        dev.sync.sign_in(BASE_URL, name, PASSWORD)
        assert dev.sync.run().ok
        units = [u.id for u in dev.services.units.search("沙河机械厂")]
        record_inspection(dev, units[0 if name == "zhang" else 1], photo)
        report = dev.sync.run()
        assert report.ok and report.retry == 0, report.error
        devices.append(dev)

    leader = make_device("wang")
    leader.sync.sign_in(BASE_URL, "wang", PASSWORD)
    assert leader.sync.run().ok
    leader.services.sync = leader.sync  # the page's services talk to the in-process server
    today = leader.clock.today()

    install_fonts(qapp)
    tasks = TaskRunner()
    page = OverviewPage(leader.services, tasks)
    page.resize(1280, 760)
    qtbot.addWidget(page)
    seen: list[tuple[str, str]] = []
    page.message.connect(lambda text, level: seen.append((text, level)))
    try:
        page.load()
        qtbot.waitUntil(lambda: tasks.pending == 0 and page.figures is not None, timeout=WAIT)
        assert page.source.currentData() == "server"  # signed in: the jurisdiction by default
        assert page.month.currentData() == (today.year, today.month)
        assert page.month.count() >= 12  # months this device has no record of are offered too
        shown = cards(page)
        assert shown["inspections"] == "2" and shown["units_inspected"] == "2"
        assert shown["hazards_found"] == "2" and shown["documents"] == "0"
        assert "沙河街道全部已同步到服务器的记录" in page.scope.text()

        # the same figures, exported: the file says where they come from
        target = tmp_path / "全辖区.xlsx"
        monkeypatch.setattr(
            file_dialogs.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "")
        )
        page.export("xlsx")
        qtbot.waitUntil(lambda: tasks.pending == 0, timeout=WAIT)
        sheet = load_workbook(target)["月度统计"]
        assert {r[0]: r[1] for r in sheet.iter_rows(values_only=True)}["检查次数"] == 2
        assert "全部已同步到服务器的记录" in sheet.oddFooter.left.text

        # this device recorded nothing itself
        page.source.setCurrentIndex(page.source.findData("device"))
        qtbot.waitUntil(lambda: page.figures is not None and page.figures.source == "device")
        qtbot.waitUntil(lambda: tasks.pending == 0, timeout=WAIT)
        assert cards(page)["inspections"] == "0" and "本机记录" in page.scope.text()

        # the server out of reach: the kept answer, said to be kept
        leader.sync.client_factory = offline
        page.source.setCurrentIndex(page.source.findData("server"))
        qtbot.waitUntil(lambda: tasks.pending == 0 and page.figures is not None, timeout=WAIT)
        assert page.figures.source == "server" and page.figures.stale_reason
        assert cards(page)["inspections"] == "2"
        assert "本次未能连接服务器，显示的是上次获取的结果" in page.scope.text()
        assert "连不上服务器" in seen[-1][0] and seen[-1][1] == "info"
        assert "ConnectError" not in seen[-1][0]

        # a month never fetched: nothing to show, and what to do instead
        page.month.setCurrentIndex(page.month.count() - 1)
        qtbot.waitUntil(lambda: tasks.pending == 0 and page.figures is None, timeout=WAIT)
        text, level = seen[-1]
        assert level == "error" and "无法连接同步服务器" in text and "本机记录" in text
        assert set(cards(page).values()) == {"—"} and page.scope.text() == text
        assert not page.xlsx_button.isEnabled()
        assert "没有签发" not in page.docs_chart.title()  # nothing known, nothing claimed
    finally:
        tasks.shutdown()
