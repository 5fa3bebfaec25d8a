"""Through the windows: a grid worker patrols offline (all six parts, a photo, a hazard report),
syncs; the server holds the township's task; the inspector's due list shows it after their sync."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot
from sqlmodel import Session, select

from inspector.domain.tasks import ASPECTS
from sync.server.db import Record, Task
from tests.support.grid_worker import GridWorker, grid_worker, idle, visible_pages, window_for
from tests.support.sync_devices import BASE_URL, Server
from tests.support.sync_world import PASSWORD

__all__ = ["grid_worker"]  # fixtures used here

WAIT = 15_000


def test_grid_worker_patrol_and_report_reach_the_inspectors_due_list(
    qtbot: QtBot, qapp: Any, server: Server, make_device: Any, grid_worker: GridWorker
) -> None:
    grid, w, photo = grid_worker.device, grid_worker.window, grid_worker.photo
    assert visible_pages(w) == {"tasks", "patrol", "units", "sync"}  # the role shapes the UI
    assert w.pages.currentWidget() is w.patrol
    page = w.patrol
    idle(qtbot, w)
    qtbot.mouseClick(page.start_button, qtbot_left())
    idle(qtbot, w)
    assert page.stack.currentIndex() == 1

    # an empty patrol cannot be finished silently
    qtbot.mouseClick(page.finish_button, qtbot_left())
    idle(qtbot, w)
    assert w.messages.kind == "error" and "还没有记录任何场所" in w.messages.text()

    for aspect, label in ASPECTS.items():
        page.notes[aspect].setText(f"{label}：已查看")
    page.notes["smell"].setText("闻一闻：后厨有轻微燃气味，已提醒关阀")
    page.problem_class[0].setCurrentText("燃气")
    page.problem_text[0].setText("液化气瓶放在灶台下，无固定")
    page.action_boxes["劝导"].setChecked(True)
    page.action_boxes["报告"].setChecked(True)
    qtbot.mouseClick(page.save_button, qtbot_left())
    idle(qtbot, w)
    assert page.visit_id is not None
    qtbot.mouseClick(page.photo_buttons["look"], qtbot_left())
    idle(qtbot, w)
    assert page.photo_buttons["look"].text() == "照片 1"

    # the quick report: first without photo and location, then complete
    qtbot.mouseClick(page.report_button, qtbot_left())
    dialog = page.report_dialog
    assert dialog is not None
    dialog.description.setPlainText("后厨液化气瓶无固定，靠近明火")
    dialog.category.setCurrentText("燃气")
    dialog.ok.click()
    idle(qtbot, w)
    assert dialog.isVisible()
    assert "现场照片" in dialog.error.text() and "位置" in dialog.error.text()
    dialog.add_photo_paths([photo])
    dialog.location.setText("后厨灶台下")
    dialog.ok.click()
    idle(qtbot, w)
    assert not dialog.isVisible()
    page.summary.setText("巡查一处，上报燃气问题一项。")
    qtbot.mouseClick(page.finish_button, qtbot_left())
    idle(qtbot, w)
    assert page.stack.currentIndex() == 0, w.messages.text()
    assert "待同步" in page.reports.item(0).text()
    # the visit's photo and the report's were prepared on the pool, never on the writer
    prepared_on = grid_worker.prepared_on
    assert len(prepared_on) == 2 and all(n.startswith("worker") for n in prepared_on)

    assert grid.sync.run().ok
    with Session(server.engine) as s:
        [task] = s.exec(select(Task).where(Task.source == "report")).all()
        assert task.township_id == server.township and task.state == "accepted"
        report = s.get(Record, ("hazardreport", task.id))
        assert report is not None and report.data["location"] == "后厨灶台下"

    inspector = make_device("inspector")
    inspector.sync.sign_in(BASE_URL, "zhang", PASSWORD)
    assert inspector.sync.run().ok
    iw = window_for(qtbot, qapp, inspector)
    assert "patrol" not in visible_pages(iw) and "documents" in visible_pages(iw)
    iw.go("tasks")
    idle(qtbot, iw)
    rows = iw.tasks_page.model.rows
    assert [r.id for r in rows] == [task.id]
    assert rows[0].kind == "网格上报" and "燃气" in rows[0].title
    assert "接收任务" in [b for _, b in rows[0].next_steps]


def qtbot_left() -> Any:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
