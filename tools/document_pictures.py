"""Pictures of page 1 of every enforcement document, filled with the fictional examples.

.venv/bin/python tools/document_pictures.py [docs/documents [kind …]]

Writes <kind>.png for every kind in inspector.documents.examples.KINDS and for the 现场检查记录
(site_inspection_record.png), rendered from the PDF the app prints (PDFium, 110 dpi) and stored as
small 16-level grey PNGs. docs/documents/README.md lists them.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from PIL import Image

from inspector.documents.examples import AGENCY, ISSUED, ITEMS, KINDS, OFFICERS, UNIT, example
from inspector.documents.form_document import render_document
from inspector.documents.model import CheckedItem, Finding, SiteRecordData
from inspector.documents.raster import render_pages
from inspector.documents.site_record import render_site_record
from inspector.domain.numbering import number_for

DPI = 110
GREYS = 16  # text and rules on white: 16 grey levels keep the anti-aliasing and compress well
SITE_RECORD = "site_inspection_record"


def site_record_example() -> SiteRecordData:
    """The 现场检查记录 of the same fictional inspection the other examples come from."""
    checked = [
        ("粉尘防爆安全管理制度", "符合"),
        ("粉尘清扫制度及落实情况", "不符合"),
        ("除尘系统防爆泄爆措施", "不符合"),
        ("除尘器灰斗锁气卸灰装置", "符合"),
        ("电气设备防爆选型", "符合"),
        ("安全出口、疏散通道", "不符合"),
        ("员工安全教育培训记录", "符合"),
        ("动火作业审批", "不涉及"),
    ]
    return SiteRecordData(
        agency_name=AGENCY.name,
        number=number_for("site_record", AGENCY.short_name, ISSUED.year, 15),
        unit_name=UNIT.name,
        unit_address=UNIT.address,
        legal_rep=UNIT.legal_rep,
        legal_rep_title=UNIT.legal_rep_title,
        phone=UNIT.phone,
        place="打磨车间、除尘系统、成品仓库",
        started_at=datetime(ISSUED.year, ISSUED.month, ISSUED.day, 9, 5),
        ended_at=datetime(ISSUED.year, ISSUED.month, ISSUED.day, 11, 30),
        officers=list(OFFICERS),
        representative=UNIT.legal_rep,
        summary="对粉尘涉爆作业场所、除尘系统和安全管理资料进行了检查。",
        checklists=["工贸企业粉尘防爆安全检查表"],
        items=[
            CheckedItem("工贸企业粉尘防爆安全检查表", content, result)
            for content, result in checked
        ],
        findings=[
            Finding(
                description=item.text,
                grade_label="重大隐患" if n == 0 else "一般隐患",
                legal_basis=item.legal_basis,
                measure=item.measure,
                deadline=item.deadline,
                location="打磨车间" if n < 2 else "成品仓库",
                photo_count=1,
            )
            for n, item in enumerate(ITEMS)
        ],
        photo_count=3,
        issued_on=ISSUED,
    )


def pdf_for(kind: str) -> bytes:
    if kind == SITE_RECORD:
        return render_site_record(site_record_example())
    return render_document(example(kind))


def small_png(page: Image.Image, path: Path) -> None:
    """Page 1 as a 16-level grey palette PNG (about a tenth of the RGB file)."""
    grey = page.convert("L").quantize(GREYS, dither=Image.Dither.NONE)
    grey.save(path, "PNG", optimize=True)


def main(out: Path, kinds: list[str] | None = None) -> list[Path]:
    """Every kind's picture, or only those named."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in kinds or (SITE_RECORD, *KINDS):
        pages = render_pages(pdf_for(kind), dpi=DPI)
        path = out / f"{kind}.png"
        small_png(pages[0], path)
        written.append(path)
        print(f"{path}  {len(pages)} page(s), {path.stat().st_size / 1e3:.0f} kB")
    return written


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/documents"), sys.argv[2:])
