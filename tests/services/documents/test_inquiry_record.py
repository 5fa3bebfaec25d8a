"""询问笔录: drafted from the inspection, questions and answers typed live, printed with the
opening notice, a signature strip on every page and the closing line for the interviewee; issued
without a 文号; an unanswered question or a time out of order is refused and changes nothing."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.documents.raster import page_texts
from inspector.domain.errors import UserError
from inspector.services.documents import Draft
from inspector.services.facade import Services
from inspector.store.models import Document, NumberUse
from tests.support.documents import inspection_with_hazards

ANSWER = "我是车间主任，负责粉尘清扫。除尘器的泄爆片去年拆下后一直没有装回，车间每周清扫一次积尘。"


def inquiry(services: Services, questions: int) -> Draft:
    draft = services.documents.draft_from_inspection(
        "inquiry_record", inspection_with_hazards(services)
    )
    draft.party = replace(draft.party, name="赵堃", gender="男", age="46")
    draft.fields["time_to"] = "23:59"
    draft.rows = [{"q": r["q"], "a": "听清楚了。"} for r in draft.rows] + [
        {"q": f"第{n}个问题：除尘系统的泄爆装置是什么时候拆除的？", "a": ANSWER}
        for n in range(1, questions + 1)
    ]
    draft.fields["time_from"] = "00:01"
    return draft


def squeezed(pages: list[str]) -> list[str]:
    return [re.sub(r"\s+", "", p) for p in pages]


def test_a_two_page_inquiry_prints_every_answer_a_strip_on_each_page_and_no_number(
    services: Services,
) -> None:
    draft = inquiry(services, 14)
    assert draft.party.name == "赵堃" and draft.fields["recorder"]  # the second officer records
    assert [r["q"] for r in draft.rows][:2] == [
        "以上告知的内容，你听清楚了吗？",
        "你是否申请执法人员回避？",
    ]
    assert services.documents.problems(draft) == []
    pages = squeezed(page_texts(services.documents.preview(draft)))
    assert len(pages) >= 2
    whole = "".join(pages)
    assert "询问笔录" in pages[0] and "如实回答询问" in pages[0]  # the opening notice
    assert whole.count("答：" + re.sub(r"\s+", "", ANSWER)) == 14
    assert "问：以上告知的内容，你听清楚了吗？" in whole
    for page in pages:  # the interviewee and the inquirer sign every page
        assert "被询问人（签名）" in page and "询问人（签名）" in page
    # the closing line for the interviewee's own hand comes after the last answer
    assert whole.rindex("答：") < whole.index("以上笔录我看过") < whole.rindex("被询问人（签名）")
    assert "〔" not in whole  # no 文号, not even a blank one

    issued = services.documents.issue(draft).value  # no number blocks needed
    assert issued.number == ""
    with services.ctx.store.read() as s:
        doc = s.get(Document, issued.document_id)
        assert doc is not None and doc.status == "issued" and doc.number is None
        assert s.exec(select(NumberUse)).all() == []
    issued_pages = squeezed(page_texts(services.ctx.blobs.read(issued.pdf_sha256)))
    assert "".join(issued_pages).count(re.sub(r"\s+", "", ANSWER)) == 14
    Path("/tmp/inquiry.pdf").write_bytes(services.ctx.blobs.read(issued.pdf_sha256))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.rows.append({"q": "你们单位有多少名员工？", "a": " "}), "尚未记录回答"),
        (lambda d: d.rows.append({"q": "", "a": "有三十多人。"}), "只有回答，没有问题"),
        (lambda d: d.fields.update(time_from="10:30", time_to="10:05"), "结束时间应晚于开始时间"),
        (lambda d: d.fields.update(time_to="十点"), "应写成“时:分”"),
        (lambda d: setattr(d, "rows", []), "还没有记录任何问答"),
    ],
)
def test_an_unfinished_inquiry_is_refused_with_a_chinese_reason_and_nothing_stored(
    services: Services, change: object, message: str
) -> None:
    draft = inquiry(services, 1)
    change(draft)  # type: ignore[operator]
    assert any(message in p for p in services.documents.problems(draft))
    with pytest.raises(UserError, match=message):
        services.documents.issue(draft)
    with services.ctx.store.read() as s:
        assert s.exec(select(Document)).all() == []


def test_an_inquiry_notice_summons_the_party_and_is_numbered(
    services: Services, tmp_path: Path
) -> None:
    from tests.support.documents import load_blocks

    load_blocks(services, tmp_path, "询", 4, 9)
    iid = inspection_with_hazards(services)
    draft = services.documents.draft_from_inspection("inquiry_notice", iid)
    draft.fields["appear_date"] = services.ctx.clock.today().isoformat()  # no time to prepare
    with pytest.raises(UserError, match="接受询问的日期应在今天之后"):
        services.documents.issue(draft)
    with services.ctx.store.read() as s:
        assert s.exec(select(Document)).all() == []
    draft.fields.update(
        appear_place="县应急管理局执法大队", contact="周明", contact_phone="5551234"
    )
    draft = replace(
        draft, fields={**draft.fields, "appear_date": "2099-01-05", "bring": "营业执照复印件"}
    )
    issued = services.documents.issue(draft).value
    assert "应急询" in issued.number and issued.number.endswith("4号")
    text = "".join(squeezed(page_texts(services.ctx.blobs.read(issued.pdf_sha256))))
    assert "询问通知书" in text and "2099年1月5日9时00分到县应急管理局执法大队接受询问调查" in text
    assert "《中华人民共和国安全生产法》第六十五条第一款第（一）项" in text
