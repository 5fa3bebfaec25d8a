"""A grid worker's window from the moment they sign in (the role and grids come with the sign-in
answer), only their grid's units anywhere, no enforcement act; the signed-in person and role in
the status bar, and no 已连接 after sign-out (real server app, real client stores, the window)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import select

from inspector.domain.errors import UserError
from inspector.services.inspections.recording import StartInspection
from inspector.services.people.role import NO_ENFORCEMENT, read_identity
from inspector.store.models import Unit
from sync.server import admin
from sync.server.db import User, write_session
from tests.support.grid_worker import idle, visible_pages, window_for
from tests.support.sync_devices import BASE_URL, Server
from tests.support.sync_steps import add_grid_worker
from tests.support.sync_world import PASSWORD, code
from tests.support.writer import on_writer


def test_a_grid_workers_window_before_any_pull(
    qtbot: QtBot, qapp: Any, server: Server, make_device: Any
) -> None:
    add_grid_worker(server)
    dev = make_device("grid")
    dev.sync.sign_in(BASE_URL, "grid1", PASSWORD)  # no sync: offline after the sign-in
    who = read_identity(dev.services.ctx)
    assert who.grid_worker and who.label == "刘网格 · 网格员" and len(who.grid_ids) == 1

    w = window_for(qtbot, qapp, dev)
    assert visible_pages(w) == {"tasks", "patrol", "units", "sync"}
    assert w.person.text() == "刘网格 · 网格员"
    assert w.units.start_button.isHidden()  # 开始检查 is an enforcement act
    w.ask_start_inspection("any-unit")
    assert w.messages.text() == NO_ENFORCEMENT
    with pytest.raises(UserError, match="网格员不能开始执法检查"):
        start = StartInspection("any-unit", ["a", "b"], [])
        on_writer(dev, lambda: dev.services.inspections.start(start))


def test_a_grid_worker_sees_only_their_grid(
    qtbot: QtBot, qapp: Any, server: Server, make_device: Any, tmp_path: Path
) -> None:
    second = admin.create_grid(server.engine, server.township, "第二网格")
    csv = tmp_path / "second.csv"
    csv.write_text(
        "单位名称,统一社会信用代码,地址,乡镇,网格,行业,联系人,联系电话\n"
        + "".join(
            f"湖滨饭店{n},{code(100 + n)},沙河街道湖滨路{n}号,沙河街道,第二网格,餐饮,钱七,0792-2000000{n}\n"
            for n in (1, 2)
        ),
        "utf-8",
    )
    assert admin.import_units(server.engine, csv, server.agency).imported == 2
    user_id = add_grid_worker(server)
    with write_session(server.engine) as s:  # first in both grids
        user = s.exec(select(User).where(User.id == user_id)).one()
        user.grid_ids = [*user.grid_ids, second]
        s.add(user)
    dev = make_device("grid")
    dev.sync.sign_in(BASE_URL, "grid1", PASSWORD)
    assert dev.sync.run().ok
    units = dev.services.units
    with write_session(server.engine) as s:  # then moved to the first grid only
        user = s.exec(select(User).where(User.id == user_id)).one()
        user.grid_ids = [g for g in user.grid_ids if g != second]
        s.add(user)
    assert dev.sync.run().ok  # the units of the second grid stay in the store…
    with dev.services.ctx.store.read() as s:
        assert len(s.exec(select(Unit)).all()) == 7

    # …and no list shows them: unit search and count, the filters, the patrol, the map
    names = [u.name for u in units.search("")]
    assert len(names) == 5 and all(n.startswith("沙河机械厂") for n in names)
    assert units.count("") == 5 and units.search("湖滨") == []
    assert [g[2] for g in units.filter_options().grids] == ["第一网格"]
    assert [g.name for g in dev.services.patrols.grids()] == ["第一网格"]
    assert len(dev.services.patrols.places(second)) == 5  # another grid asked: their own
    points = dev.services.unit_map.points()
    assert len(points.ids) + points.without_coordinates == 5

    w = window_for(qtbot, qapp, dev)
    idle(qtbot, w)
    assert w.units.model.rowCount() == 5


def test_the_status_bar_names_the_person_and_forgets_the_connection_at_sign_out(
    qtbot: QtBot, qapp: Any, server: Server, make_device: Any
) -> None:
    dev = make_device("inspector")
    dev.services.sync = dev.sync  # the window's services talk to the in-process server
    w = window_for(qtbot, qapp, dev)
    assert w.person.text() == "未登录（本机数据）"
    dev.sync.sign_in(BASE_URL, "zhang", PASSWORD)
    w.sync_page._signed_in("zhang")  # what the sign-in dialog's answer calls
    idle(qtbot, w)
    assert w.person.text() == "张三 · 执法人员"
    w.sync_page.start_sync()
    qtbot.waitUntil(lambda: "已连接" in w.network_label.text(), timeout=15_000)
    idle(qtbot, w)
    w.sync_page.sign_out()
    qtbot.waitUntil(lambda: w.person.text() == "未登录（本机数据）", timeout=15_000)
    assert "已连接" not in w.network_label.text()
