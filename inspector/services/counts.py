"""Counts shown in more than one place, each worked out here once (issue 18: the places disagreed).

- `hazard_counts`: the findings of inspections — every hazard but a withdrawn one (a 不符合 taken
  back) — for the unit panel's inspection lines, the inspection list and the inspection's own
  hazard list (`InspectionView.hazards` leaves the same ones out).
- `unsynced`: what has not reached the server — records waiting to be sent, and records the server
  refused, which need a look — for the status bar's 待同步, the 同步 page's total and its
  "可以安全退出登录吗？" line, and the sign-out warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from inspector.domain.enums import HazardStatus
from inspector.store.models import Hazard, Outbox


def hazard_counts(s: Session, inspection_ids: Iterable[str]) -> dict[str, int]:
    """Findings per inspection (withdrawn ones left out); an inspection without any is absent."""
    ids = list(inspection_ids)
    if not ids:
        return {}
    rows = s.exec(
        select(Hazard.inspection_id, func.count())
        .where(col(Hazard.inspection_id).in_(ids))
        .where(Hazard.status != HazardStatus.WITHDRAWN)
        .group_by(Hazard.inspection_id)
    ).all()
    return {i: int(n) for i, n in rows}


@dataclass(frozen=True)
class Unsynced:
    pending: int  # waiting to be sent
    rejected: int  # refused by the server: stays only on this device until someone looks

    @property
    def total(self) -> int:
        return self.pending + self.rejected

    def text(self) -> str:
        """The status bar's words: "待同步 3 条" or "待同步 3 条，另有 1 条未被服务器接受"."""
        extra = f"，另有 {self.rejected} 条未被服务器接受" if self.rejected else ""
        return f"待同步 {self.pending} 条{extra}"


def unsynced(s: Session) -> Unsynced:
    rows = dict(
        s.exec(
            select(Outbox.state, func.count())
            .where(col(Outbox.state).in_(("pending", "rejected")))
            .group_by(Outbox.state)
        ).all()
    )
    return Unsynced(int(rows.get("pending", 0)), int(rows.get("rejected", 0)))
