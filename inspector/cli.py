"""Command line: `inspector [--data-dir DIR] [--demo] [--screenshot FILE]` and `inspector verify`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from inspector.util.paths import default_data_dir


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="inspector", description="安全生产现场执法检查终端")
    p.add_argument(
        "command",
        nargs="?",
        choices=["verify", "import-blocks"],
        help="verify: 校验文件哈希与审计链；import-blocks FILE: 导入文号号段文件（管理员）",
    )
    p.add_argument("file", nargs="?", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--data-dir", type=Path, default=None, help="数据目录（默认：用户数据目录）")
    p.add_argument("--demo", action="store_true", help="在空数据目录中载入演示数据")
    p.add_argument("--demo-units", type=int, default=2400, help=argparse.SUPPRESS)
    p.add_argument("--screenshot", type=Path, default=None, help="把就绪的主窗口保存为 PNG 后退出")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    data_dir: Path = args.data_dir or default_data_dir()
    from inspector.util.log import setup_logging

    try:
        setup_logging(data_dir / "logs")
    except OSError as exc:
        print(f"无法写入日志目录 {data_dir / 'logs'}：{exc.strerror or exc}", file=sys.stderr)
    if args.command == "verify":
        return verify_command(data_dir)
    if args.command == "import-blocks":
        return import_blocks_command(data_dir, args.file)
    from inspector.domain.errors import UserError
    from inspector.services.desk import PeopleDesk
    from inspector.services.facade import Services
    from inspector.services.people.profiles import Profiles

    profiles = Profiles(data_dir)
    try:
        services = Services.open(profiles.active_dir())
    except UserError as exc:
        return startup_failed(exc.message, gui=args.screenshot is None)
    if args.demo and services.is_empty():
        from inspector.services.demo.county import load_demo

        print(f"载入演示数据到 {data_dir} …", flush=True)
        load_demo(services.ctx, n_units=args.demo_units)
    if args.screenshot is not None and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from inspector.ui.app import run_gui

    try:
        return run_gui(services, args.screenshot, PeopleDesk(profiles, Services.open))
    except Exception:
        logging.getLogger("inspector.crash").exception("the window could not start")
        log_file = data_dir / "logs" / "inspector.log"
        return startup_failed(
            f"程序启动失败，发生了意外错误，数据没有受到影响。详情已写入日志：{log_file}。"
            "请把日志交给管理员。",
            gui=args.screenshot is None,
        )


def startup_failed(message: str, *, gui: bool) -> int:
    """Say why the app cannot start: on stderr, and in a window (no console on a desktop icon)."""
    print(message, file=sys.stderr)
    if gui:
        from inspector.ui.app import show_startup_error

        show_startup_error(message)
    return 2


def import_blocks_command(data_dir: Path, file: Path | None) -> int:
    from inspector.domain.errors import UserError
    from inspector.services.facade import Services

    if file is None:
        print("请给出号段文件：inspector import-blocks 文件.json", file=sys.stderr)
        return 2
    from inspector.services.people.profiles import Profiles

    try:
        services = Services.open(Profiles(data_dir).admin_dir())
        added = services.numbering.load_block_file(file).value
    except UserError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    print(f"已导入号段 {added} 个。")
    return 0


def verify_command(data_dir: Path) -> int:
    """Verify the store in `data_dir`, or each person's store when it holds several."""
    from inspector.domain.errors import UserError
    from inspector.services.audit.verify import verify
    from inspector.services.context import open_context
    from inspector.services.people.profiles import Profiles

    try:
        stores = Profiles(data_dir).stores()
    except UserError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    if not stores:
        print(f"数据目录中没有数据库：{data_dir}", file=sys.stderr)
        return 2
    whole = True
    for store_dir in stores:
        try:
            ctx = open_context(store_dir)
        except UserError as exc:
            print(exc.message, file=sys.stderr)
            return 2
        try:
            report = verify(ctx)
        finally:
            ctx.store.dispose()
        if len(stores) > 1:
            print(f"== {store_dir}")
        print(
            f"已校验文件 {report.blobs_checked} 个，已签发文书 {report.documents_checked} 份，"
            f"记录 {report.rows_checked} 条，审计事件 {report.events_checked} 条。"
        )
        for problem in report.problems:
            print(f"问题：{problem}")
        for note in report.notes:
            print(f"说明：{note}")
        print("完整无误。" if report.ok else f"发现 {len(report.problems)} 处问题。")
        whole = whole and report.ok
    return 0 if whole else 1


if __name__ == "__main__":
    sys.exit(main())
