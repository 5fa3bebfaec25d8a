"""A small world on the reference server: two agencies, townships, a grid, units and users."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import Engine

from inspector.domain import creditcode
from inspector.util.ids import uuid7
from sync.server import admin
from sync.server.db import Unit, take_seq, write_session

ROOT = Path(__file__).resolve().parents[2]


PASSWORD = "correct-horse-1"


# cheap hashes for test users (logins verify with the parameters stored in the hash)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


# -- a small world ------------------------------------------------------------------------------------
def code(n: int) -> str:
    """A valid credit code, distinct per n."""
    first17 = f"91360402{n:08d}0"
    first17 = first17[:17]
    return first17 + creditcode.check_char(first17)


@dataclass
class World:
    agency: str
    other_agency: str
    township_a: str
    township_b: str
    grid_a1: str
    units_a: list[str]
    units_b: list[str]
    unit_other: str
    users: dict[str, str] = field(default_factory=dict)  # username → id


def seed(engine: Engine) -> World:
    ag = admin.create_agency(engine, "柴桑区应急管理局", "柴", agency_id="agency-1")
    other = admin.create_agency(engine, "濂溪区应急管理局", "濂", agency_id="agency-2")
    ta = admin.create_township(engine, ag, "沙河街道")
    tb = admin.create_township(engine, ag, "港口街镇")
    to = admin.create_township(engine, other, "十里街道")
    g1 = admin.create_grid(engine, ta, "第一网格")
    w = World(ag, other, ta, tb, g1, [], [], "")
    n = 0
    with write_session(engine) as s:
        for township, bucket, agency in ((ta, w.units_a, ag), (tb, w.units_b, ag)):
            for i in range(3):
                n += 1
                uid = uuid7()
                data = {
                    "name": f"单位{n}",
                    "credit_code": code(n),
                    "township_id": township,
                    "grid_id": g1 if township == ta and i == 0 else None,
                    "address": f"地址{n}",
                    "contact_phone": "0792-0000000",
                    "contact_name": "王五",
                    "legal_rep": "赵六",
                }
                s.add(
                    Unit(
                        id=uid,
                        agency_id=agency,
                        township_id=township,
                        grid_id=data["grid_id"],
                        credit_code=data["credit_code"],
                        data=data,
                        seq=take_seq(s),
                    )
                )
                bucket.append(uid)
        w.unit_other = uuid7()
        s.add(
            Unit(
                id=w.unit_other,
                agency_id=other,
                township_id=to,
                credit_code=code(99),
                data={"name": "外区单位", "township_id": to, "credit_code": code(99)},
                seq=take_seq(s),
            )
        )
    for username, kw in {
        "insp_a": {"townships": ["沙河街道"], "agency_id": ag},
        "insp_a2": {"townships": ["沙河街道"], "agency_id": ag},
        "insp_b": {"townships": ["港口街镇"], "agency_id": ag},
        "grid_a": {"grids": [g1], "agency_id": ag, "role": "grid_worker"},
        "admin": {"agency_id": ag, "role": "admin"},
        "other": {"agency_id": other, "agency_wide": True},
    }.items():
        w.users[username] = admin.create_user(
            engine,
            username=username,
            password=PASSWORD,
            name=username,
            hasher=FAST_HASHER,
            **kw,
        )
    return w
