"""The plan builder (tick units due, pick the day) and the start dialog's warning banner
(already inspected today / yearly cap), offscreen on demo data."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from inspector.services.facade import Services
from inspector.services.plan.supervision import VisitCheck
from inspector.ui.app import install_fonts
from inspector.ui.dialogs.plan_builder import COLUMNS, PlanBuilderDialog
from inspector.ui.dialogs.start_inspection import StartInspectionDialog
from tests.support.clock import FixedClock
from tests.support.plan import TODAY, inspect, local_moment, units_of


@pytest.fixture(autouse=True)
def mid_september(clock: FixedClock) -> None:
    """A fixed day, so "this year" never crosses New Year's Day."""
    clock.moment = local_moment(TODAY, time(10, 0))


def plan_dialog(qtbot: QtBot, services: Services, qapp: QApplication) -> PlanBuilderDialog:
    install_fonts(qapp)
    dialog = PlanBuilderDialog(services.plan.propose(), None, services.ctx.clock.today())
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def start_dialog(
    qtbot: QtBot, services: Services, qapp: QApplication, unit_id: str
) -> tuple[StartInspectionDialog, VisitCheck]:
    install_fonts(qapp)
    check = services.plan.visit_check(unit_id)
    people = services.inspections.people()
    dialog = StartInspectionDialog(
        services.units.detail(unit_id),
        people,
        services.inspections.checklists(),
        services.inspections.current_user_id(),
        [],
        None,
        visit_check=check,
    )
    dialog.set_checked(dialog.inspectors, [p.id for p in people if p.role == "inspector"][:2])
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog, check


def test_plan_builder_emits_the_ticked_units_and_the_day(
    qtbot: QtBot, services: Services, clock: FixedClock, qapp: QApplication
) -> None:
    late = units_of(services, "A")[0]
    inspect(services, clock, late.id, clock.today() - timedelta(days=120))
    dialog = plan_dialog(qtbot, services, qapp)
    model, table = dialog.model, dialog.table
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))]
    assert headers == [
        "单位",
        "级别",
        "风险",
        "上次检查",
        "应检日期",
        "超期",
        "今年次数/上限",
        "原因",
    ]
    total = model.rowCount()
    assert total == len(services.plan.propose()) and dialog.summary.text().endswith(
        f"共 {total} 家"
    )
    # the most overdue unit comes first with its numbers
    assert model.index(0, 0).data() == late.name
    assert model.index(0, 5).data() == "29 天"  # 120 − 91
    assert model.index(0, 6).data() == "1/12"
    assert "已超期 29 天" in model.index(0, 7).data()

    # tick the first row from the keyboard
    table.setFocus()
    table.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert model.index(0, 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    # and the second with a tap on its (finger-sized) box
    box = table.visualRect(model.index(1, 0))
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(box.left() + 14, box.center().y())
    )
    assert model.checked_ids() == [late.id, model.proposal_at(1).unit_id]

    # filter to one township and tick all shown: the ticks already made stay
    before = set(model.checked_ids())
    township = model.proposal_at(2).township
    dialog.filter.setText(township)
    shown = model.rowCount()
    assert 0 < shown < total
    assert all(model.proposal_at(r).township == township for r in range(shown))
    qtbot.mouseClick(dialog.check_all, Qt.MouseButton.LeftButton)
    expected = {model.proposal_at(r).unit_id for r in range(shown)} | before
    assert set(model.checked_ids()) == expected and len(expected) > len(before)
    assert f"已选 {len(expected)} 家" in dialog.summary.text()
    dialog.filter.setText("")
    assert model.rowCount() == total

    day = clock.today() + timedelta(days=2)
    dialog.date.setDate(QDate(day.year, day.month, day.day))
    with qtbot.waitSignal(dialog.planned, timeout=2000) as blocker:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    ids, planned_day = blocker.args
    assert set(ids) == expected and ids[0] == late.id
    assert planned_day == day and isinstance(planned_day, date)
    assert dialog.isVisible() and not dialog.ok_button.isEnabled()  # the window closes it


def test_plan_builder_refuses_an_empty_choice(
    qtbot: QtBot, services: Services, qapp: QApplication
) -> None:
    dialog = plan_dialog(qtbot, services, qapp)
    qtbot.mouseClick(dialog.check_all, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.check_none, Qt.MouseButton.LeftButton)
    with qtbot.assertNotEmitted(dialog.planned):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "请至少选择一家单位"
    assert dialog.isVisible() and dialog.ok_button.isEnabled()


def test_start_dialog_asks_to_acknowledge_a_second_visit_today(
    qtbot: QtBot, services: Services, clock: FixedClock, qapp: QApplication
) -> None:
    unit = units_of(services, "B")[0]
    inspect(services, clock, unit.id, clock.today(), time(9, 30))
    dialog, check = start_dialog(qtbot, services, qapp, unit.id)
    assert check.needs_acknowledgement
    assert dialog.warning_banner is not None and dialog.warning_banner.isVisible()
    assert [lb.text() for lb in dialog.warning_labels] == [f"• {w}" for w in check.warnings]
    assert "该单位今天已有 1 次检查（09:30，" in dialog.warning_labels[0].text()
    assert dialog.acknowledge is not None and not dialog.ok_button.isEnabled()
    with qtbot.assertNotEmitted(dialog.submitted):
        dialog._submit()

    # tick it from the keyboard; 开始检查 then works
    dialog.acknowledge.setFocus()
    qtbot.keyClick(dialog.acknowledge, Qt.Key.Key_Space)
    assert dialog.acknowledge.isChecked() and dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.submitted, timeout=2000) as blocker:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].unit_id == unit.id
    # a refusal from the service re-enables it only while the tick stays
    dialog.show_error("现场检查须由两名以上执法人员共同进行")
    assert dialog.ok_button.isEnabled()
    dialog.acknowledge.setChecked(False)
    assert not dialog.ok_button.isEnabled()


def test_start_dialog_near_the_cap_warns_without_blocking(
    qtbot: QtBot, services: Services, clock: FixedClock, qapp: QApplication
) -> None:
    services.ctx.settings.yearly_cap["B"] = 2
    unit = units_of(services, "B")[0]
    inspect(services, clock, unit.id, clock.today() - timedelta(days=1))
    dialog, check = start_dialog(qtbot, services, qapp, unit.id)
    assert check.warnings == ["今年已检查 1 次，B级年度上限 2 次，接近上限"]
    assert dialog.warning_banner is not None and dialog.acknowledge is None
    assert dialog.ok_button.isEnabled()


def test_start_dialog_without_a_check_is_unchanged(
    qtbot: QtBot, services: Services, qapp: QApplication
) -> None:
    unit = units_of(services, "C")[0]
    dialog, check = start_dialog(qtbot, services, qapp, unit.id)
    assert check.warnings == []
    assert dialog.warning_banner is None and dialog.ok_button.isEnabled()
