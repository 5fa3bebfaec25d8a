"""hazard.conflict: the server's flag on a hazard whose steps from several devices do not fit

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "conflict",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    # in place (SQLite 3.35+): a batch copy of the table would trip the foreign keys on it
    op.execute("ALTER TABLE hazard DROP COLUMN conflict")
