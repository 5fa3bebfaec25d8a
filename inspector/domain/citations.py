"""Structured legal citations, resolved against the registry in forms/citations/registry.json and
printed the way legal documents write them ("《中华人民共和国安全生产法》第六十五条第一款第（四）项").

A reference is a mapping {"law": "安全生产法", "article": 65, "paragraph": 1, "item": 4}: `law` is a
key of the registry, `article` the 条 (or a standard's clause, "6.5"), `paragraph` the 款 and `item`
the 项. A list of references prints as one citation: articles of one law joined with "、", laws joined
with "和" — never "；". Nothing here touches the database or Qt."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.domain.errors import UserError
from inspector.util.paths import forms_path

_DIGITS = "零一二三四五六七八九"


class CitationError(UserError):
    """A reference that does not resolve in the registry (the message names it)."""


def chinese_number(n: int) -> str:
    """1–9999 in Chinese numerals as article numbers are written: 十一, 二十, 一百零二, 一百一十二."""
    if not 0 < n < 10000:
        raise ValueError(f"article number out of range: {n}")
    units = [(1000, "千"), (100, "百"), (10, "十")]
    out = ""
    rest = n
    zero = False
    for value, name in units:
        digit, rest = divmod(rest, value)
        if digit:
            if zero:
                out += "零"
                zero = False
            # 十 alone at the head (十一, 十二), but 一百一十二 inside a larger number
            out += ("" if (value == 10 and digit == 1 and not out) else _DIGITS[digit]) + name
        elif out:
            zero = True
    if rest:
        if zero:
            out += "零"
        out += _DIGITS[rest]
    return out


@dataclass(frozen=True)
class Ref:
    law: str
    article: str | None = None  # "102", or a standard's clause "6.5"
    paragraph: int | None = None
    item: int | None = None


def parse_ref(raw: Mapping[str, Any]) -> Ref:
    """A reference as written in forms/ (numbers may be ints or digit strings)."""
    if not isinstance(raw, Mapping) or not str(raw.get("law", "")).strip():
        raise CitationError(f"引用 {raw!r} 没有写明法规名称（law）。")

    def number(key: str) -> int | None:
        value = raw.get(key)
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise CitationError(f"引用 {dict(raw)!r} 的 {key} 不是数字。") from None

    article = raw.get("article")
    return Ref(
        law=str(raw["law"]).strip(),
        article=None if article in (None, "") else str(article),
        paragraph=number("paragraph"),
        item=number("item"),
    )


def refs_of(value: Any) -> list[Ref]:
    """A reference, a list of references, or nothing (None / [])."""
    if value in (None, "", []):
        return []
    if isinstance(value, Mapping):
        return [parse_ref(value)]
    if isinstance(value, list):
        return [parse_ref(v) for v in value]
    raise CitationError(
        f"引用必须写成结构化形式（law、article、paragraph、item），而不是 {value!r}。"
    )


class Registry:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.laws: dict[str, dict[str, Any]] = dict(data.get("laws", {}))
        self.repealed: dict[str, str] = dict(data.get("repealed", {}))

    def law(self, key: str) -> dict[str, Any]:
        law = self.laws.get(key)
        if law is None and key in self.repealed:
            raise CitationError(self.repealed[key])
        if law is None:
            raise CitationError(f"法规“{key}”不在引用登记表（forms/citations/registry.json）中。")
        return law

    def resolve(self, ref: Ref) -> str:
        """The registry's gist of what *ref* points at; CitationError if it does not exist."""
        law = self.law(ref.law)
        title = f"《{law['title']}》"
        numbering = law.get("numbering", "articles")
        if numbering == "items":
            if ref.item is None or ref.article is not None or ref.paragraph is not None:
                raise CitationError(f"引用{title}须写明第几项（只有 item）。")
            gist = law.get("items", {}).get(str(ref.item))
            if gist is None:
                raise CitationError(f"{title}没有登记第{chinese_number(ref.item)}项。")
            return str(gist)
        if ref.article is None:
            raise CitationError(f"引用{title}只写了法规名称，没有写明条款。")
        if numbering == "clauses":
            gist = law.get("clauses", {}).get(ref.article)
            if gist is None or ref.paragraph is not None or ref.item is not None:
                raise CitationError(f"{title}没有登记第{ref.article}条。")
            return str(gist)
        article = law.get("articles", {}).get(ref.article)
        where = f"{title}第{_article_cn(ref.article)}条"
        if article is None:
            raise CitationError(f"{where}不在引用登记表中。")
        node: Mapping[str, Any] = article
        if ref.paragraph is not None:
            node = article.get("paragraphs", {}).get(str(ref.paragraph))
            where += f"第{chinese_number(ref.paragraph)}款"
            if node is None:
                raise CitationError(f"{where}不在引用登记表中。")
        if ref.item is not None:
            gist = node.get("items", {}).get(str(ref.item))
            if gist is None:
                if ref.paragraph is None and article.get("paragraphs"):
                    raise CitationError(f"{where}有多款，引用第几项时须写明第几款。")
                raise CitationError(f"{where}第（{chinese_number(ref.item)}）项不在引用登记表中。")
            return str(gist)
        return str(node.get("gist", ""))

    def printed(self, refs: Iterable[Ref]) -> str:
        """One citation text: "《…》第四十二条第二款、第一百零五条第（二）项和《…》第二十八条"."""
        groups: list[tuple[str, list[str]]] = []
        for ref in refs:
            self.resolve(ref)
            if groups and groups[-1][0] == ref.law:
                groups[-1][1].append(_locator(self.law(ref.law), ref))
            else:
                groups.append((ref.law, [_locator(self.law(ref.law), ref)]))
        return "和".join(_title(self.law(law)) + "、".join(parts) for law, parts in groups)

    def term_for(self, printed_basis: str) -> str:
        """The kind of 重大隐患 a printed criterion names (重大火灾隐患 for GB 35181)."""
        for law in self.laws.values():
            if _title(law) in printed_basis and law.get("major_term"):
                return str(law["major_term"])
        return "重大事故隐患"


def _title(law: Mapping[str, Any]) -> str:
    """《title》, with the standard's number where the registry says it is printed."""
    title = f"《{law['title']}》"
    return title + f"（{law['number']}）" if law.get("print_number") else title


def _article_cn(article: str) -> str:
    return chinese_number(int(article)) if article.isdigit() else article


def _locator(law: Mapping[str, Any], ref: Ref) -> str:
    numbering = law.get("numbering", "articles")
    if numbering == "items":
        assert ref.item is not None
        return f"第{chinese_number(ref.item)}项"
    assert ref.article is not None
    if numbering == "clauses":
        return f"第{ref.article}条"
    text = f"第{_article_cn(ref.article)}条"
    if ref.paragraph is not None:
        text += f"第{chinese_number(ref.paragraph)}款"
    if ref.item is not None:
        text += f"第（{chinese_number(ref.item)}）项"
    return text


_NUM = "[零一二三四五六七八九十百千]+"
_LOCATOR = re.compile(
    rf"第(?P<article>{_NUM}|[0-9.]+)条(?:第(?P<paragraph>{_NUM})款)?(?:第（(?P<item>{_NUM})）项)?"
    rf"|第(?P<listed>{_NUM})项"
)


def parse_chinese_number(text: str) -> int:
    """The inverse of chinese_number ("一百零二" → 102)."""
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS.index(ch)
        else:
            value = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (digit or 1) * value
            digit = 0
    return total + digit


def printed_refs(text: str) -> list[Ref]:
    """Every citation printed in *text*, read back as references and resolved; CitationError on a
    law cited by name alone, an article the registry lacks, or a title not in the registry."""
    reg = registry()
    by_title = {_title(law): key for key, law in reg.laws.items()}
    out: list[Ref] = []
    for match in re.finditer(r"《[^》]+》(?:（[^）]*）)?", text):
        cited = match.group(0)
        key = by_title.get(cited) or by_title.get(cited.split("》")[0] + "》")
        if key is None:
            raise CitationError(f"引用的“{cited}”不在引用登记表中（或写法与登记表不同）。")
        rest, found = text[match.end() :], 0
        while True:
            loc = _LOCATOR.match(rest)
            if loc is None:
                break
            out.append(_ref_of(key, loc))
            reg.resolve(out[-1])
            found += 1
            rest = rest[loc.end() :]
            if not rest.startswith("、") or not _LOCATOR.match(rest[1:]):
                break
            rest = rest[1:]
        if not found:
            raise CitationError(f"“{cited}”只写了法规名称，没有写明条款。")
    return out


def _ref_of(law: str, loc: re.Match[str]) -> Ref:
    if loc.group("listed"):
        return Ref(law, item=parse_chinese_number(loc.group("listed")))
    article = loc.group("article")
    return Ref(
        law,
        article=article if article[0].isdigit() else str(parse_chinese_number(article)),
        paragraph=parse_chinese_number(loc.group("paragraph")) if loc.group("paragraph") else None,
        item=parse_chinese_number(loc.group("item")) if loc.group("item") else None,
    )


def registry_path() -> Path:
    return forms_path("citations") / "registry.json"


@functools.lru_cache(maxsize=1)
def registry() -> Registry:
    """The registry shipped in forms/ (read once per process)."""
    try:
        data = json.loads(registry_path().read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise CitationError(f"引用登记表无法读取：{exc}") from None
    return Registry(data)


def cite(value: Any) -> str:
    """The printed citation of a structured reference or list of them ("" for none)."""
    return registry().printed(refs_of(value))


def major_sentence(printed_basis: str) -> str:
    """The 判定 clause appended to a finding: "属<criterion>规定的重大事故隐患" ("" for none)."""
    basis = printed_basis.strip()
    if not basis:
        return ""
    return f"属{basis}规定的{registry().term_for(basis)}"
