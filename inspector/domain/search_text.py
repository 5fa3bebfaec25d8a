"""Text prepared for unit search: spaced characters for the FTS index, pinyin and initials."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.seg.simpleseg import seg

from inspector.domain.pinyin_syllables import MAX_LEN, SYLLABLES

_PREFIXES = frozenset(syl[:n] for syl in SYLLABLES for n in range(1, len(syl) + 1))


def _each_char(run: str) -> list[str]:
    """Letters and digits outside the pinyin table (Latin, digits) keep one token per character."""
    return list(run)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def index_chars(text: str) -> str:
    """Every letter/digit as its own token, so any 1..n-character substring is an FTS phrase."""
    return " ".join(ch for ch in _fold(text) if ch.isalnum())


@functools.lru_cache(maxsize=1 << 16)
def _word_syllables(word: str) -> tuple[str, ...]:
    """The syllables of one segment (a dictionary word, a single character or a non-Han run).
    Unit names are made of few words (有限公司, 加工厂, 街道 …), so this cache makes a pull of
    100,000 units about four times faster than converting each whole name."""
    out = []
    spoken = lazy_pinyin(word, style=Style.NORMAL, errors=_each_char)  # type: ignore[arg-type]
    for syllable in spoken:
        token = "".join(ch for ch in syllable if ch.isascii() and ch.isalnum())
        if token:
            out.append(token)
    return tuple(out)


def name_syllables(name: str) -> list[str]:
    """Tone-less pinyin syllables of a name; Latin letters and digits one token each. The name is
    cut into words as pypinyin would cut it (Han runs by its phrase dictionary), so polyphonic
    characters read as in their word (重庆 chong, 银行 hang)."""
    out: list[str] = []
    for word in seg(_fold(name)):
        if RE_HANS.match(word):
            out.extend(_word_syllables(word))
        else:  # digits, Latin, punctuation: one token per letter or digit (and not cached)
            out.extend(ch for ch in word if ch.isascii() and ch.isalnum())
    return out


def pinyin_forms(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lower case, letters and digits only."""
    words = name_syllables(name)
    return "".join(words), "".join(w[0] for w in words)


@dataclass(frozen=True)
class UnitSearchText:
    name_pinyin: str
    name_initials: str
    search_name: str
    search_addr: str
    search_pyfull: str


_WIRE_SYLLABLES = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


def syllables_from_wire(value: object, name: str) -> list[str] | None:
    """A name's syllables as the server sent them (space-separated, see
    `sync.contract.UNIT_NAME_SYLLABLES`), or None when the value is missing or not of that shape
    (the caller works them out itself). At most 8 tokens a character: no name reads longer."""
    if not isinstance(value, str) or len(value) > 8 * len(name) + 8:
        return None
    if value == "":
        return []
    return value.split(" ") if _WIRE_SYLLABLES.fullmatch(value) else None


def unit_search_text(
    name: str, address: str, syllables: Sequence[str] | None = None
) -> UnitSearchText:
    """The search columns of a unit; `syllables` when the name's pinyin is known already (a pull
    carries it: the server works it out once for every device)."""
    words = name_syllables(name) if syllables is None else list(syllables)
    return UnitSearchText(
        name_pinyin="".join(words),
        name_initials="".join(w[0] for w in words),
        search_name=index_chars(name),
        search_addr=index_chars(address),
        search_pyfull=" ".join(words),
    )


def pinyin_phrases(query: str, limit: int = 6) -> list[str]:
    """FTS5 phrases for typed full pinyin: every way to split it into syllables, the last one
    possibly unfinished (prefix query), fewest pieces first. 'hongguang' → '"hong guang" *'."""
    text = "".join(ch for ch in query.lower() if ch.isascii() and ch.isalpha())
    found: list[list[str]] = []

    def walk(start: int, pieces: list[str]) -> None:
        if len(found) >= limit:
            return
        rest = text[start:]
        if rest in _PREFIXES:
            found.append([*pieces, rest])
        for size in range(min(MAX_LEN, len(rest) - 1), 0, -1):
            head = rest[:size]
            if head in SYLLABLES:
                walk(start + size, [*pieces, head])

    if text:
        walk(0, [])
    found.sort(key=len)
    return ['"' + " ".join(pieces) + '" *' for pieces in found]


def phrase(query: str) -> str | None:
    """An FTS5 phrase matching the query's letters and digits in sequence, or None."""
    tokens = [ch for ch in _fold(query) if ch.isalnum()]
    if not tokens:
        return None
    return '"' + " ".join(tokens) + '"'


# Filter values are indexed as FTS tokens too (column `fac`), so a text query with filters is one
# index intersection instead of a join. The trigger in migration 0002 builds the same tokens in SQL.
FILTER_PREFIXES = {
    "risk_colour": "rk",
    "supervision_level": "lv",
    "industry": "in",
    "township_id": "tw",
    "grid_id": "gd",
}


def filter_token(column: str, value: str) -> str:
    """The FTS token standing for `column = value` (quoted for a MATCH expression)."""
    folded = value.replace("-", "").replace(" ", "").lower()
    return '"' + FILTER_PREFIXES[column] + folded + '"'
