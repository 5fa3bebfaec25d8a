"""The grid worker's printouts: 网格安全巡查记录 and the grid's 安全隐患整改通知书 (real PDFs, checked
with poppler's pdftotext / pdffonts / pdftoppm)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from inspector.documents.patrol_print import (
    ASPECT_LABELS,
    PatrolPrint,
    VisitPrint,
    duration_text,
    render_grid_notice,
    render_patrol_record,
)
from inspector.fonts import coverage
from tests.support.patrol_notice import GRID, RARE_NAME, SUPERMARKET, notice

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdftotext", "pdffonts", "pdftoppm")),
    reason="poppler-utils (pdftotext, pdffonts, pdftoppm) not installed",
)

SCREENSHOT_DIR = Path("/tmp/helpers")
START = datetime(2026, 11, 22, 8, 30)


RENTAL = VisitPrint(
    place_name="桂林村出租房（刘国庆户）",
    place_kind="出租房",
    address="九江市柴桑区沙河街镇桂林村三组18号",
    credit_code=None,
    visited_at=datetime(2026, 11, 22, 9, 20),
    observations={
        "walk": "楼道畅通",
        "look": "一楼厨房使用液化气钢瓶，软管老化开裂",
        "smell": "厨房有轻微液化气味",
        "listen": "",
        "talk": "告知租户关闭角阀、开窗通风，更换金属软管",
        "record": "已拍照留存",
    },
    photo_counts={"look": 2, "smell": 1},
    problems=[("燃气", "液化气钢瓶连接软管老化开裂，有轻微泄漏")],
    actions=["劝导", "跟踪"],
    fixed_on_spot=True,
    deadline=None,
    party="刘国庆",
    party_signed="refused",
    report_no=None,
)

SITE = VisitPrint(
    place_name="柴桑区鑫达机械制造有限公司",
    place_kind="企业",
    address="九江市柴桑区沙河街镇工业园区纬三路8号",
    credit_code="91360421MA35X8K21Q",
    visited_at=datetime(2026, 11, 22, 10, 5),
    observations={aspect: "正常" for aspect in ASPECT_LABELS},
    photo_counts={},
    problems=[],
    actions=[],
    fixed_on_spot=False,
    deadline=None,
    party="",
    party_signed="",
    report_no=None,
)


def patrol(**changes: Any) -> PatrolPrint:
    data = PatrolPrint(
        **GRID,
        grid_code="360421102203",
        companions="张丽（村安全员）",
        started_at=START,
        ended_at=START + timedelta(hours=2, minutes=15),
        visits=[SUPERMARKET, RENTAL, SITE],
        summary="本次巡查发现问题4项，已当场劝导整改1项，上报1项，其余限期整改并跟踪复查。",
        printed_at=datetime(2026, 11, 22, 11, 5),
    )
    return replace(data, **changes)


def long_patrol() -> PatrolPrint:
    visits = [
        replace(
            SUPERMARKET if n % 2 else RENTAL,
            place_name=f"桂林村{n}号经营场所（{RARE_NAME}）" if n == 5 else f"桂林村{n}号经营场所",
            visited_at=START + timedelta(minutes=12 * n),
        )
        for n in range(1, 9)
    ]
    return patrol(visits=visits)


# --- helpers ----------------------------------------------------------------------------------------


def write_pdf(pdf: bytes, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return path


def pdf_text(path: Path) -> str:
    """pdftotext's text without whitespace (table cells and wrapped lines split words)."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return re.sub(r"\s+", "", out)


def pages_text(path: Path) -> list[str]:
    """Each page's text without whitespace."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return [re.sub(r"\s+", "", page) for page in out.split("\f")[:-1]]


def page_count(path: Path) -> int:
    return len(pages_text(path))


def assert_fonts_embedded(path: Path) -> str:
    """Every font of the PDF is embedded; returns pdffonts' font rows."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = out.splitlines()[2:]  # two header lines
    assert rows, out
    names = " ".join(rows)
    assert "NotoSerifSC" in names
    for row in rows:
        # columns: name type encoding emb sub uni object ID
        emb = row.split()[-5]
        assert emb == "yes", f"font not embedded: {row}"
    return names


def render_pngs(path: Path, name: str) -> list[Path]:
    """Page PNGs at 60 dpi, kept in /tmp/helpers to look at; each page must carry ink."""
    prefix = SCREENSHOT_DIR / name
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOT_DIR.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(prefix)], check=True)
    pngs = sorted(SCREENSHOT_DIR.glob(f"{name}-*.png"))
    for png in pngs:
        with Image.open(png) as im:
            gray = im.convert("L")
            body = gray.crop((0, 0, gray.width, int(gray.height * 0.9)))  # above the page number
            dark = sum(body.histogram()[:128])
            assert dark > 0.002 * gray.width * gray.height, f"{png.name} is (nearly) blank"
    return pngs


# --- tests ------------------------------------------------------------------------------------------


def test_patrol_record_prints_every_field_aspect_and_problem(tmp_path: Path) -> None:
    path = write_pdf(render_patrol_record(patrol()), tmp_path, "patrol")
    text = pdf_text(path)

    for expected in (
        "网格安全巡查记录",
        "柴桑区沙河街镇",
        "桂林村第三网格",
        "360421102203",
        "李堃",
        "13979212345",
        "张丽（村安全员）",
        "2026年11月22日8时30分至10时45分",
        "2小时15分",
        "打印时间：2026年11月22日11时05分",
        "共巡查3处，其中发现问题2处（消防1项、燃气1项、用电1项、通道1项），当场整改1处，上报1处，拍摄照片6张。",
        "沙河街镇喆丰便民超市",
        "九小场所",
        "92360421MA3AB1234X",
        "8时42分",
        "网报〔2026〕0007",
        "2026年11月29日前",
        "王𠀀堃",  # drawn from the fallback font and extractable
        "刘国庆拒绝签名",
        "无现场人员",
        "未发现问题",
        "巡查小结",
        SUPERMARKET.observations["talk"],
        "网格员（签名）",
        "网格长（审核）",
    ):
        assert expected in text, expected
    for label in ASPECT_LABELS.values():
        assert text.count(label) == 3, label  # once per visited place
    for visit in (SUPERMARKET, RENTAL):
        for cls, description in visit.problems:
            assert f"【{cls}】{description}" in text
    assert "☑劝导☑制止☑报告☐跟踪" in text
    assert "☑劝导☐制止☐报告☑跟踪" in text
    assert "第1页共" in text
    assert not coverage().missing(text), "a printed character has no glyph in the shipped fonts"
    assert_fonts_embedded(path)
    render_pngs(path, "patrol_record")


def test_long_patrol_spills_over_numbered_pages_with_continuation_header(tmp_path: Path) -> None:
    path = write_pdf(render_patrol_record(long_patrol()), tmp_path, "long")
    pages = page_count(path)
    assert pages >= 3
    text = pdf_text(path)
    assert "第2页" in text
    assert f"第{pages}页共{pages}页" in text
    assert "网格安全巡查记录（续页）" in text
    assert "桂林村第三网格网格员：李堃2026年11月22日" in text
    for n in range(1, 9):
        assert f"桂林村{n}号经营场所" in text
        assert f"巡查场所{n}／8" in text
    assert f"桂林村5号经营场所（{RARE_NAME}）" in text  # 𠀀 drawn from the fallback font
    assert "共巡查8处" in text
    for page in pages_text(path):
        # a place's block is never cut: its heading and its signature line share a page
        assert len(re.findall(r"巡查场所\d+／8", page)) == page.count("现场人员签名")
    assert "巡查小结" in pages_text(path)[-1]
    assert "网格长（审核）" in pages_text(path)[-1]
    assert "HanaMinB" in assert_fonts_embedded(path)
    pngs = render_pngs(path, "patrol_long")
    assert len(pngs) == pages


def test_grid_notice_is_the_grids_not_an_enforcement_document(tmp_path: Path) -> None:
    path = write_pdf(render_grid_notice(notice()), tmp_path, "notice")
    assert page_count(path) == 1
    text = pdf_text(path)
    for expected in (
        "安全隐患整改通知书",
        "网格化安全巡查专用",
        "编号：网报〔2026〕0007",
        "沙河街镇喆丰便民超市：",
        "九江市柴桑区沙河街镇桂林路126号",
        RARE_NAME,
        "桂林村第三网格网格员于2026年11月22日8时42分",
        "整改要求：清理后门安全出口堆放的纸箱",
        "请于2026年11月29日前整改完毕",
        "网格员将报告柴桑区沙河街镇处理",
        "不属于行政执法文书",
        "网格员（签名）",
        "负责人签收（签名）",
        "一式两份",
        "2026年11月22日",
        "第1页共1页",
    ):
        assert expected in text, expected
    for cls, description in SUPERMARKET.problems:
        assert f"【{cls}】{description}" in text
    # nothing of an enforcement document: no enforcement 文号, no legal remedies
    for absent in ("行政复议", "行政诉讼", "应急", "执法证号", "（印章）"):
        assert absent not in text, absent
    assert not coverage().missing(text)
    assert_fonts_embedded(path)
    render_pngs(path, "patrol_notice")


def test_notice_without_deadline_asks_for_immediate_rectification(tmp_path: Path) -> None:
    path = write_pdf(render_grid_notice(notice(deadline=None)), tmp_path, "now")
    assert "整改期限：请立即整改" in pdf_text(path)


def test_patrol_still_running_leaves_end_and_duration_blank(tmp_path: Path) -> None:
    path = write_pdf(render_patrol_record(patrol(ended_at=None, visits=[])), tmp_path, "open")
    layout_text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    # the end to be written by hand, the duration left open
    assert re.search(r"2026年11月22日8时30分至\s+时\s+分\s+时长\s+—", layout_text)
    text = pdf_text(path)
    assert "本次巡查未到访场所" in text


def test_duration_text() -> None:
    assert duration_text(START, START + timedelta(hours=2, minutes=15)) == "2小时15分"
    assert duration_text(START, START + timedelta(minutes=45)) == "45分"
    assert duration_text(START, START + timedelta(hours=1)) == "1小时0分"
    assert duration_text(START, None) == "—"
