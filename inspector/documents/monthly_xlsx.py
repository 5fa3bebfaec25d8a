"""The 月度统计 统计表 as an Excel workbook: sheets 月度统计 (the figures with their definitions),
文书 (documents by kind) and 每日 (per day)."""

from __future__ import annotations

import io

from inspector.domain.monthly import MonthlyFigures, scope_text


def xlsx_bytes(figures: MonthlyFigures) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wb = Workbook()
    wb.properties.title = figures.title
    main = wb.active
    assert main is not None
    main.title = "月度统计"
    main.append(["项目", "数值", "单位", "口径说明"])
    for line in figures.lines():
        value: int | float | str = "—" if line.value is None else line.value
        main.append([line.label, value, line.unit, line.definition])
        if isinstance(line.value, float):
            main.cell(row=main.max_row, column=2).number_format = "0.0%"
        if line.part_of:
            main.cell(row=main.max_row, column=1).alignment = Alignment(indent=1)

    docs = wb.create_sheet("文书")
    docs.append(["文书种类", "份数"])
    for k in figures.documents_by_kind:
        docs.append([k.label, k.count])
    docs.append(["合计", figures.documents])

    daily = wb.create_sheet("每日")
    daily.append(["日期", "检查次数", "一般隐患", "重大隐患", "隐患合计"])
    for d in figures.daily:
        daily.append(
            [
                d.day,
                d.inspections,
                d.hazards_general,
                d.hazards_major,
                d.hazards_general + d.hazards_major,
            ]
        )
        daily.cell(row=daily.max_row, column=1).number_format = "yyyy-mm-dd"

    for ws, widths in ((main, (18, 10, 6, 60)), (docs, (34, 8)), (daily, (12, 10, 10, 10, 10))):
        for cell in ws[1]:
            cell.font = bold
        for n, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + n)].width = width
        ws.freeze_panes = "A2"
        ws.oddHeader.center.text = figures.title
        ws.oddFooter.left.text = f"{figures.agency_name}　{scope_text(figures)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
