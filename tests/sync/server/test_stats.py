"""月度统计 on the server: the figures over every record two inspectors pushed equal a plain count
of the raw rows, per month and township; each caller sees only their jurisdiction; a township
outside it is refused; an unreadable record is left out and counted, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from inspector.domain.monthly import scope_text
from inspector.services.journal import row_payload
from inspector.services.overview.monthly import figures_of
from sync.contract import MONTHLY_STATS
from sync.server import create_app
from tests.support.overview import TODAY, Generated, actual, china_local_time, expected, make_rows
from tests.support.server_api import Api, op
from tests.support.server_world import seed


@pytest.fixture(autouse=True)
def china_time() -> Iterator[None]:
    with china_local_time():
        yield


@pytest.fixture
def stats_api(db_url: str, tmp_path: Path) -> Iterator[Api]:
    app = create_app(db_url, tmp_path / "blobs", today=lambda: TODAY)
    world = seed(app.state.engine)
    with TestClient(app) as client:
        yield Api(client, world, app.state.engine)
    app.state.engine.dispose()


def push_rows(api: Api, username: str, rows: list[Any]) -> None:
    headers = api.login(username)
    ops = [op(type(r).__name__.lower(), r.id, row_payload(r)) for r in rows]
    for at in range(0, len(ops), 100):
        results = api.push(headers, f"dev-{username}", ops[at : at + 100])
        assert {r["status"] for r in results} == {"applied"}, results


@pytest.fixture
def pushed(stats_api: Api) -> Generated:
    """Each township's records pushed by its own inspector (two devices)."""
    w = stats_api.world
    chosen = {u: w.township_a for u in w.units_a} | {u: w.township_b for u in w.units_b}
    gen = make_rows(w.township_a, w.township_b, chosen, w.agency, seed=5)
    for username, town in (("insp_a", w.township_a), ("insp_b", w.township_b)):
        mine = [
            r for r in (*gen.inspections, *gen.hazards, *gen.documents) if chosen[r.unit_id] == town
        ]
        push_rows(stats_api, username, mine)
    return gen


def stats(api: Api, username: str, year: int, month: int, township: str | None = None) -> Any:
    query = f"/stats/monthly?year={year}&month={month}"
    if township:
        query += f"&township_id={township}"
    r = api.c.get(query, headers=api.login(username))
    assert r.status_code == 200, r.text
    return figures_of(MONTHLY_STATS.validate_python(r.json()))


@pytest.mark.parametrize("month", [9, 10, 11])
def test_server_figures_equal_a_plain_count(stats_api: Api, pushed: Generated, month: int) -> None:
    w = stats_api.world
    whole = stats(stats_api, "admin", 2026, month)
    assert actual(whole) == expected(pushed, 2026, month)
    assert whole.inspections > 5 and whole.source == "server" and whole.as_of is not None
    assert whole.scope_label == "柴桑区应急管理局（全辖区）"
    for town in (w.township_a, w.township_b):
        one = stats(stats_api, "admin", 2026, month, town)
        assert actual(one) == expected(pushed, 2026, month, town)
        assert one.township_name in ("沙河街道", "港口街镇")


def test_an_inspector_sees_only_their_townships(stats_api: Api, pushed: Generated) -> None:
    w = stats_api.world
    mine = stats(stats_api, "insp_a", 2026, 10)
    assert actual(mine) == expected(pushed, 2026, 10, w.township_a)
    assert mine.scope_label == "沙河街道"
    assert stats(stats_api, "other", 2026, 10).inspections == 0  # another agency's user
    r = stats_api.c.get(
        f"/stats/monthly?year=2026&month=10&township_id={w.township_b}",
        headers=stats_api.login("insp_a"),
    )
    assert r.status_code == 403 and "辖区" in r.json()["detail"]
    r = stats_api.c.get(
        "/stats/monthly?year=2026&month=10&township_id=nowhere", headers=stats_api.login("insp_a")
    )
    assert r.status_code == 403


def test_bad_queries_get_4xx(stats_api: Api) -> None:
    headers = stats_api.login("admin")
    for query in ("month=10", "year=2026&month=13", "year=99999&month=1", "year=x&month=1"):
        assert stats_api.c.get(f"/stats/monthly?{query}", headers=headers).status_code == 422
    assert stats_api.c.get("/stats/monthly?year=2026&month=10").status_code == 401


def test_an_unreadable_record_is_left_out_and_counted(stats_api: Api, pushed: Generated) -> None:
    w = stats_api.world
    before = stats(stats_api, "admin", 2026, 10)
    # a hazard of an inspection insp_a pushed (adding one under a colleague's is not_owner)
    mine = next(h for h in pushed.hazards if h.unit_id in w.units_a)
    broken = row_payload(mine) | {
        "id": "haz-broken",
        "grade": "catastrophic",
        "created_at": "2026-10-15T10:00:00+08:00",
        "unit_id": w.units_a[0],
    }
    headers = stats_api.login("insp_a")
    results = stats_api.push(headers, "dev-insp_a", [op("hazard", "haz-broken", broken)])
    assert results[0]["status"] == "applied", results  # the server keeps what it cannot count
    after = stats(stats_api, "admin", 2026, 10)
    assert after.skipped == 1 and actual(after) == actual(before)
    assert "另有 1 条记录内容不完整，未计入" in scope_text(after)


def test_site_records_pushed_without_an_issue_time_are_counted(
    stats_api: Api, pushed: Generated
) -> None:
    """A 现场检查记录 from a client that left `issued_at` empty counts in the month it was
    created (issued); an unnumbered rendering (draft) without it does not."""
    w = stats_api.world
    before = stats(stats_api, "admin", 2026, 10)
    inspection = next(i for i in pushed.inspections if i.unit_id == w.units_a[0])
    record = {
        "id": "doc-old-site-record",
        "inspection_id": inspection.id,
        "unit_id": w.units_a[0],
        "kind": "site_record",
        "title": "现场检查记录",
        "number": "（柴）应急检记〔2026〕44号",
        "status": "issued",
        "data": "{}",
        "created_at": "2026-10-31T23:30:00+08:00",  # China time: still October
        "issued_at": None,
    }
    draft = {**record, "id": "doc-old-rendering", "number": None, "status": "draft"}
    headers = stats_api.login("insp_a")
    results = stats_api.push(
        headers,
        "dev-insp_a",
        [op("document", d["id"], d) for d in (record, draft)],
    )
    assert {r["status"] for r in results} == {"applied"}, results
    after = stats(stats_api, "admin", 2026, 10)
    counted = {k.kind: k.count for k in after.documents_by_kind}
    was = {k.kind: k.count for k in before.documents_by_kind}
    assert counted.get("site_record", 0) == was.get("site_record", 0) + 1
    assert after.documents == before.documents + 1
