"""Unit search over a real SQLite file: Chinese fragments, pinyin, initials, credit codes, filters."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from inspector.domain.errors import UserError
from inspector.services.demo.county import generate_units, make_regions
from inspector.services.facade import Services
from inspector.services.sync.apply import apply_units
from inspector.services.units.directory import NewUnit, UnitFilters
from sync.contract import UNIT_DEFAULTS, UNIT_NAME_SYLLABLES
from tests.support.clock import FixedClock
from tests.support.sync_world import code


@pytest.fixture
def known(services: Services) -> str:
    unit_id = services.units.add(
        NewUnit(
            name="青岚县红光机械制造有限公司",
            address="青岚县白沙镇堃山路8号",
            credit_code="91350100M000100Y43",
            industry="工贸",
            risk_colour="red",
            supervision_level="A",
        )
    ).value
    return unit_id


def names(rows: list) -> list[str]:
    return [r.name for r in rows]


@pytest.mark.parametrize("query", ["光", "红光", "光机械制", "堃", "堃山路", "8号"])
def test_chinese_substrings_of_name_and_address(services: Services, known: str, query: str) -> None:
    ids = [r.id for r in services.units.search(query, limit=5000)]
    assert known in ids


@pytest.mark.parametrize(
    "query", ["hgjx", "HGJX", "qlxhgjx", "hongguang", "qinglanxianhongguangjixie", "gjxz"]
)
def test_pinyin_full_initials_and_initials_inside(
    services: Services, known: str, query: str
) -> None:
    assert known in [r.id for r in services.units.search(query, limit=5000)]


@pytest.mark.parametrize("query", ["9135", "91350100m0", "９１３５０１００"])
def test_credit_code_prefix(services: Services, known: str, query: str) -> None:
    rows = services.units.search(query)
    assert known in [r.id for r in rows]


def test_no_match_is_empty_and_count_is_zero(services: Services) -> None:
    assert services.units.search("不存在的单位名称喆喆") == []
    assert services.units.count("不存在的单位名称喆喆") == 0


def test_filters_combine_with_query(services: Services, known: str) -> None:
    hit = services.units.search("红光", UnitFilters(risk_colour="red", level="A"))
    assert known in [r.id for r in hit]
    miss = services.units.search("红光", UnitFilters(risk_colour="blue"))
    assert known not in [r.id for r in miss]
    for row in services.units.search("", UnitFilters(industry="工贸"), limit=1000):
        assert row.industry == "工贸"


def test_paging_has_no_gaps_or_repeats(services: Services) -> None:
    total = services.units.count("有限")
    seen: list[str] = []
    offset = 0
    while True:
        page = services.units.search("有限", limit=37, offset=offset)
        if not page:
            break
        seen.extend(r.id for r in page)
        offset += len(page)
    assert len(seen) == len(set(seen)) == total > 37


def test_browse_order_and_count(services: Services) -> None:
    rows = services.units.search("", limit=50)
    assert len(rows) == 50
    assert services.units.count("") == 400


def test_invalid_credit_code_is_refused_and_nothing_saved(services: Services) -> None:
    before = services.units.count("")
    with pytest.raises(UserError, match="校验位"):
        services.units.add(NewUnit(name="某某五金店", credit_code="91350100M000100Y44"))
    assert services.units.count("") == before
    assert services.unsynced_count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [("五金店😀", "无法打印"), ("长" * 5000, "过长"), ("   ", "请填写")],
)
def test_bad_text_is_refused(services: Services, name: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        services.units.add(NewUnit(name=name))
    assert services.units.count("") == 400


def test_rare_characters_are_accepted_and_found(services: Services) -> None:
    unit_id = services.units.add(NewUnit(name="𠀀喆赟昇五金店")).value
    assert unit_id in [r.id for r in services.units.search("𠀀喆")]


def test_text_query_with_every_filter_kind(services: Services) -> None:
    opts = services.units.filter_options()
    some = services.units.search("", limit=1)[0]
    filters = UnitFilters(
        industry=some.industry,
        risk_colour=some.risk_colour,
        level=some.level,
        township_id=some.township_id,
        grid_id=some.grid_id,
    )
    query = some.name[3:5]  # two characters after the county name
    rows = services.units.search(query, filters, limit=1000)
    assert some.id in [r.id for r in rows]
    for r in rows:
        assert (r.industry, r.risk_colour, r.level, r.township_id, r.grid_id) == (
            some.industry,
            some.risk_colour,
            some.level,
            some.township_id,
            some.grid_id,
        )
    assert services.units.count(query, filters) == len(rows)
    assert some.industry in opts.industries


def test_filter_index_follows_an_edited_unit(services: Services, known: str) -> None:
    from sqlalchemy import text

    with services.ctx.store.write() as s:
        s.connection().execute(text("UPDATE unit SET risk_colour='blue' WHERE id=:i"), {"i": known})
    assert known not in [
        r.id for r in services.units.search("红光", UnitFilters(risk_colour="red"))
    ]
    assert known in [r.id for r in services.units.search("红光", UnitFilters(risk_colour="blue"))]


def _index_rows(services: Services) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with services.ctx.store.read() as s:
        conn = s.connection()
        fts = conn.exec_driver_sql(
            "SELECT rowid, name, addr, pyf, fac FROM unit_fts ORDER BY rowid"
        ).fetchall()
        ini = conn.exec_driver_sql("SELECT rowid, ini FROM unit_ini ORDER BY rowid").fetchall()
    return [tuple(r) for r in fts], [tuple(r) for r in ini]


def test_pulled_units_are_indexed_in_bulk_exactly_as_the_trigger_indexes_them(
    tmp_path: Path,
) -> None:
    """A pull inserts units with the insert trigger deferred and indexes them in two set
    statements; the index must hold exactly what the per-row triggers write."""
    regions = make_regions(random.Random(4))
    made = list(generate_units(300, regions, seed=4))
    rows = []
    for n, u in enumerate(made):
        data = {**UNIT_DEFAULTS, "id": f"u{n:04d}", "name": u.name, "address": u.address}
        data.update(
            industry=u.industry, supervision_level=u.supervision_level, risk_colour=u.risk_colour
        )
        data.update(township_id=u.township_id, grid_id=u.grid_id)
        rows.append((data, 1, False))
    svc = Services.open(tmp_path / "data", clock=FixedClock())
    try:
        with svc.ctx.store.write() as s:
            apply_units(s, svc.ctx.clock, rows)
        bulk = _index_rows(svc)
        assert len(bulk[0]) == len(bulk[1]) == 300
        with svc.ctx.store.write() as s:
            assert (
                s.connection()
                .exec_driver_sql("SELECT count(*) FROM unit_fts_deferred")
                .scalar_one()
                == 0
            )
            # the update trigger re-indexes every row the per-row way
            s.connection().exec_driver_sql("UPDATE unit SET sn = sn")
        assert _index_rows(svc) == bulk
        for n in (0, 150, 299):
            assert f"u{n:04d}" in [r.id for r in svc.units.search(made[n].name)], made[n].name
        # a unit made on the device afterwards goes through the insert trigger again
        uid = svc.units.add(NewUnit(name="青岚县堃喆五金店", address="白沙镇1号")).value
        assert [r.id for r in svc.units.search("堃喆")] == [uid]
        assert [r.id for r in svc.units.search("kzwjd")] == [uid]
    finally:
        svc.close()


def test_pulled_units_are_stored_exactly_as_sqlalchemy_stores_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk insert of a pull builds the driver's parameters itself (unit_search._insert_many):
    every column must hold what SQLAlchemy's own insert writes — times with their zone, flags,
    empty values, rare characters."""
    from sqlalchemy import insert

    import inspector.store.unit_search as unit_search

    rows = []
    for n in range(40):
        data = {
            **UNIT_DEFAULTS,
            "id": f"u{n:04d}",
            "name": f"𠀀堃喆商行{n}",
            "address": f"白沙镇{n}号",
        }
        data.update(updated_at=f"2026-11-{1 + n % 28:02d}T0{n % 10}:30:00+08:00")
        data.update(credit_code=None if n % 3 else code(n), deleted=n % 7 == 0)
        rows.append((data, 1 + n % 4, n % 11 == 0))

    def stored(folder: str) -> list[tuple[object, ...]]:
        svc = Services.open(tmp_path / folder, clock=FixedClock())
        try:
            with svc.ctx.store.write() as s:
                apply_units(s, svc.ctx.clock, rows)
            with svc.ctx.store.read() as s:
                conn = s.connection()
                return [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM unit ORDER BY sn")]
        finally:
            svc.close()

    fast = stored("fast")
    monkeypatch.setattr(
        unit_search, "_insert_many", lambda conn, table, rs: conn.execute(insert(table), rs)
    )
    assert fast == stored("sqlalchemy") and len(fast) == 40


def test_pulled_units_are_found_by_the_pinyin_the_server_sent(tmp_path: Path) -> None:
    """A pull carries each name's syllables (the server works them out once for all devices):
    the device indexes those; a malformed value, or one sent for a name the device has changed
    since, is not used — the device reads the name itself."""
    from inspector.services.sync.apply import queue_unit_patch

    def row(uid: str, name: str, spoken: object, version: int = 1) -> tuple:
        data = {**UNIT_DEFAULTS, "id": uid, "name": name, "address": "白沙镇1号"}
        data[UNIT_NAME_SYLLABLES] = spoken
        return (data, version, False)

    svc = Services.open(tmp_path / "data", clock=FixedClock())
    try:
        with svc.ctx.store.write() as s:
            apply_units(
                s,
                svc.ctx.clock,
                [
                    # pypinyin alone reads 单县 "dan xian"; the server's reading is what is indexed
                    row("u1", "单县化工厂", "shan xian hua gong chang"),
                    row("u2", "重庆长安银行", "CHONG;drop table unit"),  # malformed: not used
                    row("u3", "𠀀堃喆五金店", 42),  # not text: not used
                    row("u4", "乐山市音乐厅", "le shan shi yin yue ting"),
                ],
            )
        assert [r.id for r in svc.units.search("sxhgc")] == ["u1"]
        assert [r.id for r in svc.units.search("shanxian")] == ["u1"]
        assert svc.units.search("dxhgc") == []
        assert [r.id for r in svc.units.search("cqcayh")] == ["u2"]
        assert [r.id for r in svc.units.search("kzwjd")] == ["u3"]
        # the device renames u4; the server's next version still has the old name and its pinyin
        with svc.ctx.store.write() as s:
            queue_unit_patch(s, svc.ctx.clock, "u4", {"name": "长沙音乐厅"})
        with svc.ctx.store.write() as s:
            apply_units(
                s, svc.ctx.clock, [row("u4", "乐山市音乐厅", "le shan shi yin yue ting", 2)]
            )
        assert [r.id for r in svc.units.search("csyyt")] == ["u4"]
        assert svc.units.search("lssyyt") == []
    finally:
        svc.close()
