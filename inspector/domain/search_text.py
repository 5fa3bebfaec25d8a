"""Text prepared for unit search: spaced characters for the FTS index, pinyin and initials."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def index_chars(text: str) -> str:
    """Every letter/digit as its own token, so any 1..n-character substring is an FTS phrase."""
    return " ".join(ch for ch in _fold(text) if ch.isalnum())


def pinyin_forms(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lower case, letters and digits only."""
    folded = _fold(name)
    full: list[str] = []
    initials: list[str] = []
    for syllable in lazy_pinyin(folded, style=Style.NORMAL, errors=lambda s: list(s)):
        word = "".join(ch for ch in syllable if ch.isascii() and ch.isalnum())
        if not word:
            continue
        full.append(word)
        initials.append(word[0])
    return "".join(full), "".join(initials)


@dataclass(frozen=True)
class UnitSearchText:
    name_pinyin: str
    name_initials: str
    search_name: str
    search_addr: str
    search_py: str


def unit_search_text(name: str, address: str) -> UnitSearchText:
    full, initials = pinyin_forms(name)
    return UnitSearchText(
        name_pinyin=full,
        name_initials=initials,
        search_name=index_chars(name),
        search_addr=index_chars(address),
        search_py=" ".join(initials),
    )


def phrase(query: str) -> str | None:
    """An FTS5 phrase matching the query's letters and digits in sequence, or None."""
    tokens = [ch for ch in _fold(query) if ch.isalnum()]
    if not tokens:
        return None
    return '"' + " ".join(tokens) + '"'
