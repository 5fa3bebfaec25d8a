"""A new hazard's default 整改期限 is never today, which every order refuses: a checklist item that
gives none (0, 立即) takes the settings' default_deadline_days, for 一般 and 重大 alike."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import col, select

from inspector.services.facade import Services
from inspector.store.models import ChecklistItem, Hazard
from tests.support.documents import load_blocks
from tests.support.inspections import start


def test_items_without_days_get_the_settings_deadline_and_the_order_accepts_it(
    services: Services, tmp_path: Path
) -> None:
    services.ctx.settings.default_deadline_days = 10
    iid = start(services)
    view = services.inspections.view(iid)
    ids = {it.id for c in view.checklists for it in c.items}
    with services.ctx.store.read() as s:
        zero = s.exec(
            select(ChecklistItem).where(
                col(ChecklistItem.id).in_(ids), ChecklistItem.deadline_days == 0
            )
        ).all()
        grades = {item.major for item in zero}
        chosen = [item.id for item in zero]
    assert grades == {True, False}  # a 重大 and a 一般 item that give no days
    for item_id in chosen:
        services.inspections.set_item(iid, item_id, "fail", "现场发现")
    services.inspections.finish(iid, "检查发现问题。")
    today = services.ctx.clock.today()
    with services.ctx.store.read() as s:
        rows = s.exec(select(Hazard).where(Hazard.inspection_id == iid)).all()
        deadlines = {(h.grade, h.deadline) for h in rows}
    assert deadlines == {
        ("major", today + timedelta(days=10)),
        ("general", today + timedelta(days=10)),
    }
    load_blocks(services, tmp_path, "责改")
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    assert not [p for p in services.documents.problems(draft) if "整改期限" in p]
