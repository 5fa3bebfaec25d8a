"""unit search index: FTS5 over spaced characters and pinyin initials, kept by triggers

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

_TRIGGERS = {
    "unit_fts_ai": """
        CREATE TRIGGER unit_fts_ai AFTER INSERT ON unit BEGIN
          INSERT INTO unit_fts(rowid, name, addr, py, pyf)
          VALUES (new.sn, new.search_name, new.search_addr, new.search_py, new.search_pyfull);
        END""",
    "unit_fts_au": """
        CREATE TRIGGER unit_fts_au AFTER UPDATE OF sn, search_name, search_addr, search_py, search_pyfull
        ON unit
        BEGIN
          DELETE FROM unit_fts WHERE rowid = old.sn;
          INSERT INTO unit_fts(rowid, name, addr, py, pyf)
          VALUES (new.sn, new.search_name, new.search_addr, new.search_py, new.search_pyfull);
        END""",
    "unit_fts_ad": """
        CREATE TRIGGER unit_fts_ad AFTER DELETE ON unit BEGIN
          DELETE FROM unit_fts WHERE rowid = old.sn;
        END""",
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
                " search_addr=:a, search_py=:y, search_pyfull=:f WHERE id=:id"
            ),
            {
                "p": t.name_pinyin,
                "i": t.name_initials,
                "n": t.search_name,
                "a": t.search_addr,
                "y": t.search_py,
                "f": t.search_pyfull,
                "id": unit_id,
            },
        )
    op.execute(
        "CREATE VIRTUAL TABLE unit_fts USING fts5(name, addr, py, pyf, tokenize='unicode61')"
    )
    for sql in _TRIGGERS.values():
        op.execute(sql)
    op.execute(
        "INSERT INTO unit_fts(rowid, name, addr, py, pyf)"
        " SELECT sn, search_name, search_addr, search_py, search_pyfull FROM unit"
    )


def downgrade() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS unit_fts")
