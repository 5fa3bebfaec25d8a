"""文号: document kinds and their 代字, the number pattern, and number-block arithmetic (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

# kind → 代字 (2016/17 forms with "应急" in place of "安监"; shared/domain/documents.md)
DOC_CODES: dict[str, str] = {
    "site_record": "检记",
    "onsite_measures": "现决",
    "rectification_order": "责改",
    "review_opinion": "复查",
    "seizure": "查扣",
    "evidence_notice": "先保通",
    "inquiry_notice": "询",
    "penalty_notice": "罚告",
    "onsite_penalty": "罚当",
    "penalty": "罚",
    "service_receipt": "回",
}
CASE_SERIES = "案"  # agencies that give all documents of one case the same serial
MIN_YEAR, MAX_YEAR = 2000, 2100


def format_number(short_name: str, code: str, year: int, serial: int) -> str:
    """（柴）应急责改〔2026〕15号 — 〔〕 are U+3014/U+3015."""
    return f"（{short_name}）应急{code}\u3014{year}\u3015{serial}号"


@dataclass(frozen=True)
class Block:
    """Serials first..last (inclusive) of one series and year; `next` is the first unused one."""

    first: int
    last: int
    next: int

    @property
    def remaining(self) -> int:
        return max(0, self.last - self.next + 1)

    def overlaps(self, first: int, last: int) -> bool:
        return not (last < self.first or first > self.last)
