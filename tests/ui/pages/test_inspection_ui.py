"""The inspector's path through the real window, offscreen: search → unit → start inspection →
不符合 → drafted hazard with its legal basis → photo → finish → 现场检查记录 PDF."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from inspector.documents.raster import page_texts
from inspector.domain.enums import ItemResult
from inspector.services.facade import Services
from inspector.services.units.directory import NewUnit
from inspector.ui.main_window import MainWindow
from tests.support.documents import load_blocks
from tests.support.window import WAIT, finish_confirmed, idle, open_new_inspection
from tests.support.writer import on_writer


def test_full_inspection_through_the_window(
    qtbot: QtBot, window: MainWindow, services: Services, rotated_photo: Path
) -> None:
    w = window
    new_unit = NewUnit(
        name="青岚县鑫达粉末冶金有限公司",
        address="白沙镇工业园8号",
        credit_code="91350100M000100Y43",
        industry="工贸",
        legal_rep="王𠀀堃",
    )
    unit_id = on_writer(services, lambda: services.units.add(new_unit).value)
    w.units.model.refresh()
    idle(qtbot, w)

    # search by pinyin initials
    w.units.search.setText("xdfmyj")
    qtbot.keyClick(w.units.search, Qt.Key.Key_Return)
    idle(qtbot, w)
    assert [r.id for r in w.units.model.rows] == [unit_id]
    assert w.units.count_label.text() == "共 1 个单位"

    # open the unit
    w.units.select_row(0)
    idle(qtbot, w)
    assert w.units.title.text() == "青岚县鑫达粉末冶金有限公司"
    assert w.units.start_button.isEnabled()

    # start an inspection: one inspector is refused inside the dialog, two are accepted
    qtbot.mouseClick(w.units.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.start_dialog is not None and w.start_dialog.isVisible(), timeout=WAIT)
    dialog = w.start_dialog
    assert dialog is not None
    people = [
        dialog.inspectors.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(dialog.inspectors.count())
    ]
    dialog.set_checked(dialog.inspectors, people[:1])
    dialog._submit()
    idle(qtbot, w)
    assert "两名以上" in dialog.error.text() and dialog.isVisible()
    dialog.set_checked(dialog.inspectors, people[:2])
    checklist_ids = [
        dialog.checklists.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(dialog.checklists.count())
        if dialog.checklists.item(i).checkState() == Qt.CheckState.Checked
    ]
    assert len(checklist_ids) == 1  # the 工贸 checklist is suggested for a 工贸 unit
    dialog.representative.setText("王𠀀堃")
    dialog._submit()
    qtbot.waitUntil(lambda: w.inspection.view is not None, timeout=WAIT)
    idle(qtbot, w)
    assert dialog.result() == QDialog.DialogCode.Accepted
    page = w.inspection
    assert page.isVisible() and page.title.text() == "青岚县鑫达粉末冶金有限公司"

    # mark the first 重大 item 不符合 with the keyboard ("2"); a hazard is drafted with the item's basis
    view = page.view
    assert view is not None
    item = next(it for it in view.checklists[0].items if it.major)
    page.tree.setCurrentItem(page.items_by_id[item.id])
    page.note.setPlainText("粉尘爆炸危险场所设在多层厂房内，楼上设有员工休息室")
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: page.view is not None and len(page.view.hazards) == 1, timeout=WAIT)
    idle(qtbot, w)
    hazard = page.view.hazards[0]
    assert hazard.grade == "major"
    assert item.legal_basis in hazard.legal_basis
    assert hazard.description.startswith("粉尘爆炸危险场所")
    assert (
        "依据" in page.hazard_list.item(0).text()
        and item.legal_basis[:10] in page.hazard_list.item(0).text()
    )
    # the cursor moved on to the next item, and the marked one shows 不符合
    assert page.items_by_id[item.id].text(1) == ItemResult.FAIL.label
    assert page.current_item is not None and page.current_item.seq == item.seq + 1

    # attach an EXIF-rotated photo to that hazard
    page.hazard_list.setCurrentRow(0)
    page.add_photo_files([rotated_photo])
    qtbot.waitUntil(
        lambda: page.photo_import is None and page.view is not None and len(page.view.photos) == 1,
        timeout=WAIT,
    )
    idle(qtbot, w)
    photo = page.view.photos[0]
    assert photo.hazard_id == hazard.id
    display = Image.open(io.BytesIO(services.photos.image_bytes(photo.display_sha256)))
    assert display.size == (600, 800)
    assert page.photo_list.count() == 1
    assert "已导入照片 1 张" in w.messages.text()

    # a broken file in the same import is reported, not fatal
    broken = rotated_photo.with_name("broken.jpg")
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really")
    page.add_photo_files([broken])
    qtbot.waitUntil(lambda: page.photo_import is None, timeout=WAIT)
    idle(qtbot, w)
    assert "broken.jpg" in w.messages.text() and len(page.view.photos) == 1

    # finish; the record is fixed
    page.summary.setPlainText("对粉尘涉爆作业场所进行了检查。")
    qtbot.mouseClick(page.finish_button, Qt.MouseButton.LeftButton)
    assert page.finish_dialog is not None  # 完成检查 asks first (issue 18)
    qtbot.mouseClick(page.finish_dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.view is not None and page.view.finished, timeout=WAIT)
    idle(qtbot, w)
    assert not page.finish_button.isEnabled() and page.record_button.isEnabled()
    assert not page.result_buttons["pass"].isEnabled()

    # the 现场检查记录: rendered, previewed, and its text holds unit, inspectors and findings
    with qtbot.waitSignal(page.record_ready, timeout=WAIT) as signal:
        qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)
    _record, pdf = signal.args[0]
    text = "".join(page_texts(pdf))
    assert "现场检查记录" in text
    assert "青岚县鑫达粉末冶金有限公司" in text
    for person in page.view.inspectors:
        assert person.name in text and person.cert_no in text
    assert "粉尘爆炸危险场所设在多层厂房内" in text
    assert "王𠀀堃" in text
    qtbot.waitUntil(lambda: w.preview is not None and len(w.preview.page_labels) >= 1, timeout=WAIT)
    idle(qtbot, w)


def test_unit_search_filters_and_count(qtbot: QtBot, window: MainWindow) -> None:
    w = window
    assert w.units.count_label.text() == "共 400 个单位"
    w.units.risk.setCurrentIndex(w.units.risk.findData("red"))
    idle(qtbot, w)
    assert w.units.model.rows and all(r.risk_colour == "red" for r in w.units.model.rows)
    w.units.search.setText("不存在的名字喆喆")
    w.units.run_search()
    idle(qtbot, w)
    assert w.units.model.rowCount() == 0 and w.units.count_label.text() == "共 0 个单位"


def test_new_unit_with_a_bad_credit_code_is_refused_in_the_dialog(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    w = window
    qtbot.mouseClick(w.units.new_button, Qt.MouseButton.LeftButton)
    dialog = w.units.new_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.name.setText("青岚县喆源五金店")
    dialog.credit_code.setText("91350100M000100Y44")
    dialog._submit()
    idle(qtbot, w)
    assert "校验位" in dialog.error.text() and "应为 3" in dialog.error.text()
    assert dialog.isVisible() and services.units.count("喆源五金") == 0
    dialog.name.setText("青岚县喆源五金店🔧")
    dialog.credit_code.setText(
        "９１３５０１００ｍ０００１００ｙ４３"
    )  # full-width, lower case: normalised
    dialog._submit()
    idle(qtbot, w)
    assert "无法打印" in dialog.error.text() and services.units.count("喆源五金") == 0
    dialog.name.setText("青岚县喆源五金店")
    dialog._submit()
    idle(qtbot, w)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert w.units.title.text() == "青岚县喆源五金店"
    assert "91350100M000100Y43" in w.units.facts.text()
    assert w.unsynced_label.text() == "待同步 1 条"


def test_home_shows_todays_figures_and_due_hazards(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    from datetime import timedelta

    from inspector.services.inspections.recording import HazardInput
    from tests.support.inspections import start

    done = start(services)
    due = HazardInput(
        description="灭火器压力不足", deadline=services.ctx.clock.today() + timedelta(days=3)
    )
    on_writer(services, lambda: services.inspections.add_hazard(done, due))
    on_writer(services, lambda: services.inspections.finish(done))
    running = start(services)
    w = window
    w.go("home")
    idle(qtbot, w)
    tiles = {k: t.value for k, t in w.home.tiles.items()}
    assert tiles["inspections_today"] == 2 and tiles["in_progress"] == 1
    assert tiles["open_hazards"] == 1 and tiles["overdue"] == 0 and tiles["unsynced"] > 0
    assert w.home.open_list.item(0).data(Qt.ItemDataRole.UserRole) == running
    assert "灭火器压力不足" in w.home.due_list.item(0).text()
    # double-clicking the running inspection opens it
    w.home._open(w.home.open_list.item(0))
    idle(qtbot, w)
    assert w.inspection.view is not None and w.inspection.view.id == running


def test_photos_stay_with_the_inspection_the_import_started_in(
    qtbot: QtBot, window: MainWindow, services: Services, tmp_path: Path
) -> None:
    from tests.support.photos import jpeg_bytes

    w = window
    first = open_new_inspection(qtbot, w, services, 0)
    files = []
    for n in range(3):
        f = tmp_path / f"P{n}.JPG"
        f.write_bytes(jpeg_bytes(1200, 900))
        files.append(f)
    w.inspection.add_photo_files(files)
    second = open_new_inspection(qtbot, w, services, 1)  # switch while the import runs
    qtbot.waitUntil(lambda: w.inspection.photo_import is None, timeout=WAIT)
    idle(qtbot, w)
    assert len(services.inspections.view(first).photos) == 3
    assert services.inspections.view(second).photos == []


def test_a_late_older_view_is_dropped(qtbot: QtBot, window: MainWindow, services: Services) -> None:
    w = window
    iid = open_new_inspection(qtbot, w, services)
    page = w.inspection
    stale = services.inspections.view(iid)
    item = stale.checklists[0].items[0]
    page.mark_item(item.id, ItemResult.FAIL)
    qtbot.waitUntil(lambda: page.view is not None and len(page.view.hazards) == 1, timeout=WAIT)
    idle(qtbot, w)
    page._view_loaded(page._view_generation - 1, stale)  # an earlier read arriving late
    assert page.view is not None and len(page.view.hazards) == 1


def test_a_typed_note_survives_reloads_and_is_saved_on_moving_on(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    w = window
    iid = open_new_inspection(qtbot, w, services)
    page = w.inspection
    items = page.view.checklists[0].items  # type: ignore[union-attr]
    page.tree.setCurrentItem(page.items_by_id[items[0].id])
    page.mark_current(ItemResult.PASS)  # moves on to item 2 and reloads
    page.note.setPlainText("消防通道有杂物堆放")  # typed while the reload is on its way
    idle(qtbot, w)
    assert page.current_item is not None and page.current_item.id == items[1].id
    assert page.note.toPlainText() == "消防通道有杂物堆放"
    page.tree.setCurrentItem(page.items_by_id[items[2].id])  # moving on saves it
    idle(qtbot, w)
    stored = {it.id: it for it in services.inspections.view(iid).checklists[0].items}
    assert stored[items[1].id].note == "消防通道有杂物堆放"
    assert stored[items[1].id].result == "unchecked"


def test_double_taps_do_not_duplicate(qtbot: QtBot, window: MainWindow, services: Services) -> None:
    w = window
    w.units.select_row(0)
    idle(qtbot, w)
    qtbot.mouseClick(w.units.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.start_dialog is not None and w.start_dialog.isVisible(), timeout=WAIT)
    dialog = w.start_dialog
    assert dialog is not None
    people = [dialog.inspectors.item(i).data(Qt.ItemDataRole.UserRole) for i in range(2)]
    dialog.set_checked(dialog.inspectors, people)
    dialog._submit()
    dialog._submit()
    qtbot.waitUntil(lambda: w.inspection.view is not None, timeout=WAIT)
    idle(qtbot, w)
    assert len(services.inspections.recent()) == 1
    page = w.inspection
    page.finish()
    page.finish()  # a second tap opens no second confirmation
    assert page.finish_dialog is not None
    page.finish_dialog.confirm_button.click()
    page.finish_dialog.confirm_button.click()
    idle(qtbot, w)
    assert page.view is not None and page.view.finished
    assert w.messages.kind == "ok"


def test_issue_the_record_with_a_number_from_the_blocks(
    qtbot: QtBot, window: MainWindow, services: Services, tmp_path: Path
) -> None:
    w = window
    iid = open_new_inspection(qtbot, w, services)
    page = w.inspection
    finish_confirmed(qtbot, w)
    assert page.issue_button.isEnabled()

    # no number blocks on this device yet: refused, nothing issued, the button comes back
    qtbot.mouseClick(page.issue_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert "不会自行编号" in w.messages.text()
    assert page.issue_button.isEnabled() and page.view.record_number is None

    load_blocks(services, tmp_path, "检记", first=7, last=9)
    year = services.ctx.clock.today().year
    with qtbot.waitSignal(page.record_ready, timeout=WAIT) as signal:
        qtbot.mouseClick(page.issue_button, Qt.MouseButton.LeftButton)
    rec, pdf = signal.args[0]
    idle(qtbot, w)
    number = f"（岚）应急检记〔{year}〕7号"
    assert rec.number == number and page.view.record_number == number
    assert number in "".join(page_texts(pdf))
    assert "手写签名" in w.messages.text() and "只剩 2 个" in w.messages.text()
    assert not page.issue_button.isEnabled() and number in page.issue_button.text()
    assert services.inspections.view(iid).record_number == number
