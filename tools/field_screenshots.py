"""Pictures of the field dialogs (修改单位信息, the photo viewer) over the window at 1024×700,
from the demo county, offscreen.

PYTHONPATH=. .venv/bin/python tools/field_screenshots.py docs/screenshots/
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QScrollArea, QWidget

from inspector.services.demo.county import load_demo
from inspector.services.evidence.photos import watermark_text
from inspector.services.facade import Services
from inspector.services.inspections.recording import StartInspection
from inspector.services.patrols.patrol import VisitInput
from inspector.ui.app import make_application
from inspector.ui.main_window import MainWindow
from tools.screenshots import WorkingClock, as_grid_worker, sample_photo, settle, written

SIZE = (1024, 700)


def over_window(window: MainWindow, dialog: QWidget, path: Path) -> None:
    """The window with the dialog painted where it stands (offscreen has no compositor)."""
    picture = window.grab()
    painter = QPainter(picture)
    at = dialog.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0))
    painter.drawPixmap(at, dialog.grab())
    painter.end()
    picture.save(str(path))


def edit_unit_picture(window: MainWindow, out: Path) -> None:
    window.units.search.setText("jx")
    window.units.run_search()
    settle(window)
    window.units.select_row(0)
    settle(window)
    window.units.open_edit_unit()
    dialog = window.units.edit_dialog
    assert dialog is not None
    dialog.phone.setText("1380000")
    dialog.legal_rep.setText("王堃喆𠀀")
    dialog.ok_button.click()
    settle(window)
    over_window(window, dialog, out / "edit-unit-1024x700.png")
    dialog.reject()


def photo_viewer_picture(window: MainWindow, services: Services, out: Path) -> None:
    """An inspection with two photos; the viewer on the first, then asking for a removal reason."""
    unit = services.units.search("jx", limit=1)[0]
    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    checklist = services.inspections.checklists()[0].id
    folder = Path(tempfile.mkdtemp())
    mark = watermark_text(unit.name, datetime.now(UTC), ["张三", "李四"])

    def with_two_photos() -> str:
        iid = services.inspections.start(
            StartInspection(unit_id=unit.id, inspector_ids=people, checklist_ids=[checklist])
        ).value
        for name in ("IMG_0001.JPG", "IMG_0002.JPG"):
            services.photos.add_file(iid, sample_photo(folder / name), mark)
        return iid

    iid = written(services, with_two_photos)
    window.open_inspection(iid)
    settle(window)
    page = window.inspection
    page.photo_list.setCurrentRow(0)
    page.photos._open_photo(0)
    settle(window)
    viewer = page.photo_viewer
    assert viewer is not None
    over_window(window, viewer, out / "photo-viewer-1024x700.png")
    viewer.ask_reason()
    viewer.reason.setText("拍错了对象，是隔壁单位的配电箱")
    settle(window)
    over_window(window, viewer, out / "photo-viewer-remove-1024x700.png")
    viewer.reject()


def patrol_strip_picture(window: MainWindow, services: Services, out: Path) -> None:
    """A grid worker's visit with two photos: the strip under 六个一, then one opened large."""
    as_grid_worker(window, services)
    patrols = services.patrols
    folder = Path(tempfile.mkdtemp())

    def visit_with_two_photos() -> None:
        grid = patrols.grids()[0]
        patrol_id = patrols.start(grid.id, "村安全员 周敏").value
        place = patrols.places(grid.id)[0]
        visit_id = patrols.save_visit(
            patrol_id,
            VisitInput(unit_id=place.unit_id, observations={"look": "后门通道堆放纸箱"}),
        ).value
        for aspect, name in (("look", "DSC_0041.JPG"), ("smell", "DSC_0042.JPG")):
            patrols.add_visit_photo_file(visit_id, aspect, sample_photo(folder / name))

    written(services, visit_with_two_photos)
    window.go("patrol")
    settle(window)
    page = window.patrol
    page.visits.setCurrentRow(0)
    settle(window)
    scroll = page.photo_strip.parentWidget()
    while scroll is not None and not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    if scroll is not None:
        scroll.ensureWidgetVisible(page.photo_strip)
    settle(window)
    window.grab().save(str(out / "patrol-photos-1024x700.png"))
    page._open_photo(1)
    settle(window)
    viewer = page.photo_viewer
    assert viewer is not None
    over_window(window, viewer, out / "patrol-photo-viewer-1024x700.png")
    viewer.reject()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    services = Services.open(Path(tempfile.mkdtemp()) / "data", clock=WorkingClock())
    load_demo(services.ctx)
    make_application()
    window = MainWindow(services)
    window.resize(*SIZE)
    window.start()
    window.show()
    settle(window)
    edit_unit_picture(window, out)
    photo_viewer_picture(window, services, out)
    patrol_strip_picture(window, services, out)
    window.close()
    services.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
