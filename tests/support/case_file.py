"""Checks on a rendered case file: its table of contents and page starts."""

from __future__ import annotations

import re

from inspector.documents.raster import page_texts

ANSWER = "我是车间主任，负责粉尘清扫。除尘器的泄爆片去年拆下后一直没有装回，车间每周清扫一次积尘。"


def squeezed(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", p) for p in page_texts(pdf)]


def toc_starts(pages: list[str], entries: list[tuple[str, str]]) -> dict[str, int]:
    """The 页号 the printed 目录 (page 2) gives each (title, 文号), in its order."""
    printed = {}
    follows = [*[f"{n}{title}" for n, (title, _) in enumerate(entries, start=1)][1:], "案卷第2页"]
    for n, ((title, number), after) in enumerate(zip(entries, follows, strict=True), start=1):
        found = re.search(
            rf"{n}{re.escape(title)}{re.escape(number)}\d{{4}}年\d+月\d+日(\d+)"
            rf"(?:含签字照片\d+张)?{re.escape(after)}",
            pages[1],
        )
        assert found, (title, pages[1])
        printed[title] = int(found.group(1))
    return printed


def check_starts(pages: list[str], printed: dict[str, int]) -> None:
    """Each document's title heads the page the 目录 gives, which carries that 案卷 page number."""
    for name, start in printed.items():
        assert start <= len(pages), (printed, len(pages))
        page = pages[start - 1]
        assert page.endswith(f"案卷第{start}页")
        assert name in page[:80], (name, start, page[:80])
