"""the outbox keeps the server's `retry` reason code in a column, not inside the error text

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "retry_reason",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="",
            )
        )
    # a pending op's last `retry` answer was kept as "<reason>: <Chinese text>" (a reason such as
    # "invalid_value:lat" has no space after its colon): the code moves to its column, the text
    # stays (SQLite computes every SET from the row as it was)
    op.execute(
        "UPDATE outbox SET"
        " retry_reason = substr(last_error, 1, instr(last_error, ': ') - 1),"
        " last_error = substr(last_error, instr(last_error, ': ') + 2)"
        " WHERE state = 'pending' AND instr(last_error, ': ') > 0"
    )
    op.execute(
        "UPDATE outbox SET retry_reason = substr(retry_reason, 1, instr(retry_reason, ':') - 1)"
        " WHERE instr(retry_reason, ':') > 0"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE outbox SET last_error = retry_reason || ': ' || last_error"
        " WHERE state = 'pending' AND retry_reason != ''"
    )
    op.execute("ALTER TABLE outbox DROP COLUMN retry_reason")
