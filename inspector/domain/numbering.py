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
    "evidence_decision": "先保处",  # 先行登记保存证据处理决定书 (2016 set: 安监先保处)
    # the 2016 set names these two but no 代字 was found for them: ours (docs/documents/README.md)
    "seizure_extension": "延期",  # 延长查封扣押期限决定书
    "seizure_decision": "查扣处",  # 查封扣押处理决定书
    "inquiry_notice": "询",
    "penalty_notice": "罚告",
    "onsite_penalty_unit": "罚当",  # 行政（当场）处罚决定书（单位）
    "onsite_penalty_person": "罚当",  # 行政（当场）处罚决定书（个人）: the same series
    "penalty": "罚",
    "penalty_decision": "罚",  # 行政处罚决定书（一般程序）
    "service_receipt": "回",
    "case_transfer": "移",  # 案件移送书
    "hazard_notice": "隐改",  # 隐患整改通知书 of a township: not an 执法文书, its own series
}
# the word before the 代字: "应急" for 执法文书; a township's notice uses its own prefix
NUMBER_PREFIX: dict[str, str] = {"hazard_notice": "安"}
CASE_SERIES = "案"  # agencies that give all documents of one case the same serial
MIN_YEAR, MAX_YEAR = 2000, 2100


def format_number(short_name: str, code: str, year: int, serial: int, prefix: str = "应急") -> str:
    """（柴）应急责改〔2026〕15号 — 〔〕 are U+3014/U+3015."""
    return f"（{short_name}）{prefix}{code}\u3014{year}\u3015{serial}号"


def number_for(kind: str, short_name: str, year: int, serial: int) -> str:
    return format_number(short_name, DOC_CODES[kind], year, serial, NUMBER_PREFIX.get(kind, "应急"))


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
