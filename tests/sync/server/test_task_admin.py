"""Tasks an administrator gives out: a 专项整治 over a township's units reaches exactly the named
inspector's devices (not another township's, not grid workers'), a unit list by credit code picks
those units, any refusal (unknown unit or user, a grid worker or an inspector from elsewhere as
assignee, an unknown kind) creates nothing, and 分拨 of an open task moves it and tells the
devices; a closed task is not dispatched again."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from sync.server.cli import main
from sync.server.db import Task, Unit, read_session, write_session
from sync.server.draw import DrawFilter
from sync.server.task_admin import TaskAdminError, TaskOrder, dispatch, give_tasks
from tests.support.server_api import Api

DUE = date(2026, 12, 31)


def pulled_tasks(api: Api, username: str) -> dict[str, dict]:
    return {c["id"]: c["data"] for c in api.pull_all(api.login(username)) if c["entity"] == "task"}


def task_count(api: Api) -> int:
    with read_session(api.engine) as s:
        return len(list(s.exec(select(Task.id))))


def test_a_campaign_reaches_exactly_the_named_inspector(api: Api) -> None:
    w = api.world
    order = TaskOrder(
        agency_id=w.agency,
        kind="专项整治",
        title="燃气安全专项整治",
        detail="检查液化气瓶存放、燃气报警装置。",
        due=DUE,
        filter=DrawFilter(township_ids=("沙河街道",)),
        assignees=("insp_a",),
    )
    tasks = give_tasks(api.engine, order, made_by="局办公室")
    assert sorted(t.unit_id for t in tasks) == sorted(w.units_a)
    mine = pulled_tasks(api, "insp_a")
    assert set(mine) == {t.id for t in tasks}
    one = mine[tasks[0].id]
    assert one["kind"] == "专项整治" and one["state"] == "dispatched"
    assert one["due_date"] == "2026-12-31" and one["title"].endswith("：燃气安全专项整治")
    assert one["assignee_ids"] == [w.users["insp_a"]]
    assert "局办公室下达，分拨给insp_a" in one["history"][0]["note"]
    assert pulled_tasks(api, "insp_b") == {}  # another township's inspector
    assert pulled_tasks(api, "grid_a") == {}  # grid workers never pull enforcement tasks
    assert set(pulled_tasks(api, "insp_a2")) == {t.id for t in tasks}  # the township's tasks


def test_units_by_credit_code_and_refusals_that_create_nothing(api: Api) -> None:
    w = api.world
    with read_session(api.engine) as s:
        first = s.get(Unit, w.units_b[0])
        assert first is not None and first.credit_code
        code = first.credit_code
    base = TaskOrder(agency_id=w.agency, kind="举报核查", title="群众举报违规动火", due=DUE)
    tasks = give_tasks(api.engine, TaskOrder(**{**base.__dict__, "units": (code,)}))
    assert [t.unit_id for t in tasks] == [w.units_b[0]] and tasks[0].state == "accepted"
    before = task_count(api)
    refusals = {
        "units": ((code, "91360402MA00000000"), "没有这些单位"),
        "assignees": (("grid_a",), "网格员不接执法任务"),
        "kind": ("网格上报", "任务类型应为"),
        "title": ("  ", "任务名称不能为空"),
    }
    for key, (value, words) in refusals.items():
        with pytest.raises(TaskAdminError, match=words):
            give_tasks(api.engine, TaskOrder(**{**base.__dict__, "units": (code,), key: value}))
    with pytest.raises(TaskAdminError, match="不在insp_a的辖区内"):
        give_tasks(
            api.engine,
            TaskOrder(**{**base.__dict__, "units": (code,), "assignees": ("insp_a",)}),
        )
    with pytest.raises(TaskAdminError, match="本机关没有用户：nobody"):
        give_tasks(api.engine, TaskOrder(**{**base.__dict__, "assignees": ("nobody",)}))
    assert task_count(api) == before


def test_dispatch_moves_an_open_task_and_the_devices_hear_of_it(api: Api) -> None:
    w = api.world
    [task] = give_tasks(
        api.engine,
        TaskOrder(agency_id=w.agency, kind="复查", title="复查整改", units=(w.units_a[1],)),
    )
    assert pulled_tasks(api, "insp_a2")[task.id]["state"] == "accepted"
    moved = dispatch(api.engine, task.id, ("insp_a2",), by="站长")
    assert moved.state == "dispatched" and moved.assignee_ids == [w.users["insp_a2"]]
    seen = pulled_tasks(api, "insp_a2")[task.id]
    assert seen["state"] == "dispatched" and seen["history"][-1]["note"] == "分拨给insp_a2"
    assert seen["history"][-1]["by"] == "站长"
    with pytest.raises(TaskAdminError, match="不在insp_b的辖区内"):
        dispatch(api.engine, task.id, ("insp_b",))
    with write_session(api.engine) as s:
        row = s.get(Task, task.id)
        assert row is not None
        row.state = "closed"
        s.add(row)
    with pytest.raises(TaskAdminError, match="已结案"):
        dispatch(api.engine, task.id, ("insp_a",))


def test_the_commands_print_what_they_did_and_refuse_in_chinese(
    api: Api, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    w = api.world
    args = ["give-tasks", "--db", db_url, "--agency", w.agency, "--kind", "专项整治"]
    args += ["--title", "有限空间专项整治", "--township", "港口街镇", "--to", "insp_b"]
    assert main([*args, "--due", "2026-12-31"]) == 0
    out = capsys.readouterr().out
    assert "已下达 3 项专项整治任务，期限 2026-12-31" in out
    task_id = out.splitlines()[1].split()[1]
    assert main(["dispatch-task", "--db", db_url, task_id, "--to", "insp_b"]) == 0
    assert "已分拨（共 1 名执法人员）" in capsys.readouterr().out
    assert main([*args, "--to", "grid_a"]) == 2
    assert "网格员不接执法任务" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*args, "--due", "31/12/2026"])
    assert "日期应为 YYYY-MM-DD" in capsys.readouterr().err
