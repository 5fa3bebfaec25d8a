"""a photo's display rotation and its removal reason (the photo viewer)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rotation", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column(
                "removed_reason",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    # in place (SQLite 3.35+): a batch copy of a table others refer to trips the foreign keys
    op.execute("ALTER TABLE photo DROP COLUMN removed_reason")
    op.execute("ALTER TABLE photo DROP COLUMN rotation")
