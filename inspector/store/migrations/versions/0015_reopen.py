"""inspection.reopenings: each audited reopen of a finished inspection (time, person, reason)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reopenings",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="[]",
            )
        )


def downgrade() -> None:
    op.execute("ALTER TABLE inspection DROP COLUMN reopenings")
