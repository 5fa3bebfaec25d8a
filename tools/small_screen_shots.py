"""Every page of the window at 1024×700 and at 1366×768, offscreen, on the demo county:
.venv/bin/python tools/small_screen_shots.py docs/screenshots/small-screen/"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSize
from screenshots import settle  # tools/ is this script's folder (run as a script)

from inspector.services.demo.county import load_demo
from inspector.services.facade import Services
from inspector.services.inspections.recording import StartInspection
from inspector.ui.app import make_application
from inspector.ui.main_window import NAV, MainWindow

SIZES = (QSize(1024, 700), QSize(1366, 768))


def start_inspection(services: Services) -> str:
    unit = services.units.search("机械", limit=3)[0]
    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    lists = [c.id for c in services.inspections.checklists()][:1]
    iid = services.inspections.start(
        StartInspection(unit.id, people, lists, place="生产车间")
    ).value
    items = services.inspections.view(iid).checklists[0].items
    for it, result in zip(items[:4], ("pass", "pass", "fail", "na"), strict=True):
        services.inspections.set_item(
            iid, it.id, result, "现场检查发现的问题" if result == "fail" else None
        )
    return iid


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    services = Services.open(Path(tempfile.mkdtemp()) / "data")
    load_demo(services.ctx)
    iid = start_inspection(services)
    make_application()
    for size in SIZES:
        window = MainWindow(services)
        window.start()
        window.show()
        settle(window)
        window.apply_role("admin")  # every page, 巡查 included
        frame = window.frameGeometry().size() - window.geometry().size()
        window.resize(size - frame)
        settle(window)
        tag = f"{size.width()}x{size.height()}"
        for key, _label in NAV:
            window.go(key)
            settle(window)
            if key == "units":
                window.units.search.setText("机械")
                window.units.run_search()
                settle(window)
                window.units.select_row(0)
                settle(window)
            elif key == "inspection":
                window.open_inspection(iid)
                settle(window)
            elif key == "patrol" and window.patrol.stack.currentIndex() == 0:
                window.patrol.start_button.click()
                settle(window)
            window.grab().save(str(out / f"{key}-{tag}.png"))
            print(key, tag, window.size().toTuple(), window.minimumSizeHint().toTuple())
        window.close()
        settle(window)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots/small-screen"))
