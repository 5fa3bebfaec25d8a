"""Pictures of Qt's own widgets in Chinese (the file dialog, a calendar), and of the sign-in dialog
on a machine without a keyring, offscreen:

.venv/bin/python tools/qt_chinese_shots.py docs/screenshots/
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication, QCalendarWidget, QFileDialog

from inspector.ui.app import make_application


def file_dialog(folder: Path) -> QFileDialog:
    """Qt's own (non-native) open dialog on `folder`, in the detail view (sizes, dates shown)."""
    dialog = QFileDialog(None, "选择照片", str(folder), "图片 (*.jpg *.jpeg *.png)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    dialog.resize(860, 520)
    return dialog


def calendar() -> QCalendarWidget:
    cal = QCalendarWidget()
    cal.setSelectedDate(QDate(2026, 12, 6))
    cal.resize(420, 300)
    return cal


def sample_folder(root: Path) -> Path:
    """A camera card's DCIM folder with a few files of different sizes."""
    folder = root / "DCIM"
    folder.mkdir(parents=True, exist_ok=True)
    for n, size in ((1, 2_400_000), (2, 3_100_000), (3, 180_000)):
        (folder / f"IMG_{n:04d}.jpg").write_bytes(b"\xff\xd8" + bytes(size))
    return folder


def main(out: Path) -> int:
    app = make_application()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        dialog = file_dialog(sample_folder(Path(tmp)))
        dialog.show()
        for _ in range(20):  # the file system model fills in on its own thread
            app.processEvents()
            time.sleep(0.05)
        dialog.grab().save(str(out / "qt-chinese-file-dialog.png"))
        dialog.close()
    cal = calendar()
    cal.show()
    app.processEvents()
    cal.grab().save(str(out / "qt-chinese-calendar.png"))
    sign_in_without_keyring(out / "sign-in-no-keyring.png")
    return 0


def sign_in_without_keyring(target: Path) -> None:
    import keyring
    from keyring.backends import fail

    from inspector.services.people.credentials import keyring_available
    from inspector.ui.dialogs.sign_in import SignInDialog
    from inspector.ui.tasks import TaskRunner

    keyring.set_keyring(fail.Keyring())
    keyring_available()  # what the app asks at start-up
    tasks = TaskRunner()
    dialog = SignInDialog(
        lambda *_a: None, tasks, server_url="https://sync.example.gov.cn", username="zhangwei"
    )
    dialog.show()
    QApplication.processEvents()
    dialog.grab().save(str(target))
    tasks.shutdown()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
