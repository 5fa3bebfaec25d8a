"""One source for every count shown in two places: the places agree on the same data."""

from __future__ import annotations

from sqlmodel import select

from inspector.services.facade import Services
from inspector.services.hazards.filters import HazardQuery
from inspector.store.models import Hazard
from tests.support.inspections import start


def test_the_unit_panel_the_inspection_list_and_the_inspection_agree_on_findings(
    services: Services,
) -> None:
    iid = start(services)
    items = services.inspections.view(iid).checklists[0].items
    services.inspections.set_item(iid, items[0].id, "fail", "配电箱未上锁")
    services.inspections.set_item(iid, items[1].id, "fail")
    services.inspections.set_item(iid, items[1].id, "pass")  # taken back: withdrawn
    services.inspections.finish(iid, "发现一项问题。")
    # a hazard of the unit flagged by the server is 未销号 on the 隐患 page whatever its status
    with services.ctx.store.write() as s:
        h = s.exec(select(Hazard).where(Hazard.inspection_id == iid)).all()
        kept = next(x for x in h if x.status != "withdrawn")
        kept.status = "closed"
        kept.conflict = "已销号时不应有“复查不合格”"
        s.add(kept)
    view = services.inspections.view(iid)
    detail = services.units.detail(view.unit_id)
    [line] = [i for i in detail.inspections if i.id == iid]
    [row] = [r for r in services.inspections.recent() if r.id == iid]
    assert line.hazard_count == row.hazard_count == len(view.hazards) == 1
    on_page = [h.id for h in services.hazards.find(HazardQuery()) if h.inspection_id == iid]
    assert [h.id for h in detail.open_hazards] == on_page == [kept.id]
