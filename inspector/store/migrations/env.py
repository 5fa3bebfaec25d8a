"""Alembic environment: runs on the engine handed over in config.attributes (no alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import inspector.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
engine = config.attributes["engine"]


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """The FTS5 search tables are made by hand in 0002; autogenerate must leave them alone."""
    return not (type_ == "table" and name is not None and name.startswith(("unit_fts", "unit_ini")))


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
