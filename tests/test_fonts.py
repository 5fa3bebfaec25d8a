"""inspector.fonts: shipped CJK fonts, coverage checks, ReportLab registration (no Qt)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import pypdfium2
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate

from inspector import fonts
from inspector.fonts import (
    FALLBACK_FONT_NAME,
    PRIMARY_FONT_NAME,
    FontCoverage,
    coverage,
    font_files,
    markup_with_fallback,
    register_reportlab_fonts,
)

HAS_FALLBACK = any(name == FALLBACK_FONT_NAME for name, _ in font_files())
needs_fallback = pytest.mark.skipif(not HAS_FALLBACK, reason="fallback font not shipped")

ORDINARY = "安全生产现场执法检查记录，被检查单位：某某化工有限公司（ABC-123）。"


def _pdf_text(path: Path) -> str:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        text: str = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    return "".join(text.split())


def _build_pdf(path: Path, markup: str) -> None:
    style = ParagraphStyle("t", fontName=register_reportlab_fonts(), fontSize=14, leading=20)
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(markup, style)])


# --- files -----------------------------------------------------------------------------------


def test_primary_font_is_shipped_first() -> None:
    files = font_files()
    assert files, "resources/fonts/NotoSerifSC-Inspector.ttf is missing"
    name, path = files[0]
    assert name == PRIMARY_FONT_NAME
    assert path.name == fonts.PRIMARY_FONT_FILE
    assert path.is_file()
    assert [n for n, _ in files] == [PRIMARY_FONT_NAME, FALLBACK_FONT_NAME][: len(files)]


def test_licences_ship_with_the_fonts() -> None:
    folder = font_files()[0][1].parent
    assert "SIL OPEN FONT LICENSE" in (folder / "OFL.txt").read_text(encoding="utf-8")
    if HAS_FALLBACK:
        assert "Hanazono Font License" in (folder / "HANAZONO-LICENSE.txt").read_text(
            encoding="utf-8"
        )


def test_module_does_not_import_qt() -> None:
    code = (
        "import sys, inspector.fonts as f; f.coverage(); f.register_reportlab_fonts(); "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(fonts.__file__).parents[1])


# --- coverage --------------------------------------------------------------------------------


def test_coverage_is_cached() -> None:
    assert coverage() is coverage()
    assert coverage().primary == PRIMARY_FONT_NAME
    assert coverage().codepoint_count(PRIMARY_FONT_NAME) > 30_000
    if HAS_FALLBACK:
        assert coverage().codepoint_count(FALLBACK_FONT_NAME) > 50_000


@pytest.mark.parametrize("ch", [*"堃喆赟昇〔〕☐☑√□■○●¥￥《》【】①⑳㎡℃", "\u3000"])
def test_primary_covers_name_and_form_characters(ch: str) -> None:
    assert coverage().font_for(ch) == PRIMARY_FONT_NAME


def test_primary_covers_ordinary_text_and_all_of_gb2312_hanzi() -> None:
    cov = coverage()
    assert cov.covers(ORDINARY)
    assert cov.missing(ORDINARY) == []
    hanzi: list[str] = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):  # D7FA-D7FE are unassigned
                hanzi.append(bytes([hi, lo]).decode("gb2312"))
    assert len(hanzi) == 6763
    assert cov.missing("".join(hanzi)) == []


def test_missing_reports_uncovered_characters_once_in_order() -> None:
    cov = coverage()
    assert cov.missing("安全😀") == ["😀"]
    assert cov.missing("😀a😀\U000e0100b🙂") == ["😀", "\U000e0100", "🙂"]
    assert cov.missing("") == []
    assert cov.missing("甲 乙\t丙\n丁\r\n") == []  # layout whitespace counts as covered
    assert not cov.covers("😀")
    assert cov.font_for("😀") is None


def test_font_for_takes_one_character() -> None:
    with pytest.raises(ValueError):
        coverage().font_for("安全")
    with pytest.raises(ValueError):
        coverage().font_for("")


@needs_fallback
@pytest.mark.parametrize("ch", ["𠀀", "𪚥"])
def test_fallback_draws_extension_b(ch: str) -> None:
    assert coverage().font_for(ch) == FALLBACK_FONT_NAME


def test_runs_on_synthetic_fonts() -> None:
    cov = FontCoverage([("P", map(ord, "ab")), ("F", map(ord, "Xb"))])
    assert cov.names == ["P", "F"]
    assert cov.runs("") == []
    assert cov.runs("ab") == [("P", "ab")]
    # primary preferred for "b"; the uncovered "?" joins the primary's run; space is primary
    assert cov.runs("aXXb?X X") == [("P", "a"), ("F", "XX"), ("P", "b?"), ("F", "X"), ("P", " "),
                                     ("F", "X")]  # fmt: skip
    assert cov.runs("?") == [("P", "?")]
    assert cov.missing("a?X!?") == ["?", "!"]
    assert FontCoverage([]).runs("x") == [(PRIMARY_FONT_NAME, "x")]


@needs_fallback
def test_runs_switch_to_fallback_for_rare_name_characters() -> None:
    assert coverage().runs("张𠀀𪚥堃 先生") == [
        (PRIMARY_FONT_NAME, "张"),
        (FALLBACK_FONT_NAME, "𠀀𪚥"),
        (PRIMARY_FONT_NAME, "堃 先生"),
    ]


# --- ReportLab -------------------------------------------------------------------------------


def test_register_reportlab_fonts_is_idempotent() -> None:
    assert register_reportlab_fonts() == PRIMARY_FONT_NAME
    assert register_reportlab_fonts() == PRIMARY_FONT_NAME
    registered = pdfmetrics.getRegisteredFontNames()
    for name, _ in font_files():
        assert name in registered


def test_markup_escapes_and_breaks_lines() -> None:
    assert markup_with_fallback("a<b & c>\n第二行\r\n三") == "a&lt;b &amp; c&gt;<br/>第二行<br/>三"
    assert markup_with_fallback("") == ""


@needs_fallback
def test_markup_wraps_fallback_runs() -> None:
    assert markup_with_fallback("张𠀀堃") == f'张<font name="{FALLBACK_FONT_NAME}">𠀀</font>堃'


def test_pdf_with_primary_font_extracts_back(tmp_path: Path) -> None:
    text = ORDINARY + "堃喆赟昇〔2024〕1号 ☐合格 ☑不合格 ¥100"
    pdf = tmp_path / "primary.pdf"
    _build_pdf(pdf, markup_with_fallback(text))
    assert _pdf_text(pdf) == "".join(text.split())


@needs_fallback
def test_pdf_with_fallback_font_extracts_back(tmp_path: Path) -> None:
    pdf = tmp_path / "fallback.pdf"
    _build_pdf(pdf, markup_with_fallback("张𠀀堃 & 𪚥"))
    text = _pdf_text(pdf)
    assert "张𠀀堃" in text
    assert "&𪚥" in text
