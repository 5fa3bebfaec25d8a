"""Everything a service needs, built once by the composition root and passed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from inspector.store.blobs import BlobStore
from inspector.store.engine import Store
from inspector.store.migrate import upgrade
from inspector.util.clock import Clock
from inspector.util.settings import Settings


@dataclass
class Context:
    store: Store
    blobs: BlobStore
    clock: Clock = field(default_factory=Clock)
    settings: Settings = field(default_factory=Settings)

    @property
    def data_dir(self) -> Path:
        return self.store.data_dir

    @property
    def engine(self) -> Engine:
        return self.store.writer


def open_context(data_dir: Path, *, clock: Clock | None = None) -> Context:
    """Open (and migrate) the store in `data_dir`."""
    store = Store(data_dir)
    upgrade(store.writer)
    return Context(
        store=store,
        blobs=BlobStore(data_dir / "blobs"),
        clock=clock or Clock(),
        settings=Settings.load(data_dir / "settings.json"),
    )
