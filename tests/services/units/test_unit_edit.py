"""修改单位信息 as a service: checked in Chinese, stored as one 3-way patch op per unsent edit, each
edit an audit event; rare characters kept as typed."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from inspector.domain.errors import UserError
from inspector.services.audit.verify import verify
from inspector.services.facade import Services
from inspector.services.units.field_edit import UnitEdit, check_phone
from inspector.store.models import AuditEvent, Outbox, Unit


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        (" 138-1234-5678 ", "138-1234-5678"),
        ("+86 138 1234 5678", "+86 138 1234 5678"),
        ("0731-84123456", "0731-84123456"),
        ("84123456", "84123456"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width, from a Chinese input method
        ("", ""),
    ],
)
def test_phone_numbers_people_write_are_accepted(typed: str, stored: str) -> None:
    assert check_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1381234567", "手机号码应为 11 位数字，现在是 10 位。请核对后重新填写。"),
        ("138123456789", "手机号码应为 11 位数字，现在是 12 位。请核对后重新填写。"),
        ("84123", "联系电话位数不对（5 位）：固定电话连区号应为 7～12 位数字。"),
        ("0731-8412345678", "联系电话位数不对（14 位）：固定电话连区号应为 7～12 位数字。"),
        ("王先生", "联系电话只能填写数字（可用“-”分隔区号），例如 13812345678 或 0731-84123456。"),
    ],
)
def test_wrong_phone_numbers_are_refused_in_chinese(typed: str, message: str) -> None:
    with pytest.raises(UserError) as refused:
        check_phone(typed)
    assert refused.value.message == message


def unit_of(services: Services) -> Unit:
    with services.ctx.store.read() as s:
        unit = s.exec(select(Unit).order_by(Unit.sn)).first()
        assert unit is not None
        return unit


def edit(unit: Unit, **changes: str) -> UnitEdit:
    values = {
        "address": unit.address,
        "legal_rep": unit.legal_rep,
        "contact_name": unit.contact_name,
        "contact_phone": unit.contact_phone,
        "lat": "" if unit.lat is None else str(unit.lat),
        "lon": "" if unit.lon is None else str(unit.lon),
    }
    return UnitEdit(**{**values, **changes})


def test_two_edits_before_a_sync_are_one_patch_and_two_audit_events(services: Services) -> None:
    unit = unit_of(services)
    first = services.units.edit(unit.id, edit(unit, legal_rep="张堃喆𠀀"))
    fields, changes = first.value, first.changes
    assert fields == ["legal_rep"] and changes.units == {unit.id}
    fields = services.units.edit(
        unit.id,
        edit(unit, legal_rep="张堃喆𠀀", address="青岚县𠀀路 8 号", contact_phone="13800000001"),
    ).value
    assert sorted(fields) == ["address", "contact_phone"]
    assert services.units.detail(unit.id).unit["legal_rep"] == "张堃喆𠀀"
    with services.ctx.store.read() as s:
        [op] = s.exec(select(Outbox).where(Outbox.entity_id == unit.id)).all()
        events = s.exec(select(AuditEvent).where(AuditEvent.kind == "unit.edited")).all()
    payload = json.loads(op.payload)
    assert op.kind == "patch"
    assert payload["set"] == {
        "legal_rep": "张堃喆𠀀",
        "address": "青岚县𠀀路 8 号",
        "contact_phone": "13800000001",
    }
    assert payload["base"]["legal_rep"] == unit.legal_rep  # what the server is to merge against
    assert [json.loads(e.payload)["base"] for e in events] == [
        {"legal_rep": unit.legal_rep},
        {"address": unit.address, "contact_phone": unit.contact_phone},
    ]
    assert verify(services.ctx).ok

    # nothing changed: nothing written
    unchanged = services.units.edit(unit.id, edit(unit_of(services)))
    assert unchanged.value == [] and unchanged.changes.empty
    with pytest.raises(UserError, match="经度应在 -180 到 180 度之间"):
        services.units.edit(unit.id, edit(unit, lat="28.1", lon="190"))
    with pytest.raises(UserError, match="纬度应为数字"):
        services.units.edit(unit.id, edit(unit, lat="北纬28度", lon="112.9"))
