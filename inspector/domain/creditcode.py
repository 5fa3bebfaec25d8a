"""统一社会信用代码 (GB 32100-2015): normalisation, check character, and the GB 11714 sub-check."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from inspector.domain.errors import UserError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def normalise(raw: str) -> str:
    """Fold case, full-width forms and white space, which are unambiguous typing slips."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(text.split()).upper()


def check_char(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    check = 31 - total % 31
    return ALPHABET[0 if check == 31 else check]


@dataclass(frozen=True)
class CreditCodeCheck:
    code: str
    org_code_warning: str | None


def validate(raw: str) -> CreditCodeCheck:
    """Normalise and check a code; raise UserError with the reason when it is not valid."""
    code = normalise(raw)
    if not code:
        raise UserError("统一社会信用代码为空。", field="credit_code")
    if len(code) != 18:
        raise UserError(
            f"统一社会信用代码应为18位，输入的是{len(code)}位：{code}", field="credit_code"
        )
    bad = [ch for ch in code if ch not in _VALUE]
    if bad:
        shown = "、".join(dict.fromkeys(bad))
        raise UserError(
            f"统一社会信用代码含有不允许的字符：{shown}（代码不使用 I、O、S、V、Z）",
            field="credit_code",
        )
    expected = check_char(code[:17])
    if code[17] != expected:
        raise UserError(
            f"统一社会信用代码校验位不符：最后一位应为 {expected}，输入的是 {code[17]}。"
            "请核对营业执照上的代码。",
            field="credit_code",
        )
    return CreditCodeCheck(code, _org_code_warning(code[8:17]))


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except UserError:
        return False
    return True


def _org_check(body8: str) -> str | None:
    try:
        total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(body8, _ORG_WEIGHTS, strict=True))
    except ValueError:
        return None
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def _org_code_warning(org9: str) -> str | None:
    """GB 11714 check of positions 9–17: a warning only (legacy and 个体户 codes may differ)."""
    expected = _org_check(org9[:8])
    if expected is None or expected != org9[8]:
        return "组织机构代码部分（第9–17位）校验不符，请核对（不影响保存）。"
    return None


def make_code(rng: random.Random, region: str, kind: str = "91") -> str:
    """A valid code for demo data: kind (e.g. 91 enterprise, 92 个体户) + 6-digit region + body."""
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    org = _org_check(body) or "0"
    first17 = kind + region + body + org
    return first17 + check_char(first17)
