"""Server tables (their own SQLModel registry: the client's store uses the same table names) and
the engine: embedded SQLite by default, PostgreSQL in production.

Write discipline (anchors A4/A5.3):
- every write transaction first takes the single write lock — ``BEGIN IMMEDIATE`` on SQLite,
  ``SELECT … FOR UPDATE`` on the one ``sync_counter`` row on PostgreSQL — so writers are serialized;
- change numbers come from that counter row, updated inside the writing transaction
  (``UPDATE sync_counter SET seq = seq + n RETURNING seq``), never from a database sequence, whose
  values commit out of order and would let a cursor reader skip a late commit;
- a pull reads in one snapshot (a deferred SQLite transaction, REPEATABLE READ on PostgreSQL), so the
  counter it reads and the rows it sees agree.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Engine,
    Index,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class ServerModel(SQLModel, registry=registry()):
    """Base of the server tables: a metadata of their own, apart from the client's store."""


def _json(nullable: bool = False) -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=nullable))


def _seq() -> Any:
    return Field(default=0, sa_column=Column(BigInteger, nullable=False, index=True))


class SyncCounter(ServerModel, table=True):
    __tablename__ = "sync_counter"
    id: int = Field(default=1, primary_key=True)
    seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    # pulls from a cursor 0 < since < tombstone_horizon get 410 (tombstones up to it were purged)
    tombstone_horizon: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class Agency(ServerModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str
    short_name: str = ""
    data: dict[str, Any] = _json()  # the rest of the client's Agency fields
    version: int = 1
    seq: int = _seq()
    updated_at: datetime = Field(default_factory=utcnow)


class Township(ServerModel, table=True):
    __table_args__ = (UniqueConstraint("agency_id", "name"),)
    id: str = Field(primary_key=True, max_length=64)
    agency_id: str = Field(foreign_key="agency.id", index=True)
    name: str
    county: str = ""
    version: int = 1
    seq: int = _seq()


class Grid(ServerModel, table=True):
    __table_args__ = (UniqueConstraint("township_id", "name"),)
    id: str = Field(primary_key=True, max_length=64)
    agency_id: str = Field(foreign_key="agency.id", index=True)
    township_id: str = Field(foreign_key="township.id", index=True)
    name: str
    code: str = ""
    version: int = 1
    seq: int = _seq()


class User(ServerModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    username: str = Field(unique=True, max_length=100)
    password_hash: str
    name: str
    role: str = "inspector"  # inspector | grid_worker | admin (inspector.domain.enums.Role)
    agency_id: str = Field(foreign_key="agency.id", index=True)
    agency_wide: bool = False  # jurisdiction = the whole agency (admins always are)
    township_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    grid_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cert_no: str = ""
    phone: str = ""
    active: bool = True
    version: int = 1
    seq: int = _seq()


class Token(ServerModel, table=True):
    """A bearer token: only its SHA-256 is stored."""

    token_sha256: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="user.id", index=True)
    device_id: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class Unit(ServerModel, table=True):
    __table_args__ = (
        UniqueConstraint("agency_id", "credit_code"),
        Index("ix_unit_scope", "agency_id", "township_id", "grid_id"),
    )
    id: str = Field(primary_key=True, max_length=64)
    agency_id: str = Field(foreign_key="agency.id")
    township_id: str | None = Field(default=None, foreign_key="township.id")
    grid_id: str | None = Field(default=None, foreign_key="grid.id")
    credit_code: str | None = None
    data: dict[str, Any] = _json()  # the client's Unit fields (sync.contract.UNIT_FIELDS)
    version: int = 1
    seq: int = _seq()
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class Checklist(ServerModel, table=True):
    __table_args__ = (UniqueConstraint("code", "label"),)
    id: str = Field(primary_key=True, max_length=64)
    agency_id: str | None = Field(default=None, foreign_key="agency.id")  # None: every agency
    code: str
    label: str  # the checklist's own version, e.g. 2026.1
    data: dict[str, Any] = _json()  # name, industry, source, items (with ids)
    version: int = 1
    seq: int = _seq()
    deleted_at: datetime | None = None


class NumberBlock(ServerModel, table=True):
    """A range of document serials leased to one device; never reassigned, never overlapping."""

    __tablename__ = "number_block"
    __table_args__ = (Index("ix_number_block_series", "agency_id", "series", "year"),)
    id: str = Field(primary_key=True, max_length=64)
    agency_id: str = Field(foreign_key="agency.id")
    device_id: str = Field(index=True, max_length=64)
    series: str
    year: int
    first: int
    last: int
    issued_at: datetime = Field(default_factory=utcnow)
    version: int = 1
    seq: int = _seq()


class Record(ServerModel, table=True):
    """A device-made (single-writer) record as the device sent it (sync.contract.DEVICE_ENTITIES):
    inspection, item_result, hazard, hazardevent, photo, document, signature, patrol, patrolvisit,
    hazardreport, taskstep, owntask."""

    entity: str = Field(primary_key=True, max_length=40)
    id: str = Field(primary_key=True, max_length=64)
    agency_id: str = Field(foreign_key="agency.id", index=True)
    # the unit it concerns; None only for a patrol, which belongs to its grid
    unit_id: str | None = Field(default=None, foreign_key="unit.id", index=True)
    grid_id: str | None = Field(default=None, foreign_key="grid.id")
    device_id: str = Field(max_length=64)
    user_id: str = Field(foreign_key="user.id")
    data: dict[str, Any] = _json()
    version: int = 1
    seq: int = _seq()
    updated_at: datetime = Field(default_factory=utcnow)


class Task(ServerModel, table=True):
    """A township task (pulled by the devices in its area): a grid worker's report as a township
    event, a 双随机 draw's unit, an admin's assignment. `state` walks inspector.domain.tasks'
    ladder; `history` lists every step taken, moving or not."""

    __table_args__ = (Index("ix_task_scope", "agency_id", "township_id", "grid_id"),)
    id: str = Field(primary_key=True, max_length=64)
    agency_id: str = Field(foreign_key="agency.id")
    township_id: str | None = Field(default=None, foreign_key="township.id")
    grid_id: str | None = Field(default=None, foreign_key="grid.id")
    unit_id: str | None = Field(default=None, foreign_key="unit.id")
    kind: str
    title: str
    detail: str = ""
    source: str = "admin"  # report | draw | admin
    report_id: str | None = Field(default=None, index=True)  # the hazardreport record
    reporter_id: str | None = None
    due_date: date | None = None
    state: str = "accepted"
    assignee_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    history: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1
    seq: int = _seq()


class AppliedOp(ServerModel, table=True):
    """Every op answered with a final status (kept forever): the idempotency memory."""

    __tablename__ = "applied_ops"
    op_id: str = Field(primary_key=True, max_length=64)
    device_id: str = Field(max_length=64)
    user_id: str
    entity: str
    entity_id: str
    kind: str
    payload_sha256: str = Field(max_length=64)
    status: str
    result: dict[str, Any] = _json()
    seq: int = _seq()
    at: datetime = Field(default_factory=utcnow)


class Blob(ServerModel, table=True):
    sha256: str = Field(primary_key=True, max_length=64)
    length: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class PackedBlob(ServerModel, table=True):
    """Where a blob sent in a batch is kept: at `offset` in a pack file (a path under the blob
    directory), one pack per batch. A blob without this row is a file of its own."""

    __tablename__ = "packed_blob"
    sha256: str = Field(primary_key=True, max_length=64)
    pack: str = Field(max_length=200)
    offset: int = Field(sa_column=Column(BigInteger, nullable=False))


class BlobUpload(ServerModel, table=True):
    """Who uploaded (or is uploading) which blob. Access rule: a caller may see a blob it uploaded
    itself, or one referenced by a record in its jurisdiction (see sync.server.blobs)."""

    __tablename__ = "blob_upload"
    sha256: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(primary_key=True, foreign_key="user.id")
    length: int = Field(sa_column=Column(BigInteger, nullable=False))
    complete: bool = False
    started_at: datetime = Field(default_factory=utcnow)


class BlobRef(ServerModel, table=True):
    """A record's reference to a blob (scopes blob access by the record's unit)."""

    __tablename__ = "blob_ref"
    sha256: str = Field(primary_key=True, max_length=64)
    entity: str = Field(primary_key=True, max_length=40)
    record_id: str = Field(primary_key=True, max_length=64)
    agency_id: str = Field(index=True)
    unit_id: str = Field(index=True)


class Conflict(ServerModel, table=True):
    """A field changed on both sides: the server value was kept, the device value is here."""

    id: str = Field(primary_key=True, max_length=64)
    op_id: str = Field(index=True)
    device_id: str
    user_id: str
    entity: str
    entity_id: str = Field(index=True)
    field: str
    base_version: int | None = None
    server_version: int
    base_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    server_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    device_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None


class HazardFold(ServerModel, table=True):
    """A hazard's closed loop as the server folds it over every device's `hazardevent` records
    (sync.server.hazard_fold): the steps in time order, the status they add up to and the steps
    that did not fit. Pulled (`seq` > 0) once the hazard has steps from two devices or a step that
    did not fit, so every device holding the hazard shows the same status and the flag; a hazard
    only one device ever stepped keeps `seq` 0 (nothing to tell)."""

    __tablename__ = "hazard_fold"
    __table_args__ = (Index("ix_hazard_fold_scope", "agency_id", "township_id", "grid_id"),)
    id: str = Field(primary_key=True, max_length=64)  # the hazard's id
    agency_id: str = Field(foreign_key="agency.id")
    unit_id: str | None = Field(default=None, foreign_key="unit.id")
    township_id: str | None = Field(default=None, foreign_key="township.id")
    grid_id: str | None = Field(default=None, foreign_key="grid.id")
    # [{id, kind, at, deadline, device_id, user_id}], sorted by (at, id)
    steps: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    status: str = "draft"
    deadline: date | None = None
    supervised: bool = False
    anomalies: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = 1
    seq: int = _seq()
    updated_at: datetime = Field(default_factory=utcnow)


METADATA = ServerModel.metadata


def default_sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'inspector-server.sqlite3').resolve()}"


def make_engine(db_url: str, *, synchronous: str = "FULL") -> Engine:
    """An engine with the write discipline above; creates the tables and the counter row.
    `synchronous` (SQLite) is FULL except for `relaxed_engine`."""
    if db_url.startswith("sqlite"):
        engine = create_engine(db_url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            for pragma in (
                "journal_mode=WAL",
                f"synchronous={synchronous}",
                "foreign_keys=ON",
                "busy_timeout=30000",
            ):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            write = conn.get_execution_options().get("inspector_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    else:
        engine = create_engine(db_url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    METADATA.create_all(engine)
    with Session(engine) as s:
        if s.get(SyncCounter, 1) is None:
            s.add(SyncCounter(id=1, seq=0, tombstone_horizon=0))
            try:
                s.commit()
            except Exception:  # another process created it first
                s.rollback()
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def relaxed_engine(engine: Engine) -> Engine:
    """An engine for writes that a power cut may take back without harm: a blob's row (lost, the
    device is told the blob is missing and sends it again; the file itself was fsynced). On
    SQLite its commits skip the fsync (synchronous=NORMAL); the next full commit, by any
    connection, makes them durable too, because the WAL is one file written in order — so a push
    that refers to the blob makes the blob's row durable with its own. PostgreSQL uses the same
    engine with `synchronous_commit = off` for the transaction (see `write_session`)."""
    if not is_sqlite(engine):
        return engine
    return make_engine(engine.url.render_as_string(hide_password=False), synchronous="NORMAL")


@contextmanager
def write_session(engine: Engine, *, durable: bool = True) -> Iterator[Session]:
    """One write transaction holding the single write lock; commits on success. `durable=False`
    (PostgreSQL) commits without waiting for the WAL flush: only for rows `relaxed_engine`
    describes."""
    bind = engine.execution_options(inspector_write=True)
    with _writer_lock(engine), Session(bind, expire_on_commit=False) as s:
        if not is_sqlite(engine):
            s.execute(text("SELECT seq FROM sync_counter WHERE id = 1 FOR UPDATE"))
            if not durable:
                s.execute(text("SET LOCAL synchronous_commit = off"))
        else:
            s.execute(text("SELECT 1"))  # starts BEGIN IMMEDIATE now
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise


_WRITER_LOCKS: dict[str, threading.Lock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def _writer_lock(engine: Engine) -> threading.Lock | nullcontext[None]:
    """SQLite: the threads of this process queue for the write lock here, and the next one goes
    the moment it is free. Left to SQLite, a waiting writer sleeps in growing steps (1, 2, 5,
    10 … ms) between tries, which made concurrent uploads slower than one at a time. Other
    processes on the same file still meet SQLite's lock."""
    if not is_sqlite(engine):
        return nullcontext()
    key = str(engine.url.database)
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(key, threading.Lock())


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A read-only transaction over one snapshot."""
    bind = engine
    if not is_sqlite(engine):
        bind = engine.execution_options(isolation_level="REPEATABLE READ")
    with Session(bind, expire_on_commit=False) as s:
        try:
            yield s
        finally:
            s.rollback()


def insert_on_conflict(engine: Engine, model: Any) -> Any:
    """`INSERT` for model's table that takes `.on_conflict_do_nothing()` /
    `.on_conflict_do_update()` (the same SQL on SQLite and PostgreSQL)."""
    dialect = sqlite if is_sqlite(engine) else postgresql
    return dialect.insert(model.__table__)


_SEQ_POOL = "inspector_seq_pool"  # Session.info key: numbers reserved by reserve_seqs


def _bump_counter(session: Session, n: int) -> range:
    last = session.execute(
        text("UPDATE sync_counter SET seq = seq + :n WHERE id = 1 RETURNING seq"), {"n": n}
    ).scalar_one()
    return range(int(last) - n + 1, int(last) + 1)


def reserve_seqs(session: Session, n: int) -> None:
    """Reserve n change numbers at once for the `take_seqs` that follow in this write transaction
    (a push: one counter update per request, not one per op). Numbers left unused, or taken by an
    op whose savepoint rolled back, are gaps: a cursor only needs the numbers to grow."""
    session.info[_SEQ_POOL] = deque(_bump_counter(session, n)) if n > 0 else deque()


def take_seqs(session: Session, n: int = 1) -> range:
    """n consecutive change numbers, inside the caller's write transaction: from the reserved ones
    while they last, then from the counter row (which is above every reserved number, so the
    numbers still grow in the order they are taken)."""
    pool: deque[int] | None = session.info.get(_SEQ_POOL)
    if pool is not None and len(pool) >= n:
        first = pool[0]
        for _ in range(n):
            pool.popleft()
        return range(first, first + n)
    if pool:
        pool.clear()  # what is left would be lower than the numbers taken from here on
    return _bump_counter(session, n)


def take_seq(session: Session) -> int:
    return take_seqs(session, 1)[0]


def counter(session: Session) -> tuple[int, int]:
    """(last change number, tombstone horizon)."""
    row = session.execute(
        text("SELECT seq, tombstone_horizon FROM sync_counter WHERE id = 1")
    ).one()
    return int(row[0]), int(row[1])


class Draw(ServerModel, table=True):
    """A 双随机 draw as it was made: the seed, the filter, every candidate and what was drawn, so
    anyone can redo it (sync.server.draw)."""

    id: str = Field(primary_key=True, max_length=64)
    agency_id: str = Field(foreign_key="agency.id", index=True)
    seed: str
    filter: dict[str, Any] = _json()
    candidates: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    drawn: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # unit id → the inspectors drawn for it, and all who could have been
    inspectors: dict[str, list[str]] = _json()
    inspector_pools: dict[str, list[str]] = _json()
    created_at: datetime = Field(default_factory=utcnow)
    made_by: str = ""
