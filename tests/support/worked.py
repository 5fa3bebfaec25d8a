"""A worked inspection (photo, document) whose rows the verify tests tamper with."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from inspector.services.facade import Services
from tests.support.documents import issue_from_inspection, load_blocks, panel_finding
from tests.support.inspections import start
from tests.support.writer import writes


@dataclass
class Worked:
    """A store with an inspection, a hazard under a 责令限期整改指令书, a photo and a 现场检查记录."""

    services: Services
    inspection_id: str
    hazard_id: str
    photo_id: str
    record_id: str
    record_number: str
    pdf_sha256: str
    order_id: str

    def sql(self, *statements: tuple[str, tuple[object, ...]]) -> None:
        """Change the database file directly, foreign keys off, as sqlite3 on the command line."""
        con = sqlite3.connect(self.services.ctx.store.db_file)
        try:
            con.execute("PRAGMA foreign_keys=OFF")
            for text, params in statements:
                con.execute(text, params)
            con.commit()
        finally:
            con.close()


@writes
def work(services: Services, tmp_path: Path, photo_file: Path) -> Worked:
    iid = start(services)
    week = services.ctx.clock.today() + timedelta(days=7)
    hid = services.inspections.add_hazard(iid, panel_finding(week)).value
    pid = services.photos.add_file(iid, photo_file, "现场检查", hazard_id=hid).value
    item = services.inspections.view(iid).checklists[0].items[0]
    services.inspections.set_item(iid, item.id, "pass", "灭火器在有效期内")
    services.inspections.finish(iid, "检查发现一处问题。")
    load_blocks(services, tmp_path, "检记")
    load_blocks(services, tmp_path, "责改")
    record = services.records.issue_site_record(iid).value
    order = issue_from_inspection(services, "rectification_order", iid)
    return Worked(
        services, iid, hid, pid, record.document_id, record.number, record.pdf_sha256,
        order.document_id,
    )  # fmt: skip
