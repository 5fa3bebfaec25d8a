"""双随机抽查: the draw is redone exactly from its seed, and never picks outside the filter."""

from __future__ import annotations

import hashlib
import random

import pytest
from sqlmodel import Session

from inspector.util.ids import uuid7
from sync.server import admin
from sync.server.cli import main
from sync.server.db import Draw, Unit, take_seq, write_session
from sync.server.draw import DrawError, DrawFilter, draw_units, verify_draw
from tests.support.server_api import Api
from tests.support.server_world import FAST_HASHER, PASSWORD

LEVELS, COLOURS = "ABCD", ("red", "orange", "yellow", "blue")
INDUSTRIES = ("机械制造", "危化品经营", "人员密集场所")


def _many_units(api: Api, n: int = 200) -> None:
    rng = random.Random(5)
    w = api.world
    with write_session(api.engine) as s:
        for i in range(n):
            township = (w.township_a, w.township_b)[i % 2]
            data = {
                "name": f"抽查单位{i}",
                "township_id": township,
                "supervision_level": rng.choice(LEVELS),
                "risk_colour": rng.choice(COLOURS),
                "industry": rng.choice(INDUSTRIES),
            }
            s.add(
                Unit(
                    id=uuid7(),
                    agency_id=w.agency,
                    township_id=township,
                    data=data,
                    seq=take_seq(s),
                )
            )


def _independent_draw(seed: str, ids: list[str], n: int) -> list[str]:
    """The published rule, computed here without the product's code."""
    ranks = {i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest() for i in ids}
    return sorted(ids, key=ranks.__getitem__)[:n]


def test_the_draw_is_redone_exactly_from_its_seed(api: Api) -> None:
    _many_units(api)
    seed = "2026年11月 双随机 公开抽取"
    first = draw_units(api.engine, api.world.agency, 12, seed=seed)
    again = draw_units(api.engine, api.world.agency, 12, seed=seed)
    other = draw_units(api.engine, api.world.agency, 12, seed=seed + "!")
    ids = [u.id for u in first.units]
    assert len(ids) == 12 == len(set(ids))
    assert [u.id for u in again.units] == ids
    assert [u.id for u in other.units] != ids
    with Session(api.engine) as s:
        record = s.get(Draw, first.draw_id)
        assert record is not None and record.seed == seed and record.drawn == ids
        assert _independent_draw(seed, record.candidates, 12) == ids
        assert len(record.candidates) == first.candidates == 200 + 6  # the world's own units too
    assert verify_draw(api.engine, first.draw_id) == []
    # someone swaps a unit in the record afterwards: the redo shows it
    with write_session(api.engine) as s:
        record = s.get(Draw, first.draw_id)
        assert record is not None
        outsider = next(c for c in record.candidates if c not in ids)
        record.drawn = [*ids[:-1], outsider]
        s.add(record)
    assert verify_draw(api.engine, first.draw_id) == ["抽中的单位与按种子重算的结果不符。"]


def test_the_draw_never_picks_outside_the_filter(api: Api) -> None:
    _many_units(api)
    w = api.world
    gone = next(
        u for u in admin.units_in(api.engine, w.agency) if u.data.get("name") == "抽查单位3"
    )
    assert admin.delete_unit(api.engine, gone.id)
    filters = [
        DrawFilter(township_ids=("沙河街道",)),
        DrawFilter(levels=("A", "B")),
        DrawFilter(colours=("red", "orange"), industries=("危化品经营",)),
        DrawFilter(township_ids=(w.township_b,), levels=("D",), colours=("blue",)),
    ]
    for k, flt in enumerate(filters):
        resolved = DrawFilter(
            township_ids=tuple(w.township_a if t == "沙河街道" else t for t in flt.township_ids),
            levels=flt.levels,
            colours=flt.colours,
            industries=flt.industries,
        )
        allowed = {u.id for u in admin.units_in(api.engine, w.agency) if resolved.admits(u)}
        assert gone.id not in allowed and w.unit_other not in allowed
        for seed in range(25):
            result = draw_units(api.engine, w.agency, 7, flt, seed=f"{k}-{seed}")
            picked = {u.id for u in result.units}
            assert picked <= allowed, (flt, seed)
            assert len(picked) == min(7, len(allowed)) and result.candidates == len(allowed)
            assert result.short == (len(allowed) < 7)


def test_inspectors_are_drawn_from_those_covering_the_unit(api: Api) -> None:
    w = api.world
    for i in range(3):
        admin.create_user(
            api.engine,
            username=f"b{i}",
            password=PASSWORD,
            name=f"港口执法{i}",
            agency_id=w.agency,
            townships=["港口街镇"],
            hasher=FAST_HASHER,
        )
    result = draw_units(
        api.engine,
        w.agency,
        6,
        DrawFilter(township_ids=(w.township_b,)),
        inspectors_per_unit=2,
        seed="s",
    )
    assert len(result.units) == 3 and result.short
    for unit in result.units:
        people = result.inspectors[unit.id]
        assert len(people) == 2 and len({p.id for p in people}) == 2
        assert all(unit.township_id in p.township_ids or p.agency_wide for p in people)
        assert all(p.role == "inspector" for p in people)
    assert verify_draw(api.engine, result.draw_id) == []
    with pytest.raises(DrawError, match="只有 2 名执法人员"):  # insp_a and insp_a2
        draw_units(
            api.engine, w.agency, 1, DrawFilter(township_ids=(w.township_a,)), inspectors_per_unit=4
        )


def test_the_draw_command_prints_the_seed_and_refuses_bad_filters(
    api: Api, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _many_units(api, 30)
    args = ["draw", "--db", db_url, "--agency", api.world.agency, "--count", "5"]
    assert main([*args, "--level", "a", "--seed", "公开"]) == 0
    out = capsys.readouterr().out
    assert "种子 公开" in out and out.count("级别A") == 5
    draw_id = out.split()[1]
    assert main(["verify-draw", "--db", db_url, draw_id]) == 0
    assert "一致" in capsys.readouterr().out
    assert main([*args, "--level", "E"]) == 2
    assert "监管级别应为" in capsys.readouterr().err
    assert main([*args, "--township", "不存在的镇"]) == 2
    assert "没有乡镇（街道）“不存在的镇”" in capsys.readouterr().err
