"""Free text a person types: trimmed, length-limited, and printable with the shipped fonts."""

from __future__ import annotations

import unicodedata

from inspector.domain.errors import UserError
from inspector.fonts import coverage


def clean_text(label: str, text: str, *, max_chars: int, required: bool = False) -> str:
    """Return the text to store, or raise UserError saying what is wrong with it."""
    value = unicodedata.normalize("NFC", text).strip()
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    if required and not value:
        raise UserError(f"请填写{label}。", field=label)
    if len(value) > max_chars:
        raise UserError(
            f"{label}过长：{len(value)} 字，最多 {max_chars} 字。请精简，或分成几条记录。",
            field=label,
        )
    missing = coverage().missing(value)
    if missing:
        shown = " ".join(missing[:5])
        raise UserError(
            f"{label}中有无法打印到执法文书上的字符：{shown}（如表情符号）。请删除或改用文字描述。",
            field=label,
        )
    return value
