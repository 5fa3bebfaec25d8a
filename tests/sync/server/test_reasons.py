"""The reason codes of a push answer are one Literal (sync.contract.Reason): the server answers
with nothing else, and the client says each of them in Chinese."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from inspector.services.sync.engine import REASONS, reason_text
from sync.contract import REASON_CODES, reason

SERVER = Path(__file__).resolve().parents[3] / "sync" / "server"


def answered_codes() -> set[str]:
    """Every reason code written as a literal in the server's answers (`answer(op, status,
    code, …)`, `StepRefused(code)`)."""
    codes: set[str] = set()
    for path in SERVER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            at = {"answer": 2, "StepRefused": 0}.get(node.func.id)
            if at is None or len(node.args) <= at:
                continue
            arg = node.args[at]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                codes.add(arg.value)
    return codes


def test_the_server_answers_only_codes_of_the_contract() -> None:
    found = answered_codes()
    assert {"out_of_scope", "missing_parent", "forbidden", "not_assignee"} <= found
    assert found <= set(REASON_CODES)


def test_every_reason_the_server_can_answer_has_a_chinese_text_on_the_client() -> None:
    assert set(REASONS) == set(REASON_CODES)
    for code in REASON_CODES:
        # as sent, with a field named, and as a duplicate's stored first answer
        for wire in (reason(code), reason(code, "contact_phone"), f"rejected:{reason(code)}"):
            text = reason_text(wire)
            assert text, wire
            assert not re.search(r"[A-Za-z]", text), (wire, text)
            assert "服务器未接受" not in text, (wire, text)
