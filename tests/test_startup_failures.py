"""Start-up failures say why on the terminal (issue 18): Qt that cannot start (a platform plugin that
does not exist, or one whose system libraries are missing) prints a Chinese reason and a hint on
stderr instead of leaving it in the log file only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from inspector.ui.qt_startup import debian_package, desktop_platforms, reason

ROOT = Path(__file__).resolve().parents[1]


def start(tmp_path: Path, platform: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": platform}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return subprocess.run(
        [sys.executable, "-m", "inspector", "--data-dir", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_a_qt_platform_that_cannot_start_is_explained_on_the_terminal(tmp_path: Path) -> None:
    result = start(tmp_path, "nonexistent")
    assert result.returncode != 0
    assert "程序无法启动图形界面" in result.stderr, result.stderr
    assert "QT_QPA_PLATFORM" in result.stderr and "“nonexistent”不存在" in result.stderr
    assert "Could not find the Qt platform plugin" in result.stderr  # Qt's words, for a helper
    log = (tmp_path / "d" / "logs" / "inspector.log").read_text("utf-8")
    assert "程序无法启动图形界面" in log


def test_missing_xcb_libraries_are_named_with_their_packages() -> None:
    qt_said = [
        "From 6.5.0, xcb-cursor0 or libxcb-cursor0 is needed to load the Qt xcb platform plugin.",
        'Could not load the Qt platform plugin "xcb" in "" even though it was found.',
    ]
    text = reason(qt_said, ["libxcb-cursor.so.0", "libxcb-icccm.so.4"])
    assert text.startswith("程序无法启动图形界面：Qt 的显示平台“xcb”无法使用。")
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4" in text
    assert "./dev run" in text
    # nothing known missing (a desktop without a display): the usual packages, and DISPLAY
    assert "DISPLAY" in reason(qt_said, []) and "libxcb-cursor0" in reason(qt_said, [])
    assert debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"


def test_no_display_is_said_plainly() -> None:
    text = reason(
        ["could not connect to display ", 'Could not load the Qt platform plugin "xcb"'], []
    )
    assert "无法连接到显示" in text and "图形桌面" in text


def test_dev_run_checks_the_desktop_platform_not_offscreen() -> None:
    assert desktop_platforms({"DISPLAY": ":0"}) == ["xcb"]
    assert desktop_platforms({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}) == [
        "wayland",
        "xcb",
    ]
    assert desktop_platforms({"QT_QPA_PLATFORM": "xcb;wayland", "DISPLAY": ":0"}) == ["xcb"]
    assert desktop_platforms({}) == []  # no display: nothing to install for a window


def test_platform_setup_is_quiet_when_nothing_is_missing() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for _ in range(2):  # idempotent
        done = subprocess.run(
            ["bash", "tools/qt_platform_setup.sh", sys.executable],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done


SHOWN_BOX = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from inspector.cli import main

def answer() -> None:  # a person reads the box and presses 确定
    box = QApplication.activeModalWidget()
    if not isinstance(box, QMessageBox):
        QTimer.singleShot(50, answer)
        return
    print("BOX:" + box.windowTitle() + "|" + box.text(), flush=True)
    box.accept()

app = QApplication([])
QTimer.singleShot(50, answer)
sys.exit(main(["--data-dir", sys.argv[1]]))
"""


def test_a_store_that_cannot_open_is_said_on_the_terminal_and_in_a_message_box(
    tmp_path: Path,
) -> None:
    data = tmp_path / "d"
    data.mkdir()
    (data / "inspector.sqlite3").write_bytes(b"this is not sqlite" * 100)
    result = subprocess.run(
        [sys.executable, "-c", SHOWN_BOX, str(data)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert result.returncode == 2
    assert "无法读取" in result.stderr and "Traceback" not in result.stderr
    box = next(line for line in result.stdout.splitlines() if line.startswith("BOX:"))
    assert "无法读取" in box and "安全生产现场执法检查终端" in box
