"""The one object the UI holds: every use case, built on one Context."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from inspector.services.context import Context, open_context
from inspector.services.counts import Unsynced, unsynced
from inspector.services.documents import DocumentService
from inspector.services.documents.drafts import DraftStore
from inspector.services.documents.numbering import NumberingService
from inspector.services.documents.printing import PrintService
from inspector.services.documents.site_record import RecordService
from inspector.services.evidence.photo_edits import PhotoEdits
from inspector.services.evidence.photos import PhotoService
from inspector.services.hazards.listing import HazardService
from inspector.services.hazards.loop import HazardLoopService
from inspector.services.inspections.recording import InspectionService
from inspector.services.overview.monthly import OverviewService
from inspector.services.patrols.patrol import PatrolService
from inspector.services.plan.supervision import PlanService
from inspector.services.plan.work_tasks import WorkPlanService
from inspector.services.setting_rows import clock_offset
from inspector.services.sync.engine import SyncService
from inspector.services.sync.trusted_time import TimeCheck, time_to_confirm
from inspector.services.units.directory import UnitService
from inspector.services.units.map import UnitMapService
from inspector.store.models import Unit
from inspector.util.clock import Clock


class Services:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.units = UnitService(ctx)
        self.inspections = InspectionService(ctx)
        self.hazards = HazardService(ctx)
        self.photos = PhotoService(ctx)
        self.photo_edits = PhotoEdits(ctx)
        self.records = RecordService(ctx)
        self.numbering = NumberingService(ctx)
        self.documents = DocumentService(ctx)
        self.drafts = DraftStore(ctx)
        # late-bound: tests and the sign-in may put another SyncService in place
        self.overview = OverviewService(ctx, lambda *a: self.sync.fetch_monthly(*a))
        self.hazard_loop = HazardLoopService(ctx)
        self.printing = PrintService(ctx)
        self.sync = SyncService(ctx)
        self.unit_map = UnitMapService(ctx)
        self.plan = PlanService(ctx)
        self.patrols = PatrolService(ctx)
        self.work_plan = WorkPlanService(ctx)

    @classmethod
    def open(cls, data_dir: Path, *, clock: Clock | None = None) -> Services:
        return cls(open_context(data_dir, clock=clock))

    def is_empty(self) -> bool:
        with self.ctx.store.read() as s:
            return s.exec(select(Unit.id).limit(1)).first() is None

    def unsynced_count(self) -> int:
        """Records waiting to be sent (`unsynced().pending`)."""
        return self.unsynced().pending

    def unsynced(self) -> Unsynced:
        """What has not reached the server: the one count the status bar and 同步 page show."""
        with self.ctx.store.read() as s:
            return unsynced(s)

    def clock_offset(self) -> float | None:
        with self.ctx.store.read() as s:
            return clock_offset(s)

    def time_check(self) -> TimeCheck | None:
        """The time a document would carry, when the clock's correction needs a look first."""
        return time_to_confirm(self.ctx)

    def close(self) -> None:
        self.ctx.store.dispose()
