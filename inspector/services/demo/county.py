"""Demo and benchmark data: one fictional county with townships, grids, units, people, checklists.

Deterministic for a seed. `generate_units` alone makes 100,000 units for the benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from inspector.domain import creditcode
from inspector.services.context import Context
from inspector.services.demo import vocab as V
from inspector.services.inspections.checklists import install_bundled_checklists
from inspector.services.setting_rows import set_current_agency, set_current_user
from inspector.services.units.directory import NewUnit, insert_units
from inspector.store.models import Agency, Grid, Township, User
from inspector.util.ids import uuid7

LEVEL_WEIGHTS = {"A": 0.06, "B": 0.17, "C": 0.37, "D": 0.40}
RISK_BY_LEVEL = {
    "A": (("red", 0.35), ("orange", 0.5), ("yellow", 0.15)),
    "B": (("orange", 0.45), ("yellow", 0.45), ("blue", 0.10)),
    "C": (("yellow", 0.55), ("blue", 0.45)),
    "D": (("yellow", 0.15), ("blue", 0.85)),
}


@dataclass(frozen=True)
class Region:
    township_id: str
    township: str
    grids: list[tuple[str, str]]  # (id, name)
    centre: tuple[float, float]


def _pick(
    rng: random.Random, weighted: list[tuple[str, float]] | tuple[tuple[str, float], ...]
) -> str:
    names = [n for n, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(names, weights)[0]


def person_name(rng: random.Random) -> str:
    given_pool = (
        V.RARE_GIVEN_NAME_CHARS if rng.random() < V.RARE_NAME_RATE * 3 else V.GIVEN_NAME_CHARS
    )
    given = rng.choice(given_pool)
    if rng.random() < 0.7:
        given += rng.choice(V.GIVEN_NAME_CHARS)
    return rng.choice(V.SURNAMES) + given


def make_regions(rng: random.Random) -> list[Region]:
    lat0, lon0, lat1, lon1 = V.COUNTY_BBOX
    regions = []
    for town, grids in V.TOWNSHIPS:
        centre = (rng.uniform(lat0 + 0.05, lat1 - 0.05), rng.uniform(lon0 + 0.05, lon1 - 0.05))
        regions.append(Region(uuid7(), town, [(uuid7(), g) for g in grids], centre))
    return regions


def generate_units(n: int, regions: list[Region], seed: int = 2026) -> Iterator[NewUnit]:
    """n plausible units with valid, unique credit codes (about 3% without a code, like small
    个体户 and old records)."""
    rng = random.Random(seed)
    lat0, lon0, lat1, lon1 = V.COUNTY_BBOX
    used_names: set[str] = set()
    used_codes: set[str] = set()
    kinds = dict(V.ORG_SUFFIXES)
    for _ in range(n):
        region = rng.choice(regions)
        grid_id, _grid_name = rng.choice(region.grids)
        industry = _pick(rng, V.INDUSTRIES)
        part = rng.choice(V.INDUSTRY_NAME_PARTS[industry])
        suffix = rng.choice(V.SUFFIXES_BY_INDUSTRY[industry])
        if suffix and part.endswith(suffix[:2]):
            suffix = suffix[2:] or "有限公司"
        kind = kinds.get(suffix, V.BARE_NAME_KIND)
        name = f"{V.COUNTY}{rng.choice(V.NAME_PREFIXES)}{part}{suffix}"
        tries = 0
        while name in used_names:
            tries += 1
            extra = rng.choice(V.NAME_PREFIXES) if tries < 4 else f"第{tries}"
            name = f"{V.COUNTY}{rng.choice(V.NAME_PREFIXES)}{extra}{part}{suffix}"
        used_names.add(name)
        code: str | None = None
        if rng.random() > 0.03:
            code = creditcode.make_code(rng, V.COUNTY_CODE, kind)
            while code in used_codes:
                code = creditcode.make_code(rng, V.COUNTY_CODE, kind)
            used_codes.add(code)
        level = _pick(rng, list(LEVEL_WEIGHTS.items()))
        colour = _pick(rng, RISK_BY_LEVEL[level])
        tag_pool = V.TAGS.get(industry, [])
        tags = (
            tuple(rng.sample(tag_pool, k=min(len(tag_pool), rng.choice((0, 1, 1, 2)))))
            if tag_pool
            else ()
        )
        street = rng.choice(V.STREETS)
        address = f"{V.COUNTY}{region.township}{street}{rng.randint(1, 399)}号"
        lat = min(max(region.centre[0] + rng.gauss(0, 0.035), lat0), lat1)
        lon = min(max(region.centre[1] + rng.gauss(0, 0.035), lon0), lon1)
        yield NewUnit(
            name=name,
            address=address,
            credit_code=code,
            township_id=region.township_id,
            grid_id=grid_id,
            industry=industry,
            supervision_level=level,
            risk_colour=colour,
            tags=tags,
            legal_rep=person_name(rng),
            contact_name=person_name(rng),
            contact_phone=f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
            lat=round(lat, 6),
            lon=round(lon, 6),
        )


@dataclass(frozen=True)
class DemoSummary:
    agency_id: str
    user_ids: list[str]
    units: int
    checklists: int


def load_demo(ctx: Context, n_units: int = 2400, seed: int = 2026) -> DemoSummary:
    """Fill an empty store with the demo county. Refuses to touch a store that has units."""
    rng = random.Random(seed)
    regions = make_regions(rng)
    with ctx.store.write() as s:
        if s.connection().exec_driver_sql("SELECT 1 FROM unit LIMIT 1").first():
            raise RuntimeError("demo data goes only into an empty data folder")
        agency = Agency(
            id=uuid7(),
            name=V.AGENCY_NAME,
            short_name=V.AGENCY_SHORT,
            county=V.COUNTY,
            review_government=V.REVIEW_GOVERNMENT,
            court=V.COURT,
            electronic_signing=True,
            address=f"{V.COUNTY}城关镇府前路8号",
            contact="周明",
            phone="0797-5551234",
            postcode="341900",
            bank_name=f"中国农业银行{V.COUNTY}支行",
            bank_account="14-123401040000001",
        )
        s.add(agency)
        s.flush()
        user_ids = []
        for name, cert in V.INSPECTORS:
            u = User(id=uuid7(), agency_id=agency.id, name=name, cert_no=cert, role="inspector")
            s.add(u)
            user_ids.append(u.id)
        for name in V.GRID_WORKERS:
            s.add(User(id=uuid7(), agency_id=agency.id, name=name, role="grid_worker"))
        for r in regions:
            s.add(Township(id=r.township_id, name=r.township, county=V.COUNTY))
        s.flush()
        for r in regions:
            for gid, gname in r.grids:
                s.add(Grid(id=gid, township_id=r.township_id, name=gname))
        s.flush()
        insert_units(s, generate_units(n_units, regions, seed), ctx)
        codes = install_bundled_checklists(s)
        set_current_user(s, user_ids[0])
        set_current_agency(s, agency.id)
    return DemoSummary(agency.id, user_ids, n_units, len(codes))
