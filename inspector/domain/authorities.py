"""Whose matter a checklist item (and so a finding) is: short stable codes in Chinese, stored on
each checklist item and hazard as `authority`, and in an agency's 赋权 list. An agency acts only on
its own authority's matters (应急) and those locally granted to it; the others are recorded and
referred (移送) to the body of that authority (see docs/citations.md, docs/ARCHITECTURE.md)."""

from __future__ import annotations

OWN_AUTHORITY = "应急"  # the agency's own: 安全生产法 and the rules made under it
DEFAULT_AUTHORITY = OWN_AUTHORITY
# code → the kind of body the matter belongs to, as a document names it
AUTHORITY_NAMES: dict[str, str] = {
    "应急": "应急管理部门",
    "消防救援": "消防救援机构",  # 消防法 (§4, §70)
    "市场监管": "市场监督管理部门",  # 特种设备安全法
    "特种设备": "特种设备安全监督管理部门",
    "住建": "住房和城乡建设主管部门",  # 房屋市政工程
    "燃气": "燃气管理部门",  # 城镇燃气管理条例
    "交通运输": "交通运输主管部门",
    "公安": "公安机关",
    "生态环境": "生态环境主管部门",
}
AUTHORITIES = AUTHORITY_NAMES  # the known codes
# the body a matter of each authority is transferred to by default ({county}: the agency's county)
AUTHORITY_BODIES: dict[str, str] = {
    "应急": "{county}应急管理局",
    "消防救援": "{county}消防救援大队",
    "市场监管": "{county}市场监督管理局",
    "特种设备": "{county}市场监督管理局",
    "住建": "{county}住房和城乡建设局",
    "燃气": "{county}燃气主管部门",
    "交通运输": "{county}交通运输局",
    "公安": "{county}公安局",
    "生态环境": "{county}生态环境局",
}


def authority_name(code: str) -> str:
    """The body's name for *code*; an unknown code prints as itself."""
    return AUTHORITY_NAMES.get(code, code)
