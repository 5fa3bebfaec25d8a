"""The signature block closing a document (with captured signatures or blanks for a pen) and the
zero-size anchor that tells the page builder which page carries it."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from inspector.documents.layout.blocks import CELL_PAD, label_markup
from inspector.documents.layout.styles import (
    BODY_SIZE,
    CONTENT_WIDTH,
    LINE_WIDTH,
    SIGNATURE_HEIGHT,
    styles,
)
from inspector.documents.layout.text import para


@dataclasses.dataclass(frozen=True)
class SignatureRow:
    """One signature line of the block: a label and one blank per signer.

    captions: text printed small under each blank (e.g. "张三　执法证号：…"); use "" for an anonymous
    blank. At most ``per_row`` blanks share a table row; more signers continue on the next row.
    """

    label: str
    captions: Sequence[str]
    images: Sequence[bytes | None] = ()  # PNG signatures captured on screen, by caption position


class SignatureAnchor(Flowable):
    """Zero-size marker: the page it lands on carries the final signature block."""

    ATTR = "_inspector_signed_page"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        setattr(self.canv, self.ATTR, self.canv.getPageNumber())


def signature_image(png: bytes, max_width: float, height: float = SIGNATURE_HEIGHT) -> Flowable:
    """A captured signature scaled to the signature line's height (and the slot's width)."""
    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    scale = min(height / h, max_width / w) if w and h else 1.0
    return Image(io.BytesIO(png), width=w * scale, height=h * scale, hAlign="CENTER")


def _signature_cell(caption: str, image: bytes | None = None, width: float = 0.0) -> list[Flowable]:
    st = styles()
    cell: list[Flowable] = (
        [signature_image(image, max(width - 12, 10))] if image else [Spacer(1, SIGNATURE_HEIGHT)]
    )
    if caption:
        cell.append(para(caption, st.small_right))
    return cell


def signature_block(
    rows: Sequence[SignatureRow],
    *,
    label_width: float,
    per_row: int = 2,
    notes: Sequence[tuple[str, float]] = (),
    date_text: str = "",
    seal_text: str = "",
    after: Sequence[Flowable] = (),
    width: float = CONTENT_WIDTH,
    before: Sequence[Flowable] = (),
) -> KeepTogether:
    """The bordered signature table, kept on one page (with ``before``, e.g. a closing summary the
    signatures vouch for, and ``after``, e.g. the copies note; KeepTogether cannot be nested).

    notes: full-width rows of (small printed text, blank height below it for handwriting);
    date_text: printed right-aligned at the foot of the last note row (or in a row of its own);
    seal_text: the issuing body's name above the date, with room for its seal (印章).
    """
    st = styles()
    slot_width = (width - label_width) / per_row
    data: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), LINE_WIDTH, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), st.font),
        ("VALIGN", (0, 0), (0, -1), "MIDDLE"),
        ("VALIGN", (1, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for row in rows:
        captions = list(row.captions) or [""]
        first = len(data)
        for start in range(0, len(captions), per_row):
            group = captions[start : start + per_row]
            label: Any = (
                Paragraph(label_markup(row.label, label_width, st.label), st.label)
                if start == 0
                else ""
            )
            images = list(row.images)[start : start + per_row]
            images += [None] * (len(group) - len(images))
            cells: list[Any] = [label] + [
                _signature_cell(c, img, slot_width) for c, img in zip(group, images, strict=True)
            ]
            cells.extend([""] * (per_row + 1 - len(cells)))
            r = len(data)
            data.append(cells)
            if len(group) < per_row:
                commands.append(("SPAN", (len(group), r), (per_row, r)))
        if len(data) - 1 > first:
            commands.append(("SPAN", (0, first), (0, len(data) - 1)))
    date_para = ParagraphStyle("doc-date", parent=st.right, rightIndent=3 * BODY_SIZE)

    def dated() -> list[Flowable]:
        lines = [para(date_text, date_para)]
        if seal_text:
            # the seal is pressed over the body's name: leave it room above the date
            lines = [para(seal_text, date_para), Spacer(1, 6 * mm), *lines]
        return lines

    for n, (text, blank) in enumerate(notes, start=1):
        r = len(data)
        cell: list[Flowable] = [para(text, st.small)]
        if date_text and n == len(notes):
            # the date sits at the foot of the last note's blank, right-aligned
            cell += [Spacer(1, max(blank - date_para.leading, 0)), *dated()]
        else:
            cell.append(Spacer(1, blank))
        data.append([cell] + [""] * per_row)
        commands.append(("SPAN", (0, r), (-1, r)))
    if date_text and not notes:
        r = len(data)
        data.append([dated()] + [""] * per_row)
        commands.append(("SPAN", (0, r), (-1, r)))
        commands.append(("TOPPADDING", (0, r), (-1, r), 5))
        commands.append(("BOTTOMPADDING", (0, r), (-1, r), 5))
    table = Table(
        data,
        colWidths=[label_width] + [slot_width] * per_row,
        style=TableStyle(commands),
        hAlign="LEFT",
    )
    return KeepTogether([*before, SignatureAnchor(), table, *after])
