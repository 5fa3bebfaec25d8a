"""The server folds a hazard's steps from every device in time order (sync.server.hazard_fold):
one device's own steps are not sent back; steps of two devices that fit are pulled as the
agreed status; a step that does not fit (复查不合格 after 销号) is kept and flagged, however late it
arrives; a resent step is not counted twice; only callers whose area holds the unit pull it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from sync.server.db import HazardFold, Unit, write_session
from sync.server.tasks import new_task
from tests.support.server_api import Api, inspection, op


def hazard(unit_id: str, inspection_id: str) -> dict[str, Any]:
    return {
        "id": "haz-1",
        "inspection_id": inspection_id,
        "unit_id": unit_id,
        "grade": "general",
        "description": "配电箱箱门损坏",
        "deadline": "2026-11-27",
        "status": "pending",
        "created_at": "2026-11-20T01:00:00+00:00",
    }


def step(sid: str, kind: str, at: str, deadline: str | None = None) -> dict[str, Any]:
    return {
        "id": sid,
        "hazard_id": "haz-1",
        "kind": kind,
        "document_id": None,
        "deadline": deadline,
        "note": "",
        "actor_id": None,
        "at": at,
    }


def push_steps(
    api: Api, device: str, steps: list[dict[str, Any]], username: str = "insp_a"
) -> list[dict[str, Any]]:
    ops = [op("hazardevent", s["id"], s) for s in steps]
    results = api.push(api.login(username, device), device, ops)
    assert {r["status"] for r in results} == {"applied"}, results
    return ops


def states(api: Api, username: str) -> list[dict[str, Any]]:
    changes = api.pull_all(api.login(username))
    return [c["data"] for c in changes if c["entity"] == "hazardstate"]


def test_steps_of_two_devices_fold_in_time_order_and_flag_what_does_not_fit(api: Api) -> None:
    w = api.world
    insp = inspection(w.units_a[0], status="finished")
    first = api.login("insp_a", "laptop-1")
    results = api.push(
        first,
        "laptop-1",
        [
            op("inspection", insp["id"], insp),
            op("hazard", "haz-1", hazard(w.units_a[0], insp["id"])),
        ],
    )
    assert {r["status"] for r in results} == {"applied"}
    push_steps(
        api,
        "laptop-1",
        [
            step("ev-1", "registered", "2026-11-20T02:00:00+00:00"),
            step("ev-2", "ordered", "2026-11-20T03:00:00+00:00", "2026-11-27"),
        ],
    )
    assert states(api, "insp_a") == []  # one device's own steps: nothing to tell it

    # a colleague given the 复查 task at the unit (ownership: an assignee may take the 复查
    # steps of another's hazard) fails the 复查 on the 28th on the second laptop and gives a new
    # deadline: a sequence that fits
    with write_session(api.engine) as s:
        new_task(s, task_id="task-review", agency_id=w.agency,
                 unit=s.get(Unit, w.units_a[0]), kind="复查", title="复查",
                 assignee_ids=[w.users["insp_a2"]], state="dispatched")  # fmt: skip
    late = push_steps(
        api,
        "laptop-2",
        [
            step("ev-5", "review_failed", "2026-11-28T02:00:00+00:00"),
            step("ev-6", "ordered", "2026-11-28T02:00:01+00:00", "2026-12-05"),
        ],
        username="insp_a2",
    )
    (agreed,) = states(api, "insp_a")
    assert (agreed["status"], agreed["deadline"], agreed["anomalies"]) == (
        "rectifying",
        "2026-12-05",
        [],
    )

    # the first laptop's 复查 of the 27th (passed, 销号) arrives later but happened before
    push_steps(
        api,
        "laptop-1",
        [
            step("ev-3", "review_passed", "2026-11-27T02:00:00+00:00"),
            step("ev-4", "closed", "2026-11-27T02:00:01+00:00"),
        ],
    )
    (flagged,) = states(api, "insp_a")
    assert flagged["status"] == "closed" and flagged["steps"] == 6
    assert [a.split("（")[0] for a in flagged["anomalies"]] == [
        "已销号时不应有“复查不合格”",
        "已销号时不应有“责令整改”",
    ]
    assert states(api, "admin") == [flagged]  # the agency's administrator sees it too
    assert states(api, "insp_b") == []  # another township's inspector does not

    # the second laptop sends its steps again (an answer lost): nothing changes
    results = api.push(api.login("insp_a2", "laptop-2"), "laptop-2", late)
    assert {r["status"] for r in results} == {"duplicate"}
    with Session(api.engine) as s:
        fold = s.get(HazardFold, "haz-1")
        assert fold is not None and len(fold.steps) == 6 and fold.status == "closed"
        assert [st["id"] for st in fold.steps] == ["ev-1", "ev-2", "ev-3", "ev-4", "ev-5", "ev-6"]
