"""A grid worker's patrol and hazard report, offline, then synced: the township task it opens, the
inspector who takes it, the steps flowing back to the grid worker, and the scope rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from inspector.domain.errors import UserError
from inspector.domain.tasks import ASPECTS
from inspector.services.patrols.patrol import ReportInput, VisitInput
from inspector.store.models import Outbox
from sync.server.db import Record, Task
from sync.server.draw import DrawFilter, draw_units
from sync.server.task_admin import TaskOrder, dispatch, give_tasks
from tests.support.photos import jpeg_bytes
from tests.support.sync_devices import BASE_URL, Device, Server
from tests.support.sync_steps import add_grid_worker
from tests.support.sync_world import PASSWORD


def synced(dev: Device) -> dict[str, int]:
    report = dev.sync.run()
    assert report.ok, report.error
    return report.pulled


def pending(dev: Device) -> int:
    with dev.services.ctx.store.read() as s:
        return len(s.exec(select(Outbox.seq).where(Outbox.state == "pending")).all())


def patrol_with_report(dev: Device, photo: Path) -> tuple[str, str]:
    """A patrol of the grid with all six parts and a photo, and a report from it (offline)."""
    svc = dev.services.patrols
    [grid] = svc.grids()
    patrol_id = svc.start(grid.id, companions="村安全员 周敏").value
    place = svc.places(grid.id)[0]
    visit_id = svc.save_visit(
        patrol_id,
        VisitInput(
            unit_id=place.unit_id,
            observations={a: f"{label}：情况正常" for a, label in ASPECTS.items()}
            | {"smell": "闻一闻：仓库有轻微油漆味"},
            problems=[("消防", "仓库灭火器过期"), ("用电", "私拉电线给电动车充电")],
            actions=["劝导", "报告"],
        ),
    ).value
    prepared = dev.services.photos.prepare_file(photo, "网格巡查")
    svc.add_visit_photo(visit_id, "look", prepared)
    report_id = svc.report(
        ReportInput(
            unit_id=place.unit_id,
            category="用电",
            description="一楼楼梯间私拉电线给电动车充电",
            urgency="urgent",
            location="一楼楼梯间",
            photos=[prepared],
            visit_id=visit_id,
        )
    ).value
    svc.finish(patrol_id, "巡查一处，发现问题两项，已上报一项。")
    return patrol_id, report_id


def test_a_grid_report_becomes_a_township_task_that_walks_the_ladder_back_to_the_reporter(
    server: Server, make_device: Any, tmp_path: Path
) -> None:
    add_grid_worker(server)
    grid = make_device("grid")
    grid.sync.sign_in(BASE_URL, "grid1", PASSWORD)
    synced(grid)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(jpeg_bytes(640, 480))
    _, report_id = patrol_with_report(grid, photo)
    [row] = grid.services.patrols.reports()
    assert row.state_label == "待同步"

    synced(grid)
    assert pending(grid) == 0
    with Session(server.engine) as s:
        task = s.get(Task, report_id)
        assert task is not None and task.state == "accepted"
        assert task.source == "report" and task.kind == "网格上报"
        assert task.township_id == server.township
        kinds = {r.entity for r in s.exec(select(Record))}
        assert {"patrol", "patrolvisit", "hazardreport", "photo"} <= kinds
    synced(grid)  # the task opened by the report comes back down to the reporter
    [row] = grid.services.patrols.reports()
    assert row.state_label == "受理"

    inspector = make_device("inspector")
    inspector.sync.sign_in(BASE_URL, "zhang", PASSWORD)
    synced(inspector)
    [due] = inspector.services.work_plan.due_list()
    assert due.id == report_id and due.state_label == "受理"
    assert due.next_steps == [("dispatched", "接收任务")]
    assert due.due_date is not None and due.kind == "网格上报"
    plan = inspector.services.work_plan
    plan.take_step(report_id, "dispatched")
    plan.take_step(report_id, "handling", "已到现场")
    plan.take_step(report_id, "feedback", "已责令拆除私拉电线，现场整改完毕")
    with pytest.raises(UserError, match="核查"):
        plan.take_step(report_id, "closed")  # the grid worker's 核查 comes first
    synced(inspector)
    with Session(server.engine) as s:
        task = s.get(Task, report_id)
        assert task is not None and task.state == "feedback"
        assert task.assignee_ids == [server.users["zhang"]]

    synced(grid)
    [row] = grid.services.patrols.reports()
    assert row.state_label == "反馈"
    assert "已责令拆除私拉电线" in json.dumps(row.history, ensure_ascii=False)
    [gtask] = grid.services.work_plan.due_list()
    assert gtask.next_steps == [("verified", "核查确认")]
    grid.services.work_plan.take_step(report_id, "verified", "已复看，电线已拆除")
    synced(grid)
    synced(inspector)
    [due] = inspector.services.work_plan.due_list()
    assert due.next_steps == [("closed", "结案")]
    plan.take_step(report_id, "closed", "结案")
    synced(inspector)
    synced(grid)
    [row] = grid.services.patrols.reports()
    assert row.state_label == "结案"
    assert inspector.services.work_plan.due_list() == []


def test_grid_workers_see_reports_not_unannounced_inspections_and_cannot_close_them(
    server: Server, make_device: Any, tmp_path: Path
) -> None:
    add_grid_worker(server)
    draw_units(server.engine, server.agency, 2, inspectors_per_unit=2, seed="s1")
    grid = make_device("grid")
    grid.sync.sign_in(BASE_URL, "grid1", PASSWORD)
    pulled = synced(grid)
    assert "task" not in pulled  # 四不两直: a 双随机 inspection is not announced to the grid
    inspector = make_device("inspector")
    inspector.sync.sign_in(BASE_URL, "zhang", PASSWORD)
    assert synced(inspector).get("task") == 2
    tasks = inspector.services.work_plan.due_list()
    assert {t.kind for t in tasks} <= {"双随机抽查"}

    photo = tmp_path / "p.jpg"
    photo.write_bytes(jpeg_bytes(320, 240))
    _, report_id = patrol_with_report(grid, photo)
    synced(grid)
    synced(grid)
    # a forged step from the grid worker's device: the server refuses to let it close the task
    with grid.services.ctx.store.write() as s:
        from inspector.services.journal import queue

        queue(
            s,
            grid.clock,
            "taskstep",
            "forged-step-0001",
            {"id": "forged-step-0001", "task_id": report_id, "step": "closed", "note": ""},
        )
    grid.sync.run()
    with grid.services.ctx.store.read() as s:
        row = s.exec(select(Outbox).where(Outbox.entity_id == "forged-step-0001")).one()
        assert row.state == "rejected" and "forbidden" in row.last_error + row.result
    with Session(server.engine) as s:
        task = s.get(Task, report_id)
        assert task is not None and task.state == "accepted"


def test_a_report_without_photo_or_location_says_what_is_missing(
    server: Server, make_device: Any
) -> None:
    add_grid_worker(server)
    grid = make_device("grid")
    grid.sync.sign_in(BASE_URL, "grid1", PASSWORD)
    synced(grid)
    svc = grid.services.patrols
    [g] = svc.grids()
    unit = svc.places(g.id)[0].unit_id
    with pytest.raises(UserError) as err:
        svc.report(ReportInput(unit_id=unit, category="消防", description="通道堵塞"))
    assert "现场照片" in str(err.value) and "位置" in str(err.value)
    patrol_id = svc.start(g.id).value
    with pytest.raises(UserError, match="还没有记录任何场所"):
        svc.finish(patrol_id)
    svc.save_visit(patrol_id, VisitInput(unit_id=unit))
    with pytest.raises(UserError, match="还没有任何记录"):
        svc.finish(patrol_id)
    assert pending(grid) >= 1  # what was saved stays saved


def test_an_administrators_campaign_reaches_the_named_inspectors_due_list(
    server: Server, make_device: Any
) -> None:
    add_grid_worker(server)
    tasks = give_tasks(
        server.engine,
        TaskOrder(
            agency_id=server.agency,
            kind="专项整治",
            title="机械加工安全专项整治",
            due=date(2026, 12, 31),
            filter=DrawFilter(industries=("机械",)),
            assignees=("zhang",),
        ),
    )
    assert len(tasks) == 5
    devices = {}
    for name in ("zhang", "li", "grid1"):
        devices[name] = make_device(name)
        devices[name].sync.sign_in(BASE_URL, name, PASSWORD)
        synced(devices[name])
    due = devices["zhang"].services.work_plan.due_list()
    assert {t.id for t in due} == {t.id for t in tasks}
    assert {(t.kind, t.state, t.inspection_kind) for t in due} == {
        ("专项整治", "dispatched", "专项检查")
    }
    assert all(t.due_date == date(2026, 12, 31) and t.next_steps for t in due)
    assert devices["li"].services.work_plan.due_list() == []  # given to another inspector
    assert devices["grid1"].services.work_plan.due_list() == []  # 四不两直

    # 分拨 to li as well: li's device hears of it at the next sync
    dispatch(server.engine, tasks[0].id, ("li",), by="站长")
    synced(devices["li"])
    [row] = devices["li"].services.work_plan.due_list()
    assert row.id == tasks[0].id and row.history[-1]["note"] == "分拨给李四"
