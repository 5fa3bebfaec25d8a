"""公民身份号码 (GB 11643-1999): the check digit and the birth date of an 18-digit number.

15-digit numbers (issued before 1999) are refused: every card in circulation has been an 18-digit
card since the first-generation cards stopped being valid on 2013-01-01, and a 15-digit number has
no check digit to catch a typing slip. The inspector is asked for the number on the current card.
"""

from __future__ import annotations

import unicodedata
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_MAP = "10X98765432"  # index: weighted sum mod 11


def normalise(raw: str) -> str:
    """Fold full-width digits, a lower-case x and white space (unambiguous typing slips)."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(text.split()).upper()


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    total = sum(int(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_MAP[total % 11]


def problem(raw: str, today: date | None = None) -> str | None:
    """Why this 身份证号 is not valid, as a Chinese sentence; None when it is valid."""
    number = normalise(raw)
    if len(number) == 15 and number.isdigit():
        return f"身份证号 {number} 是15位的旧号码，请填写当事人现行居民身份证上的18位号码。"
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return f"身份证号 {number or raw.strip()} 应为18位（前17位为数字，最后一位为数字或X），请核对。"
    if not (number[17].isdigit() or number[17] == "X"):
        return f"身份证号 {number} 的最后一位应为数字或X，请核对。"
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return f"身份证号 {number} 中的出生日期 {number[6:14]} 不是有效日期，请核对。"
    if born < date(1900, 1, 1) or (today is not None and born > today):
        return f"身份证号 {number} 中的出生日期 {number[6:14]} 不合理，请核对。"
    expected = check_digit(number[:17])
    if number[17] != expected:
        return f"身份证号 {number} 的校验位应为 {expected}，请核对。"
    return None
