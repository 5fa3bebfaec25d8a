"""A wrong value in settings.json is told to the person when the window opens."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from inspector.services.demo.county import load_demo
from inspector.services.facade import Services
from inspector.ui.main_window import MainWindow
from tests.support.clock import FixedClock

WAIT = 10_000


def test_the_window_says_which_setting_was_wrong(
    qtbot: QtBot, qapp: object, tmp_path: Path, clock: FixedClock
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"text_max_chars": "很多"}), "utf-8")
    services = Services.open(data, clock=clock)
    try:
        load_demo(services.ctx, n_units=20, seed=7)
        w = MainWindow(services)
        qtbot.addWidget(w)
        w.show()
        w.start()
        qtbot.waitUntil(lambda: w.tasks.pending == 0, timeout=WAIT)
        assert w.messages.text() == (
            '设置“一个文字栏最多的字数（text_max_chars）”的值 "很多" 应为整数，已使用默认值 2000。'
        )
        assert services.ctx.settings.text_max_chars == 2000
        w.close()
    finally:
        services.close()
