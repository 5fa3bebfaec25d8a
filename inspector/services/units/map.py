"""The four-colour (红橙黄蓝) unit map: live units with GPS as compact arrays, projected to km.

`UnitMapService.points` reads every live unit of the county (or of one township) in one SELECT and
returns `MapPoints`: the points grouped by colour (blue first, red last, so red is drawn on top),
projected with an equirectangular projection scaled by cos(mean latitude) (good to a fraction of a
percent over a county), and a uniform-grid index for "which unit is under the finger" at 100,000
units. Pure Python and the stdlib: no numpy, no tiles, no network.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Container
from dataclasses import dataclass, field

from sqlalchemy import text

from inspector.domain.enums import RiskColour
from inspector.services.context import Context
from inspector.services.people.role import read_identity, scoped_filters
from inspector.store.unit_search import UnitFilters

# Drawing order: the most serious colour last, so it ends up on top.
COLOUR_ORDER: tuple[RiskColour, ...] = (
    RiskColour.BLUE,
    RiskColour.YELLOW,
    RiskColour.ORANGE,
    RiskColour.RED,
)
COLOUR_CODE: dict[str, int] = {c.value: i for i, c in enumerate(COLOUR_ORDER)}
KM_PER_DEGREE = math.pi * 6371.0088 / 180  # along a meridian (mean Earth radius)
_UNKNOWN_COLOUR = COLOUR_CODE[RiskColour.BLUE.value]  # a stray code is shown as 低风险


@dataclass(frozen=True)
class Projection:
    """Equirectangular around (lat0, lon0), in km; x grows east, y grows north."""

    lat0: float
    lon0: float

    @property
    def km_per_degree_lon(self) -> float:
        return KM_PER_DEGREE * math.cos(math.radians(self.lat0))

    def to_xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.km_per_degree_lon, (lat - self.lat0) * KM_PER_DEGREE

    def to_latlon(self, x: float, y: float) -> tuple[float, float]:
        return self.lat0 + y / KM_PER_DEGREE, self.lon0 + x / self.km_per_degree_lon


class GridIndex:
    """Uniform grid buckets over projected points (CSR layout: point numbers sorted by cell)."""

    def __init__(self, xs: array[float], ys: array[float], per_cell: float = 4.0) -> None:
        n = len(xs)
        self.xs, self.ys = xs, ys
        if n == 0:
            self.x0 = self.y0 = 0.0
            self.cell = 1.0
            self.cols = self.rows = 1
            self.starts = array("i", [0, 0])
            self.order = array("i")
            return
        self.x0, self.y0 = min(xs), min(ys)
        width = max(max(xs) - self.x0, 1e-6)
        height = max(max(ys) - self.y0, 1e-6)
        # about `per_cell` points a cell on average, never cells smaller than 10 m
        self.cell = max(math.sqrt(width * height * per_cell / n), 0.01)
        self.cols = int(width / self.cell) + 1
        self.rows = int(height / self.cell) + 1
        x0, y0, inv, cols = self.x0, self.y0, 1.0 / self.cell, self.cols
        keys = [
            int((y - y0) * inv) * cols + int((x - x0) * inv) for x, y in zip(xs, ys, strict=True)
        ]
        counts = [0] * (self.cols * self.rows + 1)
        for k in keys:
            counts[k + 1] += 1
        for i in range(1, len(counts)):
            counts[i] += counts[i - 1]
        self.starts = array("i", counts)
        self.order = array("i", sorted(range(n), key=keys.__getitem__))

    def nearest(
        self, x: float, y: float, radius: float, codes: bytes, visible: Container[int]
    ) -> int | None:
        """The point closest to (x, y) within `radius` whose colour code is in `visible`."""
        if not self.order or radius <= 0:
            return None
        inv = 1.0 / self.cell
        c0 = max(int((x - radius - self.x0) * inv), 0)
        c1 = min(int((x + radius - self.x0) * inv), self.cols - 1)
        r0 = max(int((y - radius - self.y0) * inv), 0)
        r1 = min(int((y + radius - self.y0) * inv), self.rows - 1)
        if c0 > c1 or r0 > r1:  # the circle lies wholly outside the indexed area
            return None
        best, best_d2 = None, radius * radius
        xs, ys, order, starts = self.xs, self.ys, self.order, self.starts
        for row in range(r0, r1 + 1):
            base = row * self.cols
            for i in order[starts[base + c0] : starts[base + c1 + 1]]:
                d2 = (xs[i] - x) ** 2 + (ys[i] - y) ** 2
                # on a tie the later point wins: it is drawn on top (higher risk)
                if d2 <= best_d2 and codes[i] in visible:
                    best, best_d2 = i, d2
        return best


@dataclass(frozen=True)
class AreaLabel:
    """A township's name placed at the centre of its units."""

    name: str
    x: float
    y: float
    count: int


@dataclass(frozen=True)
class MapPoints:
    """Units with coordinates, grouped by colour in COLOUR_ORDER (`colour_ranges` slices)."""

    projection: Projection
    ids: list[str]
    names: list[str]
    levels: str  # one supervision-level letter per point
    codes: bytes  # one colour code (index into COLOUR_ORDER) per point
    lat: array[float]
    lon: array[float]
    xs: array[float]  # projected, km
    ys: array[float]
    colour_ranges: dict[str, tuple[int, int]]
    without_coordinates: int  # live units that cannot be placed (no or impossible GPS)
    areas: tuple[AreaLabel, ...] = ()
    index: GridIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", GridIndex(self.xs, self.ys))

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def counts(self) -> dict[str, int]:
        """Units on the map per colour code value ("red" …)."""
        return {c: end - start for c, (start, end) in self.colour_ranges.items()}

    def colour(self, i: int) -> RiskColour:
        return COLOUR_ORDER[self.codes[i]]

    def bounds(self) -> tuple[float, float, float, float]:
        """(min x, min y, max x, max y) in km; a 1 km box around the origin when empty."""
        if not self.xs:
            return (-0.5, -0.5, 0.5, 0.5)
        return (min(self.xs), min(self.ys), max(self.xs), max(self.ys))

    def nearest(
        self, x: float, y: float, radius: float, visible: Container[str] | None = None
    ) -> int | None:
        """The point nearest to (x, y) km within `radius` km, among the `visible` colours."""
        codes = range(len(COLOUR_ORDER)) if visible is None else _codes_of(visible)
        return self.index.nearest(x, y, radius, self.codes, codes)

    def find(self, unit_id: str) -> int | None:
        try:
            return self.ids.index(unit_id)
        except ValueError:
            return None


def _codes_of(colours: Container[str]) -> frozenset[int]:
    return frozenset(i for i, c in enumerate(COLOUR_ORDER) if c.value in colours)


def _placeable(lat: float | None, lon: float | None) -> bool:
    """GPS that can be drawn: present, on the globe, and not the (0, 0) of a failed fix."""
    if lat is None or lon is None:
        return False
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return False
    return not (lat == 0.0 and lon == 0.0)


_Row = tuple[str, str, str, str, float, float, str | None]  # as _SELECT reads it
_SELECT = (
    "SELECT u.id, u.name, u.risk_colour, u.supervision_level, u.lat, u.lon, u.township_id"
    " FROM unit u WHERE u.deleted = 0"
)


class UnitMapService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def points(self, township_id: str | None = None) -> MapPoints:
        """Live units of the county (or of one township) for the map, and how many lack GPS."""
        sql = _SELECT
        params: dict[str, str] = {}
        if township_id is not None:
            sql += " AND u.township_id = :township"
            params["township"] = township_id
        grid_id = scoped_filters(read_identity(self.ctx), UnitFilters()).grid_id
        if grid_id is not None:  # a grid worker: their grid only
            sql += " AND u.grid_id = :grid"
            params["grid"] = grid_id
        with self.ctx.store.reader.connect() as conn:
            # the DB-API cursor directly: SQLAlchemy's Row objects cost more than the query
            sqlite = conn.connection.driver_connection
            assert sqlite is not None
            rows = sqlite.execute(sql, params).fetchall()
            towns: dict[str, str] = dict(conn.execute(text("SELECT id, name FROM township")).all())
        groups: tuple[list[_Row], ...] = tuple([] for _ in COLOUR_ORDER)
        town_sums: dict[str | None, list[float]] = {}  # sum of lat, sum of lon, count
        missing = 0
        for row in rows:
            lat, lon = row[4], row[5]
            if not _placeable(lat, lon):
                missing += 1
                continue
            groups[COLOUR_CODE.get(row[2], _UNKNOWN_COLOUR)].append(row)
            acc = town_sums.get(row[6])
            if acc is None:
                acc = town_sums[row[6]] = [0.0, 0.0, 0.0]
            acc[0] += lat
            acc[1] += lon
            acc[2] += 1
        placed = [r for g in groups for r in g]
        lats = array("d", [r[4] for r in placed])
        lons = array("d", [r[5] for r in placed])
        projection = Projection(
            lat0=math.fsum(lats) / len(lats) if lats else 0.0,
            lon0=math.fsum(lons) / len(lons) if lons else 0.0,
        )
        kx, lat0, lon0 = projection.km_per_degree_lon, projection.lat0, projection.lon0
        ranges: dict[str, tuple[int, int]] = {}
        start = 0
        for colour, group in zip(COLOUR_ORDER, groups, strict=True):
            ranges[colour.value] = (start, start + len(group))
            start += len(group)
        areas = sorted(
            (
                AreaLabel(towns[t], *projection.to_xy(sum_lat / n, sum_lon / n), int(n))
                for t, (sum_lat, sum_lon, n) in town_sums.items()
                if t in towns
            ),
            key=lambda a: -a.count,
        )
        return MapPoints(
            projection=projection,
            ids=[r[0] for r in placed],
            names=[r[1] for r in placed],
            levels="".join([(r[3] or "D")[:1] for r in placed]),
            codes=b"".join(bytes([i]) * len(g) for i, g in enumerate(groups)),
            lat=lats,
            lon=lons,
            xs=array("d", [(lon - lon0) * kx for lon in lons]),
            ys=array("d", [(lat - lat0) * KM_PER_DEGREE for lat in lats]),
            colour_ranges=ranges,
            without_coordinates=missing,
            areas=tuple(areas),
        )
