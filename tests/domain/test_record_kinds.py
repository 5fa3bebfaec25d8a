"""Every kind of record the outbox and the sync contract know, every audit event the code writes and
every network failure has a Chinese name; an unknown one is never said as its code."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import httpx

from inspector.domain.hazard_loop import HazardStep
from inspector.domain.record_kinds import (
    AUDIT_EVENT_NAMES,
    RECORD_NAMES,
    event_name,
    network_problem,
    record_name,
)
from inspector.store.split import SPLIT_EVENT
from sync.contract import DEVICE_ENTITIES, PARENT_KEYS, PULLED_ENTITIES, SHARED_ENTITIES

ROOT = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"^[\u4e00-\u9fff（）、·\s]+$")


def assert_named_in_chinese(
    kinds: Iterable[str], names: Mapping[str, str], name_of: Callable[[str], str]
) -> None:
    """Each kind has its own entry in `names`, and `name_of` says it in Chinese."""
    for kind in sorted(kinds):
        assert kind in names, kind
        assert CHINESE.match(name_of(kind)), kind


def _source() -> str:
    return "\n".join(p.read_text("utf-8") for p in (ROOT / "inspector").rglob("*.py"))


def test_every_kind_the_contract_and_the_outbox_know_has_a_chinese_name() -> None:
    parents = {kind for keys in PARENT_KEYS.values() for _key, kind in keys}
    queued = set(re.findall(r'queue\(\s*\w+,\s*[\w.]+,\s*"([a-z_]+)"', _source()))
    assert queued >= {"hazard", "hazardevent", "photo", "owntask"}  # the scan finds the calls
    kinds = {*DEVICE_ENTITIES, *SHARED_ENTITIES, *PULLED_ENTITIES, *PARENT_KEYS, *parents, *queued}
    assert_named_in_chinese(kinds, RECORD_NAMES, record_name)
    assert record_name("owntask") == "自行安排的任务"
    assert record_name("hazardreport") == "隐患上报"
    assert record_name("nosuchkind") == "记录"


def test_every_audit_event_the_code_writes_has_a_chinese_name() -> None:
    # every "record.verb" literal in the code (audit(...) calls, `kind = …`, helpers, constants)
    prefixes = "inspection|item|hazard|photo|document|numbers|patrol|report|task|unit|store"
    literals = set(re.findall(rf'"((?:{prefixes})\.[a-z_]+)"', _source()))
    not_events = {"id", "pdf", "json", "png", "jpg", "xlsx", "db", "tmp"}  # columns, file names
    written = {k for k in literals if k.partition(".")[2] not in not_events}
    written |= {f"hazard.{step.value}" for step in HazardStep} | {SPLIT_EVENT}
    assert {"document.issued", "patrol.started", "report.filed", "document.printed"} <= written
    assert_named_in_chinese(written, AUDIT_EVENT_NAMES, event_name)
    assert event_name("document.issued") == "签发文书"
    assert event_name("hazard.closed") == "隐患销号"
    assert event_name("photo.unheard_of") == "照片的变更"


def test_network_failures_are_said_in_words() -> None:
    request = httpx.Request("GET", "https://sync.example/")
    assert network_problem(httpx.ConnectError("refused", request=request)) == "连不上服务器"
    assert network_problem(httpx.ReadTimeout("slow", request=request)) == "服务器长时间没有回应"
    assert network_problem(OSError("x")) == "网络出错"
    for cls in (httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ProxyError):
        said = network_problem(cls("x", request=request))
        assert CHINESE.match(said), cls.__name__
