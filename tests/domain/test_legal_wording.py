"""The wording findings of the legal review (shared/domain/legal-review.md items 8–19), checked
in the text of the rendered PDFs, and the pure rules behind the penalties (items 4, 5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from inspector.documents.examples import example, with_refusal
from inspector.documents.form_document import render_document
from inspector.documents.raster import page_texts
from inspector.domain.document_rules import reads_as_question
from inspector.domain.document_wording import hearing_basis, hearing_items, intended_penalty
from tests.support.documents import flat_text


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        ("penalty_notice", "当事人陈喆拒绝签收"),
        ("onsite_penalty_unit", "当事人陈喆拒绝签收"),
        ("evidence_notice", "被通知人陈喆拒绝签名"),
        ("review_opinion", "被复查单位负责人陈喆拒绝签名"),
        ("rectification_order", "被检查单位负责人陈喆拒绝签名"),
        ("seizure", "被检查单位负责人陈喆拒绝签名"),
    ],
)
def test_refusal_lines_name_the_role_of_the_kind(kind: str, line: str) -> None:
    text = flat_text(render_document(with_refusal(example(kind))))
    assert line in text
    if kind in ("penalty_notice", "onsite_penalty_unit", "evidence_notice", "review_opinion"):
        assert "被检查单位负责人陈喆" not in text


def test_you_or_your_unit_by_the_party_never_both() -> None:
    unit = flat_text(render_document(example("penalty_notice")))
    assert "拟对你单位作出" in unit and "你（单位）" not in unit
    person = example("penalty_notice")
    person = replace(person, fields={**person.fields, "party_type": "person"})
    text = flat_text(render_document(person))
    assert "现查明，你存在下列行为" in text and "拟对你作出" in text
    assert "你单位" not in text and "你（单位）" not in text
    notice = flat_text(render_document(example("evidence_notice")))
    assert "你单位涉嫌" in notice and "你（单位）" not in notice


def test_the_duty_not_to_move_the_goods_only_when_they_stay_on_site() -> None:
    held = flat_text(render_document(example("evidence_notice")))
    assert "存放于青岚县应急管理局证据保存室，由本机关保管" in held
    assert "不得销毁或者转移" not in held
    data = example("evidence_notice")
    on_site = replace(
        data,
        fields={
            **data.fields,
            "keep_mode": "onsite",
            "keep_onsite": "yes",
            "keep_place": "当事人二号仓库",
        },
    )
    text = flat_text(render_document(on_site))
    assert "存放于当事人二号仓库，由你单位保管。在此期间，你单位不得销毁或者转移上述物品" in text


def test_review_wording_for_items_not_rectified() -> None:
    text = flat_text(render_document(example("review_opinion")))
    assert (
        "未整改完毕，责令你单位于2026年11月28日前整改完毕；逾期仍未整改的，本机关将依照"
        "《中华人民共和国安全生产法》第一百零二条等规定依法处理" in text
    )


def test_seizure_prints_the_partys_address() -> None:
    text = flat_text(render_document(example("seizure")))
    assert "青岚县鑫达家具制造有限公司（地址：青岚县工业园区兴业大道18号）：" in text


def test_the_onsite_penalty_prints_the_notice_given_and_the_answer() -> None:
    text = flat_text(render_document(example("onsite_penalty_person")))
    assert "已当场告知当事人处罚的事实、理由、依据及其陈述、申辩的权利" in text
    assert "当事人陈述、申辩：汽油为自用，即将搬离。经复核，不予采纳。" in text
    data = example("onsite_penalty_unit")
    quiet = replace(data, fields={**data.fields, "statement_outcome": "none", "statement": ""})
    assert "当事人未提出陈述、申辩。" in flat_text(render_document(quiet))


def test_a_number_in_the_service_receipt_is_never_split() -> None:
    pdf = render_document(example("service_receipt"))
    lines = [line.strip() for page in page_texts(pdf) for line in page.splitlines()]
    assert any("（岚）应急责改〔2026〕15号" in line for line in lines)  # whole on one line


def test_an_unnumbered_print_carries_the_draft_mark_on_every_page() -> None:
    data = example("rectification_order")
    many = replace(data, items=data.items * 25, number=None)  # several pages
    pages = page_texts(render_document(many))
    assert len(pages) >= 3
    # the mark is drawn across the page: text extraction may put it between two lines
    assert all("草稿" in p and "（未签发）" in p for p in pages)
    numbered = page_texts(render_document(replace(many, number=data.number)))
    assert not any("草稿" in p for p in numbered)


def test_findings_that_read_as_questions() -> None:
    assert reads_as_question("是否建立并落实粉尘清理制度")
    assert reads_as_question("检查发现不符合：是否建立并落实粉尘清理制度。")
    assert reads_as_question("安全出口畅通？")
    assert not reads_as_question("打磨车间积尘约5厘米，未按制度清扫")


def test_the_hearing_follows_the_amount_and_the_measures() -> None:
    # no provincial figure yet: anything above the 简易程序 limits is offered a hearing
    assert hearing_items({"fine_yuan": "3000"}, False, None, None) == []
    assert hearing_items({"fine_yuan": "3001"}, False, None, None) == [1]
    assert hearing_items({"fine_yuan": "201"}, True, None, None) == [1]
    # with the agency's 较大数额 figures
    assert hearing_items({"fine_yuan": "49999"}, False, 20000, 50000) == []
    assert hearing_items({"fine_yuan": "50000"}, False, 20000, 50000) == [1]
    assert hearing_items({"fine_yuan": "20000"}, True, 20000, 50000) == [1]
    assert hearing_items({"confiscation_yuan": "60000", "m_suspend": "yes"}, False, 1, 50000) == [
        2,
        4,
    ]
    assert hearing_items({"m_revoke": "yes"}, False, None, None) == [3]
    assert (
        hearing_basis([1]) == "《中华人民共和国行政处罚法》第六十三条第一款第（一）项、第六十四条"
    )
    assert hearing_basis([1, 4]).endswith(
        "第六十三条第一款第（一）项、第六十三条第一款第（四）项、第六十四条"
    )
    assert (
        intended_penalty({"warning": "yes", "fine_yuan": "30000", "m_suspend": "yes"})
        == "警告、罚款人民币30000元、责令停产停业"
    )
    assert intended_penalty({}) == ""


def test_today_is_not_used_by_the_wording() -> None:
    # the examples are dated; nothing in the wording depends on the day it is rendered
    assert example("penalty_notice").issued_on == date(2026, 11, 23)
