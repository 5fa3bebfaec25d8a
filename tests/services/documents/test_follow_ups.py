"""The follow-up decisions drafted from an issued document: 先行登记保存证据处理决定书 from a
先保通 (within 7 days, once), 延长查封扣押期限决定书 (once, ≤ 30 days, before the period ends) and
查封扣押处理决定书 from a 查扣 — each drafted, issued and read back from its PDF."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from inspector.domain.errors import UserError
from inspector.services.documents import Draft, IssuedDocument
from inspector.services.facade import Services
from inspector.store.models import Document, NumberUse
from tests.support.clock import FixedClock
from tests.support.documents import (
    inspection_with_blocks,
    issued_seizure,
    issued_text,
)


def issue_clean(services: Services, draft: Draft, series: str) -> str:
    """The text printed by a draft with no problems left, issued under a number of `series`."""
    assert services.documents.problems(draft) == []
    issued = services.documents.issue(draft).value
    assert issued.number is not None and series in issued.number
    return issued_text(services, issued)


def _count(services: Services, kind: str) -> int:
    with services.ctx.store.read() as s:
        return s.exec(select(func.count()).select_from(Document).where(Document.kind == kind)).one()


def _numbers_used(services: Services) -> int:
    with services.ctx.store.read() as s:
        return s.exec(select(func.count()).select_from(NumberUse)).one()


def refused_and_nothing_stored(services: Services, draft: Draft, already: int) -> str:
    """Issuing the draft is refused: no document of its kind is added to the `already` there, no
    number is used. The refusal's message."""
    used = _numbers_used(services)
    with pytest.raises(UserError) as refused:
        services.documents.issue(draft)
    assert _count(services, draft.kind) == already
    assert _numbers_used(services) == used
    return str(refused.value)


def issued_notice(services: Services, tmp_path: Path) -> IssuedDocument:
    """An issued 先行登记保存证据通知书 with two goods on its 清单."""
    iid = inspection_with_blocks(services, tmp_path, "先保通", "先保处")
    draft = services.documents.draft_from_inspection("evidence_notice", iid)
    draft.fields.update(
        suspected="未经许可经营危险化学品",
        keep_mode="agency",
        appear_date=(services.ctx.clock.today() + timedelta(days=5)).isoformat(),
        appear_place="本局执法大队",
    )
    draft.rows = [
        {"name": "工业酒精", "spec": "25升/桶", "quantity": "12桶", "note": "已贴封条"},
        {"name": "销售台账", "spec": "", "quantity": "1本", "note": ""},
    ]
    return services.documents.issue(draft).value


def test_evidence_decision_from_the_notice_decides_each_row(
    services: Services, tmp_path: Path, clock: FixedClock
) -> None:
    notice = issued_notice(services, tmp_path)
    clock.advance(days=3)
    draft = services.documents.draft_from_document("evidence_decision", notice.document_id)
    assert [r["name"] for r in draft.rows] == ["工业酒精", "销售台账"]
    # every row needs its decision
    found = services.documents.problems(draft)
    assert any("清单第1行（工业酒精）请写明处理决定" in p for p in found)
    draft.rows[0]["decision"] = "予以没收"
    draft.rows[1]["decision"] = "作为证据使用"
    text = issue_clean(services, draft, "应急先保处")
    assert f"以{notice.number}《先行登记保存证据通知书》" in text
    assert "对你单位涉嫌未经许可经营危险化学品一案中的有关物品予以先行登记保存" in text
    assert "依据《中华人民共和国行政处罚法》第五十六条的规定" in text
    assert "工业酒精25升/桶12桶予以没收" in text and "销售台账1本作为证据使用" in text
    assert "如果不服本决定，可以依法在60日内向" in text
    # a notice is decided once
    again = services.documents.draft_from_document("evidence_decision", notice.document_id)
    again.fields["outcome"] = "解除先行登记保存并退还"
    assert any("已作出处理决定，不能重复作出" in p for p in services.documents.problems(again))


def test_an_evidence_decision_after_seven_days_is_refused_and_nothing_stored(
    services: Services, tmp_path: Path, clock: FixedClock
) -> None:
    notice = issued_notice(services, tmp_path)
    clock.advance(days=7)  # the seventh day is still in time
    draft = services.documents.draft_from_document("evidence_decision", notice.document_id)
    draft.fields["outcome"] = "解除先行登记保存并退还"
    assert services.documents.problems(draft) == []
    clock.advance(days=1)
    message = refused_and_nothing_stored(services, draft, already=0)
    assert "先行登记保存证据通知书签发已8日" in message
    assert "依照《中华人民共和国行政处罚法》第五十六条的规定" in message
    assert "应当在7日内作出处理决定" in message


def test_seizure_extension_once_by_at_most_thirty_days(
    services: Services, tmp_path: Path, clock: FixedClock
) -> None:
    seizure = issued_seizure(services, tmp_path)
    end = services.ctx.clock.today() + timedelta(days=29)
    clock.advance(days=20)
    draft = services.documents.draft_from_document("seizure_extension", seizure.document_id)
    assert draft.fields["new_end"] == (end + timedelta(days=30)).isoformat()
    assert [r["name"] for r in draft.rows] == ["脉冲布袋除尘器", "砂光机"]
    assert "请填写“延长的理由”。" in services.documents.problems(draft)
    draft.fields["reason"] = "案情复杂，涉案除尘器须委托检测，原期限内不能查清事实"
    draft.fields["new_end"] = (end + timedelta(days=31)).isoformat()
    assert any("延长期限不得超过30日" in p for p in services.documents.problems(draft))
    draft.fields["new_end"] = (end + timedelta(days=30)).isoformat()
    text = issue_clean(services, draft, "应急延期")
    assert f"以{seizure.number}《查封扣押决定书》对你单位的有关场所、设施、财物予以查封" in text
    assert "因案情复杂，涉案除尘器须委托检测，原期限内不能查清事实，经本机关负责人批准" in text
    assert "依据《中华人民共和国行政强制法》第二十五条的规定" in text
    assert "（延长30日）" in text and "脉冲布袋除尘器" in text

    # a second extension of the same 查扣 is refused, and nothing is stored
    second = services.documents.draft_from_document("seizure_extension", seizure.document_id)
    second.fields["reason"] = "仍需检测"
    second.fields["new_end"] = (end + timedelta(days=10)).isoformat()
    message = refused_and_nothing_stored(services, second, already=1)
    assert "该查封扣押已延长过一次期限" in message
    assert "依照《中华人民共和国行政强制法》第二十五条的规定" in message


def test_seizure_extension_is_decided_before_the_period_ends(
    services: Services, tmp_path: Path, clock: FixedClock
) -> None:
    seizure = issued_seizure(services, tmp_path)
    clock.advance(days=30)  # the 30-day period ended yesterday
    draft = services.documents.draft_from_document("seizure_extension", seizure.document_id)
    draft.fields["reason"] = "案情复杂"
    assert any(
        "原查封扣押期限已于" in p and "届满前作出" in p for p in services.documents.problems(draft)
    )


def test_seizure_decision_releases_or_transfers_and_is_made_once(
    services: Services, tmp_path: Path, clock: FixedClock
) -> None:
    seizure = issued_seizure(services, tmp_path)
    clock.advance(days=10)
    draft = services.documents.draft_from_document("seizure_decision", seizure.document_id)
    draft.fields["facts"] = "涉案砂光机系违法生产的非法财物，除尘器已加装泄爆装置"
    draft.rows[0]["decision"] = "解除查封扣押"
    draft.rows[1]["decision"] = "移送有关机关处理"
    assert any("请填写接收移送的机关" in p for p in services.documents.problems(draft))
    draft.fields["receiver"] = "青岚县市场监督管理局"
    text = issue_clean(services, draft, "应急查扣处")
    assert f"以{seizure.number}《查封扣押决定书》" in text
    assert "依据《中华人民共和国行政强制法》第二十七条的规定" in text
    assert "脉冲布袋除尘器DMC-641台解除查封扣押" in text
    assert "砂光机MM52132台移送青岚县市场监督管理局处理" in text
    assert "如果不服本决定，可以依法在60日内向" in text
    # one decision per 查扣: all released again is refused
    again = services.documents.draft_from_document("seizure_decision", seizure.document_id)
    again.fields.update(facts="已整改", outcome="解除查封扣押")
    with pytest.raises(UserError, match="该查封扣押已作出处理决定"):
        services.documents.issue(again)
    assert _count(services, "seizure_decision") == 1
