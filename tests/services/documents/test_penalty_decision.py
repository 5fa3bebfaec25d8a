"""The 行政处罚决定书（一般程序）: drafted from an issued 罚告 with its penalty copied, refused while
the 陈述申辩 and hearing periods run, and printing the payment, surcharge and rights."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.domain.errors import UserError
from inspector.services.facade import Services
from tests.support.clock import FixedClock
from tests.support.documents import (
    flat_text,
    inspection_with_blocks,
    issue_from_inspection,
    issued_text,
    notice_draft,
)


def issued_notice(services: Services, tmp_path: Path, fine: str = "30000") -> str:
    iid = inspection_with_blocks(services, tmp_path, "罚告", "罚")
    return services.documents.issue(notice_draft(services, iid, fine_yuan=fine)).value.document_id


def test_the_decision_waits_for_the_statement_and_hearing_periods(
    services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    notice = issued_notice(services, tmp_path)
    draft = services.documents.draft_from_document("penalty_decision", notice)
    # the notice's penalty and provisions are carried over, and its forced hearing
    assert draft.fields["fine_yuan"] == "30000"
    assert draft.fields["applied"] == "《中华人民共和国安全生产法》第一百零五条"
    assert draft.fields["hearing"] == "yes" and draft.refers_to_id == notice
    found = services.documents.problems(draft)
    assert any(p.startswith("行政处罚告知书的陈述、申辩期限至") for p in found), found
    assert any(p.startswith("要求听证的期限至") for p in found), found
    with pytest.raises(UserError, match="期满前不能作出处罚决定"):
        services.documents.issue(draft)
    # a written statement ends the first wait, not the hearing's
    draft.fields.update(
        statement_in_writing="yes", statement_outcome="rejected", statement="泄爆装置已订购"
    )
    found = services.documents.problems(draft)
    assert not any(p.startswith("行政处罚告知书的陈述") for p in found)
    assert any(p.startswith("要求听证的期限至") for p in found)
    draft.fields["hearing_outcome"] = "requested"
    assert "当事人要求听证的，须依法举行听证后方可作出处罚决定。" in (
        services.documents.problems(draft)
    )
    draft.fields["hearing_outcome"] = "not_requested"
    clock.advance(days=6)
    draft.fields["hearing"] = ""  # the offered hearing cannot be ticked away
    assert services.documents.problems(draft) == [
        "所依据的行政处罚告知书已告知听证权利，处罚决定书不能取消“已告知听证权利”。"
    ]
    draft.fields["hearing"] = "yes"
    assert services.documents.problems(draft) == []
    issued = services.documents.issue(draft).value
    assert "应急罚〔" in issued.number
    text = issued_text(services, issued)
    for expected in (
        "行政处罚决定书",
        "向你单位送达了《行政处罚告知书》",
        "当事人在规定期限内提出陈述、申辩：泄爆装置已订购。经复核，本机关不予采纳。",
        "当事人在规定期限内未要求听证。",
        "决定对你单位给予罚款人民币30000元的行政处罚。",
        "罚款自收到本决定书之日起15日内缴至",
        "每日按罚款数额的3%加处罚款，加处罚款的数额不超过罚款本数。",
        "60日内向",
    ):
        assert expected in text, expected


def test_without_a_hearing_the_decision_waits_three_days(
    services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    notice = issued_notice(services, tmp_path, fine="2000")
    draft = services.documents.draft_from_document("penalty_decision", notice)
    assert draft.fields["hearing"] == ""
    clock.advance(days=3)
    assert any("陈述、申辩期限至" in p for p in services.documents.problems(draft))
    clock.advance(days=1)
    assert services.documents.problems(draft) == []
    text = flat_text(services.documents.preview(draft))
    assert "听证" not in text and "罚款人民币2000元" in text


def test_a_decision_needs_an_issued_penalty_notice(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_blocks(services, tmp_path, "责改")
    order = issue_from_inspection(services, "rectification_order", iid)
    with pytest.raises(UserError, match="须依据已签发的行政处罚告知书"):
        services.documents.draft_from_document("penalty_decision", order.document_id)
