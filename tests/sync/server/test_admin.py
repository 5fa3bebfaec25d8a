"""Admin commands: the unit import (a per-row report, nothing half-imported), users, checklists and
number blocks that never overlap."""

from __future__ import annotations

import io
import itertools
import threading
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from sync.server import admin, cli
from sync.server.db import NumberBlock, Unit
from tests.support.server_api import Api
from tests.support.server_world import ROOT, code

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def messy_xlsx(path: Path) -> Path:
    bad_check = code(203)[:17] + ("0" if code(203)[17] != "0" else "1")
    wb = Workbook()
    ws = wb.active
    ws.append(["柴桑区生产经营单位名单（2026年）"])  # a title row above the header
    ws.append([])
    ws.append(
        [
            " 企业名称 ",
            "统一社会信用代码*",
            "乡镇（街道）",
            "所属网格",
            "行业类别",
            "风险分级",
            "法人代表",
            "联系电话",
            "单位地址",
        ]
    )
    rows = [
        # 4: good — spaces around the name, a full-width code, a grid, a phone typed as a number
        [
            "  九江市某某机械厂 ",
            code(201).translate(FULL_WIDTH),
            "沙河街道",
            "第一网格",
            "机械",
            "黄",
            "张三",
            13800000000,
            "沙河路1号",
        ],
        [None, None, None, None, None, None, None, None, None],  # 5: blank
        # 6: good — a full-width space before the township, risk written out
        [
            "港口五金店",
            code(202),
            "\u3000港口街镇",
            "",
            "商贸",
            "较大风险",
            "李四",
            "０７９２－１２３４５６７",
            "",
        ],
        ["校验位错的厂", bad_check, "沙河街道", "", "", "", "", "", ""],  # 7
        ["外地单位", code(205), "不存在镇", "", "", "", "", "", ""],  # 8
        ["重复一", code(204), "沙河街道", "", "", "", "", "", ""],  # 9
        ["重复二", code(204), "港口街镇", "", "", "", "", "", ""],  # 10
        ["库里已有", code(1), "沙河街道", "", "", "", "", "", ""],  # 11
        ["没有代码的小店", "", "沙河街道", "", "", "蓝", "", "", ""],  # 12: good
        ["颜色错", code(206), "沙河街道", "", "", "紫", "", "", ""],  # 13
        ["", code(207), "沙河街道", "", "", "", "", "", ""],  # 14: no name
        ["网格错", code(208), "港口街镇", "第一网格", "", "", "", "", ""],  # 15
    ]
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _units(engine: Engine) -> set[str]:
    with Session(engine) as s:
        return {u.data["name"] for u in s.exec(select(Unit))}


def test_messy_xlsx_nothing_imported_then_skip_bad(api: Api, tmp_path: Path) -> None:
    engine = api.engine
    path = messy_xlsx(tmp_path / "units.xlsx")
    before = _units(engine)
    report = admin.import_units(engine, path, api.world.agency)
    assert report.imported == 0
    assert _units(engine) == before
    reasons = {r.row: "；".join(r.reasons) for r in report.rejected}
    assert set(reasons) == {7, 8, 9, 10, 11, 13, 14, 15}
    assert "校验位" in reasons[7]
    assert "不存在镇" in reasons[8] and "名单" in reasons[8]
    assert "与第10行重复" in reasons[9] and "与第9行重复" in reasons[10]
    assert "已登记为“单位1”" in reasons[11]
    assert "风险等级“紫”无法识别" in reasons[13]
    assert "单位名称为空" in reasons[14]
    assert "网格“第一网格”不属于“港口街镇”" in reasons[15]
    lines = report.lines()
    assert lines[-1] == "共11行，合格3行，拒绝8行，已导入0行。"

    report = admin.import_units(engine, path, api.world.agency, skip_bad=True)
    assert report.imported == 3
    added = _units(engine) - before
    assert added == {"九江市某某机械厂", "港口五金店", "没有代码的小店"}
    with Session(engine) as s:
        shop = s.exec(select(Unit).where(Unit.credit_code == code(201))).one()
        assert shop.grid_id == api.world.grid_a1 and shop.township_id == api.world.township_a
        assert shop.data["contact_phone"] == "13800000000"
        assert shop.data["risk_colour"] == "yellow"
        hw = s.exec(select(Unit).where(Unit.credit_code == code(202))).one()
        assert hw.township_id == api.world.township_b
        assert (hw.data["risk_colour"], hw.data["contact_phone"]) == ("orange", "0792-1234567")
    # the new units come down to the right inspectors, each once
    a = api.login("insp_a")
    names = [c["data"]["name"] for c in api.pull_all(a) if c["entity"] == "unit"]
    assert sorted(names) == sorted(
        ["单位1", "单位2", "单位3", "九江市某某机械厂", "没有代码的小店"]
    )
    # importing the same file again: the good rows are now duplicates of the database
    again = admin.import_units(engine, path, api.world.agency)
    assert {1 for r in again.rejected if "已登记" in "".join(r.reasons)}


def test_import_cli_and_gbk_csv(
    api: Api, tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = messy_xlsx(tmp_path / "units.xlsx")
    args = ["import-units", str(path), "--agency", api.world.agency, "--db", db_url]
    assert cli.main(args) == 1
    out = capsys.readouterr().out
    assert "第7行（校验位错的厂）：统一社会信用代码校验位不符" in out
    assert "未导入任何单位" in out
    assert cli.main([*args, "--skip-bad"]) == 0
    assert "已导入3行" in capsys.readouterr().out
    csv_path = tmp_path / "units.csv"
    csv_path.write_bytes(
        f"单位名称,统一社会信用代码,乡镇\r\n甲厂,{code(301)},沙河街道\r\n乙厂,{code(302)},港口街镇\r\n".encode(
            "gb18030"
        )
    )
    assert (
        cli.main(["import-units", str(csv_path), "--agency", api.world.agency, "--db", db_url]) == 0
    )
    assert {"甲厂", "乙厂"} <= _units(api.engine)
    # a file without the columns we need is refused as a whole
    csv_path.write_text("名称,电话\r\n甲,1\r\n", "utf-8")
    assert (
        cli.main(["import-units", str(csv_path), "--agency", api.world.agency, "--db", db_url]) == 2
    )
    assert "乡镇" in capsys.readouterr().err


def test_create_user_password_from_stdin_or_file(
    api: Api,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("stdin-password-1\n"))
    base = ["create-user", "--db", db_url, "--agency", api.world.agency, "--name", "孙八"]
    assert cli.main([*base, "--username", "sun", "--township", "沙河街道"]) == 0
    pw_file = tmp_path / "pw.txt"
    pw_file.write_text("file-password-1\n", "utf-8")
    assert (
        cli.main([*base, "--username", "zhou", "--password-file", str(pw_file), "--role", "admin"])
        == 0
    )
    assert cli.main([*base, "--username", "zhou", "--password-file", str(pw_file)]) == 2
    assert "已被使用" in capsys.readouterr().err
    for user, pw in (("sun", "stdin-password-1"), ("zhou", "file-password-1")):
        r = api.c.post(
            "/auth/login", json={"username": user, "password": pw, "device_id": "dev-12345"}
        )
        assert r.status_code == 200, user


def test_publish_checklists(api: Api) -> None:
    first = admin.publish_checklists(api.engine, ROOT / "forms" / "checklists")
    assert first and {what for _, _, what in first} == {"新增"}
    again = admin.publish_checklists(api.engine, ROOT / "forms" / "checklists")
    assert {what for _, _, what in again} == {"未变"}
    a = api.login("insp_a")
    lists = [c for c in api.pull_all(a) if c["entity"] == "checklist"]
    assert len(lists) == len(first)
    items = lists[0]["data"]["items"]
    assert items and all(i["id"] and i["content"] for i in items)
    assert [i["seq"] for i in items] == list(range(1, len(items) + 1))
    # devices get printed citations (from the registry), the authority and the finding
    assert all(i["legal_basis"].startswith("《") and i["authority"] and i["finding"] for i in items)


def test_issue_blocks_never_overlap(
    api: Api, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ag = api.world.agency
    results: list[admin.IssuedBlock] = []
    lock = threading.Lock()

    def issue(device: str) -> None:
        for _ in range(3):
            got = admin.issue_blocks(
                api.engine, agency_id=ag, device_id=device, series="责改", year=2026, count=50
            )
            with lock:
                results.extend(got)

    threads = [threading.Thread(target=issue, args=(f"dev-{i:05d}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (
        cli.main(
            [
                "issue-blocks",
                "--db",
                db_url,
                "--agency",
                ag,
                "--device",
                "dev-cli-01",
                "--series",
                "责改",
                "--year",
                "2026",
                "--count",
                "50",
                "--blocks",
                "2",
            ]
        )
        == 0
    )
    assert "责改 2026 601-650" in capsys.readouterr().out
    # another series or year numbers from 1 again
    [other] = admin.issue_blocks(
        api.engine, agency_id=ag, device_id="d", series="询问", year=2026, count=10
    )
    assert (other.first, other.last) == (1, 10)
    with Session(api.engine) as s:
        blocks = s.exec(
            select(NumberBlock).where(NumberBlock.series == "责改", NumberBlock.year == 2026)
        ).all()
    spans = sorted((b.first, b.last) for b in blocks)
    assert len(spans) == 14
    assert spans[0][0] == 1
    for (_f1, l1), (f2, _l2) in itertools.pairwise(spans):
        assert f2 == l1 + 1  # contiguous, never overlapping
    with pytest.raises(admin.AdminError):
        admin.issue_blocks(
            api.engine, agency_id=ag, device_id="d", series="责改", year=2026, count=0
        )
