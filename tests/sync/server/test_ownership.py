"""Ownership on the server (issue 15): a device record changes only by the person and device that
created it, or by a role the agency grants (a supervisor's 挂牌督办 销号 and void, a task
assignee's 复查 and task steps). Everything else is `rejected: not_owner` and stores nothing."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, select

from inspector.util.ids import uuid7
from sync.contract import DEVICE_ENTITIES, MANIFEST_HEADER, manifest
from sync.server import admin
from sync.server.db import BlobRef, Record, Task, Unit, write_session
from sync.server.tasks import new_task
from tests.support.server_api import Api, inspection, op
from tests.support.server_world import FAST_HASHER, PASSWORD

AT = "2026-11-20T09:30:00+08:00"


def upload(api: Api, h: dict[str, str]) -> str:
    """A blob sent by this caller; its SHA-256."""
    body = os.urandom(2000)
    sha = hashlib.sha256(body).hexdigest()
    r = api.c.post(
        "/sync/blobs", content=body, headers={**h, MANIFEST_HEADER: manifest([(sha, len(body))])}
    )
    assert r.status_code == 200 and r.json()["stored"] == [sha], r.text
    return sha


@dataclass
class Made:
    """What the first inspector (and the grid worker of the same grid) sent, by kind."""

    payloads: dict[str, dict[str, Any]]
    task_id: str
    colleague_sha: str  # a blob the colleague uploaded


def make_records(api: Api) -> Made:
    w = api.world
    unit = w.units_a[0]  # in the first township and its grid
    ha, hg, hc = api.login("insp_a"), api.login("grid_a"), api.login("insp_a2")
    sha_a, pdf_a = upload(api, ha), upload(api, ha)
    insp = inspection(unit, status="finished", summary="检查发现一般隐患一项。")
    iid = insp["id"]
    hazard = {
        "id": uuid7(),
        "inspection_id": iid,
        "unit_id": unit,
        "grade": "general",
        "description": "配电箱箱门损坏，带电部位外露",
        "deadline": "2026-12-01",
        "status": "pending",
        "supervised": False,
    }
    document = {
        "id": uuid7(),
        "inspection_id": iid,
        "unit_id": unit,
        "kind": "site_record",
        "title": "现场检查记录",
        "number": "柴应急现检〔2026〕1号",
        "status": "issued",
        "pdf_sha256": pdf_a,
        "void_reason": "",
        "voided_at": None,
        "print_count": 0,
    }
    with write_session(api.engine) as s:
        task = new_task(s, task_id=uuid7(), agency_id=w.agency, unit=s.get(Unit, unit),
                        kind="日常检查", title="单位1：日常检查")  # fmt: skip
        task_id = task.id
    p: dict[str, dict[str, Any]] = {
        "inspection": insp,
        "item_result": {"id": uuid7(), "inspection_id": iid, "item_id": "item-1",
                        "result": "fail", "note": ""},
        "hazard": hazard,
        "hazardevent": {"id": uuid7(), "hazard_id": hazard["id"], "kind": "registered",
                        "document_id": None, "deadline": None, "note": "",
                        "actor_id": w.users["insp_a"], "at": AT},
        "photo": {"id": uuid7(), "inspection_id": iid, "hazard_id": hazard["id"],
                  "original_sha256": sha_a, "display_sha256": sha_a, "thumb_sha256": sha_a,
                  "caption": "配电箱", "captured_at": AT},
        "document": document,
        "signature": {"id": uuid7(), "document_id": document["id"], "role": "inspector",
                      "name": "insp_a", "method": "electronic", "image_sha256": None},
        "owntask": {"id": uuid7(), "unit_id": unit, "kind": "日常检查", "title": "单位1：日常检查",
                    "state": "dispatched", "due_date": "2026-12-10", "origin": "self"},
        "taskstep": {"id": uuid7(), "task_id": task_id, "step": "dispatched", "note": "",
                     "assignee_id": w.users["insp_a"], "actor_id": w.users["insp_a"]},
        "patrol": {"id": uuid7(), "grid_id": w.grid_a1, "township_id": w.township_a,
                   "user_id": w.users["grid_a"], "status": "open", "started_at": AT},
        "hazardreport": {"id": uuid7(), "unit_id": unit, "grid_id": w.grid_a1,
                         "category": "消防", "description": "楼梯间堆放杂物", "urgency": "normal"},
    }  # fmt: skip
    p["patrolvisit"] = {"id": uuid7(), "patrol_id": p["patrol"]["id"], "unit_id": unit,
                        "observations": "{}", "problems": "[]", "visited_at": AT}  # fmt: skip
    assert set(p) == set(DEVICE_ENTITIES)
    grid_kinds = ("patrol", "patrolvisit", "hazardreport")
    mine = [op(k, v["id"], v) for k, v in p.items() if k not in grid_kinds]
    for r in api.push(ha, "dev-insp_a", mine):
        assert r["status"] == "applied", r
    for r in api.push(hg, "dev-grid_a", [op(k, p[k]["id"], p[k]) for k in grid_kinds]):
        assert r["status"] == "applied", r
    return Made(p, task_id, upload(api, hc))


def changed(kind: str, m: Made) -> dict[str, Any]:
    """A colleague's change to the first person's record of this kind (the issue's examples)."""
    other = m.colleague_sha
    changes: dict[str, dict[str, Any]] = {
        "inspection": {"status": "in_progress", "summary": "未发现隐患。"},
        "item_result": {"result": "pass"},
        "hazard": {"description": "无隐患", "deadline": "2099-12-31"},
        "hazardevent": {"kind": "closed"},
        "photo": {"original_sha256": other, "display_sha256": other, "thumb_sha256": other},
        "document": {"status": "voided", "void_reason": "单位名称写错", "voided_at": AT},
        "signature": {"name": "李四"},
        "owntask": {"due_date": "2099-12-31"},
        "taskstep": {"note": "已改"},
        "patrol": {"status": "finished", "summary": "无问题"},
        "patrolvisit": {"observations": '{"walk": "一切正常"}'},
        "hazardreport": {"description": "无隐患"},
    }
    return {**m.payloads[kind], **changes[kind]}


def added_under(kind: str, m: Made) -> dict[str, Any] | None:
    """A new record of this kind the colleague hangs under the first person's record (None: the
    kind hangs under none of a person's records)."""
    p, other = m.payloads, m.colleague_sha
    iid, hid = p["inspection"]["id"], p["hazard"]["id"]
    unit = p["inspection"]["unit_id"]
    new: dict[str, dict[str, Any]] = {
        "item_result": {"inspection_id": iid, "item_id": "item-2", "result": "pass"},
        "hazard": {"inspection_id": iid, "unit_id": unit, "description": "另一处隐患",
                   "status": "pending"},
        "hazardevent": {"hazard_id": hid, "kind": "review_passed", "at": AT},
        "photo": {"inspection_id": iid, "original_sha256": other, "display_sha256": other,
                  "thumb_sha256": other},
        "document": {"inspection_id": iid, "unit_id": unit, "kind": "site_record",
                     "status": "issued", "number": "柴应急现检〔2026〕2号", "pdf_sha256": other},
        "signature": {"document_id": p["document"]["id"], "name": "李四", "method": "refused"},
        "patrolvisit": {"patrol_id": p["patrol"]["id"], "unit_id": unit, "observations": "{}"},
        "taskstep": {"task_id": m.task_id, "step": "handling", "note": "已到现场"},
    }  # fmt: skip
    if kind not in new:
        return None
    return {"id": uuid7(), **new[kind]}


def stored(api: Api) -> tuple[list[Any], list[Any], list[Any]]:
    """Everything a push could have changed: records, blob references, tasks."""
    with Session(api.engine) as s:
        records = sorted(
            (r.entity, r.id, r.version, r.seq, r.user_id, r.device_id, r.unit_id,
             json.dumps(r.data, sort_keys=True, ensure_ascii=False))
            for r in s.exec(select(Record))
        )  # fmt: skip
        refs = sorted((b.sha256, b.entity, b.record_id) for b in s.exec(select(BlobRef)))
        tasks = sorted(
            (t.id, t.version, t.seq, t.state, tuple(t.assignee_ids), len(t.history))
            for t in s.exec(select(Task))
        )
    return records, refs, tasks


def cursor(api: Api, h: dict[str, str]) -> int:
    since = 0
    while True:
        page = api.changes(h, since)
        since = page["next"]
        if not page["more"]:
            return since


@pytest.mark.parametrize("kind", DEVICE_ENTITIES)
def test_a_colleague_of_the_same_township_cannot_change_or_add_under_anothers_record(
    api: Api, kind: str
) -> None:
    made = make_records(api)
    creator = "grid_a" if kind in ("patrol", "patrolvisit", "hazardreport") else "insp_a"
    h_creator, h_admin = api.login(creator), api.login("admin")
    h_colleague = api.login("insp_a2")  # same township: sees every one of these records
    before = stored(api)
    since_creator, since_admin = cursor(api, h_creator), cursor(api, h_admin)

    change = changed(kind, made)
    refs = [made.colleague_sha] if kind == "photo" else []
    ops = [op(kind, change["id"], change, blob_refs=refs)]
    child = added_under(kind, made)
    if child is not None:
        ops.append(op(kind, child["id"], child))
    answers = api.push(h_colleague, "dev-insp_a2", ops)
    expected = [("rejected", "not_owner")]
    if child is not None:  # a task assigned to the first inspector is moved by no one else
        expected.append(("rejected", "not_assignee" if kind == "taskstep" else "not_owner"))
    assert [(r["status"], r["reason"]) for r in answers] == expected

    # nothing stored: no record, no blob reference, no task moved, nothing anyone pulls
    assert stored(api) == before
    assert api.changes(h_creator, since_creator)["changes"] == []
    assert api.changes(h_admin, since_admin)["changes"] == []
    # the first person's next sync: their record as they sent it, resent without a conflict
    original = made.payloads[kind]
    again = api.push(h_creator, f"dev-{creator}", [op(kind, original["id"], original)])
    assert [(r["status"], r["version"]) for r in again] == [("applied", 1)]
    assert stored(api) == before


def test_the_same_person_on_another_device_cannot_change_it(api: Api) -> None:
    made = make_records(api)
    elsewhere = api.login("insp_a", device="dev-insp_a-laptop2")
    before = stored(api)
    hazard = {**made.payloads["hazard"], "description": "无隐患", "deadline": "2099-12-31"}
    [r] = api.push(elsewhere, "dev-insp_a-laptop2", [op("hazard", hazard["id"], hazard)])
    assert (r["status"], r["reason"]) == ("rejected", "not_owner")
    assert stored(api) == before


def supervised_hazard(api: Api) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The first inspector's 重大隐患 under 挂牌督办, 复查合格: waiting for the supervisor's 销号."""
    h = api.login("insp_a")
    insp = inspection(api.world.units_a[0], status="finished")
    hazard = {"id": uuid7(), "inspection_id": insp["id"], "unit_id": insp["unit_id"],
              "grade": "major", "description": "液氨储罐区未设置泄漏报警装置",
              "deadline": "2026-12-01", "status": "reviewed_ok", "supervised": True}  # fmt: skip
    steps = [
        {"id": uuid7(), "hazard_id": hazard["id"], "kind": kind, "at": AT, "note": ""}
        for kind in ("registered", "supervised", "ordered", "review_passed")
    ]
    ops = [op("inspection", insp["id"], insp), op("hazard", hazard["id"], hazard)]
    ops += [op("hazardevent", e["id"], e) for e in steps]
    assert {r["status"] for r in api.push(h, "dev-insp_a", ops)} == {"applied"}
    return hazard, steps


def close_ops(hazard: dict[str, Any], actor: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """What a device sends for 销号: the step, then the hazard row the fold leaves."""
    event = {"id": uuid7(), "hazard_id": hazard["id"], "kind": "closed", "at": AT,
             "actor_id": actor, "note": "督办销号"}  # fmt: skip
    row = {**hazard, "status": "closed", "supervised": False, "updated_at": AT}
    return [op("hazardevent", event["id"], event), op("hazard", row["id"], row)], row


def test_the_supervisor_closes_a_supervised_hazard_others_may_not(api: Api) -> None:
    hazard, _ = supervised_hazard(api)
    # an inspector of the township, even the assignee of a task at the unit, may not: 挂牌督办
    # keeps the 销号 for the supervisor
    with write_session(api.engine) as s:
        new_task(s, task_id=uuid7(), agency_id=api.world.agency,
                 unit=s.get(Unit, hazard["unit_id"]), kind="复查", title="复查",
                 assignee_ids=[api.world.users["insp_a2"]], state="dispatched")  # fmt: skip
    before = stored(api)
    colleague = api.login("insp_a2")
    ops, _ = close_ops(hazard, api.world.users["insp_a2"])
    answers = api.push(colleague, "dev-insp_a2", ops)
    assert [(r["status"], r["reason"]) for r in answers] == [("rejected", "not_owner")] * 2
    assert stored(api) == before

    boss = api.login("admin")
    ops, row = close_ops(hazard, api.world.users["admin"])
    answers = api.push(boss, "dev-admin", ops)
    assert [(r["status"], r["version"]) for r in answers] == [("applied", 1), ("applied", 2)]
    with Session(api.engine) as s:
        rec = s.get(Record, ("hazard", hazard["id"]))
        assert rec is not None and rec.data["status"] == "closed"
        # still the first inspector's record: the supervisor took a step on it
        assert (rec.user_id, rec.device_id) == (api.world.users["insp_a"], "dev-insp_a")
    # the supervisor's grant is for the loop's fields only
    rewritten = {**row, "description": "无隐患"}
    [r] = api.push(boss, "dev-admin", [op("hazard", row["id"], rewritten)])
    assert (r["status"], r["reason"]) == ("rejected", "not_owner")


def test_the_assignee_of_a_task_at_the_unit_does_the_review_of_a_colleagues_hazard(
    api: Api,
) -> None:
    made = make_records(api)
    hazard = made.payloads["hazard"]
    colleague = api.login("insp_a2")
    users = api.world.users

    def review() -> list[dict[str, Any]]:
        passed = {"id": uuid7(), "hazard_id": hazard["id"], "kind": "review_passed", "at": AT}
        closed = {"id": uuid7(), "hazard_id": hazard["id"], "kind": "closed", "at": AT}
        row = {**hazard, "status": "closed", "updated_at": AT}
        return [op("hazardevent", e["id"], e) for e in (passed, closed)] + [
            op("hazard", row["id"], row)
        ]

    # not assigned: refused
    answers = api.push(colleague, "dev-insp_a2", review())
    assert {(r["status"], r["reason"]) for r in answers} == {("rejected", "not_owner")}
    # assigned a 复查 task at the unit: the 复查 and its 销号 go through
    with write_session(api.engine) as s:
        task = new_task(s, task_id=uuid7(), agency_id=api.world.agency,
                        unit=s.get(Unit, hazard["unit_id"]), kind="复查", title="复查",
                        assignee_ids=[users["insp_a2"]], state="dispatched")  # fmt: skip
        task_id = task.id
    answers = api.push(colleague, "dev-insp_a2", review())
    assert [r["status"] for r in answers] == ["applied"] * 3
    with Session(api.engine) as s:
        rec = s.get(Record, ("hazard", hazard["id"]))
        assert rec is not None and rec.data["status"] == "closed"
        assert rec.user_id == users["insp_a"]
    # the assignee may not rewrite the hazard itself
    rewritten = {**hazard, "status": "closed", "updated_at": AT, "description": "无隐患"}
    [r] = api.push(colleague, "dev-insp_a2", [op("hazard", hazard["id"], rewritten)])
    assert (r["status"], r["reason"]) == ("rejected", "not_owner")
    # nor act once the task is closed
    with write_session(api.engine) as s:
        t = s.get(Task, task_id)
        assert t is not None
        t.state = "closed"
        s.add(t)
    event = {"id": uuid7(), "hazard_id": hazard["id"], "kind": "review_failed", "at": AT}
    [r] = api.push(colleague, "dev-insp_a2", [op("hazardevent", event["id"], event)])
    assert (r["status"], r["reason"]) == ("rejected", "not_owner")


def test_a_task_assigned_to_one_inspector_is_moved_by_them_and_by_no_colleague(
    api: Api,
) -> None:
    users = api.world.users
    with write_session(api.engine) as s:
        task = new_task(s, task_id=uuid7(), agency_id=api.world.agency,
                        unit=s.get(Unit, api.world.units_a[0]), kind="专项整治", title="专项",
                        assignee_ids=[users["insp_a"]], state="dispatched")  # fmt: skip
        task_id = task.id

    def step(name: str) -> dict[str, Any]:
        body = {"id": uuid7(), "task_id": task_id, "step": name, "note": ""}
        return op("taskstep", body["id"], body)

    [r] = api.push(api.login("insp_a2"), "dev-insp_a2", [step("handling")])
    assert (r["status"], r["reason"]) == ("rejected", "not_assignee")
    [r] = api.push(api.login("insp_a"), "dev-insp_a", [step("handling")])
    assert r["status"] == "applied"
    [r] = api.push(api.login("admin"), "dev-admin", [step("feedback")])
    assert r["status"] == "applied"
    with Session(api.engine) as s:
        t = s.get(Task, task_id)
        assert t is not None and t.state == "feedback" and t.assignee_ids == [users["insp_a"]]


def test_an_issued_document_is_voided_by_its_issuer_or_the_agencys_supervisor_only(
    api: Api,
) -> None:
    made = make_records(api)
    doc = made.payloads["document"]
    void = {**doc, "status": "voided", "void_reason": "单位名称写错", "voided_at": AT}
    # another agency's administrator does not even see it
    admin.create_user(api.engine, username="admin2", password=PASSWORD, name="admin2",
                      agency_id=api.world.other_agency, role="admin", hasher=FAST_HASHER)  # fmt: skip
    [r] = api.push(api.login("admin2"), "dev-admin2", [op("document", doc["id"], void)])
    assert (r["status"], r["reason"]) == ("rejected", "out_of_scope")
    boss = api.login("admin")
    # the supervisor changes nothing but the void
    renumbered = {**void, "number": "柴应急现检〔2026〕9号"}
    [r] = api.push(boss, "dev-admin", [op("document", doc["id"], renumbered)])
    assert (r["status"], r["reason"]) == ("rejected", "not_owner")
    no_reason = {**void, "void_reason": ""}
    [r] = api.push(boss, "dev-admin", [op("document", doc["id"], no_reason)])
    assert (r["status"], r["reason"]) == ("rejected", "not_owner")
    [r] = api.push(boss, "dev-admin", [op("document", doc["id"], void)])
    assert (r["status"], r["version"]) == ("applied", 2)
    with Session(api.engine) as s:
        rec = s.get(Record, ("document", doc["id"]))
        assert rec is not None and rec.data["status"] == "voided"
        assert rec.user_id == api.world.users["insp_a"]


def test_a_granted_person_writes_a_colleagues_hazard_only_as_their_steps_leave_it(
    api: Api,
) -> None:
    made = make_records(api)
    hazard = made.payloads["hazard"]  # 待整改, deadline 2026-12-01
    users = api.world.users
    with write_session(api.engine) as s:
        new_task(s, task_id=uuid7(), agency_id=api.world.agency,
                 unit=s.get(Unit, hazard["unit_id"]), kind="复查", title="复查",
                 assignee_ids=[users["insp_a2"]], state="dispatched")  # fmt: skip
    boss, assignee = api.login("admin"), api.login("insp_a2")
    # the supervisor does not judge a 复查: 复查合格 is not a supervisor's step
    judged = {**hazard, "status": "reviewed_ok", "updated_at": AT}
    [r] = api.push(boss, "dev-admin", [op("hazard", hazard["id"], judged)])
    assert (r["status"], r["reason"]) == ("rejected", "not_owner")
    # nor does the assignee put it under 挂牌督办
    flagged = {**hazard, "supervised": True, "updated_at": AT}
    [r] = api.push(assignee, "dev-insp_a2", [op("hazard", hazard["id"], flagged)])
    assert (r["status"], r["reason"]) == ("rejected", "not_owner")
    # the assignee's failed 复查: re-ordered with a new deadline
    failed = {"id": uuid7(), "hazard_id": hazard["id"], "kind": "review_failed", "at": AT}
    ordered = {"id": uuid7(), "hazard_id": hazard["id"], "kind": "ordered", "at": AT,
               "deadline": "2026-12-20"}  # fmt: skip
    row = {**hazard, "status": "rectifying", "deadline": "2026-12-20", "updated_at": AT}
    ops = [op("hazardevent", e["id"], e) for e in (failed, ordered)]
    answers = api.push(assignee, "dev-insp_a2", [*ops, op("hazard", row["id"], row)])
    assert [r["status"] for r in answers] == ["applied"] * 3
    # and the supervisor puts it under 挂牌督办
    flagged = {**row, "supervised": True}
    [r] = api.push(boss, "dev-admin", [op("hazard", hazard["id"], flagged)])
    assert r["status"] == "applied"
    with Session(api.engine) as s:
        rec = s.get(Record, ("hazard", hazard["id"]))
        assert rec is not None and rec.user_id == users["insp_a"]
        assert (rec.data["status"], rec.data["deadline"], rec.data["supervised"]) == (
            "rectifying",
            "2026-12-20",
            True,
        )
