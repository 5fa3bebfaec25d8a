"""Pictures of the field dialogs (修改单位信息, the photo viewer) over the window at 1024×700,
from the demo county, offscreen.

PYTHONPATH=. .venv/bin/python tools/field_screenshots.py docs/screenshots/
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget

from inspector.services.demo.county import load_demo
from inspector.services.facade import Services
from inspector.ui.app import make_application
from inspector.ui.main_window import MainWindow
from tools.screenshots import WorkingClock, settle

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
    window.close()
    services.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
