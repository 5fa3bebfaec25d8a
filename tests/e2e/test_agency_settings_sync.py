"""Agency settings set with `inspector-server set-agency` reach the devices by sync and their
documents use them; bad input gets a Chinese message and changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from inspector.domain.errors import UserError
from inspector.services.setting_rows import current_agency_id
from inspector.store.models import Agency
from sync.server import cli
from sync.server.db import Agency as ServerAgency
from tests.support.documents import issue_from_inspection, issued_text, load_blocks
from tests.support.sync_devices import Device, Server
from tests.support.sync_steps import online_device, record_at_first_unit

TOWNSHIP = "柴桑区沙河街道办事处"
BUREAU = "柴桑区应急管理局"
SETTINGS = [
    "--name", TOWNSHIP,
    "--short-name", "沙河",
    "--power", "委托",
    "--delegator", BUREAU,
    "--delegator-short-name", "柴",
    "--review-government", "柴桑区人民政府",
    "--court", "九江市濂溪区人民法院",
    "--bank-name", "中国农业银行柴桑区支行",
    "--bank-account", "14-380101040000001",
    "--granted", "燃气",
    "--large-fine-person", "20000",
    "--large-fine-unit", "50000",
]  # fmt: skip


def run_command(db_url: str, *args: str) -> int:
    return cli.main([args[0], "--db", db_url, *args[1:]])


def device_agency(dev: Device) -> Agency:
    with dev.services.ctx.store.read() as s:
        row = s.get(Agency, current_agency_id(s))
        assert row is not None
        s.expunge(row)
        return row


def server_row(server: Server) -> tuple[int, dict[str, Any], str]:
    with Session(server.engine) as s:
        row = s.get(ServerAgency, server.agency)
        assert row is not None
        return row.seq, dict(row.data), row.name


def test_settings_set_with_the_command_reach_the_device_and_its_documents(
    tmp_path: Path, server: Server, make_device: Any, db_url: str, capsys: Any
) -> None:
    dev = online_device(make_device, "device-s")
    before = device_agency(dev)
    assert before.name == BUREAU and before.power_kind == ""

    assert run_command(db_url, "set-agency", "--agency", server.agency, *SETTINGS) == 0
    out = capsys.readouterr().out
    assert "机关设置已保存" in out and "执法权来源：受委托" in out

    report = dev.sync.run()
    assert report.ok, report.error
    agency = device_agency(dev)
    assert (agency.name, agency.short_name) == (TOWNSHIP, "沙河")
    assert agency.power_kind == "entrusted" and agency.has_enforcement_power
    assert (agency.delegator_name, agency.delegator_short_name) == (BUREAU, "柴")
    assert (agency.review_government, agency.court) == ("柴桑区人民政府", "九江市濂溪区人民法院")
    assert (agency.bank_name, agency.bank_account) == (
        "中国农业银行柴桑区支行",
        "14-380101040000001",
    )
    assert json.loads(agency.granted_authorities) == ["燃气"]
    assert (agency.large_fine_person_yuan, agency.large_fine_unit_yuan) == (20000, 50000)

    # the device's documents use them
    iid, _hid, _pid = record_at_first_unit(dev, tmp_path, "s.jpg", (9, 9, 9))
    load_blocks(dev.services, tmp_path, "责改")
    docs = dev.services.documents
    order = issue_from_inspection(dev.services, "rectification_order", iid)
    assert order.number.startswith("（柴）应急责改")
    text = issued_text(dev.services, order)
    assert text.startswith(BUREAU) and f"{BUREAU}（印章）" in text
    assert "向柴桑区人民政府申请行政复议" in text and "向九江市濂溪区人民法院提起行政诉讼" in text
    assert f"本文书由{TOWNSHIP}受{BUREAU}委托" in text
    seizure = docs.draft_from_inspection("seizure", iid)
    assert any("《中华人民共和国行政强制法》第十七条" in p for p in docs.problems(seizure))

    # a threshold cleared and the power changed to 授权: pulled again, in effect at once
    assert (
        run_command(
            db_url,
            "set-agency",
            "--agency",
            server.agency,
            "--large-fine-person",
            "none",
            "--power",
            "authorized",
        )
        == 0
    )
    assert dev.sync.run().ok
    agency = device_agency(dev)
    assert agency.large_fine_person_yuan is None and agency.large_fine_unit_yuan == 50000
    assert agency.power_kind == "authorized" and agency.has_enforcement_power
    seizure = docs.draft_from_inspection("seizure", iid)
    assert not any("第十七条" in p for p in docs.problems(seizure))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--power", "委托"], "须填写委托机关全称"),
        (["--power", "delegated"], "应为 own（本机关）、authorized（授权）、entrusted（委托）"),
        (["--large-fine-unit", "五万"], "应为正整数（元），如 20000；未设置请写 none"),
        (["--granted", "消防"], "“消防”不是已知的职权类别"),
        (["--granted", "应急"], "不必列入“应急”"),
        (["--numbers-per-case", "maybe"], "应为 yes（是）或 no（否）"),
        (["--postcode", "33210"], "应为6位数字"),
        (["--large-fine-person", "60000", "--large-fine-unit", "50000"], "不应低于对个人的标准"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_changes_nothing(
    server: Server, db_url: str, capsys: Any, args: list[str], message: str
) -> None:
    before = server_row(server)
    rc = run_command(db_url, "set-agency", "--agency", server.agency, "--court", "某法院", *args)
    err = capsys.readouterr().err
    assert rc == 2
    assert "机关设置未保存" in err and message in err
    assert server_row(server) == before  # nothing written, no new change number


def test_unknown_agency_and_empty_command(server: Server, db_url: str, capsys: Any) -> None:
    assert run_command(db_url, "set-agency", "--agency", "nope", "--court", "某法院") == 2
    assert "没有机关 nope。" in capsys.readouterr().err
    assert run_command(db_url, "set-agency", "--agency", server.agency) == 2
    assert "请至少给出一项要设置的内容" in capsys.readouterr().err


def test_an_entrusted_device_refuses_before_any_number_is_taken(
    tmp_path: Path, server: Server, make_device: Any, db_url: str
) -> None:
    """The refusal comes before the number: the block's serials stay untouched."""
    assert run_command(db_url, "set-agency", "--agency", server.agency, *SETTINGS) == 0
    dev = online_device(make_device, "device-t")
    iid, _h, _p = record_at_first_unit(dev, tmp_path, "t.jpg", (1, 2, 3))
    load_blocks(dev.services, tmp_path, "查扣")
    draft = dev.services.documents.draft_from_inspection("seizure", iid)
    with pytest.raises(UserError, match="行政强制措施权不得委托"):
        dev.services.documents.issue(draft)
    state = dev.services.numbering.state(device_agency(dev).id, "查扣", dev.clock.today().year)
    assert state.remaining == 50


def test_the_installed_command_refuses_in_chinese_without_a_traceback(
    server: Server, db_url: str
) -> None:
    """The real `inspector-server` process, as an administrator runs it."""
    before = server_row(server)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "set-agency", "--db", db_url,
         "--agency", server.agency, "--power", "委托", "--large-fine-unit", "五万"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "机关设置未保存，请改正：" in done.stderr
    assert "须填写委托机关全称" in done.stderr and "应为正整数（元）" in done.stderr
    assert "Traceback" not in done.stderr
    assert server_row(server) == before
    done = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "set-agency", "--db", db_url,
         "--agency", server.agency, "--court", "柴桑区人民法院"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "行政诉讼法院：柴桑区人民法院" in done.stdout
    assert server_row(server)[0] > before[0]  # a new change number: devices pull it
