"""Template-driven renderer for the enforcement documents other than the 现场检查记录.

A template (``forms/documents/<kind>.json``) lists the document's parts in order ("blocks"); each part
takes its words from the template and its values from :class:`DocumentData`. Block types:

- ``fields``: a bordered label/value grid (rows of {"key", "label"}; ``widths_mm``).
- ``addressee``: "<被检查单位全称>：".
- ``text``: one paragraph; ``{placeholders}`` are filled from the values; ``if``/``unless`` name a
  value that must be non-empty/empty for the paragraph to print; ``style`` indented (default),
  plain, right, small, heading.
- ``items``: the numbered items; ``pattern`` (or ``patterns`` by verdict) per item.
- ``order_clauses``: items grouped by legal basis and deadline, one clause per group
  ("上述第1、3项问题，依据…的规定，责令你单位于…前整改完毕…").
- ``lines``: a multi-line value printed as a numbered list.
- ``table``: rows of ``DocumentData.rows`` under ``columns`` (with ``min_rows`` blank lines).
- ``checkboxes``: options ticked (☑) or not (☐) by a value.
Then ``signatures`` (rows by role, refusal note, seal, date), ``copies_footer`` and, when the data
has photos, the 证据照片附页 with captions.
"""

from __future__ import annotations

import functools
import io
import json
import re
import string
from collections.abc import Mapping
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from inspector.documents import layout
from inspector.documents.layout import SignatureRow, Template, para
from inspector.documents.model import DocItem, DocumentData, SignatureMark
from inspector.domain.citations import cite
from inspector.domain.document_kinds import SPECS, party_is_person
from inspector.domain.document_wording import hearing_basis, hearing_items, statement_wording
from inspector.util.paths import forms_path

_TRAILING = "。．.；;，,、 　"
BLANK_ROW_HEIGHT = 8 * mm
ROLE_OFFICER = "officer"


@functools.cache
def _load(kind: str) -> str:
    return forms_path("documents", f"{kind}.json").read_text("utf-8")


def load_template(kind: str) -> dict[str, Any]:
    """The template shipped under forms/documents/ for this kind (a fresh copy)."""
    data: dict[str, Any] = json.loads(_load(kind))
    return data


def clean(text: str) -> str:
    """Trim whitespace and trailing punctuation, so the template supplies the punctuation."""
    return text.strip().rstrip(_TRAILING)


def template_citations(template: Mapping[str, Any]) -> dict[str, str]:
    """The template's own citations (its `citations` block), printed from the registry."""
    return {name: cite(refs) for name, refs in (template.get("citations") or {}).items()}


def template_default(kind: str, key: str) -> str:
    """A default the template gives for a field; a structured reference prints as its citation."""
    value = load_template(kind).get("defaults", {}).get(key, "")
    return value if isinstance(value, str) else cite(value)


class _Values(dict[str, str]):
    """Format values; a missing key prints as a blank to fill in by hand."""

    def __missing__(self, key: str) -> str:
        return "＿＿＿＿"


def values(data: DocumentData) -> dict[str, str]:
    """The flat name → text mapping the templates' placeholders read."""
    a, p = data.agency, data.party
    officers = [o for o in data.officers if o.name.strip()]
    out = {
        "agency": a.name,
        "seal": a.seal or a.name,
        "government": a.review_government,
        "court": a.court,
        "agency_address": a.address,
        "agency_contact": a.contact,
        "agency_phone": a.phone,
        "agency_postcode": a.postcode,
        "bank_name": a.bank_name,
        "bank_account": a.bank_account,
        "party_name": p.name,
        "party_address": p.address,
        "party_postcode": p.postcode,
        "legal_rep": p.legal_rep,
        "legal_rep_title": p.legal_rep_title,
        "party_phone": p.phone,
        "credit_code": p.credit_code,
        "gender": p.gender,
        "age": p.age,
        "id_no": p.id_no,
        "workplace": p.workplace,
        "number": data.number or "",
        "issued_date": layout.chinese_date(data.issued_on),
        "officer_names": "、".join(o.name for o in officers),
        "officer_certs": "、".join(o.cert_no for o in officers),
        "supersedes": data.supersedes,
        "item_count": str(len(data.items)),
    }
    person = data.kind in SPECS and party_is_person(data.kind, data.fields)
    out["you"] = "你" if person else "你单位"  # never the literal "你（单位）"
    out["party_signer"] = p.name if person else p.legal_rep
    # defaults for what the service words from structured fields (it passes its own when drafting)
    out["hearing_basis"] = hearing_basis(hearing_items(data.fields, person, None, None))
    out["statement_record"] = statement_wording(data.fields)
    out.update(data.fields)
    return out


def fill(pattern: str, vals: Mapping[str, str]) -> str:
    return string.Formatter().vformat(pattern, (), _Values(vals))


def _needed(block: Mapping[str, Any], vals: Mapping[str, str]) -> bool:
    cond = block.get("if")
    if cond and not any(str(vals.get(k, "")).strip() for k in str(cond).split("|")):
        return False
    unless = block.get("unless")
    return not (unless and str(vals.get(str(unless), "")).strip())


def _style(name: str) -> Any:
    st = layout.styles()
    return {
        "indented": st.indented,
        "plain": st.body,
        "right": st.right,
        "small": st.small,
        "heading": st.heading,
    }.get(name, st.indented)


def _item_values(item: DocItem, vals: Mapping[str, str], template: Template) -> dict[str, str]:
    deadline = (
        layout.chinese_date(item.deadline)
        if item.deadline is not None
        else str(template.get("deadline_immediate", "立即"))
    )
    return {
        **vals,
        "text": clean(item.text),
        "legal_basis": clean(item.legal_basis),
        "deadline": deadline,
        "measure": clean(item.measure),
        "note": clean(item.note),
    }


def _items(block: Mapping[str, Any], data: DocumentData, vals: Mapping[str, str]) -> list[Any]:
    st = layout.styles()
    template: Template = block
    if not data.items:
        empty = str(block.get("empty", ""))
        return [para(fill(empty, vals), st.indented)] if empty else []
    out: list[Any] = []
    patterns = block.get("patterns") or {}
    for n, item in enumerate(data.items, start=1):
        pattern = str(patterns.get(item.verdict) or block.get("pattern", "{text}"))
        iv = _item_values(item, vals, template)
        text = fill(pattern, iv)
        if item.legal_basis.strip() and block.get("basis_pattern"):
            text += fill(str(block["basis_pattern"]), iv)
        if item.measure.strip() and block.get("measure_pattern"):
            text += fill(str(block["measure_pattern"]), iv)
        if block.get("deadline_pattern"):
            text += fill(str(block["deadline_pattern"]), iv)
        out.append(para(text, st.numbered, bullet=f"{n}."))
    return out


def _order_clauses(
    block: Mapping[str, Any], data: DocumentData, vals: Mapping[str, str]
) -> list[Any]:
    """One clause per (legal basis, deadline) group, in the order the groups first appear."""
    st = layout.styles()
    groups: dict[tuple[str, str], list[int]] = {}
    for n, item in enumerate(data.items, start=1):
        iv = _item_values(item, vals, block)
        groups.setdefault((iv["legal_basis"], iv["deadline"]), []).append(n)
    out: list[Any] = []
    for (basis, deadline), numbers in groups.items():
        key = "pattern" if basis else "pattern_no_basis"
        pattern = str(block.get(key) or block.get("pattern", ""))
        text = fill(
            pattern,
            {
                **vals,
                "nums": "、".join(str(n) for n in numbers),
                "basis": basis,
                "deadline": deadline,
            },
        )
        out.append(para(text, st.indented))
    return out


def _lines(block: Mapping[str, Any], vals: Mapping[str, str]) -> list[Any]:
    st = layout.styles()
    lines = [clean(line) for line in str(vals.get(str(block["field"]), "")).splitlines()]
    lines = [line for line in lines if line]
    suffix = str(block.get("suffix", "。"))
    if not lines:
        empty = str(block.get("empty", ""))
        return [para(fill(empty, vals), st.indented)] if empty else []
    return [
        para(line + suffix, st.numbered, bullet=f"{n}.") for n, line in enumerate(lines, start=1)
    ]


# a 文号 at the end of a cell: "（岚）应急责改〔2026〕15号"
_NUMBER_AT_END = re.compile(r"^(.*?)(（[^（）]{1,12}）[^（）〔\s]{0,12}〔\d{4}〕\d+号)$", re.S)


def _cell(value: str, column: Mapping[str, Any]) -> Any:
    """A table cell; a column marked "keep_numbers" prints a trailing 文号 on a line of its own,
    shrunk to the cell's width if need be, so a number is never split across lines."""
    st = layout.styles()
    match = _NUMBER_AT_END.match(value.strip()) if column.get("keep_numbers") else None
    if match is None:
        return para(value, st.value)
    head, number = match.group(1).strip(), match.group(2)
    line = layout.TextLine(number, st.value.fontSize, align="left")
    return [para(head, st.value), line] if head else [line]


def _table(block: Mapping[str, Any], data: DocumentData, vals: Mapping[str, str]) -> list[Any]:
    st = layout.styles()
    columns = list(block["columns"])
    total = sum(float(c.get("width", 1)) for c in columns)
    inner = layout.CONTENT_WIDTH - 16  # inside the boxed section's padding
    widths = [float(c.get("width", 1)) / total * inner for c in columns]
    head = [para(str(c["label"]), st.label) for c in columns]
    body = [[_cell(str(row.get(str(c["key"]), "")), c) for c in columns] for row in data.rows]
    for _ in range(max(0, int(block.get("min_rows", 0)) - len(body))):
        body.append([Spacer(1, BLANK_ROW_HEIGHT) for _ in columns])  # room to write by hand
    table = Table(
        [head, *body],
        colWidths=widths,
        repeatRows=1,
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), layout.LINE_WIDTH, colors.black),
                ("FONTNAME", (0, 0), (-1, -1), st.font),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        ),
        hAlign="LEFT",
    )
    out: list[Any] = []
    title = str(block.get("title", ""))
    if title:
        out.append(para(fill(title, vals), st.heading))
    out.append(table)
    return out


def _checkboxes(block: Mapping[str, Any], vals: Mapping[str, str]) -> list[Any]:
    st = layout.styles()
    chosen = str(vals.get(str(block["field"]), ""))
    out: list[Any] = []
    title = str(block.get("title", ""))
    if title:
        out.append(para(fill(title, vals), st.indented))
    for option in block["options"]:
        mark = "☑" if str(option["value"]) == chosen else "☐"
        out.append(para(f"{mark} " + fill(str(option["text"]), vals), st.numbered))
    return out


def _questions_and_answers(block: Mapping[str, Any], data: DocumentData) -> list[Any]:
    """A 询问笔录's record: each question and its answer as typed, in order ("问：" / "答：")."""
    st = layout.styles()
    asked, answered = str(block.get("question", "问：")), str(block.get("answer", "答："))
    out: list[Any] = []
    for row in data.rows:
        question, answer = row.get("q", "").strip(), row.get("a", "").strip()
        if question or answer:
            out.append(para(asked + question, st.body))
            out.append(para(answered + answer, st.body))
    return out


def _body(data: DocumentData, template: Template, vals: Mapping[str, str]) -> list[Flowable]:
    """The flowables inside the document's box (everything but the header grid and signatures)."""
    st = layout.styles()
    body: list[Flowable] = []
    if data.supersedes.strip():
        line = str(template.get("supersedes_line", "本文书更正并替代已作废的{supersedes}。"))
        body.append(para(fill(line, vals), st.small))
    for block in template.get("blocks", []):
        if not _needed(block, vals):
            continue
        kind = block["type"]
        if kind == "fields":
            continue  # drawn outside the box, see render_document
        if kind == "addressee":
            pattern = str(block.get("text", "{party_name}："))
            body.append(para(fill(pattern, vals), st.heading))
        elif kind == "text":
            body.append(para(fill(str(block["text"]), vals), _style(str(block.get("style", "")))))
        elif kind == "items":
            body.extend(_items(block, data, vals))
        elif kind == "order_clauses":
            body.extend(_order_clauses(block, data, vals))
        elif kind == "lines":
            body.extend(_lines(block, vals))
        elif kind == "table":
            body.extend(_table(block, data, vals))
        elif kind == "checkboxes":
            body.extend(_checkboxes(block, vals))
        elif kind == "qa":
            body.extend(_questions_and_answers(block, data))
        elif kind == "spacer":
            body.append(Spacer(1, float(block.get("mm", 3)) * mm))
        else:
            raise ValueError(f"unknown block type {kind!r} in template {template.get('kind')}")
    note = str(template.get("continuation_note", ""))
    if note:
        body.append(para(note, st.small_right))
    return body


def _grid(data: DocumentData, template: Template, vals: Mapping[str, str]) -> list[Flowable]:
    out: list[Flowable] = []
    for block in template.get("blocks", []):
        if block["type"] != "fields":
            continue
        widths_mm = block.get("widths_mm") or [31, 43, 14, 26, 20, 31]
        total = sum(float(w) for w in widths_mm)
        widths = [float(w) / total * layout.CONTENT_WIDTH for w in widths_mm]
        rows = [
            [(str(f["label"]), fill("{" + str(f["key"]) + "}", vals)) for f in row]
            for row in block["rows"]
        ]
        out.append(layout.field_grid(rows, widths))
    return out


def _signer_caption(
    mark: SignatureMark | None, name: str, cert: str, sig: Mapping[str, Any]
) -> str:
    if cert:
        return f"{name}　" + str(sig.get("cert_no", "执法证号：{cert_no}")).format(cert_no=cert)
    return name


def refusal_text(marks: list[SignatureMark], template: Template) -> str:
    sig = template.get("signatures") or {}
    pattern = str(sig.get("refused", "{role}{name}拒绝签名，理由：{reason}；见证人：{witness}。"))
    labels = sig.get("role_labels") or {}
    out = []
    for m in marks:
        if m.refused:
            out.append(
                pattern.format(
                    role=labels.get(m.role, ""),
                    name=m.name,
                    reason=clean(m.refusal_reason) or "未说明",
                    witness=m.witness.strip() or "＿＿＿＿",
                )
            )
    return "".join(out)


def _signatures(data: DocumentData, template: Template, vals: Mapping[str, str]) -> Flowable:
    st = layout.styles()
    sig = template.get("signatures") or {}
    marks = {(m.role, m.name): m for m in data.signatures}
    rows: list[SignatureRow] = []
    for spec in sig.get("rows", []):
        role = str(spec["role"])
        label = str(spec["label"])
        if role == ROLE_OFFICER:
            people = [(o.name.strip(), o.cert_no.strip()) for o in data.officers] or [
                ("", ""),
                ("", ""),
            ]
        else:
            names = [m.name for m in data.signatures if m.role == role]
            default = fill(str(spec.get("name", "")), vals) if spec.get("name") else ""
            people = [(n, "") for n in names] or [(default.strip(), "")]
        captions, images = [], []
        for name, cert in people:
            mark = marks.get((role, name))
            captions.append(_signer_caption(mark, name, cert, sig))
            usable = mark is not None and not mark.refused
            images.append(mark.image_png if usable and mark is not None else None)
        rows.append(SignatureRow(label, captions, images))
    notes: list[tuple[str, float]] = []
    refusal_label = str(sig.get("refusal", ""))
    refused = refusal_text(data.signatures, template)
    if refusal_label:
        notes.append((refusal_label + refused, 4 * mm if refused else 9 * mm))
    after: list[Flowable] = layout.note_lines(data.agency.acting_note)
    after += layout.note_lines(data.clock_note)
    copies = str(template.get("copies_footer", ""))
    if copies:
        after += [Spacer(1, 1 * mm), para(fill(copies, vals), st.small)]
    width_mm = float(sig.get("label_width_mm", 31))
    seal = str(sig.get("seal", ""))
    return layout.signature_block(
        rows,
        label_width=width_mm / 159 * layout.CONTENT_WIDTH,
        notes=notes,
        date_text=layout.chinese_date(data.issued_on),
        # the seal line's {agency} is whose seal it is: the 委托机关's seal may bear its own name
        seal_text=fill(seal, {**vals, "agency": vals["seal"]}) if seal else "",
        after=after,
    )


_PHOTO_BOX = (150 * mm, 100 * mm)


def _annex(data: DocumentData, template: Template) -> list[Flowable]:
    """证据照片附页: each photo scaled into a fixed box, its caption below, two to a page."""
    if not data.photos:
        return []
    st = layout.styles()
    out: list[Flowable] = [PageBreak()]
    title = str(template.get("annex_title", "证据照片附页"))
    out.append(layout.TextLine(title, 16, char_space=3, fake_bold=True, space_after=3 * mm))
    caption_pattern = str(template.get("annex_caption", "照片{n}：{caption}"))
    for n, photo in enumerate(data.photos, start=1):
        from reportlab.lib.utils import ImageReader

        w, h = ImageReader(io.BytesIO(photo.image)).getSize()
        scale = min(_PHOTO_BOX[0] / w, _PHOTO_BOX[1] / h) if w and h else 1.0
        image = Image(io.BytesIO(photo.image), width=w * scale, height=h * scale)
        caption = para(caption_pattern.format(n=n, caption=photo.caption), st.body)
        out.append(CondPageBreak(h * scale + 20 * mm))
        out.append(KeepTogether([image, Spacer(1, 2 * mm), caption, Spacer(1, 6 * mm)]))
    return out


def render_document(data: DocumentData, template: Mapping[str, Any] | None = None) -> bytes:
    """The document as PDF bytes (A4, fonts embedded, "第 X 页 共 Y 页" on every page)."""
    tpl: Template = template if template is not None else load_template(data.kind)
    vals = {**values(data), **template_citations(tpl)}
    number_text = layout.document_number(data.number, tpl)

    def story() -> list[Flowable]:
        parts: list[Flowable] = layout.header_block(data.agency.name, tpl, number_text)
        parts += _grid(data, tpl, vals)
        parts.append(layout.boxed_section(_body(data, tpl, vals)))
        parts.append(_signatures(data, tpl, vals))
        parts += _annex(data, tpl)
        return parts

    return layout.build_pdf(
        story,
        tpl,
        number_text=number_text,
        title=f"{tpl.get('title', '')} {data.party.name}".strip(),
        author=data.agency.name,
        subject=data.number or "",
        watermark=""
        if data.number or data.issued
        else str(tpl.get("draft_watermark", layout.DRAFT_WATERMARK)),
    )
