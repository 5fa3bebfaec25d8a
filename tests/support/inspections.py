"""Starting a real inspection on the demo county."""

from __future__ import annotations

from inspector.services.facade import Services
from inspector.services.inspections.recording import StartInspection
from tests.support.writer import writes


@writes
def start(services: Services, n_inspectors: int = 2) -> str:
    people = [p for p in services.inspections.people() if p.role == "inspector"]
    unit = services.units.search("", limit=1)[0]
    checklists = {c.code: c.id for c in services.inspections.checklists()}
    inspection_id = services.inspections.start(
        StartInspection(
            unit_id=unit.id,
            inspector_ids=[p.id for p in people[:n_inspectors]],
            checklist_ids=[checklists["gm-dust"]],
            place="一号车间",
            representative="王喆",
        )
    ).value
    return inspection_id
