"""The photos a person sees in a list (a patrol visit's, with their 六个一 item and time), newest
last; removed photos are not among them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from inspector.services.context import Context
from inspector.store.models import Photo


@dataclass(frozen=True)
class ListedPhoto:
    id: str
    thumb_sha256: str
    display_sha256: str
    original_name: str
    captured_at: datetime
    aspect: str  # the 六个一 item of a patrol photo ("" otherwise)


def photos_of_visit(ctx: Context, visit_id: str) -> list[ListedPhoto]:
    with ctx.store.read() as s:
        rows = s.exec(
            select(Photo)
            .where(Photo.visit_id == visit_id, Photo.removed_reason == "")
            .order_by(col(Photo.captured_at))
        ).all()
        return [
            ListedPhoto(
                p.id, p.thumb_sha256, p.display_sha256, p.original_name, p.captured_at, p.aspect
            )
            for p in rows
        ]
