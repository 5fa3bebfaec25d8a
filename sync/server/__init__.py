"""The reference central server (FastAPI + SQLModel): ``create_app`` and the ``inspector-server``
console script (sync.server.cli)."""

from sync.server.app import create_app

__all__ = ["create_app"]
