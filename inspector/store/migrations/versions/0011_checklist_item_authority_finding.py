"""a checklist item's authority (whose matter it is) and finding (the fact when it fails)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = ("authority", "finding")


def upgrade() -> None:
    with op.batch_alter_table("checklistitem", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(
                sa.Column(
                    column, sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
                )
            )


def downgrade() -> None:
    # in place (SQLite 3.35+): a batch copy of a table others refer to trips the foreign keys
    for column in COLUMNS:
        op.execute(f"ALTER TABLE checklistitem DROP COLUMN {column}")
