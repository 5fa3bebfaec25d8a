"""PDF renderer for the 现场检查记录 (检记).

The wording comes from ``forms/documents/site_inspection_record.json`` so an agency can adjust it
without touching code; the layout pieces come from :mod:`inspector.documents.layout`.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from inspector.documents import layout
from inspector.documents.layout import SignatureRow, Template, para
from inspector.documents.model import Finding, SiteRecordData
from inspector.util.paths import forms_path

TEMPLATE_FILE = ("documents", "site_inspection_record.json")
_BLANK_NAME = "　　　　"
_TRAILING = "。．.；;，,、 　"


def load_template() -> dict[str, Any]:
    """The site-record template as shipped under forms/documents/."""
    with forms_path(*TEMPLATE_FILE).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _clean(text: str) -> str:
    """Trim whitespace and trailing punctuation, so the template supplies the punctuation."""
    return text.strip().rstrip(_TRAILING)


def _default_copies_note() -> str:
    for f in dataclasses.fields(SiteRecordData):
        if f.name == "copies_note":
            return str(f.default)
    return ""


# --- text pieces (pure functions, tested through the PDF) ---------------------------------------


def time_range_text(data: SiteRecordData, template: Template) -> str:
    """2026年11月22日9时05分至22日11时30分; the end left blank when ended_at is None."""
    start = data.started_at
    start_text = layout.chinese_date(start.date()) + layout.chinese_clock(start)
    end = data.ended_at
    if end is None:
        end_text = str(template.get("time_end_blank", "　　日　　时　　分"))
    else:
        if end.year != start.year:
            end_text = layout.chinese_date(end.date())
        elif end.month != start.month:
            end_text = f"{end.month}月{end.day}日"
        else:
            end_text = f"{end.day}日"
        end_text += layout.chinese_clock(end)
    pattern = str(template.get("time_pattern", "{start}至{end}"))
    return pattern.format(start=start_text, end=end_text)


def opening_text(data: SiteRecordData, template: Template) -> str:
    sep = str(template.get("list_separator", "、"))
    names = [o.name.strip() for o in data.officers if o.name.strip()]
    certs = [o.cert_no.strip() for o in data.officers if o.cert_no.strip()]
    return str(template["opening"]).format(
        agency=data.agency_name.strip() or _BLANK_NAME,
        names=sep.join(names) if names else f"{_BLANK_NAME}{sep}{_BLANK_NAME}",
        cert_nos=sep.join(certs) if certs else f"{_BLANK_NAME}{sep}{_BLANK_NAME}",
    )


def counts_text(data: SiteRecordData, template: Template) -> str:
    """The line naming the checklists and counting the checked items ("" when there is neither)."""
    labels = template.get("result_labels") or {}
    not_checked = labels.get("not_checked", "未检查")
    results = Counter(i.result_label.strip() for i in data.items)
    results.pop(not_checked, None)
    total = sum(results.values())
    names = [n.strip() for n in data.checklists if n.strip()]
    if not names and total == 0:
        return ""
    values = {
        "total": total,
        "complied": results.get(labels.get("complied", "符合"), 0),
        "not_complied": results.get(labels.get("not_complied", "不符合"), 0),
        "not_applicable": results.get(labels.get("not_applicable", "不涉及"), 0),
    }
    if names:
        quoted = [n if n.startswith("《") else f"《{n}》" for n in names]
        sep = str(template.get("list_separator", "、"))
        return str(template["checklists_line"]).format(checklists=sep.join(quoted), **values)
    return str(template["items_line"]).format(**values)


def finding_text(finding: Finding, template: Template) -> str:
    """<description>（<grade>；部位：<location>）依据：<basis>。整改措施：<measure>；整改期限：<deadline>。"""
    text = _clean(finding.description)
    qualifiers = [finding.grade_label.strip()]
    if finding.location.strip():
        qualifiers.append(
            str(template.get("finding_location", "部位：{location}")).format(
                location=_clean(finding.location)
            )
        )
    qualifiers = [q for q in qualifiers if q]
    if qualifiers:
        text += "（" + "；".join(qualifiers) + "）"
    elif text:
        text += "。"
    basis = _clean(finding.legal_basis)
    if basis:
        text += str(template.get("finding_basis", "依据：{basis}。")).format(basis=basis)
    deadline = (
        layout.chinese_date(finding.deadline)
        if finding.deadline is not None
        else str(template.get("deadline_immediate", "立即"))
    )
    tail = []
    measure = _clean(finding.measure)
    if measure:
        tail.append(
            str(template.get("finding_measure", "整改措施：{measure}")).format(measure=measure)
        )
    tail.append(
        str(template.get("finding_deadline", "整改期限：{deadline}")).format(deadline=deadline)
    )
    return text + "；".join(tail) + "。"


def signing_date(data: SiteRecordData) -> date:
    if data.issued_on is not None:
        return data.issued_on
    if data.ended_at is not None:
        return data.ended_at.date()
    return data.started_at.date()


def copies_text(data: SiteRecordData, template: Template) -> str:
    """The record's own copies note when it was changed from the default, else the template's."""
    own = data.copies_note.strip()
    if own and own != _default_copies_note():
        return own
    pattern = str(template.get("copies_footer") or own)
    return pattern.format(agency=data.agency_name.strip() or "执法机关")


# --- story -----------------------------------------------------------------------------------------


def _field_values(data: SiteRecordData, template: Template) -> dict[str, str]:
    values = dict(data.extra)
    values.update(
        unit_name=data.unit_name,
        unit_address=data.unit_address,
        legal_rep=data.legal_rep,
        legal_rep_title=data.legal_rep_title,
        phone=data.phone,
        place=data.place,
        time=time_range_text(data, template),
    )
    return values


def _body(data: SiteRecordData, template: Template) -> list[Flowable]:
    st = layout.styles()
    heading = str(template.get("findings_heading", "检查情况："))
    counts = counts_text(data, template)
    # the heading runs in with the counts line, as on the printed forms
    body: list[Flowable] = [para(heading + counts, st.heading)]
    if data.findings:
        intro = str(template.get("findings_intro", ""))
        if intro:
            body.append(para(intro, st.indented))
        for n, finding in enumerate(data.findings, start=1):
            body.append(para(finding_text(finding, template), st.numbered, bullet=f"{n}."))
    else:
        body.append(para(str(template.get("no_findings", "本次检查未发现事故隐患。")), st.indented))
    for line in data.summary.splitlines():
        if line.strip():
            body.append(para(line.strip(), st.indented))
    if data.photo_count > 0:
        photos = str(template.get("photos_line", "现场拍摄证据照片 {n} 张（另附）。"))
        body.append(para(photos.format(n=data.photo_count), st.indented))
    note = str(template.get("continuation_note", ""))
    if note:
        body.append(para(note, st.small_right))
    return body


def _signatures(data: SiteRecordData, template: Template, label_width: float) -> Flowable:
    st = layout.styles()
    sig = template.get("signatures") or {}
    cert_pattern = str(sig.get("cert_no", "执法证号：{cert_no}"))
    officer_captions = [
        f"{o.name.strip()}　{cert_pattern.format(cert_no=o.cert_no.strip())}" for o in data.officers
    ] or ["", ""]
    rows = [
        SignatureRow(str(sig.get("officers", "检查人员（签名）")), officer_captions),
        SignatureRow(
            str(sig.get("representative", "被检查单位现场负责人（签名）")),
            [data.representative.strip()],
        ),
        SignatureRow(str(sig.get("witness", "见证人（签名）")), [""]),
    ]
    notes = []
    refusal = str(sig.get("refusal", ""))
    if refusal:
        notes.append((refusal, 9 * mm))
    after: list[Flowable] = layout.note_lines(data.clock_note)
    copies = copies_text(data, template)
    if copies:
        after += [Spacer(1, 1 * mm), para(copies, st.small)]
    return layout.signature_block(
        rows,
        label_width=label_width,
        notes=notes,
        date_text=layout.chinese_date(signing_date(data)),
        after=after,
    )


def render_site_record(data: SiteRecordData, template: dict[str, Any] | None = None) -> bytes:
    """The 现场检查记录 as PDF bytes (A4, fonts embedded, "第 X 页 共 Y 页" on every page)."""
    tpl: Template = template if template is not None else load_template()
    st = layout.styles()
    number_text = layout.document_number(data.number, tpl)
    widths_mm = tpl.get("field_column_widths_mm") or [31, 43, 14, 26, 20, 31]
    total_mm = sum(float(w) for w in widths_mm)
    col_widths = [float(w) / total_mm * layout.CONTENT_WIDTH for w in widths_mm]
    values = _field_values(data, tpl)
    rows = [
        [(str(f["label"]), values.get(str(f["key"]), "")) for f in row] for row in tpl["fields"]
    ]
    story: list[Flowable] = layout.header_block(data.agency_name, tpl, number_text)
    story.append(
        layout.field_grid(rows, col_widths, full_rows=[para(opening_text(data, tpl), st.indented)])
    )
    story.append(layout.boxed_section(_body(data, tpl)))
    story.append(_signatures(data, tpl, col_widths[0]))
    return layout.build_pdf(
        story,
        tpl,
        number_text=number_text,
        title=f"{tpl.get('title', '')} {data.unit_name}".strip(),
        author=data.agency_name,
        subject=data.number or "",
        watermark="" if data.number else str(tpl.get("draft_watermark", layout.DRAFT_WATERMARK)),
    )
