"""unit search: the insert trigger can be deferred for a bulk insert (indexed in two set statements)

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

from inspector.store.unit_search import DEFERRED_TABLE, insert_trigger

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(f"CREATE TABLE {DEFERRED_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1))")
    op.execute("DROP TRIGGER unit_search_ai")
    op.execute(insert_trigger(deferrable=True))


def downgrade() -> None:
    op.execute("DROP TRIGGER unit_search_ai")
    op.execute(insert_trigger(deferrable=False))
    op.execute(f"DROP TABLE {DEFERRED_TABLE}")
