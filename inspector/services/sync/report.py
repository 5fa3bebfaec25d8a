"""What one sync run did, as the sync page shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from inspector.domain.record_kinds import record_name


@dataclass(frozen=True)
class Rejection:
    entity: str
    entity_id: str
    op_id: str
    status: str  # rejected | conflict | retry
    reason: str  # Chinese

    @property
    def label(self) -> str:
        return f"{record_name(self.entity)}：{self.reason}"


@dataclass
class SyncReport:
    pushed: dict[str, int] = field(default_factory=dict)  # entity → applied
    duplicates: int = 0
    conflicts: list[Rejection] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    retry: int = 0  # still pending after this run (reasons on the outbox rows)
    # records the server sent back (`retry`) at their last try in this run, still pending
    waiting: list[Rejection] = field(default_factory=list)
    pulled: dict[str, int] = field(default_factory=dict)  # entity → rows applied
    blobs_uploaded: int = 0
    bytes_uploaded: int = 0
    clock_offset_s: float | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # Chinese; None when the run completed
    cancelled: bool = False
    last_ok: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def complete(self) -> bool:
        """The run reached the end and the server took every record it was sent."""
        return self.ok and not self.waiting

    def add_pushed(self, entity: str) -> None:
        self.pushed[entity] = self.pushed.get(entity, 0) + 1

    def summary(self) -> str:
        """The run in figures ("上传 3 条，下载 0 条，…") and which records came back, and why."""
        parts = [f"上传 {sum(self.pushed.values())} 条", f"下载 {sum(self.pulled.values())} 条"]
        if self.duplicates:
            parts.append(f"服务器已有 {self.duplicates} 条（未重复提交）")
        if self.blobs_uploaded:
            parts.append(f"附件 {self.blobs_uploaded} 个")
        if self.rejected:
            parts.append(f"未被接受 {len(self.rejected)} 条")
        if self.conflicts:
            parts.append(f"冲突 {len(self.conflicts)} 条")
        if self.retry:
            parts.append(f"仍待同步 {self.retry} 条")
        text = "，".join(parts)
        if self.waiting:
            shown = "；".join(w.label for w in self.waiting[:3])
            more = f"等 {len(self.waiting)} 条" if len(self.waiting) > 3 else ""
            text += f"。服务器暂未接受：{shown}{more}"
        return text
