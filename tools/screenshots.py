"""Make the README's pictures from the real window, offscreen: the unit list and an inspection.

.venv/bin/python tools/screenshots.py docs/
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image, ImageDraw
from PySide6.QtCore import QEventLoop, QTimer

from inspector.documents.raster import render_pages
from inspector.services.demo.county import load_demo
from inspector.services.facade import Services
from inspector.services.inspections.recording import StartInspection
from inspector.store.engine import writer_guard
from inspector.store.models import Unit
from inspector.ui.app import make_application
from inspector.ui.main_window import MainWindow
from inspector.util.clock import Clock

# the script stands for a person at the window: its own writes go to the window's writer, and one
# that does not fails at once (as under the tests)
writer_guard.strict = True
T = TypeVar("T")


def written(services: Services, fn: Callable[[], T]) -> T:
    """`fn`'s writes, on the store's writer (the window's runner once it serves the store)."""
    return services.ctx.run_on_writer(fn)


class WorkingClock(Clock):
    """The device clock, moved on by hand where the script stands for time spent on site (so the
    record's end is not its start)."""

    def __init__(self) -> None:
        self.elapsed = timedelta()

    def device_now(self) -> datetime:
        return datetime.now(UTC) + self.elapsed


def settle(window: MainWindow, ms: int = 300) -> None:
    loop = QEventLoop()
    for _ in range(100):
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        if window.tasks.pending == 0:
            return


def sample_photo(path: Path) -> Path:
    img = Image.new("RGB", (1600, 1200), (96, 104, 112))
    d = ImageDraw.Draw(img)
    d.rectangle((200, 300, 900, 1100), fill=(150, 150, 140))
    d.rectangle((1000, 200, 1400, 1100), fill=(70, 80, 90))
    for y in range(320, 1080, 40):
        d.line((220, y, 880, y + 20), fill=(120, 120, 110), width=6)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    path.write_bytes(buf.getvalue())
    return path


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    clock = WorkingClock()
    services = Services.open(tmp / "data", clock=clock)
    load_demo(services.ctx)
    app = make_application()
    window = MainWindow(services)
    window.resize(1366, 768)
    window.start()
    window.show()
    settle(window)

    window.units.search.setText("jx")
    window.units.run_search()
    settle(window)
    window.units.select_row(2)
    settle(window)
    window.grab().save(str(out / "screenshot-units.png"))

    # an inspection in progress: a few items marked, one finding with a photo
    unit = window.units.model.rows[2]
    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    lists = {c.code: c.id for c in services.inspections.checklists()}
    with services.ctx.store.read() as s:
        stored = s.get(Unit, unit.id)
        legal_rep = stored.legal_rep if stored is not None else ""
    photo = sample_photo(tmp / "IMG_0231.JPG")

    def record() -> tuple[str, list[Any]]:
        iid = services.inspections.start(
            StartInspection(
                unit.id,
                people,
                [lists.get("gm-dust", next(iter(lists.values())))],
                place="一号生产车间及除尘系统",
                representative=legal_rep or "刘喆",
                representative_title="总经理",
            )
        ).value
        items = services.inspections.view(iid).checklists[0].items
        for it in items[:6]:
            services.inspections.set_item(iid, it.id, "pass")
        dust = next(it for it in items if it.major and "积尘" in it.content)  # 判定标准 §11(十)
        services.inspections.set_item(
            iid, dust.id, "fail", "未落实粉尘清理制度，打磨工位除尘器灰斗积尘约5厘米"
        )
        services.inspections.set_item(iid, items[7].id, "na")
        hazard = services.inspections.view(iid).hazards[0]
        view = services.inspections.view(iid)
        services.photos.add_file(
            iid, photo, f"{view.unit_name}\n2026-11-23 10:24  检查人员：张立、李喆", hazard.id
        )
        return iid, list(items)

    iid, items = written(services, record)
    window.open_inspection(iid)
    window.refresh_status()
    settle(window)
    window.inspection.tree.setCurrentItem(window.inspection.items_by_id[items[8].id])
    window.inspection.tree.scrollToItem(window.inspection.items_by_id[items[8].id])
    settle(window)
    window.grab().save(str(out / "screenshot-inspection.png"))

    # finish it two hours on and print page 1 of its 现场检查记录 as the app renders it
    clock.elapsed += timedelta(hours=2, minutes=25)
    summary = "对粉尘涉爆作业场所、除尘系统和安全管理资料进行了检查。"
    written(services, lambda: services.inspections.finish(iid, summary))
    record = written(services, lambda: services.records.render_site_record(iid).value)
    [page1, *_] = render_pages(services.records.pdf(record.pdf_sha256), dpi=90)
    page1.save(out / "site-record-page1.png")

    # the order drafted from that inspection, in its form; then the register with it issued
    import json

    from inspector.services.setting_rows import current_agency_id

    with services.ctx.store.read() as s:
        agency = current_agency_id(s)
    year = services.ctx.clock.today().year
    blocks = tmp / "blocks.json"
    blocks.write_text(
        json.dumps(
            {
                "blocks": [
                    {"id": f"demo-{code}", "agency_id": agency, "series": code, "year": year,
                     "first": 21, "last": 60}
                    for code in ("责改", "检记", "复查", "回")
                ]
            }
        ),
        "utf-8",
    )  # fmt: skip
    written(services, lambda: services.numbering.load_block_file(blocks))
    window.draft_document("rectification_order", iid)
    settle(window)
    dialog = window.draft_dialog
    assert dialog is not None
    dialog.resize(1100, 740)
    settle(window)
    dialog.grab().save(str(out / "screenshot-document-draft.png"))
    draft = dialog.collect()
    written(services, lambda: services.documents.issue(draft))
    dialog.reject()
    if window.preview is not None:
        window.preview.close()
    window.go("documents")
    settle(window)
    window.grab().save(str(out / "screenshot-documents.png"))
    work_plan_pictures(window, services, out, photo)
    window.close()
    services.close()
    app.quit()


def as_grid_worker(window: MainWindow, services: Services) -> None:
    """The demo county's first grid worker is the person signed in, and the window theirs."""
    from sqlmodel import select

    from inspector.services.setting_rows import set_current_user
    from inspector.store.models import User

    def sign_in_as_worker() -> None:
        with services.ctx.store.write() as s:
            worker = s.exec(select(User).where(User.role == "grid_worker")).first()
            assert worker is not None
            set_current_user(s, worker.id)

    written(services, sign_in_as_worker)
    window.apply_role("grid_worker")


def work_plan_pictures(window: MainWindow, services: Services, out: Path, photo: Path) -> None:
    """The due list, the overview, the map, and a grid worker's patrol screen."""
    rows = window.units.model.rows
    written(services, lambda: plan_tasks(services, [r.id for r in rows], rows[7].name))
    window.go("tasks")
    settle(window)
    window.grab().save(str(out / "screenshot-due-list.png"))
    window.go("overview")
    settle(window, 600)
    window.grab().save(str(out / "screenshot-overview.png"))
    window.go("map")
    settle(window, 600)
    window.grab().save(str(out / "screenshot-map.png"))

    # the same device signed in as a grid worker, on patrol
    as_grid_worker(window, services)
    written(services, lambda: patrol_visits(services, photo))
    window.go("patrol")
    settle(window)
    window.patrol.visits.setCurrentRow(0)
    settle(window)
    window.grab().save(str(out / "screenshot-patrol.png"))


def plan_tasks(services: Services, unit_ids: list[str], sampled_name: str) -> None:
    """Two own plans (one due, one overdue) and two tasks from the township: a grid worker's
    report being handled and a 双随机 draw."""
    from inspector.services.sync.apply import apply_task

    today = services.ctx.clock.today()
    services.work_plan.create_own(unit_ids[3:5], today + timedelta(days=2))
    services.work_plan.create_own(unit_ids[5:6], today - timedelta(days=3))
    now = services.ctx.clock.now().isoformat()
    with services.ctx.store.write() as s:
        unit = s.get(Unit, unit_ids[1])
        assert unit is not None
        history = [{"state": "accepted", "at": now, "by": "系统", "note": "乡镇受理网格员上报"}]
        for n, (kind, title) in enumerate(
            (
                ("网格上报", f"{unit.name}：燃气隐患（网格上报，紧急）"),
                ("双随机抽查", f"{sampled_name}：双随机抽查"),
            )
        ):
            apply_task(
                s,
                {
                    "id": f"demo-task-{n}",
                    "kind": kind,
                    "title": title,
                    "detail": "后厨液化气瓶放在灶台下，无固定，靠近明火。" if n == 0 else "",
                    "unit_id": unit.id if n == 0 else unit_ids[7],
                    "report_id": "demo-report" if n == 0 else None,
                    "due_date": (today + timedelta(days=n)).isoformat(),
                    "state": "accepted" if n == 0 else "dispatched",
                    "history": history,
                    "created_at": now,
                },
                1,
            )


def patrol_visits(services: Services, photo: Path) -> None:
    """A patrol with two places visited, the first with 六个一 notes, problems and a photo."""
    from inspector.services.patrols.patrol import VisitInput

    patrols = services.patrols
    grid = patrols.grids()[0]
    patrol_id = patrols.start(grid.id, "村安全员 周敏").value
    places = patrols.places(grid.id)
    notes = {
        "walk": "走遍前厅、后厨、仓库和后门通道",
        "look": "灭火器压力正常；后门通道堆放纸箱",
        "smell": "后厨有轻微燃气味，已关阀通风",
        "listen": "店主反映燃气软管去年更换",
        "talk": "讲解燃气泄漏处置和电动车不得室内充电",
        "record": "后门通道限当天清理；燃气问题已上报",
    }
    visit_id = patrols.save_visit(
        patrol_id,
        VisitInput(
            unit_id=places[0].unit_id,
            place_kind="九小场所",
            observations=notes,
            problems=[("通道", "后门安全出口堆放纸箱"), ("燃气", "液化气瓶无固定，靠近灶台")],
            actions=["劝导", "报告"],
            party="王𠀀堃",
            party_signed="signed",
        ),
    ).value
    patrols.add_visit_photo_file(visit_id, "look", photo)
    patrols.save_visit(
        patrol_id,
        VisitInput(unit_id=places[1].unit_id, observations={"look": "消防通道畅通"}),
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
