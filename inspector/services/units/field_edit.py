"""Correcting a unit's details in the field: 地址, 法定代表人（负责人）, 联系人, 联系电话 and location.

The edit is a local change of a shared record: the unit row changes at once, a 3-way `patch` op
(`queue_unit_patch`: the new values and the ones they replace) goes to the outbox, and an audit
event `unit.edited` records who changed what from what, all in one write transaction. The server
merges the patch field by field; a field someone else changed meanwhile comes back as a conflict
and waits in the 同步 page's conflicts inbox.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from inspector.domain.errors import UserError
from inspector.services.changes import Changes, Done
from inspector.services.context import Context
from inspector.services.journal import audit
from inspector.services.setting_rows import current_user_id
from inspector.services.sync.apply import queue_unit_patch
from inspector.services.textcheck import clean_text
from inspector.store.models import Unit

EDIT_EVENT = "unit.edited"
# what a person in the field may correct (the rest is the administrator's, on the server)
FIELD_LABELS = {
    "address": "地址",
    "legal_rep": "法定代表人（负责人）",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "lat": "纬度",
    "lon": "经度",
}
_TEXT_LIMITS = {"address": 300, "legal_rep": 50, "contact_name": 50, "contact_phone": 30}
_PHONE_SEPARATORS = re.compile(r"[\s\-－—()（）]")


@dataclass(frozen=True)
class UnitEdit:
    """What the person typed (coordinates as text: an empty pair clears the location)."""

    address: str
    legal_rep: str
    contact_name: str
    contact_phone: str
    lat: str = ""
    lon: str = ""


def check_phone(text: str) -> str:
    """The phone number to store (trimmed; full-width digits from a Chinese input method made
    plain), or UserError in Chinese. Empty is allowed."""
    value = unicodedata.normalize("NFKC", text)
    value = clean_text("联系电话", value, max_chars=_TEXT_LIMITS["contact_phone"])
    if not value:
        return value
    digits = _PHONE_SEPARATORS.sub("", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    if not digits.isascii() or not digits.isdigit():
        raise UserError(
            "联系电话只能填写数字（可用“-”分隔区号），例如 13812345678 或 0731-84123456。",
            field="联系电话",
        )
    if digits.startswith("1") and len(digits) != 11:
        raise UserError(
            f"手机号码应为 11 位数字，现在是 {len(digits)} 位。请核对后重新填写。",
            field="联系电话",
        )
    if not 7 <= len(digits) <= 12:
        raise UserError(
            f"联系电话位数不对（{len(digits)} 位）：固定电话连区号应为 7～12 位数字。",
            field="联系电话",
        )
    return value


def _coordinate(label: str, text: str, limit: float) -> float | None:
    value = text.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise UserError(f"{label}应为数字（度），例如 28.19432。", field=label) from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise UserError(f"{label}应在 -{limit:g} 到 {limit:g} 度之间。", field=label)
    return round(number, 7)


def checked_values(edit: UnitEdit) -> dict[str, Any]:
    """The fields as they would be stored, or UserError naming the first wrong one."""
    lat = _coordinate("纬度", edit.lat, 90)
    lon = _coordinate("经度", edit.lon, 180)
    if (lat is None) != (lon is None):
        raise UserError("位置要同时填写纬度和经度，或两项都留空。", field="纬度")
    return {
        "address": clean_text("地址", edit.address, max_chars=_TEXT_LIMITS["address"]),
        "legal_rep": clean_text(
            "法定代表人（负责人）", edit.legal_rep, max_chars=_TEXT_LIMITS["legal_rep"]
        ),
        "contact_name": clean_text("联系人", edit.contact_name, max_chars=50),
        "contact_phone": check_phone(edit.contact_phone),
        "lat": lat,
        "lon": lon,
    }


def edit_unit(ctx: Context, unit_id: str, edit: UnitEdit) -> Done[list[str]]:
    """Store the corrected details; returns the fields that changed (none: nothing written)."""
    values = checked_values(edit)
    with ctx.store.write() as s:
        unit = s.get(Unit, unit_id)
        if unit is None or unit.deleted:
            raise UserError("找不到该单位（可能已在服务器删除），修改未保存。")
        changed = {f: v for f, v in values.items() if getattr(unit, f) != v}
        if not changed:
            return Done([], Changes())
        base = {f: getattr(unit, f) for f in changed}
        queue_unit_patch(s, ctx.clock, unit_id, changed)
        actor = current_user_id(s)
        audit(s, ctx.clock, EDIT_EVENT, "unit", unit_id, actor, {"set": changed, "base": base})
    return Done(list(changed), Changes(units=frozenset({unit_id})))
