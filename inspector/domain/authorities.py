"""Whose matter a checklist item is: short stable codes, stored on each checklist item as
`authority` (see docs/citations.md). An agency acts only on its own authority's items (or those
locally granted to it); the others are recorded and referred (移送)."""

from __future__ import annotations

# code → the body the matter belongs to, as a document names it
AUTHORITIES: dict[str, str] = {
    "emergency": "应急管理部门",  # 安全生产法 and the rules made under it
    "fire": "消防救援机构",  # 消防法 (§4, §70)
    "market": "市场监督管理部门",  # 特种设备安全法
    "housing": "住房和城乡建设主管部门",  # 房屋市政工程
    "gas": "燃气管理部门",  # 城镇燃气管理条例
}

DEFAULT_AUTHORITY = "emergency"


def authority_name(code: str) -> str:
    """The body's name for *code*; an unknown code prints as itself."""
    return AUTHORITIES.get(code, code)
