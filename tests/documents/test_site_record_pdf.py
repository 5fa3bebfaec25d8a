"""The 现场检查记录 PDF: content, embedded fonts, page size, pagination, blanks."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pypdfium2
import pytest

from inspector.documents.model import CheckedItem, Finding, Officer, SiteRecordData
from inspector.documents.site_record import load_template, render_site_record

OPENING = (
    "我们是柴桑区应急管理局的行政执法人员张建国、李敏，证件号码为36040219001、36040219017，"
    "这是我们的证件。现依法对你单位进行现场检查，请予以配合。"
)

FINDINGS = [
    Finding(
        description="喷漆房内使用非防爆型照明灯具和电气开关",
        grade_label="重大隐患",
        legal_basis="《中华人民共和国安全生产法》第一百零二条",
        measure="停止喷漆作业，更换为防爆型灯具和开关，经检测合格后方可恢复作业",
        deadline=None,
        location="二号车间喷漆房",
        photo_count=3,
    ),
    Finding(
        description="冲床未安装光电保护装置，双手操作按钮被短接",
        grade_label="一般隐患",
        legal_basis="《中华人民共和国安全生产法》第三十六条第一款",
        measure="恢复双手操作按钮，加装光电保护装置",
        deadline=date(2026, 12, 6),
        location="一号车间冲压线",
        photo_count=2,
    ),
    Finding(
        description="部分新入职员工未经安全生产教育和培训即上岗作业",
        grade_label="一般隐患",
        legal_basis="《中华人民共和国安全生产法》第二十八条第一款",
        measure="对未培训人员停岗补训，考核合格后上岗，并建立培训档案",
        deadline=date(2026, 12, 22),
    ),
]

RESULTS = ["符合"] * 6 + ["不符合"] * 3 + ["不涉及"]


def realistic_record(**changes: Any) -> SiteRecordData:
    items = [
        CheckedItem(checklist="工贸企业通用检查表", content=f"检查项目{i + 1}", result_label=r)
        for i, r in enumerate(RESULTS)
    ]
    data = SiteRecordData(
        agency_name="柴桑区应急管理局",
        number="（柴）应急检记〔2026〕15号",
        unit_name="柴桑区鑫达机械制造有限公司",
        unit_address="九江市柴桑区沙河街镇工业园区纬三路8号",
        legal_rep="陈志强",
        legal_rep_title="总经理",
        phone="13907920000",
        place="生产车间、喷漆房、仓库",
        started_at=datetime(2026, 11, 22, 9, 5),
        ended_at=datetime(2026, 11, 22, 11, 30),
        officers=[Officer("张建国", "36040219001"), Officer("李敏", "36040219017")],
        representative="王𠀀堃",
        summary="企业安全生产管理制度基本健全，主要负责人能够配合检查。",
        checklists=["工贸企业通用检查表", "机械制造企业专项检查表"],
        items=items,
        findings=list(FINDINGS),
        photo_count=5,
    )
    return replace(data, **changes)


def page_texts(pdf_bytes: bytes) -> list[str]:
    pdf = pypdfium2.PdfDocument(pdf_bytes)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def squash(text: str) -> str:
    """Extracted text without whitespace (wrapped lines split words with line breaks)."""
    return re.sub(r"\s+", "", text)


def test_realistic_record_content_fonts_and_size() -> None:
    pdf_bytes = render_site_record(realistic_record())  # warm-up: font registration
    started = time.perf_counter()
    pdf_bytes = render_site_record(realistic_record())
    elapsed = time.perf_counter() - started
    print(f"one-page site record rendered in {elapsed * 1000:.1f} ms, {len(pdf_bytes)} bytes")

    texts = page_texts(pdf_bytes)
    assert len(texts) == 1
    text = texts[0]
    flat = squash(text)
    assert "柴桑区鑫达机械制造有限公司" in flat
    assert "现场检查记录" in flat
    assert "安全生产行政执法文书" in flat
    assert "（柴）应急检记〔2026〕15号" in flat
    assert squash(OPENING) in flat
    for officer in ("张建国", "李敏", "36040219001", "36040219017"):
        assert officer in flat
    for finding in FINDINGS:
        assert squash(finding.description) in flat
        assert squash(finding.legal_basis) in flat
    assert "重大隐患" in flat
    assert "整改期限：立即" in flat
    assert "整改期限：2026年12月6日" in flat
    assert "2026年11月22日9时05分至22日11时30分" in flat
    assert "共检查10项，其中符合6项，不符合3项，不涉及1项" in flat
    assert "现场拍摄证据照片5张（另附）" in flat
    assert "王𠀀堃" in flat  # the rare character is drawn (fallback font) and extractable
    assert "第 1 页 共" in text
    assert "第1页共1页" in flat

    assert b"/FontFile2" in pdf_bytes
    assert b"STSong" not in pdf_bytes  # the non-embedded CID font
    assert b"Helvetica" not in pdf_bytes  # nothing refers to a non-embedded base-14 font
    pdf = pypdfium2.PdfDocument(pdf_bytes)
    try:
        width, height = pdf[0].get_size()
    finally:
        pdf.close()
    assert width == pytest.approx(595.3, abs=1)
    assert height == pytest.approx(841.9, abs=1)


def test_long_record_flows_onto_numbered_pages() -> None:
    findings = [
        Finding(
            description=(
                f"第{n}处：作业场所安全警示标志设置不全，部分设备防护罩缺失，"
                "安全通道被原材料和半成品占用，消防器材未按规定定期检查并记录"
            ),
            grade_label="重大隐患" if n % 10 == 0 else "一般隐患",
            legal_basis="《中华人民共和国安全生产法》第三十五条、第三十六条",
            measure="立即清理通道，补齐警示标志和防护罩，建立消防器材检查台账",
            deadline=date(2026, 12, 1 + n % 28),
            location=f"{n % 5 + 1}号车间",
        )
        for n in range(1, 61)
    ]
    texts = page_texts(render_site_record(realistic_record(findings=findings)))
    total = len(texts)
    assert total >= 2
    for k, text in enumerate(texts, start=1):
        assert f"第 {k} 页 共 {total} 页" in text
    for text in texts[1:]:
        assert "现场检查记录（续页）" in squash(text)
    joined = squash("".join(texts))
    assert "第60处" in joined
    assert "被检查单位现场负责人（签名）" in squash(texts[-1])


def test_blanks_when_end_time_and_number_are_missing() -> None:
    data = realistic_record(ended_at=None, number=None, findings=[], photo_count=0, summary="")
    text = squash(page_texts(render_site_record(data))[0])
    assert "应急检记〔" in text
    assert "2026年11月22日9时05分至" in text
    assert "本次检查未发现事故隐患。" in text
    assert "现场拍摄证据照片" not in text
    assert "2026年11月22日" in text  # signing date falls back to started_at


def test_template_wording_is_used() -> None:
    template = load_template()
    template["no_findings"] = "未发现问题。"
    text = squash(page_texts(render_site_record(realistic_record(findings=[]), template))[0])
    assert "未发现问题。" in text
    assert "本次检查未发现事故隐患" not in text
