"""The wording a document prints from its structured fields: the intended penalty, the record of
the 陈述、申辩 and of the hearing, and the hearing's legal basis — pure functions over a kind's
field values (the table of kinds is :mod:`inspector.domain.document_kinds`)."""

from __future__ import annotations

from inspector.domain.citations import cite
from inspector.domain.document_kinds import (
    MEASURES,
    ONSITE_FINE_LIMIT_PERSON,
    ONSITE_FINE_LIMIT_UNIT,
    fine_of,
)


def large_threshold(person: bool, large_person: int | None, large_unit: int | None) -> int:
    """From which amount (yuan) a fine or confiscation is 较大数额 and a hearing is offered: the
    agency's provincial figure, or — until it is set — anything above the 简易程序 limits
    (legal-review item 4: offering the right is safe, omitting it is not)."""
    figure = large_person if person else large_unit
    if figure is not None and figure > 0:
        return figure
    return (ONSITE_FINE_LIMIT_PERSON if person else ONSITE_FINE_LIMIT_UNIT) + 1


def hearing_items(
    fields: dict[str, str], person: bool, large_person: int | None, large_unit: int | None
) -> list[int]:
    """The 项 of 行政处罚法 §63① that the intended penalty falls under (empty: no hearing due)."""
    threshold = large_threshold(person, large_person, large_unit)
    out: set[int] = set()
    fine = fine_of(fields)
    if fine is not None and fine >= threshold:
        out.add(1)
    confiscation = fine_of(fields, "confiscation_yuan")
    if confiscation is not None and confiscation >= threshold:
        out.add(2)
    out |= {item for key, _label, item in MEASURES if fields.get(key)}
    return sorted(out)


def hearing_basis(items: list[int]) -> str:
    """The hearing paragraph's basis, printed from the citation registry: 行政处罚法 §63①'s items
    that apply and §64 (a hearing offered without a §63 ground cites the two articles alone)."""
    law = "行政处罚法"
    refs: list[dict[str, object]] = [
        {"law": law, "article": 63, "paragraph": 1, "item": i} for i in items
    ] or [{"law": law, "article": 63}]
    return cite([*refs, {"law": law, "article": 64}])


def intended_penalty(fields: dict[str, str]) -> str:
    """The 罚告's intended penalty worded from its structured fields ("" when none is chosen)."""
    parts = ["警告"] if fields.get("warning") else []
    fine = fine_of(fields)
    if fine is not None and fine > 0:
        parts.append(f"罚款人民币{fine}元")
    confiscation = fine_of(fields, "confiscation_yuan")
    if confiscation is not None and confiscation > 0:
        parts.append(f"没收违法所得人民币{confiscation}元")
    parts += [label for key, label, _ in MEASURES if fields.get(key)]
    return "、".join(parts)


def statement_wording(fields: dict[str, str]) -> str:
    """The 当场处罚's record of the 告知 and of the party's 陈述、申辩, as printed."""
    told = "已当场告知当事人处罚的事实、理由、依据及其陈述、申辩的权利。"
    said = fields.get("statement", "").strip().rstrip("。；;，,")
    outcome = fields.get("statement_outcome", "")
    if outcome == "accepted":
        return f"{told}当事人陈述、申辩：{said}。经复核，予以采纳。"
    if outcome == "rejected":
        return f"{told}当事人陈述、申辩：{said}。经复核，不予采纳。"
    return f"{told}当事人未提出陈述、申辩。"


def decision_statement_wording(fields: dict[str, str]) -> str:
    """The 处罚决定书's record of the 陈述、申辩 after the 罚告, as printed."""
    said = fields.get("statement", "").strip().rstrip("。；;，,")
    outcome = fields.get("statement_outcome", "")
    if outcome == "accepted":
        return f"当事人在规定期限内提出陈述、申辩：{said}。经复核，本机关予以采纳。"
    if outcome == "rejected":
        return f"当事人在规定期限内提出陈述、申辩：{said}。经复核，本机关不予采纳。"
    return "当事人在规定期限内未提出陈述、申辩。"


def hearing_wording(fields: dict[str, str]) -> str:
    """The 处罚决定书's record of the hearing ("" when none was offered)."""
    if not fields.get("hearing"):
        return ""
    said = {
        "not_requested": "当事人在规定期限内未要求听证。",
        "waived": "当事人书面放弃听证。",
        "held": "本机关依法举行了听证。",
    }
    return "本机关已告知当事人有要求举行听证的权利，" + said.get(
        fields.get("hearing_outcome", ""), "当事人要求听证。"
    )
