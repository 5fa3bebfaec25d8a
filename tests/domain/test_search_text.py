"""Pinyin for unit search: converted word by word (cached), it must read exactly as pypinyin reads
the whole name, polyphonic characters included."""

from __future__ import annotations

import random

from pypinyin import Style, lazy_pinyin

from inspector.domain.search_text import (
    _fold,
    name_syllables,
    pinyin_forms,
    syllables_from_wire,
    unit_search_text,
)
from inspector.services.demo.county import generate_units, make_regions

TRICKY = [
    "重庆长安银行行长办公室",  # 重 chong/zhong, 长 chang/zhang, 行 hang/xing
    "长沙重型机械厂",
    "乐山市音乐厅",
    "ABC化工（重庆）有限公司",
    "堃喆𠀀䶮五金店",  # rare and Ext-B characters
    "六安市行唐县银行营业部",
    "ＸＹＺ２号仓库",  # full-width Latin and digits
    "",
]


def whole_name(name: str) -> list[str]:
    spoken = lazy_pinyin(_fold(name), style=Style.NORMAL, errors=lambda run: list(run))
    words = ("".join(ch for ch in s if ch.isascii() and ch.isalnum()) for s in spoken)
    return [w for w in words if w]


def test_word_by_word_pinyin_equals_whole_name_pinyin() -> None:
    names = TRICKY + [u.name for u in generate_units(3000, make_regions(random.Random(5)), 5)]
    for name in names:
        assert name_syllables(name) == whole_name(name), name


def test_polyphonic_characters_read_as_in_their_word() -> None:
    assert pinyin_forms("重庆长安银行") == ("chongqingchanganyinhang", "cqcayh")
    text = unit_search_text("ＸＹＺ２号仓库", "沙河街道")
    assert text.search_pyfull == "x y z 2 hao cang ku"
    assert text.search_name == "x y z 2 号 仓 库"


def test_syllables_sent_by_the_server_are_used_only_when_well_formed() -> None:
    assert syllables_from_wire("chong qing 2 hao", "重庆2号") == ["chong", "qing", "2", "hao"]
    assert syllables_from_wire("", "") == []
    for bad in ("chong  qing", " chong", "Chong", "chóng", "chong\nqing", None, 7, ["chong"]):
        assert syllables_from_wire(bad, "重庆") is None, bad
    assert syllables_from_wire("a " * 30 + "a", "重庆") is None  # longer than any reading
