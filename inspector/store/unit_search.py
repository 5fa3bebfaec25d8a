"""Unit search SQL.

Two FTS5 tables, both keyed by `unit.sn`: `unit_fts` holds name and address as one token per
character (any substring is a phrase), full-pinyin syllables, and the filter values as tokens (so a
filtered text query is one index intersection); `unit_ini` holds the pinyin initials for trigram
substring search. Prefixes of initials, full pinyin and credit codes use ordinary indexes. Every
FTS branch drives the join (CROSS JOIN keeps SQLite from starting at a filter index instead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from inspector.domain import creditcode
from inspector.domain.search_text import filter_token, phrase, pinyin_phrases

UNIT_COLUMNS = (
    "u.id, u.credit_code, u.name, u.address, u.industry, u.supervision_level, u.risk_colour,"
    " u.township_id, u.grid_id, u.status, u.tags"
)
_LETTERS = re.compile(r"^[a-z]+$")
_CODE_PREFIX = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2,18}$")
_FTS = "unit_fts CROSS JOIN unit u ON u.sn = unit_fts.rowid WHERE unit_fts MATCH"
_INI = "unit_ini CROSS JOIN unit u ON u.sn = unit_ini.rowid WHERE unit_ini MATCH"


@dataclass(frozen=True)
class UnitFilters:
    industry: str | None = None
    risk_colour: str | None = None
    level: str | None = None
    township_id: str | None = None
    grid_id: str | None = None

    def columns(self) -> list[tuple[str, str]]:
        pairs = (
            ("industry", self.industry),
            ("risk_colour", self.risk_colour),
            ("supervision_level", self.level),
            ("township_id", self.township_id),
            ("grid_id", self.grid_id),
        )
        return [(c, v) for c, v in pairs if v]

    def where(self, params: dict[str, Any]) -> str:
        parts = ["u.deleted = 0"]
        for column, value in self.columns():
            parts.append(f"u.{column} = :f_{column}")
            params[f"f_{column}"] = value
        return " AND ".join(parts)

    def match_suffix(self) -> str:
        """The same filters as FTS terms, ANDed to a MATCH expression on unit_fts."""
        return "".join(f" AND fac : {filter_token(c, v)}" for c, v in self.columns())


def _branches(query: str, filters: UnitFilters, params: dict[str, Any]) -> list[str]:
    """`FROM … WHERE …` fragments for each way the query can match, best first."""
    q = query.strip()
    if not q:
        return []
    lower = q.lower()
    compact = creditcode.normalise(q)
    fac = filters.match_suffix()
    out: list[str] = []

    def fts(expr: str) -> None:
        key = f"m{len(params)}"
        params[key] = f"({expr}){fac}"
        out.append(f"{_FTS} :{key}")

    if _LETTERS.match(lower):
        params["py_lo"], params["py_hi"] = lower, lower + "\uffff"
        out.append("unit u WHERE u.name_initials >= :py_lo AND u.name_initials < :py_hi")
        out.append("unit u WHERE u.name_pinyin >= :py_lo AND u.name_pinyin < :py_hi")
        if len(lower) >= 3:
            params["ini"] = f'"{lower}"'
            out.append(f"{_INI} :ini")
        else:
            params["ini_like"] = f"%{lower}%"
            out.append("unit u WHERE u.name_initials LIKE :ini_like")
        spoken = pinyin_phrases(lower)
        if spoken:
            fts(f"pyf : {spoken[0]}")  # the fewest syllables: cheap and usually what was meant
        if len(spoken) > 1:
            fts("pyf : (" + " OR ".join(spoken[1:]) + ")")
    if _CODE_PREFIX.match(compact) and any(ch.isdigit() for ch in compact):
        params["cc_lo"], params["cc_hi"] = compact, compact + "\uffff"
        out.append("unit u WHERE u.credit_code >= :cc_lo AND u.credit_code < :cc_hi")
    chars = phrase(q)
    if chars is not None:
        fts("{name addr} : " + chars)
    return out


def search_ids(
    conn: Connection, query: str, filters: UnitFilters, limit: int, offset: int = 0
) -> list[tuple[Any, ...]]:
    """Rows (UNIT_COLUMNS) matching the query and filters; browse order when the query is empty."""
    params: dict[str, Any] = {"lim": limit, "off": offset}
    where = filters.where(params)
    if not query.strip():
        sql = (
            f"SELECT {UNIT_COLUMNS} FROM unit u WHERE {where}"
            " ORDER BY u.name_pinyin, u.id LIMIT :lim OFFSET :off"
        )
        return list(conn.execute(text(sql), params).fetchall())
    # Branches in order, de-duplicated; each needs to deliver at most offset+limit rows.
    need = offset + limit
    params["need"] = need
    seen: set[str] = set()
    rows: list[tuple[Any, ...]] = []
    for source in _branches(query, filters, params):
        sql = f"SELECT {UNIT_COLUMNS} FROM {source} AND {where} LIMIT :need"
        for row in conn.execute(text(sql), params).fetchall():
            if row[0] not in seen:
                seen.add(row[0])
                rows.append(tuple(row))
        if len(rows) >= need:
            break
    return rows[offset:need]


def count(conn: Connection, query: str, filters: UnitFilters) -> int:
    params: dict[str, Any] = {}
    where = filters.where(params)
    if not query.strip():
        sql = f"SELECT COUNT(*) FROM unit u WHERE {where}"
        return int(conn.execute(text(sql), params).scalar_one())
    branches = _branches(query, filters, params)
    if not branches:
        return 0
    if len(branches) == 1:
        sql = f"SELECT COUNT(*) FROM {branches[0]} AND {where}"
    else:
        union = " UNION ".join(f"SELECT u.id FROM {source} AND {where}" for source in branches)
        sql = f"SELECT COUNT(*) FROM ({union})"
    return int(conn.execute(text(sql), params).scalar_one())


# -- keeping the index -------------------------------------------------------------------------------
def fac_sql(row: str) -> str:
    """The filter tokens (`fac`) of a unit row in SQL (`row` is `new` in a trigger); the same as
    migration 0002's trigger and `domain.search_text.filter_token`."""
    return (
        f"'rk' || lower({row}.risk_colour)"
        f" || ' lv' || lower({row}.supervision_level)"
        f" || ' in' || lower(replace({row}.industry, ' ', ''))"
        f" || ' tw' || coalesce(replace({row}.township_id, '-', ''), '')"
        f" || ' gd' || coalesce(replace({row}.grid_id, '-', ''), '')"
    )


# While this one-row table holds a row, inserting a unit does not index it (migration 0005): a bulk
# insert indexes its rows in two set statements instead, about half the time of one trigger run
# per row (an initial pull of 100,000 units).
DEFERRED_TABLE = "unit_fts_deferred"


def insert_trigger(deferrable: bool = True) -> str:
    """The unit insert trigger; `deferrable` (from migration 0005) skips it while the flag is set."""
    when = f"WHEN NOT EXISTS (SELECT 1 FROM {DEFERRED_TABLE})" if deferrable else ""
    return f"""
    CREATE TRIGGER unit_search_ai AFTER INSERT ON unit {when}
    BEGIN
        INSERT INTO unit_fts(rowid, name, addr, pyf, fac)
        VALUES (new.sn, new.search_name, new.search_addr, new.search_pyfull, {fac_sql("new")});
        INSERT INTO unit_ini(rowid, ini) VALUES (new.sn, new.name_initials);
    END
    """


def _insert_many(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """rows (all with the same keys) inserted into table by the driver's executemany, each value
    put through its column type's bind processor as SQLAlchemy would: SQLAlchemy's own per-row
    parameter building was a tenth of an initial pull's time."""
    names = list(rows[0])
    dialect = conn.dialect
    plan = [
        (name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names
    ]
    params = [
        tuple(row[name] if proc is None else proc(row[name]) for name, proc in plan) for row in rows
    ]
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', params)


def insert_units_indexed(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert new unit rows (with consecutive `sn`) and index them in bulk, in the caller's
    transaction: a crash leaves neither the rows nor the flag behind."""
    if not rows:
        return
    sns = [int(r["sn"]) for r in rows]
    first, last = min(sns), max(sns)
    assert last - first + 1 == len(rows), "bulk-indexed units need consecutive sn"
    conn.execute(text(f"INSERT INTO {DEFERRED_TABLE}(id) VALUES (1)"))
    try:
        _insert_many(conn, table, rows)
        span = {"first": first, "last": last}
        conn.execute(
            text(
                "INSERT INTO unit_fts(rowid, name, addr, pyf, fac) SELECT sn, search_name,"
                f" search_addr, search_pyfull, {fac_sql('unit')} FROM unit"
                " WHERE sn BETWEEN :first AND :last"
            ),
            span,
        )
        conn.execute(
            text(
                "INSERT INTO unit_ini(rowid, ini) SELECT sn, name_initials FROM unit"
                " WHERE sn BETWEEN :first AND :last"
            ),
            span,
        )
    finally:
        conn.execute(text(f"DELETE FROM {DEFERRED_TABLE}"))
