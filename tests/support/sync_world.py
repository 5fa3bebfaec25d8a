"""A small server world made with the server's own admin functions: one agency, one township
with a grid, three inspectors with 执法证号, units imported from a CSV, checklists published from
forms/. Clients start empty and get all of it by pulling."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import Engine

from inspector.domain import creditcode
from inspector.util.paths import forms_path
from sync.server import admin
from sync.server.db import Agency, take_seq, write_session
from sync.server.unit_sheet import ImportReport

PASSWORD = "field-secret-pw-7"
# cheap hashes for test users (logins verify with the parameters stored in the hash)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
USERS = {"zhang": "张三", "li": "李四", "wang": "王五"}


def code(n: int) -> str:
    """A valid credit code, distinct per n."""
    first17 = f"91360402{n:08d}0"[:17]
    return first17 + creditcode.check_char(first17)


UNITS_CSV_HEADER = "单位名称,统一社会信用代码,地址,乡镇,网格,行业,联系人,联系电话"


def import_unit_rows(engine: Engine, agency: str, path: Path, rows: list[str]) -> ImportReport:
    """The server's unit import of `rows` (CSV lines under `UNITS_CSV_HEADER`), written to `path`."""
    path.write_text("\n".join([UNITS_CSV_HEADER, *rows]) + "\n", "utf-8")
    return admin.import_units(engine, path, agency)


@dataclass
class SeededWorld:
    agency: str
    township: str
    users: dict[str, str]  # username → id
    units: int


def seed_world(engine: Engine, workdir: Path, n_units: int = 5) -> SeededWorld:
    agency = admin.create_agency(
        engine, "柴桑区应急管理局", "柴", agency_id="agency-1", county="柴桑区"
    )
    township = admin.create_township(engine, agency, "沙河街道", county="柴桑区")
    admin.create_grid(engine, township, "第一网格")
    users = {}
    for n, (username, name) in enumerate(USERS.items(), start=1):
        users[username] = admin.create_user(
            engine,
            username=username,
            password=PASSWORD,
            name=name,
            agency_id=agency,
            townships=["沙河街道"],
            cert_no=f"36040200{n:04d}",
            hasher=FAST_HASHER,
        )
    rows = [
        f"沙河机械厂{n},{code(n)},沙河街道工业路{n}号,沙河街道,第一网格,机械,赵六,0792-100000{n}"
        for n in range(1, n_units + 1)
    ]
    report = import_unit_rows(engine, agency, workdir / "units.csv", rows)
    assert report.imported == n_units, report.lines()
    admin.publish_checklists(engine, forms_path("checklists"), agency)
    return SeededWorld(agency, township, users, n_units)


ENFORCEMENT_SETTINGS = {
    "review_government": "柴桑区人民政府",
    "court": "柴桑区人民法院",
    "address": "柴桑区沙河街道府前路1号",
    "contact": "周明",
    "phone": "0792-8881234",
    "postcode": "332100",
    "bank_name": "中国农业银行柴桑区支行",
    "bank_account": "14-380101040000001",
}


def enable_enforcement(engine: Engine, agency_id: str) -> None:
    """The agency settings its 执法文书 print (复议 government, court, address, bank for fines),
    written as an administrator would, so they reach the devices by pull."""
    with write_session(engine) as s:
        agency = s.get(Agency, agency_id)
        assert agency is not None
        agency.data = {**agency.data, **ENFORCEMENT_SETTINGS}
        agency.version += 1
        agency.seq = take_seq(s)
        s.add(agency)
