"""The follow-up decisions drafted from an issued document (先保处 from a 先保通; 延长 and 处理 of a
查扣): their fields and 清单 rows taken from the source, and how they print. No I/O."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from inspector.documents.layout import chinese_date
from inspector.domain.document_kinds import EXTENSION_MAX_DAYS, FOR_ROWS, TRANSFER_OUTCOME
from inspector.services.documents.model import parse_date

FOLLOW_UP_KINDS = ("evidence_decision", "seizure_extension", "seizure_decision")
_DECIDED = ("evidence_decision", "seizure_decision")  # a 处理决定 per row of the 清单
_ROW_KEYS = {
    "evidence_decision": ("name", "spec", "quantity"),
    "seizure_decision": ("name", "spec", "quantity"),
    "seizure_extension": ("name", "spec", "quantity", "place", "note"),
}


def follow_up_draft(
    kind: str, title: str, number: str, data: dict[str, Any]
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The fields and rows of a follow-up of *kind*, from the source document's frozen data."""
    source = {str(k): str(v) for k, v in (data.get("input_fields") or {}).items()}
    issued = parse_date(str(data.get("issued_on") or ""))
    fields = {
        "source_title": title,
        "source_number": number,
        "source_date": chinese_date(issued) if issued else "",
        "party_type": source.get("party_type", "unit"),
    }
    if kind == "evidence_decision":
        fields.update(suspected=source.get("suspected", ""), outcome=FOR_ROWS, receiver="")
        fields["remarks"] = ""
    if kind.startswith("seizure_"):
        fields.update(
            measure=source.get("measure", ""),
            period_start=source.get("period_start", ""),
            period_end=source.get("period_end", ""),
        )
    if kind == "seizure_extension":
        end = parse_date(source.get("period_end", ""))
        fields.update(
            reason="",
            new_end=(end + timedelta(days=EXTENSION_MAX_DAYS)).isoformat() if end else "",
        )
    if kind == "seizure_decision":
        fields.update(facts="", outcome=FOR_ROWS, receiver="")
    keys = _ROW_KEYS.get(kind, ())
    rows = [{k: str(r.get(k, "")) for k in keys} for r in data.get("rows", [])]
    if kind in _DECIDED:
        for row in rows:
            row["decision"] = ""
    return fields, rows


def printed_fields(kind: str, fields: dict[str, str]) -> dict[str, str]:
    """The follow-up's values as its template prints them (dates worded, the extension's days)."""
    out: dict[str, str] = {}
    if kind not in FOLLOW_UP_KINDS:
        return out
    for key in ("period_start", "period_end", "new_end"):
        d = parse_date(fields.get(key, ""))
        if d is not None:
            out[key] = chinese_date(d)
    end, new_end = parse_date(fields.get("period_end", "")), parse_date(fields.get("new_end", ""))
    if end is not None and new_end is not None:
        out["extra_days"] = str((new_end - end).days)
    receiver = fields.get("receiver", "").strip()
    out["receiver_line"] = f"移送的物品由{receiver}接收处理。" if receiver else ""
    return out


def printed_rows(
    kind: str, fields: dict[str, str], rows: list[dict[str, str]]
) -> list[dict[str, str]]:
    """The 清单 as printed: a decision taken for all rows is written on each one."""
    out = [dict(r) for r in rows]
    if kind not in _DECIDED:
        return out
    outcome = fields.get("outcome", "")
    receiver = fields.get("receiver", "").strip()
    for row in out:
        if outcome and outcome != FOR_ROWS:
            row["decision"] = outcome
        if row.get("decision") == TRANSFER_OUTCOME and receiver:
            row["decision"] = f"移送{receiver}处理"
    return out
