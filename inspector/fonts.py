"""The app's bundled CJK fonts: where they are, which characters they cover, ReportLab set-up.

Qt-free on purpose (PDF generation and tests use it without a QApplication).

Two TrueType files ship in ``resources/fonts`` (built by ``tools/build_fonts.py``):

* ``NotoSerifSC-Inspector.ttf`` (registered as :data:`PRIMARY_FONT_NAME`): Noto Serif CJK SC,
  宋体 style, covering all of GBK, CJK Extension A, the Extension B-G ideographs Noto has,
  Latin, punctuation and the usual form symbols (〔〕 ☐ ☑ √ ¥ ① …).
* ``HanaMinB-Inspector.ttf`` (:data:`FALLBACK_FONT_NAME`, optional): HanaMinB for the rare
  ideographs at U+20000 and above that Noto lacks (𠀀 𪚥 …, found in personal and place names).

ReportLab prints a missing glyph as an empty box without any error, so check printed strings
with :func:`coverage` (``missing()``), and build Paragraph markup with
:func:`markup_with_fallback` so that rare characters switch to the fallback font.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from inspector.util.paths import resource_path

__all__ = [
    "FALLBACK_FONT_FILE",
    "FALLBACK_FONT_NAME",
    "FAMILY_NAMES",
    "PRIMARY_FONT_FILE",
    "PRIMARY_FONT_NAME",
    "FontCoverage",
    "coverage",
    "font_files",
    "markup_with_fallback",
    "register_reportlab_fonts",
]

PRIMARY_FONT_NAME = "NotoSerifSC"
FALLBACK_FONT_NAME = "HanaMinB"

PRIMARY_FONT_FILE = "NotoSerifSC-Inspector.ttf"
FALLBACK_FONT_FILE = "HanaMinB-Inspector.ttf"

# Family names inside the files (what Qt's QFontDatabase.addApplicationFont reports).
FAMILY_NAMES: dict[str, str] = {
    PRIMARY_FONT_NAME: "Noto Serif SC Inspector",
    FALLBACK_FONT_NAME: "HanaMinB Inspector",
}

_SHIPPED: tuple[tuple[str, str], ...] = (
    (PRIMARY_FONT_NAME, PRIMARY_FONT_FILE),
    (FALLBACK_FONT_NAME, FALLBACK_FONT_FILE),
)

# Layout characters no font needs a glyph for.
_ALWAYS_COVERED = frozenset(" \t\n\r")


def font_files() -> list[tuple[str, Path]]:
    """(name, path) of each shipped font file that is present, primary first."""
    found: list[tuple[str, Path]] = []
    for name, filename in _SHIPPED:
        path = resource_path("fonts", filename)
        if path.is_file():
            found.append((name, path))
    return found


# --------------------------------------------------------------------------------------------
# coverage


def _load_codepoints(path: Path) -> frozenset[int]:
    """The code points *path*'s cmap maps to a real glyph.

    ReportLab (always installed) parses the cmap in well under 0.1 s and rejects exactly the
    fonts it could not embed; fontTools (a dev-only dependency) is only tried if ReportLab
    fails on the file.
    """
    try:
        from reportlab.pdfbase.ttfonts import TTFontFile

        face = TTFontFile(str(path), charInfo=1, validate=0)
        return frozenset(cp for cp, glyph in face.charToGlyph.items() if glyph)
    except Exception as reportlab_error:
        try:
            from fontTools.ttLib import TTFont
        except ImportError:
            raise reportlab_error from None
        with TTFont(str(path), lazy=True) as font:
            order = font.getGlyphOrder()
            notdef = order[0] if order else ".notdef"
            return frozenset(cp for cp, g in font.getBestCmap().items() if g != notdef)


class FontCoverage:
    """Which of the shipped fonts draws which character.

    Built from ``(font name, code points)`` pairs, the primary font first; fonts later in the
    list are fallbacks, used only for characters the earlier ones lack.  Space, tab, CR and LF
    always count as covered (drawn with the primary).
    """

    def __init__(self, fonts: Iterable[tuple[str, Iterable[int]]]) -> None:
        self._fonts: list[tuple[str, frozenset[int]]] = [
            (name, frozenset(cps)) for name, cps in fonts
        ]
        self.primary: str = self._fonts[0][0] if self._fonts else PRIMARY_FONT_NAME

    @classmethod
    def from_files(cls, files: Iterable[tuple[str, Path]]) -> FontCoverage:
        """Read the cmaps of ``(name, path)`` font files (primary first)."""
        return cls((name, _load_codepoints(path)) for name, path in files)

    @property
    def names(self) -> list[str]:
        """The font names, primary first."""
        return [name for name, _ in self._fonts]

    def codepoint_count(self, name: str) -> int:
        """How many code points font *name* maps to a glyph (0 for an unknown name)."""
        return next((len(cps) for n, cps in self._fonts if n == name), 0)

    def covers(self, ch: str) -> bool:
        """True if some shipped font has a glyph for *ch* (for a longer string: for every
        character of it)."""
        return all(self._font_for_char(c) is not None for c in ch)

    def font_for(self, ch: str) -> str | None:
        """The name of the first font (primary preferred) that has the single character *ch*,
        or None if none has it."""
        if len(ch) != 1:
            raise ValueError(f"font_for() takes one character, got {ch!r}")
        return self._font_for_char(ch)

    def missing(self, text: str) -> list[str]:
        """The distinct characters of *text* no shipped font covers, in order of first
        appearance (they would print as empty boxes)."""
        seen: set[str] = set()
        result: list[str] = []
        for ch in text:
            if ch in seen:
                continue
            seen.add(ch)
            if self._font_for_char(ch) is None:
                result.append(ch)
        return result

    def runs(self, text: str) -> list[tuple[str, str]]:
        """Split *text* into maximal ``(font name, substring)`` runs drawn with one font.

        Characters no font covers stay with the primary font (they print as boxes there, but
        keep the surrounding text in one run)."""
        result: list[tuple[str, str]] = []
        current: str | None = None
        chunk: list[str] = []
        for ch in text:
            font = self._font_for_char(ch) or self.primary
            if font != current and chunk:
                assert current is not None
                result.append((current, "".join(chunk)))
                chunk = []
            current = font
            chunk.append(ch)
        if chunk and current is not None:
            result.append((current, "".join(chunk)))
        return result

    def _font_for_char(self, ch: str) -> str | None:
        if ch in _ALWAYS_COVERED:
            return self.primary
        cp = ord(ch)
        for name, cps in self._fonts:
            if cp in cps:
                return name
        return None

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}: {len(cps)}" for name, cps in self._fonts)
        return f"FontCoverage({counts})"


@functools.lru_cache(maxsize=1)
def coverage() -> FontCoverage:
    """The coverage of the shipped fonts, read once per process."""
    return FontCoverage.from_files(font_files())


# --------------------------------------------------------------------------------------------
# ReportLab

_register_lock = threading.Lock()
_registered = False

# A ToUnicode entry ReportLab wrote for a code point above U+FFFF: "<07> <20000>".
_ASTRAL_TO_UNICODE = re.compile(r"^(<[0-9A-F]{2}>) <([0-9A-F]{5,6})>$", re.MULTILINE)


def _utf16_hex(match: re.Match[str]) -> str:
    cp = int(match.group(2), 16)
    return f"{match.group(1)} <{chr(cp).encode('utf-16-be').hex().upper()}>"


def _fix_reportlab_astral_to_unicode() -> None:
    """Make ReportLab's ToUnicode CMaps correct for characters above U+FFFF.

    ReportLab (up to at least 5.1) writes the destination as ``<%04X>`` of the code point, so
    U+20000 becomes ``<20000>`` instead of the UTF-16BE ``<D840DC00>`` the PDF spec requires:
    the glyph prints, but copying or extracting the text yields U+2000.  This wraps
    ``reportlab.pdfbase.ttfonts.makeToUnicodeCMap`` to re-encode just those entries; BMP
    entries and already-correct output are left untouched.  Idempotent.
    """
    from reportlab.pdfbase import ttfonts

    original: Callable[[str, Sequence[int]], str] = ttfonts.makeToUnicodeCMap
    if getattr(original, "_inspector_astral_fix", False):
        return

    def make_to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
        return _ASTRAL_TO_UNICODE.sub(_utf16_hex, original(fontname, subset))

    make_to_unicode_cmap._inspector_astral_fix = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap


def register_reportlab_fonts() -> str:
    """Register every shipped font with ReportLab (once; later calls are cheap) and return the
    primary font's name, for use as ``fontName`` in styles and ``canvas.setFont``.

    ReportLab embeds only the glyphs a document uses.  As no bold/italic faces ship, each font
    is also registered as its own family so ``<b>``/``<i>`` in Paragraph markup fall back to
    the regular face instead of raising.
    """
    global _registered
    if _registered:
        return PRIMARY_FONT_NAME
    with _register_lock:
        if _registered:
            return PRIMARY_FONT_NAME
        files = font_files()
        if not files or files[0][0] != PRIMARY_FONT_NAME:
            raise FileNotFoundError(
                f"bundled font missing: {resource_path('fonts', PRIMARY_FONT_FILE)}"
            )
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        _fix_reportlab_astral_to_unicode()
        already = set(pdfmetrics.getRegisteredFontNames())
        for name, path in files:
            if name in already:
                continue
            pdfmetrics.registerFont(TTFont(name, str(path)))
            pdfmetrics.registerFontFamily(
                name, normal=name, bold=name, italic=name, boldItalic=name
            )
        _registered = True
    return PRIMARY_FONT_NAME


def _markup_text(text: str) -> str:
    escaped = escape(text)
    return escaped.replace("\r\n", "<br/>").replace("\r", "<br/>").replace("\n", "<br/>")


def markup_with_fallback(text: str) -> str:
    """Plain *text* as ReportLab Paragraph markup in the primary font.

    ``&``, ``<`` and ``>`` are escaped, line breaks become ``<br/>``, and runs of characters
    only a fallback font has are wrapped in ``<font name="HanaMinB">…</font>`` (the fonts are
    registered with ReportLab when that happens).  Use it with a ParagraphStyle whose
    ``fontName`` is :data:`PRIMARY_FONT_NAME`.
    """
    cov = coverage()
    parts: list[str] = []
    uses_fallback = False
    for font, run in cov.runs(text):
        if font == cov.primary:
            parts.append(_markup_text(run))
        else:
            uses_fallback = True
            parts.append(f'<font name="{font}">{_markup_text(run)}</font>')
    if uses_fallback:
        register_reportlab_fonts()
    return "".join(parts)
