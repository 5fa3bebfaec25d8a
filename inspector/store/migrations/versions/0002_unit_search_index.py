"""unit search index: characters, pinyin and filter tokens (FTS5), initials (trigram), triggers

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from inspector.domain.search_text import unit_search_text

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The filter tokens (`fac`) in SQL; inspector.domain.search_text.filter_token builds the same.
_FAC = (
    "'rk' || lower(new.risk_colour)"
    " || ' lv' || lower(new.supervision_level)"
    " || ' in' || lower(replace(new.industry, ' ', ''))"
    " || ' tw' || coalesce(replace(new.township_id, '-', ''), '')"
    " || ' gd' || coalesce(replace(new.grid_id, '-', ''), '')"
)
_INSERT = f"""
    INSERT INTO unit_fts(rowid, name, addr, pyf, fac)
    VALUES (new.sn, new.search_name, new.search_addr, new.search_pyfull, {_FAC});
    INSERT INTO unit_ini(rowid, ini) VALUES (new.sn, new.name_initials);
"""
_DELETE = """
    DELETE FROM unit_fts WHERE rowid = old.sn;
    DELETE FROM unit_ini WHERE rowid = old.sn;
"""
_TRIGGERS = {
    "unit_search_ai": f"CREATE TRIGGER unit_search_ai AFTER INSERT ON unit BEGIN {_INSERT} END",
    "unit_search_au": (
        "CREATE TRIGGER unit_search_au AFTER UPDATE OF sn, search_name, search_addr,"
        " search_pyfull, name_initials, risk_colour, supervision_level, industry, township_id,"
        f" grid_id ON unit BEGIN {_DELETE} {_INSERT} END"
    ),
    "unit_search_ad": f"CREATE TRIGGER unit_search_ad AFTER DELETE ON unit BEGIN {_DELETE} END",
}


def upgrade() -> None:
    bind = op.get_bind()
    # Units written by schema 0001 may lack the derived search text: fill it in first.
    rows = bind.execute(
        sa.text("SELECT id, name, address FROM unit WHERE search_name = '' OR name_pinyin = ''")
    ).fetchall()
    for unit_id, name, address in rows:
        t = unit_search_text(name, address or "")
        bind.execute(
            sa.text(
                "UPDATE unit SET name_pinyin=:p, name_initials=:i, search_name=:n,"
                " search_addr=:a, search_pyfull=:f WHERE id=:id"
            ),
            {
                "p": t.name_pinyin,
                "i": t.name_initials,
                "n": t.search_name,
                "a": t.search_addr,
                "f": t.search_pyfull,
                "id": unit_id,
            },
        )
    op.execute(
        "CREATE VIRTUAL TABLE unit_fts USING fts5(name, addr, pyf, fac, tokenize='unicode61')"
    )
    op.execute("CREATE VIRTUAL TABLE unit_ini USING fts5(ini, tokenize='trigram')")
    for sql in _TRIGGERS.values():
        op.execute(sql)
    op.execute(
        "INSERT INTO unit_fts(rowid, name, addr, pyf, fac) SELECT sn, search_name, search_addr,"
        f" search_pyfull, {_FAC.replace('new.', '')} FROM unit"
    )
    op.execute("INSERT INTO unit_ini(rowid, ini) SELECT sn, name_initials FROM unit")


def downgrade() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS unit_fts")
    op.execute("DROP TABLE IF EXISTS unit_ini")
