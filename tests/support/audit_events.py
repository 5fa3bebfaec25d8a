"""Shared by tests: moved from test_photo_edits.py."""

from __future__ import annotations

from sqlmodel import select

from inspector.services.facade import Services
from inspector.store.models import AuditEvent


def events(services: Services, kind: str) -> list[AuditEvent]:
    with services.ctx.store.read() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.kind == kind)))
