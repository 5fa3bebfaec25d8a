"""Closed vocabularies stored as short codes; their Chinese labels for the UI and documents."""

from __future__ import annotations

from enum import StrEnum


class RiskColour(StrEnum):
    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    BLUE = "blue"

    @property
    def label(self) -> str:
        return {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝"}[self.value]

    @property
    def meaning(self) -> str:
        return {"red": "重大风险", "orange": "较大风险", "yellow": "一般风险", "blue": "低风险"}[
            self.value
        ]

    @property
    def hex(self) -> str:
        return {"red": "#d32f2f", "orange": "#ef6c00", "yellow": "#f9a825", "blue": "#1565c0"}[
            self.value
        ]


class Role(StrEnum):
    INSPECTOR = "inspector"
    GRID_WORKER = "grid_worker"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"inspector": "执法人员", "grid_worker": "网格员", "admin": "管理员"}[self.value]


class ItemResult(StrEnum):
    UNCHECKED = "unchecked"
    PASS = "pass"
    FAIL = "fail"
    NA = "na"

    @property
    def label(self) -> str:
        return {"unchecked": "未检查", "pass": "符合", "fail": "不符合", "na": "不涉及"}[self.value]


class HazardGrade(StrEnum):
    GENERAL = "general"
    MAJOR = "major"

    @property
    def label(self) -> str:
        return {"general": "一般隐患", "major": "重大隐患"}[self.value]


class HazardStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "open": "待整改", "closed": "已销号", "withdrawn": "已撤销"}[
            self.value
        ]


class InspectionStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"

    @property
    def label(self) -> str:
        return {"in_progress": "检查中", "finished": "已完成"}[self.value]


class UnitStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"active": "在业", "suspended": "停产停业", "closed": "注销/关闭"}[self.value]


INSPECTION_KINDS: tuple[str, ...] = ("日常检查", "专项检查", "双随机抽查", "举报核查", "复查")

SUPERVISION_LEVELS: dict[str, str] = {
    "A": "A级（重点监管）",
    "B": "B级",
    "C": "C级",
    "D": "D级（一般）",
}
