"""Printable PDFs for grid workers (网格员): the day's 网格安全巡查记录 and the grid's 安全隐患整改通知书.

Neither is an enforcement document (执法文书): the patrol record is the worker's own record of the
"六个一" patrol (走一走、看一看、闻一闻、听一听、讲一讲、记一记), the notice asks a place to rectify a
problem by a deadline and says that failing to do so is reported to the township; it carries no 文号
of the enforcement series and no legal-remedies paragraph.

Data in (frozen dataclasses below), PDF bytes out; the page machinery (A4, fonts with fallback for
rare characters, "第 X 页 共 Y 页", continuation headers, per-page signature strip) comes from
:mod:`inspector.documents.layout`.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from inspector.documents import layout
from inspector.documents.layout import SignatureRow, para
from inspector.domain import tasks as _tasks

__all__ = [
    "ACTIONS",
    "ASPECTS",
    "ASPECT_LABELS",
    "PLACE_KINDS",
    "PROBLEM_CLASSES",
    "GridNoticePrint",
    "PatrolPrint",
    "VisitPrint",
    "duration_text",
    "render_grid_notice",
    "render_patrol_record",
]

# The patrol vocabulary is the domain's (inspector.domain.tasks), re-exported for callers.
ASPECT_LABELS: Mapping[str, str] = _tasks.ASPECTS  # walk → 走一走, look → 看一看, …
# walk look smell listen talk record: the six rows of a visit, in print order
ASPECTS: tuple[str, ...] = tuple(ASPECT_LABELS)
PLACE_KINDS = _tasks.PLACE_KINDS  # 企业 / 九小场所 / 三合一 / 出租房 / 自建房 / 工地
PROBLEM_CLASSES = _tasks.PROBLEM_CLASSES  # 消防 / 燃气 / 用电 / 通道 / 危化 / 其他
ACTIONS = _tasks.ACTIONS  # 劝导 / 制止 / 报告 / 跟踪

REFUSED = "refused"  # VisitPrint.party_signed of a person who refused to sign

EMPTY = "—"
CHECKED, UNCHECKED = "☑", "☐"


# --- data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitPrint:
    """One place visited on a patrol, as printed."""

    place_name: str  # unit or place name; may hold rare characters (堃 喆 𠀀)
    place_kind: str  # 企业 / 九小场所 / 三合一 / 出租房 / 自建房 / 工地
    address: str
    credit_code: str | None
    visited_at: datetime  # local time
    observations: dict[str, str]  # aspect → note (missing/empty aspects print "—")
    photo_counts: dict[str, int]  # aspect → number of photos
    problems: list[tuple[str, str]]  # (class: 消防/燃气/用电/通道/危化/其他, description)
    actions: list[str]  # subset of 劝导 / 制止 / 报告 / 跟踪
    fixed_on_spot: bool
    deadline: date | None
    party: str  # the person of the place who was present ("" = none)
    party_signed: str  # "signed" | "refused" | "" (not asked)
    report_no: str | None  # number of the hazard report filed from this visit, if any


@dataclass(frozen=True)
class PatrolPrint:
    """One patrol (巡查) of a grid by its worker, with every place visited."""

    township: str  # 乡镇（街道）
    grid_name: str
    grid_code: str
    worker: str
    worker_phone: str
    companions: str
    started_at: datetime  # local time
    ended_at: datetime | None  # None: still on patrol, end and duration left blank
    visits: list[VisitPrint]
    summary: str
    printed_at: datetime


@dataclass(frozen=True)
class GridNoticePrint:
    """The grid's 安全隐患整改通知书 to one place (not an enforcement document)."""

    number: str  # e.g. the report number "网报〔2026〕0007" or a device-made one
    township: str
    grid_name: str
    place_name: str
    address: str
    responsible: str  # the place's 负责人, who signs for the notice
    found_at: datetime  # local time
    problems: list[tuple[str, str]]  # (class, description)
    requirement: str  # what to do
    deadline: date | None  # None: rectify at once
    worker: str
    worker_phone: str
    issued_on: date
    clock_note: str = ""  # printed under the signatures when the times were corrected


# --- wording (passed to layout.build_pdf as its template) ----------------------------------------

PATROL_TEMPLATE: dict[str, Any] = {
    "title": "网格安全巡查记录",
    "continuation_title": "网格安全巡查记录（续页）",
    "page_footer": "第 {page} 页 共 {pages} 页",
    "signatures": {"page_strip": ["网格员（签名）：", "网格长（审核）："]},
}

NOTICE_TEMPLATE: dict[str, Any] = {
    "title": "安全隐患整改通知书",
    "continuation_title": "安全隐患整改通知书（续页）",
    "page_footer": "第 {page} 页 共 {pages} 页",
    "signatures": {"page_strip": ["网格员（签名）：", "负责人签收（签名）："]},
}

NOTICE_SUBTITLE = "（网格化安全巡查专用）"
NOT_ENFORCEMENT = "本通知书由网格员在网格化安全巡查中出具，用于提醒和督促整改，不属于行政执法文书。"
COPIES_NOTE = "本通知书一式两份：一份由网格员留存并报{township}备案，一份交被通知单位（场所）。"


# --- small text helpers (pure) --------------------------------------------------------------------


def duration_text(started_at: datetime, ended_at: datetime | None) -> str:
    """The patrol's length as printed (2小时15分, 45分); "—" while it has not ended (or if the
    times are inverted)."""
    if ended_at is None or ended_at < started_at:
        return EMPTY
    minutes = int((ended_at - started_at).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours}小时{rest}分" if hours else f"{rest}分"


def _moment(at: datetime) -> str:
    """2026年11月22日9时05分."""
    return layout.chinese_date(at.date()) + layout.chinese_clock(at)


def _time_range(started_at: datetime, ended_at: datetime | None) -> str:
    """2026年11月22日8时30分至10时45分 (the end's day only if it differs)."""
    start = _moment(started_at)
    if ended_at is None:
        return f"{start}至　　时　　分"
    if ended_at.date() == started_at.date():
        end = layout.chinese_clock(ended_at)
    elif ended_at.year == started_at.year:
        end = f"{ended_at.month}月{ended_at.day}日" + layout.chinese_clock(ended_at)
    else:
        end = _moment(ended_at)
    return f"{start}至{end}"


def _boxes(options: Sequence[str], chosen: Sequence[str]) -> str:
    """☑劝导　☐制止　☑报告　☐跟踪."""
    return "　".join(f"{CHECKED if o in chosen else UNCHECKED}{o}" for o in options)


def _or_empty(text: str | None) -> str:
    return text.strip() if text and text.strip() else EMPTY


def _problem_line(problem: tuple[str, str]) -> str:
    cls, description = problem
    text = description.strip().rstrip("。；;，, ")
    return f"【{cls.strip() or '其他'}】{text}。"


# --- table helper ---------------------------------------------------------------------------------

_PAD = 4.0
LABEL_WIDTH = 27 * mm  # the label column shared by all tables of a visit block


def _ruled(
    rows: list[list[Any]],
    widths: Sequence[float],
    commands: Sequence[tuple[Any, ...]] = (),
    *,
    repeat_rows: int = 0,
) -> Table:
    """A ruled form table in the document font (cells: flowables, lists of them, or "")."""
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), layout.LINE_WIDTH, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), layout.styles().font),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        *commands,
    ]
    return Table(
        rows,
        colWidths=list(widths),
        style=TableStyle(style),
        repeatRows=repeat_rows,
        hAlign="LEFT",
    )


@functools.cache
def _item_style() -> ParagraphStyle:
    """A numbered line inside a table cell: hanging indent, the cells' tighter leading."""
    st = layout.styles()
    return ParagraphStyle(
        "patrol-item",
        parent=st.numbered,
        leading=st.value.leading,
        leftIndent=1.5 * layout.BODY_SIZE,
    )


def _items(problems: Sequence[tuple[str, str]]) -> list[Flowable]:
    """1.【消防】… one numbered paragraph per problem."""
    return [
        para(_problem_line(p), _item_style(), bullet=f"{n}.")
        for n, p in enumerate(problems, start=1)
    ]


def _label(text: str) -> Flowable:
    return para(text, layout.styles().label)


def _value(text: str) -> Flowable:
    return para(text, layout.styles().value)


def _pair_widths() -> list[float]:
    """label, value, label, value — shared by the header grid and every visit block."""
    short_label = 21 * mm
    short_value = 43 * mm
    value = layout.CONTENT_WIDTH - LABEL_WIDTH - short_label - short_value
    return [LABEL_WIDTH, value, short_label, short_value]


# --- patrol record --------------------------------------------------------------------------------


def _patrol_header(data: PatrolPrint) -> list[Flowable]:
    st = layout.styles()
    widths = _pair_widths()
    rows = [
        [("乡镇（街道）", data.township), ("网格编码", _or_empty(data.grid_code))],
        [("网格", data.grid_name), ("网格员", data.worker)],
        [("同行人员", _or_empty(data.companions)), ("联系电话", _or_empty(data.worker_phone))],
        [
            ("巡查时间", _time_range(data.started_at, data.ended_at)),
            ("时长", duration_text(data.started_at, data.ended_at)),
        ],
        [("巡查场所", _tally(data.visits))],
    ]
    return [
        layout.TextLine(data.township, 16, char_space=1.5, space_after=1 * mm),
        layout.TextLine(
            str(PATROL_TEMPLATE["title"]),
            22,
            char_space=5,
            fake_bold=True,
            space_before=1 * mm,
            space_after=1 * mm,
        ),
        para(f"打印时间：{_moment(data.printed_at)}", st.number),
        Spacer(1, 1.5 * mm),
        layout.field_grid(rows, widths),
    ]


def _tally(visits: Sequence[VisitPrint]) -> str:
    """共巡查12处，其中发现问题5处（消防3项、用电2项），当场整改2处，上报2处。"""
    if not visits:
        return "本次巡查未到访场所。"
    with_problems = [v for v in visits if v.problems]
    text = f"共巡查{len(visits)}处"
    if with_problems:
        classes = Counter(cls.strip() or "其他" for v in visits for cls, _ in v.problems)
        order = {c: i for i, c in enumerate(PROBLEM_CLASSES)}
        by_class = "、".join(
            f"{c}{n}项" for c, n in sorted(classes.items(), key=lambda kv: order.get(kv[0], 99))
        )
        text += f"，其中发现问题{len(with_problems)}处（{by_class}）"
        fixed = sum(1 for v in with_problems if v.fixed_on_spot)
        text += f"，当场整改{fixed}处"
    else:
        text += "，均未发现问题"
    reported = sum(1 for v in visits if "报告" in v.actions or v.report_no)
    if reported:
        text += f"，上报{reported}处"
    photos = sum(sum(v.photo_counts.values()) for v in visits)
    if photos:
        text += f"，拍摄照片{photos}张"
    return text + "。"


def _visit_time(visit: VisitPrint, patrol_day: date) -> str:
    if visit.visited_at.date() == patrol_day:
        return layout.chinese_clock(visit.visited_at)
    return _moment(visit.visited_at)


def _place_table(visit: VisitPrint, patrol_day: date) -> Table:
    widths = _pair_widths()
    rows = [
        [
            _label("场所名称"),
            _value(visit.place_name),
            _label("场所类型"),
            _value(_or_empty(visit.place_kind)),
        ],
        [_label("地址"), _value(_or_empty(visit.address)), "", ""],
        [
            _label("社会信用代码"),
            _value(_or_empty(visit.credit_code)),
            _label("到访时间"),
            _value(_visit_time(visit, patrol_day)),
        ],
    ]
    return _ruled(rows, widths, [("SPAN", (1, 1), (3, 1))])


def _aspects_table(visit: VisitPrint) -> Table:
    photo_width = 20 * mm
    widths = [LABEL_WIDTH, layout.CONTENT_WIDTH - LABEL_WIDTH - photo_width, photo_width]
    rows: list[list[Any]] = [[_label("六个一"), _label("巡查情况"), _label("照片")]]
    for aspect in ASPECTS:
        count = visit.photo_counts.get(aspect, 0)
        rows.append(
            [
                _label(ASPECT_LABELS[aspect]),
                _value(_or_empty(visit.observations.get(aspect))),
                _label(f"{count}张" if count > 0 else EMPTY),
            ]
        )
    return _ruled(rows, widths, repeat_rows=1)


def _awaits_signature(visit: VisitPrint) -> bool:
    """A person was present and did not refuse: leave them a line to sign on."""
    return bool(visit.party.strip()) and visit.party_signed != REFUSED


def _party_cell(visit: VisitPrint) -> list[Flowable]:
    st = layout.styles()
    party = visit.party.strip()
    if not party:
        return [_value("无现场人员。")]
    if not _awaits_signature(visit):
        return [_value(f"拒绝签名：现场人员{party}拒绝签名，由网格员注明。")]
    return [Spacer(1, 6 * mm), para(party, st.small_right)]


def _handling_table(visit: VisitPrint) -> Table:
    widths = _pair_widths()
    problems = _items(visit.problems) if visit.problems else [_value("未发现问题。")]
    deadline = layout.chinese_date(visit.deadline) + "前" if visit.deadline else EMPTY
    fixed = _boxes(("是", "否"), ["是" if visit.fixed_on_spot else "否"])
    rows = [
        [_label("发现问题"), problems, "", ""],
        [_label("处置"), _value(_boxes(ACTIONS, visit.actions)), _label("当场整改"), _value(fixed)],
        [
            _label("整改限期"),
            _value(deadline),
            _label("上报编号"),
            _value(_or_empty(visit.report_no)),
        ],
        [_label("现场人员签名"), _party_cell(visit), "", ""],
    ]
    commands: list[tuple[Any, ...]] = [("SPAN", (1, 0), (3, 0)), ("SPAN", (1, 3), (3, 3))]
    if _awaits_signature(visit):
        commands.append(("VALIGN", (1, 3), (1, 3), "BOTTOM"))
    return _ruled(rows, widths, commands)


def _visit_block(n: int, total: int, visit: VisitPrint, patrol_day: date) -> Flowable:
    """One place: heading, place fields, the six aspects, problems and handling — on one page
    when it fits (a block longer than a page is split by ReportLab)."""
    st = layout.styles()
    heading = para(f"巡查场所 {n}／{total}", st.heading)
    return KeepTogether(
        [
            Spacer(1, 2.5 * mm),
            heading,
            Spacer(1, 0.5 * mm),
            _place_table(visit, patrol_day),
            _aspects_table(visit),
            _handling_table(visit),
        ]
    )


def _patrol_end(data: PatrolPrint) -> Flowable:
    st = layout.styles()
    lines = [line.strip() for line in data.summary.splitlines() if line.strip()]
    body: list[Flowable] = [para("巡查小结：", st.heading)]
    body += [para(line, st.indented) for line in lines] or [para(EMPTY, st.indented)]
    rows = [
        SignatureRow("网格员（签名）", [f"{data.worker}　电话：{data.worker_phone}"]),
        SignatureRow("网格长（审核）", [""]),
    ]
    end_day = (data.ended_at or data.started_at).date()
    # the summary stays on the page of the signatures that vouch for it
    return layout.signature_block(
        rows,
        label_width=LABEL_WIDTH,
        per_row=1,
        notes=[("审核意见：", 8 * mm)],
        date_text=layout.chinese_date(end_day),
        before=[Spacer(1, 3 * mm), layout.boxed_section(body)],
    )


def render_patrol_record(data: PatrolPrint) -> bytes:
    """The 网格安全巡查记录 as PDF bytes (A4, fonts embedded, "第 X 页 共 Y 页" on every page)."""
    day = data.started_at.date()
    continuation = (
        f"{data.township}　{data.grid_name}　网格员：{data.worker}　{layout.chinese_date(day)}"
    )

    def story() -> list[Flowable]:
        parts = _patrol_header(data)
        total = len(data.visits)
        parts += [_visit_block(n, total, v, day) for n, v in enumerate(data.visits, start=1)]
        parts.append(_patrol_end(data))
        return parts

    return layout.build_pdf(
        story,
        PATROL_TEMPLATE,
        number_text=continuation,
        title=f"网格安全巡查记录 {data.grid_name} {layout.chinese_date(day)}",
        author=data.worker,
        subject=f"{data.township}{data.grid_name}",
    )


# --- grid notice ----------------------------------------------------------------------------------


def _notice_header(data: GridNoticePrint) -> list[Flowable]:
    st = layout.styles()
    number = f"编号：{data.number.strip()}" if data.number.strip() else "编号：　　　　　　"
    return [
        layout.TextLine(data.township, 18, char_space=1.5, space_after=1 * mm),
        layout.TextLine(
            str(NOTICE_TEMPLATE["title"]),
            22,
            char_space=5,
            fake_bold=True,
            space_before=1 * mm,
            space_after=0.5 * mm,
        ),
        para(NOTICE_SUBTITLE, st.header_line),
        para(number, st.number),
        Spacer(1, 1.5 * mm),
    ]


def _notice_grid(data: GridNoticePrint) -> Table:
    widths = _pair_widths()
    rows = [
        [("被通知单位（场所）", data.place_name)],
        [("地址", _or_empty(data.address))],
        [("负责人", _or_empty(data.responsible)), ("所属网格", data.grid_name)],
        [("发现时间", _moment(data.found_at)), ("网格员", data.worker)],
    ]
    return layout.field_grid(rows, widths)


def _notice_body(data: GridNoticePrint) -> list[Flowable]:
    st = layout.styles()
    body: list[Flowable] = [para(f"{data.place_name}：", st.heading)]
    body.append(
        para(
            f"{data.township}{data.grid_name}网格员于{_moment(data.found_at)}"
            "在网格化安全巡查中发现你单位（场所）存在下列安全隐患：",
            st.indented,
        )
    )
    body += _items(data.problems) or [para(EMPTY, st.numbered)]
    requirement = data.requirement.strip().rstrip("。；;，, ")
    if requirement:
        body.append(para(f"整改要求：{requirement}。", st.indented))
    if data.deadline is not None:
        deadline = f"请于{layout.chinese_date(data.deadline)}前整改完毕。"
    else:
        deadline = "请立即整改。"
    body.append(para(f"整改期限：{deadline}", st.indented))
    body.append(
        para(
            "请你单位（场所）按上述要求按期完成整改，整改期间采取有效的防范措施，确保安全；"
            f"整改完成后请及时告知网格员（电话：{_or_empty(data.worker_phone)}）复查。"
            f"逾期未整改或者整改不到位的，网格员将报告{data.township}处理。",
            st.indented,
        )
    )
    body.append(para(NOT_ENFORCEMENT, st.indented))
    body.append(Spacer(1, 2 * mm))
    body.append(para("整改复查情况：", st.heading))
    inner = layout.CONTENT_WIDTH - 16  # inside the boxed section's padding
    table = _ruled(
        [
            [_label("复查日期"), _label("复查结果"), _label("复查网格员")],
            *[[Spacer(1, 7 * mm), "", ""] for _ in range(2)],
        ],
        [inner * 0.22, inner * 0.56, inner * 0.22],
    )
    body.append(table)
    return body


def render_grid_notice(data: GridNoticePrint) -> bytes:
    """The grid's 安全隐患整改通知书 as PDF bytes (A4, fonts embedded, numbered pages)."""
    st = layout.styles()
    number_text = f"编号：{data.number.strip()}" if data.number.strip() else ""

    def story() -> list[Flowable]:
        rows = [
            SignatureRow(
                "网格员（签名）", [f"{data.worker}　电话：{_or_empty(data.worker_phone)}"]
            ),
            SignatureRow("负责人签收（签名）", [data.responsible.strip()]),
        ]
        copies = COPIES_NOTE.format(township=data.township)
        return [
            *_notice_header(data),
            _notice_grid(data),
            layout.boxed_section(_notice_body(data)),
            layout.signature_block(
                rows,
                label_width=LABEL_WIDTH,
                per_row=1,
                notes=[("负责人拒绝签收的，由网格员在此注明情况：", 8 * mm)],
                date_text=layout.chinese_date(data.issued_on),
                after=[
                    *layout.note_lines(data.clock_note),
                    Spacer(1, 1 * mm),
                    para(copies, st.small),
                ],
            ),
        ]

    return layout.build_pdf(
        story,
        NOTICE_TEMPLATE,
        number_text=number_text,
        title=f"安全隐患整改通知书 {data.place_name}",
        author=data.worker,
        subject=data.number,
    )
