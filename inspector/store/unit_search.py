"""Unit search SQL: FTS5 phrases over spaced characters (any length, Chinese or Latin), pinyin
initials and full-pinyin prefixes on indexed columns, and credit-code prefixes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from inspector.domain import creditcode
from inspector.domain.search_text import phrase, pinyin_phrases

UNIT_COLUMNS = (
    "u.id, u.credit_code, u.name, u.address, u.industry, u.supervision_level, u.risk_colour,"
    " u.township_id, u.grid_id, u.status, u.tags"
)
_PINYIN = re.compile(r"^[a-z]+$")
_CODE_PREFIX = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2,18}$")


@dataclass(frozen=True)
class UnitFilters:
    industry: str | None = None
    risk_colour: str | None = None
    level: str | None = None
    township_id: str | None = None
    grid_id: str | None = None

    def where(self, params: dict[str, Any]) -> str:
        parts = ["u.deleted = 0"]
        for column, value in (
            ("industry", self.industry),
            ("risk_colour", self.risk_colour),
            ("supervision_level", self.level),
            ("township_id", self.township_id),
            ("grid_id", self.grid_id),
        ):
            if value:
                parts.append(f"u.{column} = :f_{column}")
                params[f"f_{column}"] = value
        return " AND ".join(parts)


def _branches(query: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """(FROM ... WHERE fragment, label) for each way the query can match, best first."""
    q = query.strip()
    branches: list[tuple[str, str]] = []
    if not q:
        return branches
    lower = q.lower()
    compact = creditcode.normalise(q)
    if _PINYIN.match(lower):
        params["py_lo"] = lower
        params["py_hi"] = lower + "\uffff"
        branches.append(("unit u WHERE u.name_initials >= :py_lo AND u.name_initials < :py_hi", ""))
        branches.append(("unit u WHERE u.name_pinyin >= :py_lo AND u.name_pinyin < :py_hi", ""))
    if _CODE_PREFIX.match(compact) and any(ch.isdigit() for ch in compact):
        params["cc_lo"] = compact
        params["cc_hi"] = compact + "\uffff"
        branches.append(("unit u WHERE u.credit_code >= :cc_lo AND u.credit_code < :cc_hi", ""))
    fts = phrase(q)
    if fts is not None:
        params["fts_chars"] = "{name addr} : " + fts
        branches.append(
            (
                "unit_fts JOIN unit u ON u.sn = unit_fts.rowid WHERE unit_fts MATCH :fts_chars",
                "",
            )
        )
        if _PINYIN.match(lower):
            params["fts_py"] = "py : " + fts
            branches.append(
                (
                    "unit_fts JOIN unit u ON u.sn = unit_fts.rowid WHERE unit_fts MATCH :fts_py",
                    "",
                )
            )
            spoken = pinyin_phrases(lower)
            if spoken:
                params["fts_pyf"] = "pyf : (" + " OR ".join(spoken) + ")"
                branches.append(
                    (
                        "unit_fts JOIN unit u ON u.sn = unit_fts.rowid"
                        " WHERE unit_fts MATCH :fts_pyf",
                        "",
                    )
                )
    return branches


def search_ids(
    conn: Connection, query: str, filters: UnitFilters, limit: int, offset: int = 0
) -> list[tuple[Any, ...]]:
    """Rows (UNIT_COLUMNS) matching the query and filters; browse order when the query is empty."""
    params: dict[str, Any] = {"lim": limit, "off": offset}
    where = filters.where(params)
    branches = _branches(query, params)
    if not query.strip():
        sql = (
            f"SELECT {UNIT_COLUMNS} FROM unit u WHERE {where}"
            " ORDER BY u.name_pinyin, u.id LIMIT :lim OFFSET :off"
        )
        return list(conn.execute(text(sql), params).fetchall())
    if not branches:
        return []
    # Branches in order, de-duplicated; each needs to deliver at most offset+limit rows.
    need = offset + limit
    seen: set[str] = set()
    rows: list[tuple[Any, ...]] = []
    for source, _ in branches:
        sql = f"SELECT {UNIT_COLUMNS} FROM {source} AND {where} LIMIT :need"
        for row in conn.execute(text(sql), {**params, "need": need}).fetchall():
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
    branches = _branches(query, params)
    if not branches:
        return 0
    union = " UNION ".join(f"SELECT u.id FROM {source} AND {where}" for source, _ in branches)
    return int(conn.execute(text(f"SELECT COUNT(*) FROM ({union})"), params).scalar_one())
