"""A grid worker's notice to print, with a rare name."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from inspector.documents.patrol_print import (
    GridNoticePrint,
    VisitPrint,
)

# the grid and its worker, on both of the worker's printouts
GRID: dict[str, str] = {
    "township": "柴桑区沙河街镇",
    "grid_name": "桂林村第三网格",
    "worker": "李堃",
    "worker_phone": "13979212345",
}


def notice(**changes: Any) -> GridNoticePrint:
    data = GridNoticePrint(
        **GRID,
        number="网报〔2026〕0007",
        place_name="沙河街镇喆丰便民超市",
        address="九江市柴桑区沙河街镇桂林路126号",
        responsible=RARE_NAME,
        found_at=datetime(2026, 11, 22, 8, 42),
        problems=list(SUPERMARKET.problems),
        requirement="清理后门安全出口堆放的纸箱，保持疏散通道畅通；更换或维修压力不足的灭火器；"
        "电动自行车不得在店内停放、充电",
        deadline=date(2026, 11, 29),
        issued_on=date(2026, 11, 22),
    )
    return replace(data, **changes)


RARE_NAME = "王𠀀堃"  # 𠀀 only the fallback font (HanaMinB) has; 堃 is outside GB2312


SUPERMARKET = VisitPrint(
    place_name="沙河街镇喆丰便民超市",
    place_kind="九小场所",
    address="九江市柴桑区沙河街镇桂林路126号",
    credit_code="92360421MA3AB1234X",
    visited_at=datetime(2026, 11, 22, 8, 42),
    observations={
        "walk": "进入店内及后门通道查看，后门安全出口被纸箱堵塞约三分之一",
        "look": "灭火器2具，其中1具压力指针在红区；电动自行车在店内充电",
        "smell": "无异味",
        "listen": "配电箱无异响",
        "talk": "向店主宣讲电动自行车不得室内充电，店主表示立即整改",
        "record": "",
    },
    photo_counts={"walk": 1, "look": 2, "record": 0},
    problems=[
        ("通道", "后门安全出口被纸箱堵塞"),
        ("消防", "灭火器压力不足，未定期检查"),
        ("用电", "电动自行车在营业场所内停放充电"),
    ],
    actions=["劝导", "制止", "报告"],
    fixed_on_spot=False,
    deadline=date(2026, 11, 29),
    party="王𠀀堃",
    party_signed="signed",
    report_no="网报〔2026〕0007",
)
