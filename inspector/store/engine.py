"""The SQLite engine: one file per user, WAL, synchronous=FULL, foreign keys, BEGIN IMMEDIATE writes.

Every write transaction runs on the store's one writer thread (docs/ARCHITECTURE.md, "One
writer"): the thread that opened it (a CLI command, a script, a service test) until a task runner
takes its writes over (`Store.hand_writes_to`, called by `TaskRunner.serve`); from then on only
the runner's db-writer thread, and no longer the opener (the GUI thread). A write opened anywhere
else is a bug: `Store.write()` raises `WrongThreadWrite` when
`writer_guard.strict` is on (the tests turn it on) and otherwise logs an error with the stack and
goes on (production: a person's work is never lost to the guard itself).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

DB_NAME = "inspector.sqlite3"

log = logging.getLogger("inspector.store")


class WrongThreadWrite(RuntimeError):
    """A write transaction was opened on a thread that is not a writer."""


class _WriterGuard:
    """Whether a write on a thread that is not the store's writer raises (the tests) or is
    logged with its stack (production)."""

    def __init__(self) -> None:
        self.strict = False


writer_guard = _WriterGuard()


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling is off).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    # A 32 MB page cache (SQLite's default is 2 MB) and a checkpoint every 32 MB of WAL (default
    # 4 MB): applying pages of units touches the same index and FTS pages over and over, and at the
    # defaults most of an initial pull's commit time went into copying them back to the database
    # at every page (measured: applying 100,000 units 12.0 s → 9.7 s). The WAL file is cut back to
    # 64 MB after a checkpoint.
    cur.execute("PRAGMA cache_size=-32768")
    cur.execute("PRAGMA wal_autocheckpoint=8192")
    cur.execute("PRAGMA journal_size_limit=67108864")
    cur.close()


def make_engine(db_file: Path, *, immediate: bool) -> Engine:
    """An engine on `db_file`; `immediate` engines start every transaction with BEGIN IMMEDIATE."""
    engine = create_engine(
        f"sqlite:///{db_file}",
        connect_args={"check_same_thread": False, "timeout": 10},
        hide_parameters=True,  # row values (names, phone numbers) never go into logs
    )
    event.listen(engine, "connect", _on_connect)
    begin_sql = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin_sql)

    event.listen(engine, "begin", _on_begin)
    return engine


class Store:
    """The open local database: a writer engine (serialised writes) and a reader engine."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.db_file = data_dir / DB_NAME
        data_dir.mkdir(parents=True, exist_ok=True)
        self.writer = make_engine(self.db_file, immediate=True)
        self.reader = make_engine(self.db_file, immediate=False)
        # the one thread that may write: the opener (CLI, tests, a sign-in job) until a task
        # runner takes the writes over
        self.writer_thread = threading.get_ident()

    def hand_writes_to(self, thread_ident: int) -> None:
        """From now on only `thread_ident` (a task runner's db-writer) may write; the thread that
        opened the store (the GUI thread, in the app) no longer may."""
        self.writer_thread = thread_ident

    def on_writer(self) -> bool:
        """True on the thread that may open a write transaction on this store."""
        return threading.get_ident() == self.writer_thread

    def _check_writer(self) -> None:
        if self.on_writer():
            return
        name = threading.current_thread().name
        if writer_guard.strict:
            raise WrongThreadWrite(
                f"a write transaction was opened on thread {name!r}, which is not a writer; "
                "send it to the writer (ctx.run_on_writer / TaskRunner.write)"
            )
        log.error("write transaction on non-writer thread %r", name, stack_info=True)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on any exception. Only on a
        writer thread (see the module's note)."""
        self._check_writer()
        with Session(self.writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.reader, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        self.writer.dispose()
        self.reader.dispose()
