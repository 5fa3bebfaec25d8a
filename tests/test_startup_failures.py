"""Start-up failures say why on the terminal (issue 18): Qt that cannot start (a platform plugin that
does not exist, or one whose system libraries are missing) prints a Chinese reason and a hint on
stderr instead of leaving it in the log file only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from inspector.ui.qt_startup import debian_package, reason

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
