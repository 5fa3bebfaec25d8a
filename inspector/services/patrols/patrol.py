"""Grid patrols (网格巡查, the "六个一"), the places visited and the grid worker's hazard reports.

Each write stores its row, the outbox entry for the server and an audit event in one transaction.
A place without a credit code (九小场所, 出租房, 自建房) is added as a unit of that place kind, so a
later patrol finds it again and the server scopes it like any unit.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from inspector.domain.errors import UserError
from inspector.domain.tasks import (
    ASPECTS,
    PLACE_KINDS,
    PROBLEM_CLASSES,
    URGENCIES,
    TaskState,
)
from inspector.services.changes import Changes, Done, done
from inspector.services.context import Context
from inspector.services.evidence.photos import PhotoService, PreparedPhoto
from inspector.services.journal import audit, queue, row_payload
from inspector.services.patrols.records import (
    GridInfo,
    PatrolView,
    Place,
    ReportInput,
    ReportRow,
    VisitInput,
    VisitView,
    clean_visit,
    open_patrol,
    patrol_view,
    report_number,
)
from inspector.services.people.role import identity, scoped_filters
from inspector.services.setting_rows import current_user_id
from inspector.services.textcheck import clean_text
from inspector.services.units.directory import NewUnit, UnitService
from inspector.store.models import (
    Grid,
    HazardReport,
    Outbox,
    Patrol,
    PatrolVisit,
    Task,
    Township,
    Unit,
)
from inspector.store.unit_search import UnitFilters
from inspector.util.clock import clock_note, to_local
from inspector.util.ids import uuid7

# the records are named from here too (pages and tests import them with the service)
__all__ = [
    "GridInfo",
    "PatrolService",
    "PatrolView",
    "Place",
    "ReportInput",
    "ReportRow",
    "VisitInput",
    "VisitView",
    "report_number",
]


class PatrolService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.photos = PhotoService(ctx)

    # -- reads ---------------------------------------------------------------------------------
    def grids(self) -> list[GridInfo]:
        with self.ctx.store.read() as s:
            rows = s.exec(
                select(Grid, Township.name)
                .join(Township, col(Township.id) == Grid.township_id)
                .order_by(Township.name, Grid.name)
            ).all()
            who = identity(s)  # a grid worker patrols their own grids only
            mine = [
                g
                for g in rows
                if not who.grid_worker or not who.grid_ids or g[0].id in who.grid_ids
            ]
            return [GridInfo(g.id, g.name, g.code, g.township_id, t) for g, t in mine]

    def places(self, grid_id: str | None) -> list[Place]:
        """The units and places of a grid (all units when the grid is not known)."""
        with self.ctx.store.read() as s:
            grid_id = scoped_filters(identity(s), UnitFilters(grid_id=grid_id)).grid_id
            stmt = select(Unit).where(col(Unit.deleted).is_(False)).order_by(Unit.name)
            if grid_id:
                stmt = stmt.where(Unit.grid_id == grid_id)
            return [
                Place(u.id, u.name, u.address, u.industry, u.credit_code, u.lat, u.lon)
                for u in s.exec(stmt.limit(2000))
            ]

    def open_patrol(self) -> PatrolView | None:
        """The signed-in person's unfinished patrol, if any."""
        with self.ctx.store.read() as s:
            me = current_user_id(s)
            row = s.exec(
                select(Patrol)
                .where(Patrol.status == "open", Patrol.user_id == me)
                .order_by(col(Patrol.started_at).desc())
            ).first()
            return patrol_view(s, row) if row else None

    def view(self, patrol_id: str) -> PatrolView:
        with self.ctx.store.read() as s:
            row = s.get(Patrol, patrol_id)
            if row is None:
                raise UserError("找不到这次巡查记录。")
            return patrol_view(s, row)

    def reports(self, limit: int = 200) -> list[ReportRow]:
        """This device's reports with where the township has got with each (跟踪)."""
        with self.ctx.store.read() as s:
            rows = s.exec(
                select(HazardReport, Unit.name)
                .join(Unit, col(Unit.id) == HazardReport.unit_id)
                .order_by(col(HazardReport.reported_at).desc())
                .limit(limit)
            ).all()
            ids = [r.id for r, _ in rows]
            # the township's task of each report, and the reports still waiting to be sent
            tasks = {
                t.report_id: t for t in s.exec(select(Task).where(col(Task.report_id).in_(ids)))
            }
            unsent = set(
                s.exec(
                    select(Outbox.entity_id).where(
                        Outbox.entity == "hazardreport",
                        Outbox.state == "pending",
                        col(Outbox.entity_id).in_(ids),
                    )
                )
            )
            out = []
            for r, name in rows:
                task = tasks.get(r.id)
                if task is not None:
                    state, label = task.state, TaskState(task.state).label
                    history = json.loads(task.history)
                else:
                    label = "待同步" if r.id in unsent else "已上报，待乡镇受理"
                    state, history = "", []
                out.append(
                    ReportRow(
                        r.id,
                        r.number,
                        name,
                        r.category,
                        r.description,
                        r.urgency,
                        r.reported_at,
                        state,
                        label,
                        history,
                    )
                )
            return out

    # -- writes --------------------------------------------------------------------------------
    def start(self, grid_id: str, companions: str = "") -> Done[str]:
        companions = clean_text("同行人员", companions, max_chars=100)
        with self.ctx.store.write() as s:
            grid = s.get(Grid, grid_id)
            if grid is None:
                raise UserError("请选择要巡查的网格。")
            me = current_user_id(s)
            running = s.exec(
                select(Patrol.id).where(Patrol.status == "open", Patrol.user_id == me)
            ).first()
            if running:
                raise UserError("还有一次巡查没有结束，请先结束它再开始新的巡查。")
            now = self.ctx.clock.now()
            row = Patrol(
                id=uuid7(),
                grid_id=grid.id,
                township_id=grid.township_id,
                user_id=me,
                companions=companions,
                started_at=now,
                clock_offset_s=self.ctx.clock.offset_s,
                updated_at=now,
            )
            s.add(row)
            s.flush()
            self._journal(s, "patrol", row, "patrol.started", me)
        return Done(row.id)

    def add_place(
        self,
        grid_id: str,
        name: str,
        kind: str,
        address: str = "",
        lat: float | None = None,
        lon: float | None = None,
    ) -> Done[str]:
        """A place with no credit code, added as a unit of its kind in the grid."""
        if kind not in PLACE_KINDS:
            raise UserError(f"场所类型应为：{'、'.join(PLACE_KINDS)}。")
        with self.ctx.store.read() as s:
            grid = s.get(Grid, grid_id)
            if grid is None:
                raise UserError("请先选择网格。")
            township_id = grid.township_id
        return UnitService(self.ctx).add(
            NewUnit(
                name=name,
                address=address,
                township_id=township_id,
                grid_id=grid_id,
                industry=kind,
                tags=(kind,),
                lat=lat,
                lon=lon,
            )
        )

    def save_visit(
        self, patrol_id: str, data: VisitInput, visit_id: str | None = None
    ) -> Done[str]:
        """Record (or correct) one place of an open patrol."""
        clean = clean_visit(data)
        with self.ctx.store.write() as s:
            patrol = open_patrol(s, patrol_id)
            unit = s.get(Unit, clean.unit_id)
            if unit is None or unit.deleted:
                raise UserError("请选择巡查的单位或场所。")
            now = self.ctx.clock.now()
            if visit_id is None:
                n = len(
                    s.exec(select(PatrolVisit.id).where(PatrolVisit.patrol_id == patrol_id)).all()
                )
                row = PatrolVisit(
                    id=uuid7(),
                    patrol_id=patrol_id,
                    unit_id=unit.id,
                    seq=n,
                    visited_at=now,
                    updated_at=now,
                )
            else:
                found = s.get(PatrolVisit, visit_id)
                if found is None or found.patrol_id != patrol_id:
                    raise UserError("这条场所记录不属于本次巡查。")
                row = found
            row.unit_id = unit.id
            row.place_kind = clean.place_kind
            row.observations = json.dumps(clean.observations, ensure_ascii=False)
            row.problems = json.dumps([list(p) for p in clean.problems], ensure_ascii=False)
            row.actions = json.dumps(clean.actions, ensure_ascii=False)
            row.fixed_on_spot = clean.fixed_on_spot
            row.deadline = clean.deadline
            row.party = clean.party
            row.party_signed = clean.party_signed
            row.lat = clean.lat if clean.lat is not None else unit.lat
            row.lon = clean.lon if clean.lon is not None else unit.lon
            row.updated_at = now
            s.add(row)
            s.flush()
            kind = "patrol.visit_added" if visit_id is None else "patrol.visit_changed"
            self._journal(s, "patrolvisit", row, kind, patrol.user_id)
        return Done(row.id, Changes(units=frozenset({unit.id})))

    def add_visit_photo(self, visit_id: str, aspect: str, photo: PreparedPhoto) -> Done[str]:
        if aspect not in ASPECTS:
            raise UserError("请选择照片对应的“六个一”项目。")
        shas = self.photos.store_files(photo)
        with self.ctx.store.write() as s:
            visit = s.get(PatrolVisit, visit_id)
            if visit is None:
                raise UserError("请先保存这处场所的记录，再添加照片。")
            patrol = open_patrol(s, visit.patrol_id)
            row = self.photos.add_row(
                s, photo, shas, patrol.user_id, visit_id=visit_id, aspect=aspect
            )
        return Done(row.id, Changes(photos=frozenset({row.id})))

    def finish(self, patrol_id: str, summary: str = "") -> Done[None]:
        """End the patrol. A patrol with no place, or a place with nothing recorded, is refused
        with what is missing: an empty record must not be filed silently."""
        summary = clean_text("巡查小结", summary, max_chars=1000)
        with self.ctx.store.write() as s:
            patrol = open_patrol(s, patrol_id)
            view = patrol_view(s, patrol)
            if not view.visits:
                raise UserError(
                    "本次巡查还没有记录任何场所，不能结束。请至少记录一处巡查的单位或场所"
                    "（“六个一”情况、问题或照片）；如确未巡查，请删除本次巡查。"
                )
            empty = [v.place_name for v in view.visits if not v.has_content]
            if empty:
                raise UserError(
                    f"以下场所还没有任何记录：{'、'.join(empty)}。请填写“六个一”情况、问题或照片。"
                )
            patrol.summary = summary
            self._end(s, patrol, "finished")
        return done(Changes())

    def discard(self, patrol_id: str) -> Done[None]:
        """Drop an open patrol that recorded nothing (a start by mistake)."""
        with self.ctx.store.write() as s:
            patrol = open_patrol(s, patrol_id)
            if s.exec(select(PatrolVisit.id).where(PatrolVisit.patrol_id == patrol_id)).first():
                raise UserError("本次巡查已有场所记录，不能删除；请结束巡查。")
            self._end(s, patrol, "discarded")
        return done(Changes())

    def report(self, data: ReportInput) -> Done[str]:
        """File a hazard report (网格上报): the report, then its photos, queued in that order."""
        missing = []
        if not data.photos:
            missing.append("现场照片（请至少拍摄或选择一张）")
        lat, lon = data.lat, data.lon
        if lat is None or lon is None:
            gps = [(p.gps_lat, p.gps_lon) for p in data.photos if p.gps_lat is not None]
            if gps and gps[0][1] is not None:
                lat, lon = gps[0]
        location = clean_text("位置说明", data.location, max_chars=200)
        if (lat is None or lon is None) and not location:
            missing.append("位置（照片没有GPS信息：请定位或填写位置说明，如门牌号、楼层）")
        if data.category not in PROBLEM_CLASSES:
            missing.append("问题类别")
        description = clean_text("问题描述", data.description, max_chars=1000)
        if not description:
            missing.append("问题描述")
        if missing:
            raise UserError("上报缺少：" + "；".join(missing) + "。")
        if data.urgency not in URGENCIES:
            raise UserError("紧急程度应为“一般”或“紧急”。")
        shas = [self.photos.store_files(p) for p in data.photos]
        with self.ctx.store.write() as s:
            unit = s.get(Unit, data.unit_id)
            if unit is None or unit.deleted:
                raise UserError("请选择问题所在的单位或场所。")
            visit = s.get(PatrolVisit, data.visit_id) if data.visit_id else None
            me = current_user_id(s)
            now = self.ctx.clock.now()
            rid = uuid7()
            row = HazardReport(
                id=rid,
                number=report_number(now, rid),
                patrol_id=visit.patrol_id if visit else None,
                visit_id=visit.id if visit else None,
                unit_id=unit.id,
                grid_id=unit.grid_id,
                township_id=unit.township_id,
                category=data.category,
                description=description,
                urgency=data.urgency,
                lat=lat,
                lon=lon,
                location=location,
                user_id=me,
                reported_at=now,
                clock_offset_s=self.ctx.clock.offset_s,
            )
            s.add(row)
            s.flush()
            self._journal(s, "hazardreport", row, "report.filed", me)
            for photo, files in zip(data.photos, shas, strict=True):
                self.photos.add_row(s, photo, files, me, report_id=rid, aspect="look")
        return Done(rid, Changes(units=frozenset({unit.id})))

    # -- photos: prepared on the pool (decode, scale, watermark; no database), stored on the writer
    def prepare_visit_photo(self, path: Path) -> PreparedPhoto:
        mark = f"网格巡查 {to_local(self.ctx.clock.now()):%Y-%m-%d %H:%M}"
        return self.photos.prepare_file(path, mark)

    def prepare_report_photos(self, paths: list[Path]) -> list[PreparedPhoto]:
        mark = f"网格上报 {to_local(self.ctx.clock.now()):%Y-%m-%d %H:%M}"
        return [self.photos.prepare_file(p, mark) for p in paths]

    def report_files(self, data: ReportInput, paths: list[Path]) -> Done[str]:
        """`report` with photos read from files, prepared and stored in one call (CLI, tests)."""
        photos = self.prepare_report_photos(paths)
        return self.report(replace(data, photos=[*data.photos, *photos]))

    def add_visit_photo_file(self, visit_id: str, aspect: str, path: Path) -> Done[str]:
        """`add_visit_photo` of a file, prepared and stored in one call (CLI, tests)."""
        return self.add_visit_photo(visit_id, aspect, self.prepare_visit_photo(path))

    # -- printing ------------------------------------------------------------------------------
    def patrol_pdf(self, patrol_id: str | None = None) -> bytes:
        """The 网格安全巡查记录 of a patrol (default: the signed-in person's latest)."""
        from inspector.documents.patrol_print import PatrolPrint, render_patrol_record

        with self.ctx.store.read() as s:
            if patrol_id is None:
                me = current_user_id(s)
                row = s.exec(
                    select(Patrol)
                    .where(Patrol.user_id == me, Patrol.status != "discarded")
                    .order_by(col(Patrol.started_at).desc())
                ).first()
                if row is None:
                    raise UserError("还没有巡查记录可打印。")
                patrol_id = row.id
        p = self.view(patrol_id)
        data = PatrolPrint(
            township=p.grid.township if p.grid else "",
            grid_name=p.grid.name if p.grid else "",
            grid_code=p.grid.code if p.grid else "",
            worker=p.worker,
            worker_phone=p.worker_phone,
            companions=p.companions,
            started_at=to_local(p.started_at),
            ended_at=to_local(p.ended_at) if p.ended_at else None,
            visits=[_visit_print(v) for v in p.visits],
            summary=p.summary,
            printed_at=to_local(self.ctx.clock.now()),
        )
        return render_patrol_record(data)

    def notice_pdf(self, visit_id: str) -> bytes:
        """The grid's 安全隐患整改通知书 for the problems found at one place (not an 执法文书)."""
        from inspector.documents.patrol_print import GridNoticePrint, render_grid_notice

        with self.ctx.store.read() as s:
            visit = s.get(PatrolVisit, visit_id)
            if visit is None:
                raise UserError("请先保存场所记录。")
            patrol_id = visit.patrol_id
            unit = s.get(Unit, visit.unit_id)
            responsible = (unit.legal_rep or unit.contact_name) if unit else ""
        p = self.view(patrol_id)
        v = next(x for x in p.visits if x.id == visit_id)
        if not v.data.problems:
            raise UserError("这处场所没有记录问题，不需要整改通知书。")
        now = to_local(self.ctx.clock.now())
        number = (
            v.report_numbers[0] if v.report_numbers else f"网巡{now:%Y%m%d}-{visit_id[-4:].upper()}"
        )
        data = GridNoticePrint(
            number=number,
            township=p.grid.township if p.grid else "",
            grid_name=p.grid.name if p.grid else "",
            place_name=v.place_name,
            address=v.address,
            responsible=v.data.party or responsible,
            found_at=to_local(v.visited_at),
            problems=v.data.problems,
            requirement="请针对上述问题立即组织整改，消除安全隐患；整改期间落实防范措施。",
            deadline=v.data.deadline,
            worker=p.worker,
            worker_phone=p.worker_phone,
            issued_on=now.date(),
            clock_note=clock_note(self.ctx.clock.offset_s),
        )
        return render_grid_notice(data)

    # -- internals -----------------------------------------------------------------------------
    def _end(self, s: Session, patrol: Patrol, status: str) -> None:
        """Close an open patrol as `status` (finished | discarded), now, journalled as
        patrol.<status> by the one who walked it."""
        patrol.status = status
        patrol.ended_at = self.ctx.clock.now()
        patrol.updated_at = patrol.ended_at
        s.add(patrol)
        s.flush()
        self._journal(s, "patrol", patrol, f"patrol.{status}", patrol.user_id)

    def _journal(self, s: Session, entity: str, row: Any, kind: str, actor: str | None) -> None:
        payload = row_payload(row)
        queue(s, self.ctx.clock, entity, row.id, payload)
        audit(s, self.ctx.clock, kind, entity, row.id, actor, payload)


def _visit_print(v: VisitView) -> Any:
    from inspector.documents.patrol_print import VisitPrint

    return VisitPrint(
        place_name=v.place_name,
        place_kind=v.data.place_kind,
        address=v.address,
        credit_code=v.credit_code,
        visited_at=to_local(v.visited_at),
        observations=v.data.observations,
        photo_counts=v.photo_counts,
        problems=v.data.problems,
        actions=v.data.actions,
        fixed_on_spot=v.data.fixed_on_spot,
        deadline=v.data.deadline,
        party=v.data.party,
        party_signed=v.data.party_signed,
        report_no=", ".join(v.report_numbers) or None,
    )
