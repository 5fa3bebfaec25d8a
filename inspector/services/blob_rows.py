"""The `blob` table's rows: a stored file registered so records may refer to it by hash."""

from __future__ import annotations

from sqlmodel import Session

from inspector.store.models import Blob
from inspector.util.clock import Clock


def ensure_blob_row(
    session: Session, clock: Clock, sha256: str, size: int, media_type: str
) -> None:
    """Register a stored file (already written durably) so rows may refer to its hash."""
    if session.get(Blob, sha256) is None:
        session.add(Blob(sha256=sha256, size=size, media_type=media_type, created_at=clock.now()))
        session.flush()
