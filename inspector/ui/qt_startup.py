"""Why Qt could not start, in Chinese, for the terminal (no window can show it then); and what a
platform plugin lacks, for `./dev run` (tools/qt_platform_setup.sh):

    python -m inspector.ui.qt_startup platforms          the platforms Qt will use here
    python -m inspector.ui.qt_startup packages xcb ...   Debian packages of the missing libraries

Qt reports a platform plugin it cannot load with a fatal message and aborts; the app's message
handler (ui/app.py) hands the messages seen so far to `reason` and prints the result on stderr
before exiting. On Linux the shared libraries the platform plugin lacks are named with the Debian
packages that hold them (`ldd` on the plugin), e.g. libxcb-cursor0 for xcb.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

_PLUGIN = re.compile(r'platform plugin "([^"]+)"')
_NOT_FOUND = re.compile(r"^\s*(\S+\.so[.\d]*)\s+=>\s+not found", re.MULTILINE)
# what Qt's xcb plugin needs on Debian/Ubuntu/统信UOS/麒麟 beyond a basic desktop
XCB_PACKAGES = (
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-xinerama0",
    "libxcb-xinput0",
    "libxkbcommon-x11-0",
)


def debian_package(soname: str) -> str:
    """libxcb-icccm.so.4 → libxcb-icccm4; libxkbcommon-x11.so.0 → libxkbcommon-x11-0 (Debian's
    library package naming)."""
    stem, _, version = soname.partition(".so")
    major = version.strip(".").split(".")[0]
    stem = stem.lower()  # libX11-xcb.so.1 → libx11-xcb1, libEGL.so.1 → libegl1
    if not major:
        return stem
    return f"{stem}-{major}" if stem[-1].isdigit() else f"{stem}{major}"


def desktop_platforms(env: dict[str, str] | None = None) -> list[str]:
    """The platform plugins Qt will try on this desktop: QT_QPA_PLATFORM's, else wayland in a
    Wayland session and xcb where an X display (or XWayland) is there; [] without a display."""
    env = dict(os.environ) if env is None else env
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return [chosen]
    found = []
    if env.get("WAYLAND_DISPLAY"):
        found.append("wayland")
    if env.get("DISPLAY"):
        found.append("xcb")
    return found


def packages_for(platforms: list[str]) -> list[str]:
    """The Debian packages to install so these platform plugins load (empty: nothing missing)."""
    missing = sorted({lib for p in platforms for lib in missing_libraries(p)})
    packages = {debian_package(lib) for lib in missing}
    if packages and "xcb" in platforms:
        packages.update(XCB_PACKAGES)  # loaded at run time too (libxcb-cursor0 since Qt 6.5)
    return sorted(packages)


def missing_libraries(platform: str) -> list[str]:
    """The shared libraries the platform plugin cannot find (Linux, `ldd`; [] elsewhere)."""
    if not sys.platform.startswith("linux") or shutil.which("ldd") is None:
        return []
    try:
        from PySide6.QtCore import QLibraryInfo

        plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
        plugin = plugins / f"libq{platform}.so"
        if not plugin.is_file():
            return []
        out = subprocess.run(
            ["ldd", str(plugin)], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError, ImportError):
        return []
    return sorted(set(_NOT_FOUND.findall(out)))


def reason(messages: list[str], missing: list[str] | None = None) -> str:
    """A Chinese explanation with a hint, then Qt's own words (for whoever helps)."""
    text = "\n".join(messages)
    found = _PLUGIN.findall(text)
    platform = found[-1] if found else os.environ.get("QT_QPA_PLATFORM", "")
    lines = [f"程序无法启动图形界面：Qt 的显示平台“{platform or '默认'}”无法使用。"]
    if "Could not find the Qt platform plugin" in text:
        lines.append(
            f"环境变量 QT_QPA_PLATFORM 指定的平台“{platform}”不存在。"
            "请删除该变量，或改为 xcb、wayland 之一后重试。"
        )
    else:
        if missing is None:
            missing = missing_libraries(platform) if platform else []
        if missing:
            packages = sorted({debian_package(lib) for lib in missing})
            lines.append(
                f"缺少系统库：{'、'.join(missing)}。请安装后重试："
                f"sudo apt-get install {' '.join(packages)}。"
                "在源码目录中运行 ./dev run 会自动安装。"
            )
        elif "connect to display" in text:
            shown = os.environ.get("DISPLAY") or "未设置"
            lines.append(f"无法连接到显示（DISPLAY：{shown}）。请在图形桌面中启动程序。")
        elif "xcb" in platform:
            lines.append(
                "请确认已登录图形桌面（设置了 DISPLAY），并安装 Qt 所需的系统库："
                f"sudo apt-get install {' '.join(XCB_PACKAGES)}。"
                "在源码目录中运行 ./dev run 会自动安装。"
            )
        else:
            lines.append("请确认已登录图形桌面，或联系管理员检查显示环境。")
    lines.append("Qt 的原始信息：")
    lines.extend(f"  {m}" for m in messages if m.strip())
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["platforms"]:
        print(" ".join(desktop_platforms()))
        return 0
    if argv[:1] == ["packages"]:
        print(" ".join(packages_for(argv[1:])))
        return 0
    print(
        "usage: python -m inspector.ui.qt_startup platforms | packages PLATFORM...", file=sys.stderr
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
