"""the clock offset on documents, hazards, hazard events and signatures

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("document", "hazard", "hazardevent", "signature")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("clock_offset_s", sa.Float(), nullable=True))


def downgrade() -> None:
    # in place (SQLite 3.35+): a batch copy of a table others refer to trips the foreign keys
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN clock_offset_s")
