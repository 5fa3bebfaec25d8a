"""Everything a service needs, built once by the composition root and passed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from alembic.util.exc import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError

from inspector.domain.errors import UserError
from inspector.services.setting_rows import load_clock_offset
from inspector.store.blobs import BlobStore
from inspector.store.engine import Store
from inspector.store.migrate import upgrade
from inspector.util.clock import Clock
from inspector.util.settings import SETTINGS_FILE, Settings

__all__ = ["Context", "WriterCall", "open_context", "run_inline"]

_T = TypeVar("_T")


class WriterCall(Protocol):
    """Runs `fn` on the store's writer thread and returns its result (or raises its error)."""

    def __call__(self, fn: Callable[[], _T]) -> _T: ...


def run_inline(fn: Callable[[], _T]) -> _T:
    """No task runner (CLI, tests): the calling thread is the writer."""
    return fn()


@dataclass
class Context:
    store: Store
    blobs: BlobStore
    clock: Clock = field(default_factory=Clock)
    settings: Settings = field(default_factory=lambda: Settings())
    # how work off the writer (a sync run's network part) sends a database write to it; a task
    # runner wires its writer here (TaskRunner.serve), else the write runs where it is asked
    run_on_writer: WriterCall = run_inline

    @property
    def data_dir(self) -> Path:
        return self.store.data_dir

    @property
    def engine(self) -> Engine:
        return self.store.writer


def open_context(data_dir: Path, *, clock: Clock | None = None) -> Context:
    """Open (and migrate) the store in `data_dir`; UserError says why when it cannot."""
    try:
        store = Store(data_dir)
    except OSError as exc:
        raise UserError(
            f"无法使用数据目录 {data_dir}：{exc.strerror or exc}。请检查磁盘空间和文件夹权限。"
        ) from None
    try:
        upgrade(store.writer)
    except CommandError:
        store.dispose()
        raise UserError(
            f"{data_dir} 中的数据库由较新版本的程序创建，本程序无法打开。"
            "请升级本程序；数据库未被修改。"
        ) from None
    except DatabaseError as exc:
        store.dispose()
        raise UserError(
            f"{data_dir} 中的数据库文件无法读取（{exc.orig or exc}）。"
            "数据库未被修改，请不要删除它，联系管理员处理。"
        ) from None
    ctx = Context(
        store=store,
        blobs=BlobStore(data_dir / "blobs"),
        clock=clock or Clock(),
        settings=Settings.load(data_dir / SETTINGS_FILE),
    )
    with store.read() as s:
        load_clock_offset(s, ctx.clock)  # trusted time from the last sync on
    return ctx
