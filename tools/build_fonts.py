#!/usr/bin/env python3
"""Build the CJK fonts shipped in resources/fonts/ (developer tool; needs fontTools, not run by CI).

Primary font ``NotoSerifSC-Inspector.ttf``
    The Simplified-Chinese face of Noto Serif CJK (Debian package ``fonts-noto-cjk``), subset to
    every character encodable in GBK, CJK Extension A, Latin and the punctuation / symbols forms
    need, and converted from CFF to TrueType (quadratic) outlines, because ReportLab only embeds
    ``glyf`` fonts.  The ballot boxes ☐ ☑ ☒, which Noto CJK lacks, are composed from Noto's own
    □ ✓ ╳ glyphs.

Fallback font ``HanaMinB-Inspector.ttf``
    HanaMinB (Debian package ``fonts-hanazono``, already TrueType), subset to the code points at
    or above U+20000 (CJK Extension B-F, used in personal and place names).

Run ``python tools/build_fonts.py`` from the project root; see resources/fonts/README.md.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from collections.abc import Iterable
from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.transformPen import TransformPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTCollection, TTFont, newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "resources" / "fonts"

NOTO_TTC = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
NOTO_FAMILY = "Noto Serif CJK SC"
NOTO_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
HANAZONO_TTF = Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")
HANAZONO_COPYRIGHT = Path("/usr/share/doc/fonts-hanazono/copyright")
NOTO_COPYRIGHT_NOTICE = (
    "Noto Serif CJK: © 2017-2022 Adobe (http://www.adobe.com/), "
    "with Reserved Font Name 'Source'.\n"
    "Noto is a trademark of Google Inc."
)

PRIMARY_FILE = "NotoSerifSC-Inspector.ttf"
PRIMARY_FAMILY = "Noto Serif SC Inspector"
FALLBACK_FILE = "HanaMinB-Inspector.ttf"
FALLBACK_FAMILY = "HanaMinB Inspector"

# cu2qu tolerance in font units (1000 upm): the value fontTools' otf2ttf recipe uses.
MAX_ERR = 1.0

# Ranges kept in the primary font in addition to everything GBK can encode (inclusive bounds).
EXTRA_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0020, 0x007E, "ASCII"),
    (0x00A0, 0x00FF, "Latin-1 Supplement (incl. ¥ U+00A5)"),
    (0x0100, 0x024F, "Latin Extended-A/B (pinyin tone letters)"),
    (0x02B0, 0x02FF, "Spacing modifier letters"),
    (0x0300, 0x036F, "Combining diacritical marks"),
    (0x2000, 0x206F, "General Punctuation"),
    (0x20A0, 0x20CF, "Currency symbols"),
    (0x2100, 0x214F, "Letterlike symbols (℃ №)"),
    (0x2150, 0x218F, "Number forms (Ⅰ Ⅱ ⅰ)"),
    (0x2190, 0x21FF, "Arrows"),
    (0x2200, 0x22FF, "Mathematical operators (√)"),
    (0x2460, 0x24FF, "Enclosed alphanumerics (①-⑳)"),
    (0x2500, 0x257F, "Box drawing"),
    (0x2580, 0x259F, "Block elements"),
    (0x25A0, 0x25FF, "Geometric shapes (□ ■ ○ ●)"),
    (0x2600, 0x26FF, "Miscellaneous symbols (☐ ☑ ☒ composed if missing)"),
    (0x2700, 0x27BF, "Dingbats (✓)"),
    (0x3000, 0x303F, "CJK symbols and punctuation (〔〕 【】 《》)"),
    (0x3200, 0x32FF, "Enclosed CJK letters and months (㈠)"),
    (0x3300, 0x33FF, "CJK compatibility (㎡ ㎏)"),
    (0x3400, 0x4DBF, "CJK Unified Ideographs Extension A"),
    (0xF900, 0xFAFF, "CJK compatibility ideographs"),
    (0xFE10, 0xFE1F, "Vertical forms"),
    (0xFE30, 0xFE4F, "CJK compatibility forms"),
    (0xFE50, 0xFE6F, "Small form variants"),
    (0xFF00, 0xFFEF, "Halfwidth and fullwidth forms (￥)"),
    (0xFFFD, 0xFFFD, "Replacement character"),
)

# Ballot boxes composed from Noto's own glyphs when the face lacks them:
# code point -> (box code point, mark code point or None).
COMPOSED: dict[int, tuple[int, int | None]] = {
    0x2610: (0x25A1, None),  # ☐ BALLOT BOX = □
    0x2611: (0x25A1, 0x2713),  # ☑ BALLOT BOX WITH CHECK = □ + ✓
    0x2612: (0x25A1, 0x2573),  # ☒ BALLOT BOX WITH X = □ + ╳
}

FALLBACK_MIN_CODEPOINT = 0x20000

# Unicode blocks of the Supplementary Ideographic Plane (inclusive bounds).
SIP_BLOCKS: dict[str, tuple[int, int]] = {
    "B": (0x20000, 0x2A6DF),
    "C": (0x2A700, 0x2B73F),
    "D": (0x2B740, 0x2B81F),
    "E": (0x2B820, 0x2CEAF),
    "F": (0x2CEB0, 0x2EBEF),
    "CS": (0x2F800, 0x2FA1F),  # CJK Compatibility Ideographs Supplement
    "G": (0x30000, 0x3134F),
    "H": (0x31350, 0x323AF),
}


# --------------------------------------------------------------------------------------------
# character sets


def gbk_codepoints() -> set[int]:
    """Every BMP code point above ASCII that Python's GBK codec can encode."""
    result: set[int] = set()
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        try:
            chr(cp).encode("gbk")
        except UnicodeEncodeError:
            continue
        result.add(cp)
    return result


def primary_wanted(face_cmap: Iterable[int]) -> set[int]:
    """GBK + EXTRA_RANGES + every SIP ideograph the Noto face itself has (about 2,300: the
    Extension B-G characters of 通用规范汉字表 and of the HK/TW/JP sets), so those print in the
    same style; only what Noto lacks goes to the fallback."""
    wanted = gbk_codepoints()
    for start, end, _label in EXTRA_RANGES:
        wanted.update(range(start, end + 1))
    wanted.update(cp for cp in face_cmap if cp >= FALLBACK_MIN_CODEPOINT)
    return wanted


def in_blocks(cp: int, blocks: Iterable[str]) -> bool:
    return any(SIP_BLOCKS[b][0] <= cp <= SIP_BLOCKS[b][1] for b in blocks)


# --------------------------------------------------------------------------------------------
# helpers


def find_face(ttc: Path, family: str, subfamily: str = "Regular") -> int:
    """Index of the face of *ttc* whose name table says *family* / *subfamily*."""
    collection = TTCollection(str(ttc), lazy=True)
    try:
        for index, face in enumerate(collection.fonts):
            name = face["name"]
            fam = name.getDebugName(16) or name.getDebugName(1)
            sub = name.getDebugName(17) or name.getDebugName(2)
            if fam == family and sub == subfamily:
                return index
    finally:
        collection.close()
    raise SystemExit(f"{ttc}: no face named {family!r} {subfamily!r}")


def keep_unicode_cmaps(font: TTFont) -> None:
    """Drop cmap subtables ReportLab and Qt do not need (UVS format 14 would pull in IVS glyphs)."""
    cmap = font["cmap"]
    cmap.tables = [
        t for t in cmap.tables if (t.platformID, t.platEncID) in ((3, 1), (3, 10), (0, 3), (0, 4))
    ]


def subset(font: TTFont, unicodes: Iterable[int], *, hinting: bool) -> None:
    options = Options()
    options.layout_features = []  # no GSUB/GPOS closure: keeps locl/vert glyphs out
    options.hinting = hinting
    options.desubroutinize = True
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.glyph_names = False
    options.drop_tables = [*options.drop_tables, "DSIG", "FFTM", "VORG", "GSUB", "GPOS", "GDEF"]
    subsetter = Subsetter(options=options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)


def cff_to_glyf(font: TTFont, max_err: float = MAX_ERR) -> None:
    """The fontTools otf2ttf recipe: CFF cubic outlines -> TrueType quadratic ``glyf``."""
    assert "CFF " in font, "not a CFF font"
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    quad: dict[str, Glyph] = {}
    for name in glyph_order:
        tt_pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(tt_pen, max_err, reverse_direction=True))
        quad[name] = tt_pen.glyph()

    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = quad
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)

    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)

    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(glyph_order)
    maxp.maxZones = 1
    maxp.maxTwilightPoints = 0
    maxp.maxStorage = 0
    maxp.maxFunctionDefs = 0
    maxp.maxInstructionDefs = 0
    maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = 0
    maxp.compile(font)

    # CID-keyed glyph names (cid01234) carry no information: post format 3 stores none.
    post = font["post"]
    post.formatType = 3.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order

    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def compose_missing(font: TTFont) -> list[int]:
    """Add the ballot boxes of COMPOSED the font lacks, drawn from its own glyphs."""
    cmap = font.getBestCmap()
    glyph_set = font.getGlyphSet()
    glyf = font["glyf"]
    hmtx = font["hmtx"]
    vmtx = font.get("vmtx")
    order = list(font.getGlyphOrder())
    added: list[int] = []
    for cp, (box_cp, mark_cp) in COMPOSED.items():
        if cp in cmap or box_cp not in cmap or (mark_cp is not None and mark_cp not in cmap):
            continue
        box_name = cmap[box_cp]
        box = glyf[box_name]
        pen = TTGlyphPen(None)
        glyph_set[box_name].draw(pen)
        if mark_cp is not None:
            mark = glyf[cmap[mark_cp]]
            # fit the mark into the inner 64 % of the box, centred
            bw, bh = box.xMax - box.xMin, box.yMax - box.yMin
            mw, mh = mark.xMax - mark.xMin, mark.yMax - mark.yMin
            scale = min(bw * 0.64 / mw, bh * 0.64 / mh)
            dx = box.xMin + (bw - mw * scale) / 2 - mark.xMin * scale
            dy = box.yMin + (bh - mh * scale) / 2 - mark.yMin * scale
            glyph_set[cmap[mark_cp]].draw(TransformPen(pen, (scale, 0, 0, scale, dx, dy)))
        name = f"uni{cp:04X}"
        glyph = pen.glyph()
        glyph.recalcBounds(glyf)
        order.append(name)
        font.setGlyphOrder(order)
        glyf.glyphOrder = order
        glyf[name] = glyph
        hmtx[name] = (hmtx[box_name][0], glyph.xMin)
        if vmtx is not None:
            vmtx[name] = vmtx[box_name]
        for table in font["cmap"].tables:
            if table.isUnicode():
                table.cmap[cp] = name
        added.append(cp)
    if added:
        font["maxp"].numGlyphs = len(order)
        font["post"].glyphOrder = order
    return added


def set_unhinted_gasp(font: TTFont) -> None:
    """The outlines carry no TrueType instructions: ask for grey-scale, symmetric smoothing at
    every size (what Windows' rasterisers want for unhinted fonts)."""
    gasp = font["gasp"] = newTable("gasp")
    gasp.version = 1
    gasp.gaspRange = {0xFFFF: 0x000A}  # GASP_DOGRAY | GASP_SYMMETRIC_SMOOTHING


def rename(font: TTFont, family: str, note: str) -> None:
    """Give the subset its own family name so it never shadows an installed full font."""
    name = font["name"]
    ps_name = family.replace(" ", "") + "-Regular"
    for name_id in (1, 2, 3, 4, 6, 16, 17, 18, 21, 22):
        name.removeNames(nameID=name_id)
    name.setName(family, 1, 3, 1, 0x409)
    name.setName("Regular", 2, 3, 1, 0x409)
    name.setName(f"{ps_name};{note}", 3, 3, 1, 0x409)
    name.setName(f"{family} Regular", 4, 3, 1, 0x409)
    name.setName(ps_name, 6, 3, 1, 0x409)
    version = name.getDebugName(5) or "Version 1.000"
    name.removeNames(nameID=5)
    name.setName(f"{version}; {note}", 5, 3, 1, 0x409)
    # keep only Windows-platform records: Mac (1, 0) records would still carry the old names
    name.names = [n for n in name.names if n.platformID == 3]


def save(font: TTFont, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(path))


def debian_license(copyright_file: Path, license_name: str) -> str:
    """The body of the ``License: <name>`` stanza of a machine-readable debian/copyright file."""
    lines = copyright_file.read_text(encoding="utf-8").splitlines()
    body: list[str] = []
    inside = False
    for line in lines:
        if inside:
            if line.startswith(" "):
                body.append("" if line.strip() == "." else line[1:])
                continue
            if body:
                break
            inside = False  # a "License:" field inside a Files stanza: no text there
        if line.strip() == f"License: {license_name}":
            inside = True
    if not body:
        raise SystemExit(f"{copyright_file}: no 'License: {license_name}' stanza")
    return textwrap.dedent("\n".join(body)).strip() + "\n"


# --------------------------------------------------------------------------------------------
# builds


def build_primary(out: Path) -> set[int]:
    index = find_face(NOTO_TTC, NOTO_FAMILY)
    print(f"{NOTO_TTC.name}: {NOTO_FAMILY!r} is face #{index}")
    # recalcTimestamp=False keeps the source's head.modified: rebuilds are byte-identical
    font = TTFont(str(NOTO_TTC), fontNumber=index, lazy=False, recalcTimestamp=False)
    source_cmap = set(font.getBestCmap())
    keep_unicode_cmaps(font)
    wanted = primary_wanted(source_cmap) & source_cmap
    gbk = gbk_codepoints()
    print(f"  GBK code points {len(gbk)}, present in face {len(gbk & source_cmap)}")
    lost = sorted(gbk - source_cmap)
    if lost:
        print("  GBK characters the face lacks: " + " ".join(f"U+{c:04X}" for c in lost))

    t0 = time.perf_counter()
    subset(font, wanted, hinting=False)
    print(f"  subset to {len(font.getGlyphOrder())} glyphs in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    cff_to_glyf(font)
    print(f"  CFF -> glyf in {time.perf_counter() - t0:.1f} s")
    added = compose_missing(font)
    if added:
        print("  composed: " + " ".join(chr(c) for c in added))
    set_unhinted_gasp(font)
    rename(font, PRIMARY_FAMILY, "subset of Noto Serif CJK SC for the inspector app")
    save(font, out)
    print(f"  {len(font.getBestCmap())} code points, {len(font.getGlyphOrder())} glyphs")
    return set(font.getBestCmap())


def build_fallback(out: Path, primary: set[int], blocks: Iterable[str]) -> None:
    font = TTFont(str(HANAZONO_TTF), lazy=False, recalcTimestamp=False)
    if "glyf" not in font:
        raise SystemExit(f"{HANAZONO_TTF}: not a TrueType (glyf) font")
    keep_unicode_cmaps(font)
    sip = {cp for cp in font.getBestCmap() if cp >= FALLBACK_MIN_CODEPOINT}
    wanted = {cp for cp in sip - primary if in_blocks(cp, blocks)}
    print(
        f"  HanaMinB has {len(sip)} SIP code points; {len(sip & primary)} are in the primary"
        f" already; keeping {len(wanted)} (blocks {','.join(blocks)})"
    )
    t0 = time.perf_counter()
    subset(font, wanted, hinting=False)
    print(f"  subset to {len(font.getGlyphOrder())} glyphs in {time.perf_counter() - t0:.1f} s")
    set_unhinted_gasp(font)
    rename(font, FALLBACK_FAMILY, "SIP subset of HanaMinB for the inspector app")
    save(font, out)
    print(f"  {len(font.getBestCmap())} code points, {len(font.getGlyphOrder())} glyphs")


def write_licenses(out_dir: Path, with_fallback: bool) -> None:
    ofl = debian_license(NOTO_COPYRIGHT, "SIL-1.1")
    (out_dir / "OFL.txt").write_text(
        f"{NOTO_COPYRIGHT_NOTICE}\n\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        "This license is copied below, and is also available with a FAQ at:\n"
        "https://openfontlicense.org\n\n" + ofl,
        encoding="utf-8",
    )
    if with_fallback:
        hanazono = debian_license(HANAZONO_COPYRIGHT, "Hanazono-Font-License")
        hanazono_ofl = debian_license(HANAZONO_COPYRIGHT, "Open-Font-License")
        header = (
            "HanaMinB (花園明朝B), Copyright 2008, 2009, 2010, 2011 GlyphWiki Project.\n"
            "Upstream: http://fonts.jp/hanazono/ (Debian package fonts-hanazono).\n\n"
            "The font is dual-licensed: Hanazono Font License OR SIL Open Font License 1.1.\n"
            "HanaMinB-Inspector.ttf is a modified (subset, renamed) version distributed under\n"
            "the Hanazono Font License.  Both licence texts follow.\n"
        )
        rule = "\n" + "=" * 72 + "\n\n"
        (out_dir / "HANAZONO-LICENSE.txt").write_text(
            header + rule + hanazono + rule + hanazono_ofl, encoding="utf-8"
        )


def verify(path: Path) -> None:
    """ReportLab must accept the file (it rejects CFF outlines and restricted fsType)."""
    try:
        from reportlab.pdfbase.ttfonts import TTFont as RLTTFont
    except ImportError:
        print("  (reportlab not installed: skipped ReportLab check)")
        return
    t0 = time.perf_counter()
    face = RLTTFont("check", str(path)).face
    n = sum(1 for g in face.charToGlyph.values() if g)
    print(f"  ReportLab loads it: {n} mapped code points in {time.perf_counter() - t0:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    parser.add_argument("--no-fallback", action="store_true", help="skip HanaMinB")
    parser.add_argument(
        "--fallback-blocks",
        default="B,C,D,E,F,CS,G,H",
        help="SIP blocks kept in the fallback (default all; 'B' alone is about 21 MB)",
    )
    args = parser.parse_args(argv)
    out_dir: Path = args.out

    primary = out_dir / PRIMARY_FILE
    print(f"building {primary}")
    primary_cps = build_primary(primary)
    print(f"  {primary.stat().st_size / 1e6:.2f} MB")
    verify(primary)

    with_fallback = not args.no_fallback and HANAZONO_TTF.exists()
    if not args.no_fallback and not with_fallback:
        print(f"{HANAZONO_TTF} missing (apt-get install fonts-hanazono): no fallback font")
    if with_fallback:
        fallback = out_dir / FALLBACK_FILE
        print(f"building {fallback}")
        blocks = [b.strip().upper() for b in args.fallback_blocks.split(",") if b.strip()]
        unknown = [b for b in blocks if b not in SIP_BLOCKS]
        if unknown:
            parser.error(f"unknown block(s) {unknown}; choose from {list(SIP_BLOCKS)}")
        build_fallback(fallback, primary_cps, blocks)
        print(f"  {fallback.stat().st_size / 1e6:.2f} MB")
        verify(fallback)
    write_licenses(out_dir, with_fallback)
    return 0


if __name__ == "__main__":
    sys.exit(main())
