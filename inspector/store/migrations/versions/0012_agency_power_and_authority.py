"""agency power settings (委托/授权, 赋权, 较大数额) and the authority of hazards

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString()
TEXT_COLUMNS = {
    "power_kind": "",
    "delegator_name": "",
    "delegator_short_name": "",
    "delegator_seal": "",
    "granted_authorities": "[]",
}
YUAN_COLUMNS = ("large_fine_person_yuan", "large_fine_unit_yuan")
# (checklistitem.authority comes with its finding in 0011)
AUTHORITY_TABLES = ("hazard",)


def upgrade() -> None:
    with op.batch_alter_table("agency", schema=None) as batch_op:
        for name, default in TEXT_COLUMNS.items():
            batch_op.add_column(sa.Column(name, _TEXT, nullable=False, server_default=default))
        for name in YUAN_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
    for table in AUTHORITY_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("authority", _TEXT, nullable=False, server_default="应急")
            )


def downgrade() -> None:
    # in place (SQLite 3.35+): a batch copy of a table others refer to trips the foreign keys
    for table in AUTHORITY_TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN authority")
    for name in (*TEXT_COLUMNS, *YUAN_COLUMNS):
        op.execute(f"ALTER TABLE agency DROP COLUMN {name}")
