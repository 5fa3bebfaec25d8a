"""site records issued before the fix get their issue time (issued_at)

Revision ID: 0008
Revises: 0007

Until this revision a 现场检查记录 was issued without ``issued_at``, and the monthly figures count
documents by it, so every issued site record was missing from 统计. Each numbered site record
without it takes the time of its ``document.issued`` audit event, or, where there is none, its
own ``created_at`` (the row is made in the issuing transaction, so the two agree). The audit chain
is not touched: ``issued_at`` is in no event's hash.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_document = sa.table(
    "document",
    sa.column("id", sa.String),
    sa.column("kind", sa.String),
    sa.column("number", sa.String),
    sa.column("status", sa.String),
    sa.column("created_at", UTCDateTime()),
    sa.column("issued_at", UTCDateTime()),
)
_event = sa.table(
    "auditevent",
    sa.column("seq", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("device_time", sa.String),
)


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def upgrade() -> None:
    conn = op.get_bind()
    d = _document.c
    missing = conn.execute(
        sa.select(d.id, d.created_at).where(
            d.kind == "site_record",
            d.number.is_not(None),
            d.status.in_(("issued", "voided")),
            d.issued_at.is_(None),
        )
    ).all()
    e = _event.c
    for doc_id, created_at in missing:
        issued = conn.execute(
            sa.select(e.device_time)
            .where(e.kind == "document.issued", e.entity == "document", e.entity_id == doc_id)
            .order_by(e.seq)
            .limit(1)
        ).scalar()
        when = _moment(issued) or created_at
        conn.execute(sa.update(_document).where(d.id == doc_id).values(issued_at=when))


def downgrade() -> None:
    pass  # the times are right; an older version ignores them for site records
