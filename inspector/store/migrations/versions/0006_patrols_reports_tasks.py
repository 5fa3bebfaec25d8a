"""patrols reports tasks

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 19:25:06.886627
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("unit_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("township_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("grid_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("report_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("assignee_ids", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("history", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("inspection_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_due_date"), ["due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "taskstep",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("task_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("inspection_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("assignee_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("actor_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("taskstep", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taskstep_task_id"), ["task_id"], unique=False)

    op.create_table(
        "patrol",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("grid_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("township_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("companions", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("clock_offset_s", sa.Float(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grid.id"],
        ),
        sa.ForeignKeyConstraint(
            ["township_id"],
            ["township.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("patrol", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patrol_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_patrol_status"), ["status"], unique=False)

    op.create_table(
        "patrolvisit",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("patrol_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("unit_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("place_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("visited_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("observations", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("problems", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actions", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("fixed_on_spot", sa.Boolean(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("party", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("party_signed", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patrol_id"],
            ["patrol.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("patrolvisit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patrolvisit_patrol_id"), ["patrol_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_patrolvisit_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "hazardreport",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("patrol_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("visit_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("unit_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("grid_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("township_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("urgency", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("clock_offset_s", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patrol_id"],
            ["patrol.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["patrolvisit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hazardreport", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hazardreport_patrol_id"), ["patrol_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazardreport_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazardreport_visit_id"), ["visit_id"], unique=False)

    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("visit_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("report_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "aspect", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
        batch_op.alter_column("inspection_id", existing_type=sa.VARCHAR(), nullable=True)
        batch_op.create_index(batch_op.f("ix_photo_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_photo_visit_id"), ["visit_id"], unique=False)
        batch_op.create_foreign_key("fk_photo_report_id", "hazardreport", ["report_id"], ["id"])
        batch_op.create_foreign_key("fk_photo_visit_id", "patrolvisit", ["visit_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.drop_constraint("fk_photo_visit_id", type_="foreignkey")
        batch_op.drop_constraint("fk_photo_report_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_photo_visit_id"))
        batch_op.drop_index(batch_op.f("ix_photo_report_id"))
        batch_op.alter_column("inspection_id", existing_type=sa.VARCHAR(), nullable=False)
        batch_op.drop_column("aspect")
        batch_op.drop_column("report_id")
        batch_op.drop_column("visit_id")

    with op.batch_alter_table("hazardreport", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hazardreport_visit_id"))
        batch_op.drop_index(batch_op.f("ix_hazardreport_unit_id"))
        batch_op.drop_index(batch_op.f("ix_hazardreport_patrol_id"))

    op.drop_table("hazardreport")
    with op.batch_alter_table("patrolvisit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patrolvisit_unit_id"))
        batch_op.drop_index(batch_op.f("ix_patrolvisit_patrol_id"))

    op.drop_table("patrolvisit")
    with op.batch_alter_table("patrol", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patrol_status"))
        batch_op.drop_index(batch_op.f("ix_patrol_grid_id"))

    op.drop_table("patrol")
    with op.batch_alter_table("taskstep", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taskstep_task_id"))

    op.drop_table("taskstep")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_unit_id"))
        batch_op.drop_index(batch_op.f("ix_task_state"))
        batch_op.drop_index(batch_op.f("ix_task_report_id"))
        batch_op.drop_index(batch_op.f("ix_task_due_date"))

    op.drop_table("task")
