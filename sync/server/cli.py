"""``inspector-server``: run the reference central server, or administer its database.

    inspector-server [serve] [--host H] [--port P] [--db URL] [--data-dir DIR] [--blobs DIR]
                           [--workers N]   (N processes; Linux)
    inspector-server create-agency --name 柴桑区应急管理局 --short-name 柴 [--id ID]
    inspector-server set-agency --agency ID [--review-government 柴桑区人民政府] [--court …]
                                [--bank-name …] [--bank-account …] [--power own|authorized|entrusted|none]
                                [--delegator 柴桑区应急管理局 --delegator-short-name 柴]
                                [--granted 消防救援,燃气] [--large-fine-person 20000|none] …
                                (every option: set-agency --help; values are checked, all or none)
    inspector-server show-agency --agency ID
    inspector-server create-township --agency ID 沙河街道
    inspector-server create-grid --township ID 第一网格
    inspector-server create-user --agency ID --username zhang --name 张三 [--role inspector]
                                 [--township 名称或ID ...] [--grid ...] [--agency-wide]
                                 [--password-file F]     (else the first line of stdin / a prompt)
    inspector-server import-units FILE.xlsx|.csv --agency ID [--skip-bad]
    inspector-server publish-checklists forms/checklists [--agency ID]
    inspector-server issue-blocks --agency ID --device DEV --series 责改 --year 2026 --count 50
    inspector-server delete-unit ID
    inspector-server draw --agency ID --count N [--township …] [--level A] [--inspectors K]
    inspector-server give-tasks --agency ID --kind 专项整治 --title 燃气安全专项整治 [--detail …]
                                [--due 2026-12-31] [--unit 信用代码或ID ...] [--township …]
                                [--industry …] [--level …] [--colour …] [--to 用户名 ...]
    inspector-server dispatch-task TASK_ID --to 用户名 [--to …]
    inspector-server check-numbers --agency ID   (文号 used twice, or outside the device's blocks)
    inspector-server purge-tombstones

The database is ``--db`` (alias ``--database``; ``postgresql+psycopg://…`` in production), else the
embedded SQLite file ``inspector-server.sqlite3`` in ``--data-dir`` (default: the current
directory); blobs go to ``--blobs`` (default ``DATA_DIR/blobs``).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from inspector.domain.agency_settings import SETTINGS
from sync.server import admin, draw, number_check, task_admin
from sync.server.db import default_sqlite_url, make_engine


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", "--database", dest="db", help="数据库 URL（默认：数据目录中的 SQLite）")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("INSPECTOR_SERVER_DATA", ".")),
        help="数据目录（默认：当前目录）",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inspector-server", description="安全生产现场执法检查 — 同步服务器与管理命令"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="运行同步服务器")
    _common(p)
    p.add_argument("--blobs", type=Path, help="附件目录（默认：数据目录/blobs）")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="工作进程数（默认 1；多核服务器可设为核数，上传与下载并行处理）",
    )

    p = sub.add_parser("create-agency", help="新建执法机关")
    _common(p)
    p.add_argument("--name", required=True)
    p.add_argument("--short-name", default="")
    p.add_argument("--id", dest="agency_id")

    p = sub.add_parser("set-agency", help="设置机关（复议机关、法院、缴款账户、执法权来源等）")
    _common(p)
    p.add_argument("--agency", required=True)
    for spec in SETTINGS:
        p.add_argument(f"--{spec.option}", dest=f"set_{spec.key}", help=spec.hint or None)

    p = sub.add_parser("show-agency", help="显示机关的各项设置")
    _common(p)
    p.add_argument("--agency", required=True)

    p = sub.add_parser("create-township", help="新建乡镇（街道）")
    _common(p)
    p.add_argument("--agency", required=True)
    p.add_argument("--county", default="")
    p.add_argument("name")

    p = sub.add_parser("create-grid", help="新建网格")
    _common(p)
    p.add_argument("--township", required=True)
    p.add_argument("--code", default="")
    p.add_argument("name")

    p = sub.add_parser("create-user", help="新建用户（密码从 --password-file 或标准输入读取）")
    _common(p)
    p.add_argument("--agency", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", default="inspector", choices=["inspector", "grid_worker", "admin"])
    p.add_argument("--township", action="append", default=[], help="名称或ID，可重复")
    p.add_argument("--grid", action="append", default=[], help="名称或ID，可重复")
    p.add_argument("--agency-wide", action="store_true", help="管辖整个机关")
    p.add_argument("--cert-no", default="")
    p.add_argument("--phone", default="")
    p.add_argument("--password-file", type=Path)

    p = sub.add_parser("import-units", help="从 .xlsx 或 .csv 导入单位")
    _common(p)
    p.add_argument("file", type=Path)
    p.add_argument("--agency", required=True)
    p.add_argument("--skip-bad", action="store_true", help="跳过不合格的行，只导入合格的行")

    p = sub.add_parser("publish-checklists", help="发布检查表（forms/checklists）")
    _common(p)
    p.add_argument("directory", type=Path)
    p.add_argument("--agency", help="只发布给一个机关（默认：所有机关）")

    p = sub.add_parser("issue-blocks", help="向设备发放文号段")
    _common(p)
    p.add_argument("--agency", required=True)
    p.add_argument("--device", required=True)
    p.add_argument("--series", required=True)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--count", type=int, required=True, help="每段号码数")
    p.add_argument("--blocks", type=int, default=1, help="段数")

    p = sub.add_parser("delete-unit", help="删除单位（保留墓碑）")
    _common(p)
    p.add_argument("unit_id")

    p = sub.add_parser("draw", help="双随机抽查：按筛选条件随机抽取单位（及执法人员），记录种子")
    _common(p)
    p.add_argument("--agency", required=True)
    p.add_argument("--count", type=int, required=True, help="抽取单位数")
    p.add_argument("--township", action="append", default=[], help="名称或ID，可重复")
    p.add_argument("--level", action="append", default=[], help="监管级别 A–D，可重复")
    p.add_argument("--colour", action="append", default=[], help="red/orange/yellow/blue，可重复")
    p.add_argument("--industry", action="append", default=[], help="行业，可重复")
    p.add_argument("--inspectors", type=int, default=0, help="每家单位抽取的执法人员数")
    p.add_argument("--seed", help="随机种子（默认由系统随机产生）")

    p = sub.add_parser("verify-draw", help="按记录的种子和候选名单重算一次抽取，核对结果")
    _common(p)
    p.add_argument("draw_id")

    p = sub.add_parser(
        "give-tasks", help="下达任务（专项整治、日常检查、举报核查、复查）：每家单位一项"
    )
    _common(p)
    p.add_argument("--agency", required=True)
    p.add_argument("--kind", required=True, help="专项整治 / 日常检查 / 举报核查 / 复查")
    p.add_argument("--title", required=True, help="任务名称，如“燃气安全专项整治”")
    p.add_argument("--detail", default="", help="任务要求")
    p.add_argument("--due", type=_day, help="完成期限 YYYY-MM-DD")
    p.add_argument("--unit", action="append", default=[], help="信用代码或单位ID，可重复")
    p.add_argument("--township", action="append", default=[], help="名称或ID，可重复")
    p.add_argument("--level", action="append", default=[], help="监管级别 A–D，可重复")
    p.add_argument("--colour", action="append", default=[], help="red/orange/yellow/blue，可重复")
    p.add_argument("--industry", action="append", default=[], help="行业，可重复")
    p.add_argument("--to", action="append", default=[], help="分派给的执法人员用户名，可重复")

    p = sub.add_parser("dispatch-task", help="把任务分拨给执法人员")
    _common(p)
    p.add_argument("task_id")
    p.add_argument("--to", action="append", default=[], help="执法人员用户名，可重复")

    p = sub.add_parser("check-numbers", help="检查已上传文书的文号：重号、不在设备文号段内")
    _common(p)
    p.add_argument("--agency", required=True)

    p = sub.add_parser("purge-tombstones", help="清除墓碑：更早的同步游标须从头同步")
    _common(p)
    return parser


def _db_url(args: argparse.Namespace) -> str:
    if args.db:
        return str(args.db)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    return default_sqlite_url(args.data_dir)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_file is not None:
        lines = args.password_file.read_text("utf-8").splitlines()
        return lines[0] if lines else ""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise admin.AdminError("两次输入的密码不一致。")
    return first


_DB_ENV, _BLOBS_ENV = "INSPECTOR_SERVER_DB_URL", "INSPECTOR_SERVER_BLOBS"


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.app import create_app
    from sync.server.tuning import tune_allocator

    blobs = args.blobs or args.data_dir / "blobs"
    db_url = _db_url(args)
    if args.workers < 1 or args.workers > 64:
        print("错误：工作进程数应在 1 到 64 之间。", file=sys.stderr)
        return 2
    if args.workers > 1 and sys.platform == "win32":
        print("错误：Windows 上只能以单个工作进程运行。", file=sys.stderr)
        return 2
    if args.workers == 1:
        tune_allocator()
        uvicorn.run(create_app(db_url, blobs), host=args.host, port=args.port, log_level="info")
        return 0
    # Each worker process tunes itself and builds its own app from the environment; the tables
    # are made here first, so that the workers do not race to create them.
    make_engine(db_url).dispose()
    os.environ[_DB_ENV], os.environ[_BLOBS_ENV] = db_url, str(blobs)
    uvicorn.run(
        "sync.server.cli:app_from_environment",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_level="info",
    )
    return 0


def app_from_environment() -> Any:
    """The app of one worker process of `serve --workers N`."""
    from sync.server.app import create_app
    from sync.server.tuning import tune_allocator

    tune_allocator()
    return create_app(os.environ[_DB_ENV], Path(os.environ[_BLOBS_ENV]))


def _run(args: argparse.Namespace, engine: Engine) -> int:
    cmd = args.command
    if cmd == "create-agency":
        print(admin.create_agency(engine, args.name, args.short_name, agency_id=args.agency_id))
    elif cmd == "set-agency":
        raw = {
            spec.key: getattr(args, f"set_{spec.key}")
            for spec in SETTINGS
            if getattr(args, f"set_{spec.key}") is not None
        }
        if not raw:
            print("错误：请至少给出一项要设置的内容（见 set-agency --help）。", file=sys.stderr)
            return 2
        admin.set_agency(engine, args.agency, raw)
        print("机关设置已保存，设备下次同步时生效：")
        for line in admin.show_agency(engine, args.agency):
            print(f"  {line}")
    elif cmd == "show-agency":
        for line in admin.show_agency(engine, args.agency):
            print(line)
    elif cmd == "create-township":
        print(admin.create_township(engine, args.agency, args.name, args.county))
    elif cmd == "create-grid":
        print(admin.create_grid(engine, args.township, args.name, args.code))
    elif cmd == "create-user":
        print(
            admin.create_user(
                engine,
                username=args.username,
                password=_read_password(args),
                name=args.name,
                agency_id=args.agency,
                role=args.role,
                townships=[t for v in args.township for t in v.split(",") if t.strip()],
                grids=[g for v in args.grid for g in v.split(",") if g.strip()],
                agency_wide=args.agency_wide,
                cert_no=args.cert_no,
                phone=args.phone,
            )
        )
    elif cmd == "import-units":
        report = admin.import_units(engine, args.file, args.agency, skip_bad=args.skip_bad)
        for line in report.lines():
            print(line)
        if report.rejected and not args.skip_bad:
            print("有不合格的行，未导入任何单位。改正后重新导入，或加 --skip-bad 只导入合格的行。")
            return 1
    elif cmd == "publish-checklists":
        for code, label, what in admin.publish_checklists(engine, args.directory, args.agency):
            print(f"{code} {label}：{what}")
    elif cmd == "issue-blocks":
        for b in admin.issue_blocks(
            engine,
            agency_id=args.agency,
            device_id=args.device,
            series=args.series,
            year=args.year,
            count=args.count,
            blocks=args.blocks,
        ):
            print(f"{b.id} {b.series} {b.year} {b.first}-{b.last}")
    elif cmd == "delete-unit":
        if not admin.delete_unit(engine, args.unit_id):
            print("没有这个单位，或已删除。", file=sys.stderr)
            return 1
    elif cmd == "draw":
        return _draw(args, engine)
    elif cmd == "verify-draw":
        problems = draw.verify_draw(engine, args.draw_id)
        for line in problems or ["抽取记录与按种子重算的结果一致。"]:
            print(line)
        return 1 if problems else 0
    elif cmd == "give-tasks":
        return _give_tasks(args, engine)
    elif cmd == "dispatch-task":
        task = task_admin.dispatch(engine, args.task_id, tuple(args.to), by=_whoami())
        print(f"{task.id}  {task.title}  已分拨（共 {len(task.assignee_ids)} 名执法人员）")
    elif cmd == "check-numbers":
        found = number_check.check_numbers(engine, args.agency)
        for p in found:
            print(f"{p.text}  文书：{'、'.join(p.document_ids)}")
        print(f"文号检查：发现 {len(found)} 个问题。" if found else "文号检查：未发现问题。")
        return 1 if found else 0
    elif cmd == "purge-tombstones":
        print(f"tombstone_horizon={admin.purge_tombstones(engine)}")
    return 0


def _whoami() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        return ""


def _draw(args: argparse.Namespace, engine: Engine) -> int:
    flt = _filter(args)
    result = draw.draw_units(
        engine,
        args.agency,
        args.count,
        flt,
        inspectors_per_unit=args.inspectors,
        seed=args.seed,
        made_by=_whoami(),
    )
    print(f"抽取记录 {result.draw_id}  种子 {result.seed}  候选单位 {result.candidates} 家")
    if result.short:
        print(f"符合条件的单位只有 {result.candidates} 家，已全部抽中。")
    for i, unit in enumerate(result.units, start=1):
        d = unit.data
        people = "、".join(p.name for p in result.inspectors.get(unit.id, []))
        colour = draw.COLOUR_NAMES.get(d.get("risk_colour", ""), "")
        print(
            f"{i:>4}. {d.get('name', '')}  {unit.credit_code or '（无信用代码）'}  "
            f"级别{d.get('supervision_level', '')} {colour}  {people}".rstrip()
        )
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text}") from None


def _filter(args: argparse.Namespace) -> draw.DrawFilter:
    return draw.DrawFilter(
        township_ids=tuple(args.township),
        levels=tuple(v.strip().upper() for v in args.level),
        colours=tuple(v.strip().lower() for v in args.colour),
        industries=tuple(v.strip() for v in args.industry),
    )


def _give_tasks(args: argparse.Namespace, engine: Engine) -> int:
    order = task_admin.TaskOrder(
        agency_id=args.agency,
        kind=args.kind.strip(),
        title=args.title,
        detail=args.detail,
        due=args.due,
        units=tuple(u.strip() for u in args.unit),
        filter=_filter(args),
        assignees=tuple(args.to),
    )
    tasks = task_admin.give_tasks(engine, order, made_by=_whoami())
    print(f"已下达 {len(tasks)} 项{order.kind}任务" + (f"，期限 {order.due}" if order.due else ""))
    for i, t in enumerate(tasks, start=1):
        print(f"{i:>4}. {t.id}  {t.title}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "serve")  # `inspector-server --port 8080` runs the server
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    engine = make_engine(_db_url(args))
    try:
        return _run(args, engine)
    except admin.AdminError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
