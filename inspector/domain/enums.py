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
    """Where a hazard stands in the closed loop (隐患闭环); 逾期 is derived from the deadline."""

    DRAFT = "draft"  # recorded during an inspection that is not finished yet
    PENDING = "pending"  # 待整改: registered, no order running yet
    RECTIFYING = "rectifying"  # 整改中: ordered with a deadline
    REVIEWED_OK = "reviewed_ok"  # 已复查（合格）
    REVIEWED_FAILED = "reviewed_failed"  # 已复查（不合格）
    CLOSED = "closed"  # 已销号
    WITHDRAWN = "withdrawn"  # the finding was taken back before the inspection was finished

    @property
    def label(self) -> str:
        return {
            "draft": "草稿",
            "pending": "待整改",
            "rectifying": "整改中",
            "reviewed_ok": "已复查（合格）",
            "reviewed_failed": "已复查（不合格）",
            "closed": "已销号",
            "withdrawn": "已撤销",
        }[self.value]

    @property
    def open(self) -> bool:
        """Still needs work from the unit or the inspectors."""
        return self in (
            HazardStatus.PENDING,
            HazardStatus.RECTIFYING,
            HazardStatus.REVIEWED_FAILED,
            HazardStatus.REVIEWED_OK,
        )


# hazards that still need work (shown in lists and counted on the home page)
UNDONE_HAZARD_STATES: tuple[str, ...] = (
    HazardStatus.PENDING.value,
    HazardStatus.RECTIFYING.value,
    HazardStatus.REVIEWED_FAILED.value,
    HazardStatus.REVIEWED_OK.value,
)
OPEN_HAZARD_STATES: tuple[str, ...] = (HazardStatus.DRAFT.value, *UNDONE_HAZARD_STATES)


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

# the kind of the 现场检查记录 (the one document that is not a form of document_kinds.SPECS)
SITE_RECORD = "site_record"

SUPERVISION_LEVELS: dict[str, str] = {
    "A": "A级（重点监管）",
    "B": "B级",
    "C": "C级",
    "D": "D级（一般）",
}
