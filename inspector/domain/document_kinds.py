"""What each document kind asks for and the rules a reviewer (法制审核) would check before it is
issued — pure functions over plain values, so they are tested without a database or Qt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from inspector.domain import idcard
from inspector.domain.agency_settings import PowerKind, authority_of
from inspector.domain.authorities import AUTHORITY_NAMES, OWN_AUTHORITY
from inspector.domain.citations import cite

# 行政处罚法 §51 简易程序 limits (yuan), §68 当场收缴 limit
ONSITE_FINE_LIMIT_UNIT = 3000
ONSITE_FINE_LIMIT_PERSON = 200
ONSITE_COLLECTION_LIMIT = 100
SEIZURE_MAX_DAYS = 30  # 行政强制法 §25
SUSPENSION_MAX_DAYS = 183  # 现场处理措施: suspension generally ≤ 6 months
EVIDENCE_DECISION_DAYS = 7  # 行政处罚法 §56
STATEMENT_DAYS = 3  # 罚告: 陈述、申辩 within 3 days of receipt (行政处罚法 §45, the 罚告's wording)
HEARING_DAYS = 5  # 罚告: a hearing asked for within 5 days (行政处罚法 §64①)
STATEMENT_OUTCOMES = (
    ("none", "未提出"),
    ("accepted", "提出，予以采纳"),
    ("rejected", "提出，不予采纳"),
)
# words by which a 现场处理措施 suspends production or equipment (then it must name its period)
SUSPENSION_WORDS = (
    "停产",
    "停业",
    "停止使用",
    "停止生产",
    "停止经营",
    "暂停",
    "停用",
    "关闭",
    "封停",
)

# kinds whose party is the one penalised: the unit's 法定代表人 prints, not the on-site representative
PENALTY_KINDS = (
    "onsite_penalty_unit",
    "onsite_penalty_person",
    "penalty_notice",
    "penalty_decision",
)
PENALTY_DECISION = "penalty_decision"  # 行政处罚决定书（一般程序）, drafted from an issued 罚告
HEARING_OUTCOMES = (
    ("not_requested", "当事人未在期限内要求听证"),
    ("waived", "当事人书面放弃听证"),
    ("requested", "当事人要求听证，尚未举行"),
    ("held", "已举行听证"),
)
ORDER_KINDS = ("rectification_order", "onsite_measures", "seizure")  # a 复查 reviews one of these
CASE_TRANSFER = "case_transfer"  # 案件移送书: findings of another authority, to the right body
# 行政强制措施, which 委托 cannot carry (行政强制法 §17)
COERCIVE_LAW = "《中华人民共和国行政强制法》第十七条"
# the default basis of a 移送 by the receiving authority ("" = any other); editable on the form.
# 安全生产法 §69 (移送 of a matter for another department) is from memory of the 2021 text, not yet
# checked against it (docs/ARCHITECTURE.md, agency settings); 消防法 §4 is confirmed (law.md).
TRANSFER_BASIS: dict[str, str] = {  # printed from the citation registry, never typed
    "": cite({"law": "安全生产法", "article": 69}),
    "消防救援": cite([{"law": "安全生产法", "article": 69}, {"law": "消防法", "article": 4}]),
}
SERVICE_METHODS = ("直接送达", "留置送达", "邮寄送达", "委托送达")
FOLLOW_ANY = "*"  # KindSpec.follows: drafted from any issued document (送达回执)
# the follow-up decisions (docs/ARCHITECTURE.md, follow-up documents): what may be decided per row
FOR_ROWS = "rows"  # the `outcome` choice that leaves a decision to each row of the 清单
TRANSFER_OUTCOME = "移送有关机关处理"
EVIDENCE_OUTCOMES = ("解除先行登记保存并退还", "予以没收", TRANSFER_OUTCOME, "作为证据使用")
SEIZURE_OUTCOMES = ("解除查封扣押", "依法没收", TRANSFER_OUTCOME)
EXTENSION_MAX_DAYS = 30  # 行政强制法 §25: once, by at most 30 days
SEIZURE_EXTENSION_LAW = "《中华人民共和国行政强制法》第二十五条"
EVIDENCE_LAW = "《中华人民共和国行政处罚法》第五十六条"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str = "text"  # text | multiline | date | money | choice | flag
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    hint: str = ""


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title: str
    enforcement: bool = True  # an 执法文书 (needs delegated power, two certified officers)
    items_label: str = ""  # what the numbered items are; "" = the kind has none
    items_need_deadline: bool = False
    orders_hazards: bool = False  # issuing it puts its hazards under a deadline (整改中)
    reviews: bool = False  # the 整改复查意见书: items carry a verdict
    fields: tuple[FieldSpec, ...] = ()
    row_columns: tuple[tuple[str, str], ...] = ()  # (key, label) of its table (清单, 送达)
    person: bool = False
    from_inspection: bool = True  # drafted from an inspection (else from an earlier document)
    numbered: bool = True  # takes a 文号 when issued (a 询问笔录 has none)
    rows_label: str = "清单"  # the form's title over the table, and its add button's noun
    rows_noun: str = "一行"
    party_label: str = ""  # the form's title over the party ("": 被处罚人 / 被检查（被通知）单位)
    follows: tuple[str, ...] = ()  # the issued kinds it is drafted from (FOLLOW_ANY: any kind)

    def may_follow(self, source_kind: str) -> bool:
        return FOLLOW_ANY in self.follows or source_kind in self.follows


_PENALTY_FIELDS = (
    FieldSpec("facts", "违法事实及证据", "multiline"),
    FieldSpec("violated", "违反的规定", hint="如：《中华人民共和国安全生产法》第四十二条第一款"),
    FieldSpec("applied", "处罚依据", hint="如：《中华人民共和国安全生产法》第一百零五条第（一）项"),
    FieldSpec(
        "penalty_type", "处罚种类", "choice", choices=(("warning", "警告"), ("fine", "罚款"))
    ),
    FieldSpec("fine_yuan", "罚款金额（元）", "money", required=False),
    FieldSpec(
        "payment",
        "缴纳方式",
        "choice",
        required=False,
        choices=(("bank", "15日内到银行缴纳"), ("onsite", "当场缴纳")),
    ),
    FieldSpec("hard_to_collect", "当场不收缴事后难以执行", "flag", required=False),
    FieldSpec("decided_place", "作出决定的地点"),
    # 行政处罚法 §44/§45 bind the 简易程序 too: the 告知 given on the spot and the party's answer
    FieldSpec("told", "已当场告知违法事实、理由、依据及陈述申辩权", "flag", required=False),
    FieldSpec("statement_outcome", "当事人陈述、申辩", "choice", choices=STATEMENT_OUTCOMES),
    FieldSpec(
        "statement",
        "陈述、申辩的内容",
        "multiline",
        required=False,
        hint="当事人提出陈述、申辩的，写明其主要意见",
    ),
)

# 行政处罚法 §63① measures other than fines, each with the 项 that makes a hearing due
MEASURES: tuple[tuple[str, str, int], ...] = (
    ("m_demote", "降低资质等级", 3),
    ("m_revoke", "吊销许可证件", 3),
    ("m_suspend", "责令停产停业", 4),
    ("m_close", "责令关闭", 4),
    ("m_restrict", "限制从业", 4),
)
PARTY_TYPES = (("unit", "单位"), ("person", "个人"))
# where goods under 先行登记保存 are kept: only goods left on site need the party's duty sentence
KEEP_MODES = (
    ("onsite", "就地保存（由当事人保管）"),
    ("agency", "本机关证据保存室"),
    ("elsewhere", "其他地点（由本机关保管）"),
)


def _penalty_case_fields(prefix: str) -> tuple[FieldSpec, ...]:
    """The party, facts, provisions and structured penalty of a 罚告 and of the 处罚决定书 drafted
    from it (`prefix` "拟" on the notice, "" on the decision)."""
    return (
        FieldSpec("party_type", "当事人类别", "choice", choices=PARTY_TYPES),
        FieldSpec("facts", "违法行为", "multiline"),
        FieldSpec("evidence", "主要证据", "multiline"),
        FieldSpec("violated", "违反的规定"),
        FieldSpec("applied", "处罚依据"),
        FieldSpec("warning", f"{prefix}给予警告", "flag", required=False),
        FieldSpec("fine_yuan", f"{prefix}罚款金额（元）", "money", required=False),
        FieldSpec("confiscation_yuan", f"{prefix}没收违法所得（元）", "money", required=False),
        *(FieldSpec(key, f"{prefix}{label}", "flag", required=False) for key, label, _ in MEASURES),
    )


_SEIZED_COLUMNS = (
    ("name", "名称"),
    ("spec", "规格型号"),
    ("quantity", "数量"),
    ("place", "所在地点"),
    ("note", "备注"),
)
_DECISION_COLUMNS = (
    ("name", "名称"),
    ("spec", "规格型号"),
    ("quantity", "数量"),
    ("decision", "处理决定"),
)


def _outcome_choices(outcomes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return ((FOR_ROWS, "按清单逐项决定"), *((o, f"全部{o}") for o in outcomes))


SPECS: dict[str, KindSpec] = {
    s.kind: s
    for s in (
        KindSpec(
            "rectification_order",
            "责令限期整改指令书",
            items_label="存在的问题",
            items_need_deadline=True,
            orders_hazards=True,
        ),
        KindSpec(
            "onsite_measures",
            "现场处理措施决定书",
            items_label="违法违规行为和事故隐患",
            orders_hazards=True,
            fields=(
                FieldSpec(
                    "measures",
                    "现场处理决定（每行一项）",
                    "multiline",
                    hint="如：从危险区域内撤出作业人员；暂时停产停业；停止使用相关设施、设备",
                ),
                FieldSpec(
                    "suspend_until",
                    "停产停业、停止使用至",
                    "date",
                    required=False,
                    hint="决定暂时停产停业或停止使用设施设备时必填",
                ),
            ),
        ),
        KindSpec(
            "review_opinion",
            "整改复查意见书",
            items_label="复查的问题",
            reviews=True,
            from_inspection=False,
            follows=ORDER_KINDS,
            fields=(FieldSpec("conclusion", "复查结论", "multiline", required=False),),
        ),
        KindSpec(
            "seizure",
            "查封扣押决定书",
            items_label="存在的问题",
            fields=(
                FieldSpec("evidence", "证据", required=False),
                FieldSpec(
                    "measure", "强制措施", "choice", choices=(("查封", "查封"), ("扣押", "扣押"))
                ),
                FieldSpec("period_start", "期限自", "date"),
                FieldSpec("period_end", "期限至", "date"),
            ),
            row_columns=_SEIZED_COLUMNS,
        ),
        KindSpec("onsite_penalty_unit", "行政（当场）处罚决定书（单位）", fields=_PENALTY_FIELDS),
        KindSpec(
            "onsite_penalty_person",
            "行政（当场）处罚决定书（个人）",
            person=True,
            fields=_PENALTY_FIELDS,
        ),
        KindSpec(
            "penalty_notice",
            "行政处罚告知书",
            fields=(
                *_penalty_case_fields("拟"),
                FieldSpec(
                    "hearing",
                    "告知听证权利",
                    "flag",
                    required=False,
                    hint="较大数额罚款或没收、降低资质等级、吊销许可证件、责令停产停业、责令关闭、"
                    "限制从业的，自动告知",
                ),
            ),
        ),
        KindSpec(
            PENALTY_DECISION,
            "行政处罚决定书",
            from_inspection=False,
            follows=("penalty_notice",),
            fields=(
                *_penalty_case_fields(""),
                FieldSpec("notice_number", "行政处罚告知书文号"),
                FieldSpec("notice_issued_on", "行政处罚告知书送达日期", "date"),
                FieldSpec(
                    "statement_outcome", "当事人陈述、申辩", "choice", choices=STATEMENT_OUTCOMES
                ),
                FieldSpec(
                    "statement",
                    "陈述、申辩的内容",
                    "multiline",
                    required=False,
                    hint="当事人提出陈述、申辩的，写明其主要意见",
                ),
                FieldSpec(
                    "statement_in_writing",
                    "当事人已书面陈述申辩或书面放弃陈述申辩",
                    "flag",
                    required=False,
                    hint="未勾选的，须待告知书送达之日起3日期满后作出决定",
                ),
                FieldSpec("hearing", "已告知听证权利", "flag", required=False),
                FieldSpec(
                    "hearing_outcome",
                    "听证情况",
                    "choice",
                    required=False,
                    choices=HEARING_OUTCOMES,
                    hint="告知听证权利的必选",
                ),
            ),
        ),
        KindSpec(
            "evidence_notice",
            "先行登记保存证据通知书",
            fields=(
                FieldSpec("party_type", "当事人类别", "choice", choices=PARTY_TYPES),
                FieldSpec("suspected", "涉嫌的违法行为"),
                FieldSpec("keep_mode", "物品保存方式", "choice", choices=KEEP_MODES),
                FieldSpec(
                    "keep_place",
                    "物品保存地点",
                    required=False,
                    hint="如：当事人仓库；本机关证据保存室可不填",
                ),
                FieldSpec("appear_date", "接受处理的期限", "date"),
                FieldSpec("appear_place", "接受处理的地点"),
            ),
            row_columns=(
                ("name", "物品名称"),
                ("spec", "规格型号"),
                ("quantity", "数量"),
                ("note", "备注"),
            ),
        ),
        KindSpec(
            "service_receipt",
            "文书送达回执",
            from_inspection=False,
            follows=(FOLLOW_ANY,),
            fields=(
                FieldSpec("case_name", "案件名称"),
                FieldSpec(
                    "method", "送达方式", "choice", choices=tuple((m, m) for m in SERVICE_METHODS)
                ),
                FieldSpec("place", "送达地点"),
                FieldSpec(
                    "remarks", "备注", "multiline", required=False, hint="留置送达须写明事由"
                ),
            ),
        ),
        KindSpec(
            "inquiry_notice",
            "询问通知书",
            fields=(
                FieldSpec(
                    "matter", "需要了解的情况", hint="如：你单位打磨车间除尘系统的安全生产情况"
                ),
                FieldSpec("appear_date", "接受询问的日期", "date"),
                FieldSpec("appear_time", "接受询问的时间", hint="时:分，如 09:30"),
                FieldSpec("appear_place", "接受询问的地点"),
                FieldSpec(
                    "bring",
                    "须携带的材料（每行一项）",
                    "multiline",
                    required=False,
                    hint="如：营业执照复印件；法定代表人身份证明；授权委托书",
                ),
                FieldSpec("contact", "联系人"),
                FieldSpec("contact_phone", "联系电话"),
            ),
        ),
        KindSpec(
            "inquiry_record",
            "询问笔录",
            person=True,
            numbered=False,
            fields=(
                FieldSpec("inquiry_date", "询问日期", "date"),
                FieldSpec("time_from", "询问开始时间", hint="时:分，如 09:30"),
                FieldSpec("time_to", "询问结束时间", hint="时:分，如 10:15；询问结束时填写"),
                FieldSpec("place", "询问地点"),
                FieldSpec("position", "被询问人职务", required=False),
                FieldSpec("recorder", "记录人"),
                FieldSpec("present", "在场人", required=False),
            ),
            row_columns=(("q", "问"), ("a", "答")),
            rows_label="问答记录（逐问逐答，被询问人拒绝回答的写明“拒绝回答”）",
            rows_noun="一问",
            party_label="被询问人",
        ),
        KindSpec(
            CASE_TRANSFER,
            "案件移送书",
            items_label="移送的问题",
            fields=(
                FieldSpec("receiver", "接收移送的机关", hint="如：柴桑区消防救援大队"),
                FieldSpec("transfer_basis", "移送依据", "multiline"),
                FieldSpec(
                    "attachments",
                    "附件（每行一项）",
                    "multiline",
                    required=False,
                    hint="如：现场检查记录（复印件）1份",
                ),
            ),
        ),
        KindSpec(
            "evidence_decision",
            "先行登记保存证据处理决定书",
            from_inspection=False,
            follows=("evidence_notice",),
            fields=(
                FieldSpec(
                    "outcome", "处理决定", "choice", choices=_outcome_choices(EVIDENCE_OUTCOMES)
                ),
                FieldSpec("receiver", "移送的机关", required=False, hint="移送有关机关处理的必填"),
                FieldSpec("remarks", "其他说明", "multiline", required=False),
            ),
            row_columns=_DECISION_COLUMNS,
        ),
        KindSpec(
            "seizure_extension",
            "延长查封扣押期限决定书",
            from_inspection=False,
            follows=("seizure",),
            fields=(
                FieldSpec(
                    "reason",
                    "延长的理由",
                    "multiline",
                    hint="如：案情复杂，涉案设备需委托检测，原期限内不能查清事实",
                ),
                FieldSpec("new_end", "延长至", "date"),
            ),
            row_columns=_SEIZED_COLUMNS,
        ),
        KindSpec(
            "seizure_decision",
            "查封扣押处理决定书",
            from_inspection=False,
            follows=("seizure",),
            fields=(
                FieldSpec("facts", "查明的事实", "multiline"),
                FieldSpec(
                    "outcome", "处理决定", "choice", choices=_outcome_choices(SEIZURE_OUTCOMES)
                ),
                FieldSpec("receiver", "移送的机关", required=False, hint="移送有关机关处理的必填"),
            ),
            row_columns=_DECISION_COLUMNS,
        ),
        KindSpec(
            "hazard_notice",
            "安全隐患整改通知书",
            enforcement=False,
            items_label="安全隐患",
            items_need_deadline=True,
            orders_hazards=True,
        ),
    )
}


def follow_up_kinds(source_kind: str) -> list[KindSpec]:
    """The decisions drafted from an issued document of *source_kind* (not the 送达回执, which
    follows any document, nor the 复查, which starts with a re-inspection, nor the 处罚决定书)."""
    return [
        s
        for s in SPECS.values()
        if source_kind in s.follows
        and FOLLOW_ANY not in s.follows
        and not s.reviews
        and s.kind != PENALTY_DECISION  # it has its own button on the 文书 page
    ]


@dataclass
class RuleInput:
    """The values the rules look at (taken from a draft by the service)."""

    kind: str
    today: date
    has_power: bool
    electronic: bool
    officers: list[tuple[str, str]]  # (name, 执法证号)
    items: list[
        tuple[str, bool, str, date | None, str]
    ]  # (text, included, exclude reason, deadline, verdict)
    fields: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    prior_order: str | None = None  # for 复查/送达: the title+number it refers to, None = missing
    prior_problem: str = ""  # why the referred document cannot be used
    signers: list[tuple[str, str, bool, bool, str, str]] = field(default_factory=list)
    # (role, name, has_image, refused, reason, witness)
    agency_bank: bool = True
    supersedes_ok: bool = True
    qa: list[tuple[str, str]] = field(default_factory=list)  # 询问笔录: (question, answer)
    grades: list[str] = field(default_factory=list)  # per item, as items: general | major
    party_person: bool = False  # the party is a 公民 (你), not a unit (你单位)
    party_id_no: str = ""
    party_address: str = ""
    large_fine_person: int | None = None  # the agency's 较大数额 (yuan); None = not set
    large_fine_unit: int | None = None
    power_kind: str = "own"  # domain.agency_settings.PowerKind
    delegator: str = ""  # the 委托机关 under 委托
    granted: tuple[str, ...] = ()  # authorities locally granted (赋权) besides 应急
    item_authorities: list[str] = field(default_factory=list)  # per item, as `items`
    row_values: list[dict[str, str]] = field(default_factory=list)  # the table's rows as typed
    # the issued document a follow-up is drafted from (KindSpec.follows)
    source_kind: str = ""
    source_issued: date | None = None
    source_fields: dict[str, str] = field(default_factory=dict)  # its input fields
    source_followed: bool = False  # a follow-up of this kind was already issued for it


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def fine_of(fields: dict[str, str], key: str = "fine_yuan") -> int | None:
    """The fine in whole yuan; None when not given, -1 when it is not a positive whole number."""
    raw = fields.get(key, "").strip().replace(",", "").replace("，", "")
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return -1
    value = int(raw)
    return value if value > 0 else -1


def reads_as_question(text: str) -> bool:
    """A checklist question (是否…？) left where a finding of fact belongs."""
    t = text.strip()
    return "是否" in t or t.rstrip("。． ").endswith(("？", "?"))


def question_problem(label: str, text: str) -> str:
    """The refusal for a finding that is still the checklist's question."""
    shown = text.strip().rstrip("。")
    shown = shown if len(shown) <= 24 else shown[:24] + "…"
    return f"{label}“{shown}”写的是检查内容，不是发现的事实：请写明发现的问题（部位、现象、数量）。"


def large_threshold(person: bool, large_person: int | None, large_unit: int | None) -> int:
    """From which amount (yuan) a fine or confiscation is 较大数额 and a hearing is offered: the
    agency's provincial figure, or — until it is set — anything above the 简易程序 limits
    (legal-review item 4: offering the right is safe, omitting it is not)."""
    figure = large_person if person else large_unit
    if figure is not None and figure > 0:
        return figure
    return (ONSITE_FINE_LIMIT_PERSON if person else ONSITE_FINE_LIMIT_UNIT) + 1


def hearing_items(
    fields: dict[str, str], person: bool, large_person: int | None, large_unit: int | None
) -> list[int]:
    """The 项 of 行政处罚法 §63① that the intended penalty falls under (empty: no hearing due)."""
    threshold = large_threshold(person, large_person, large_unit)
    out: set[int] = set()
    fine = fine_of(fields)
    if fine is not None and fine >= threshold:
        out.add(1)
    confiscation = fine_of(fields, "confiscation_yuan")
    if confiscation is not None and confiscation >= threshold:
        out.add(2)
    out |= {item for key, _label, item in MEASURES if fields.get(key)}
    return sorted(out)


def hearing_basis(items: list[int]) -> str:
    """The hearing paragraph's basis, printed from the citation registry: 行政处罚法 §63①'s items
    that apply and §64 (a hearing offered without a §63 ground cites the two articles alone)."""
    law = "行政处罚法"
    refs: list[dict[str, object]] = [
        {"law": law, "article": 63, "paragraph": 1, "item": i} for i in items
    ] or [{"law": law, "article": 63}]
    return cite([*refs, {"law": law, "article": 64}])


def intended_penalty(fields: dict[str, str]) -> str:
    """The 罚告's intended penalty worded from its structured fields ("" when none is chosen)."""
    parts = ["警告"] if fields.get("warning") else []
    fine = fine_of(fields)
    if fine is not None and fine > 0:
        parts.append(f"罚款人民币{fine}元")
    confiscation = fine_of(fields, "confiscation_yuan")
    if confiscation is not None and confiscation > 0:
        parts.append(f"没收违法所得人民币{confiscation}元")
    parts += [label for key, label, _ in MEASURES if fields.get(key)]
    return "、".join(parts)


def statement_wording(fields: dict[str, str]) -> str:
    """The 当场处罚's record of the 告知 and of the party's 陈述、申辩, as printed."""
    told = "已当场告知当事人处罚的事实、理由、依据及其陈述、申辩的权利。"
    said = fields.get("statement", "").strip().rstrip("。；;，,")
    outcome = fields.get("statement_outcome", "")
    if outcome == "accepted":
        return f"{told}当事人陈述、申辩：{said}。经复核，予以采纳。"
    if outcome == "rejected":
        return f"{told}当事人陈述、申辩：{said}。经复核，不予采纳。"
    return f"{told}当事人未提出陈述、申辩。"


def decision_statement_wording(fields: dict[str, str]) -> str:
    """The 处罚决定书's record of the 陈述、申辩 after the 罚告, as printed."""
    said = fields.get("statement", "").strip().rstrip("。；;，,")
    outcome = fields.get("statement_outcome", "")
    if outcome == "accepted":
        return f"当事人在规定期限内提出陈述、申辩：{said}。经复核，本机关予以采纳。"
    if outcome == "rejected":
        return f"当事人在规定期限内提出陈述、申辩：{said}。经复核，本机关不予采纳。"
    return "当事人在规定期限内未提出陈述、申辩。"


def hearing_wording(fields: dict[str, str]) -> str:
    """The 处罚决定书's record of the hearing ("" when none was offered)."""
    if not fields.get("hearing"):
        return ""
    said = {
        "not_requested": "当事人在规定期限内未要求听证。",
        "waived": "当事人书面放弃听证。",
        "held": "本机关依法举行了听证。",
    }
    return "本机关已告知当事人有要求举行听证的权利，" + said.get(
        fields.get("hearing_outcome", ""), "当事人要求听证。"
    )


def party_is_person(kind: str, fields: dict[str, str]) -> bool:
    """Whether the party is a 公民 (你) rather than a unit (你单位)."""
    return SPECS[kind].person or fields.get("party_type") == "person"


def problems(r: RuleInput) -> list[str]:
    """Everything that stops this draft from being issued, in Chinese, in the order of the form."""
    spec = SPECS[r.kind]
    out: list[str] = []
    if spec.enforcement and not r.has_power:
        out.append(
            "本机关未获安全生产行政执法授权（或委托），只能出具《安全隐患整改通知书》，"
            "不能出具执法文书。"
        )
    certified = [n for n, c in r.officers if n.strip() and c.strip()]
    named = [n for n, _c in r.officers if n.strip()]
    if spec.enforcement and len(certified) < 2:
        out.append("执法文书须由至少两名持有执法证的执法人员作出，请补充执法人员及其执法证号。")
    if not spec.enforcement and not named:
        out.append("请填写检查人员。")
    if not r.supersedes_ok:
        out.append("被更正的文书尚未作废，请先作废原文书再签发更正文书。")
    if not spec.from_inspection:
        if r.prior_order is None:
            what = (
                "已签发的文书"
                if FOLLOW_ANY in spec.follows
                else _or_titles([SPECS[k].title for k in spec.follows])
            )
            out.append(f"{spec.title}须针对本单位{what}，未找到可用的前置文书。")
        elif r.prior_problem:
            out.append(r.prior_problem)
    for f in spec.fields:
        value = r.fields.get(f.key, "").strip()
        if f.required and not value:
            out.append(f"请填写“{f.label}”。")
        if f.kind == "date" and value and _date(value) is None:
            out.append(f"“{f.label}”不是有效日期。")
    out += _item_problems(spec, r)
    out += power_problems(spec, r)
    out += _kind_problems(spec, r)
    if r.prior_order:
        out += follow_up_problems(spec, r)
    out += _signature_problems(spec, r)
    return out


def _or_titles(titles: list[str]) -> str:
    """ "A、B或C"."""
    return titles[0] if len(titles) == 1 else "、".join(titles[:-1]) + "或" + titles[-1]


def follow_up_problems(spec: KindSpec, r: RuleInput) -> list[str]:
    """The follow-up decisions against the document they follow: in time, once, complete."""
    out: list[str] = []
    if spec.kind == "evidence_decision":
        if r.source_issued is not None and r.today > r.source_issued + timedelta(
            days=EVIDENCE_DECISION_DAYS
        ):
            days = (r.today - r.source_issued).days
            out.append(
                f"先行登记保存证据通知书签发已{days}日。依照{EVIDENCE_LAW}的规定，先行登记保存后"
                f"应当在{EVIDENCE_DECISION_DAYS}日内作出处理决定，现已超过期限，不能再作出处理决定；"
                "逾期未作决定的，先行登记保存措施已自动解除，请报本机关负责人依法处理。"
            )
        if r.source_followed:
            out.append("该先行登记保存证据通知书已作出处理决定，不能重复作出。")
    if spec.kind == "seizure_extension":
        out += _extension_problems(r)
    if spec.kind == "seizure_decision" and r.source_followed:
        out.append("该查封扣押已作出处理决定，不能重复作出；如需更正，请先作废原处理决定书。")
    if spec.kind in ("evidence_decision", "seizure_decision"):
        out += _decision_problems(spec, r)
    return out


def _extension_problems(r: RuleInput) -> list[str]:
    out: list[str] = []
    if r.source_followed:
        out.append(
            f"该查封扣押已延长过一次期限。依照{SEIZURE_EXTENSION_LAW}的规定，查封、扣押的期限"
            "只能延长一次，不能再次延长；请在期限内作出处理决定。"
        )
    end = _date(r.source_fields.get("period_end", ""))
    new_end = _date(r.fields.get("new_end", ""))
    if end is None:
        return out
    if r.today > end:
        out.append(
            f"原查封扣押期限已于{end.year}年{end.month}月{end.day}日届满，延长决定应当在期限届满前作出"
            f"（{SEIZURE_EXTENSION_LAW}）。"
        )
    if new_end is not None and new_end <= end:
        out.append("延长后的期限应晚于原查封扣押期限的结束日期。")
    limit = end + timedelta(days=EXTENSION_MAX_DAYS)
    if new_end is not None and new_end > limit:
        out.append(
            f"延长期限不得超过{EXTENSION_MAX_DAYS}日（{SEIZURE_EXTENSION_LAW}），"
            f"最迟只能延长至{limit.year}年{limit.month}月{limit.day}日。"
        )
    return out


def _decision_problems(spec: KindSpec, r: RuleInput) -> list[str]:
    """Every row of the 清单 decided, with an allowed outcome; a 移送 names the receiving body."""
    allowed = EVIDENCE_OUTCOMES if spec.kind == "evidence_decision" else SEIZURE_OUTCOMES
    outcome = r.fields.get("outcome", "")
    rows = [v for v in r.row_values if any(x.strip() for x in v.values())]
    out: list[str] = []
    if not rows:
        out.append("请在清单中列明作出处理决定的物品。")
    decisions = (
        [outcome] * len(rows)
        if outcome != FOR_ROWS
        else [v.get("decision", "").strip() for v in rows]
    )
    for n, (row, decision) in enumerate(zip(rows, decisions, strict=True), start=1):
        if decision not in allowed:
            out.append(
                f"清单第{n}行（{row.get('name', '')[:16]}）请写明处理决定："
                + "、".join(allowed)
                + "之一。"
            )
    if TRANSFER_OUTCOME in decisions and not r.fields.get("receiver", "").strip():
        out.append("处理决定为移送有关机关处理的，请填写接收移送的机关。")
    return out


def _item_problems(spec: KindSpec, r: RuleInput) -> list[str]:
    out: list[str] = []
    if not spec.items_label:
        return out
    included = [i for i in r.items if i[1]]
    if not included:
        out.append(f"请至少列入一项{spec.items_label}。")
    for n, (text, inc, reason, deadline, verdict) in enumerate(r.items, start=1):
        label = f"第{n}项（{text[:16]}）"
        if not inc and not reason.strip():
            out.append(f"{label}未列入本文书，请写明不列入的理由（如：已当场整改）。")
        if not inc:
            continue
        if reads_as_question(text):
            out.append(question_problem(f"第{n}项", text))
        if spec.items_need_deadline and deadline is None:
            out.append(f"{label}缺少整改期限。")
        if spec.reviews and verdict not in ("ok", "failed"):
            out.append(f"{label}请选择复查结果：已整改或未整改。")
        needs_future = spec.items_need_deadline or (spec.reviews and verdict == "failed")
        if needs_future and deadline is None and spec.reviews:
            out.append(f"{label}未整改，请给出新的整改期限。")
        if needs_future and deadline is not None and deadline <= r.today:
            out.append(
                f"{label}的整改期限 {deadline.year}年{deadline.month}月{deadline.day}日"
                "不在今天之后，请改为以后的日期。"
            )
    return out


def suspends(measures: str) -> bool:
    """The 现场处理措施 stop production or equipment (then a period, and power that can do it)."""
    return any(w in measures for w in SUSPENSION_WORDS)


def power_problems(spec: KindSpec, r: RuleInput) -> list[str]:
    """What the agency's power does not reach: 行政强制措施 under 委托, and findings of another
    authority on an order (they go on a 案件移送书 instead), or an own finding on a 移送书."""
    out: list[str] = []
    entrusted = r.power_kind == PowerKind.ENTRUSTED
    by = f"受{r.delegator}委托" if r.delegator.strip() else "受委托"
    if entrusted and spec.kind == "seizure":
        out.append(
            f"本机关系{by}执法。查封、扣押属于行政强制措施，依照{COERCIVE_LAW}的规定，"
            "行政强制措施权不得委托，本机关不能作出查封扣押决定；请报委托机关依法处理。"
        )
    if entrusted and spec.kind == "onsite_measures" and suspends(r.fields.get("measures", "")):
        out.append(
            f"本机关系{by}执法。暂时停产停业、停止使用设施设备属于行政强制措施，依照"
            f"{COERCIVE_LAW}的规定，行政强制措施权不得委托；请删去该项措施，或报委托机关依法决定。"
        )
    if spec.kind not in (*ORDER_KINDS, CASE_TRANSFER):
        return out
    allowed = (OWN_AUTHORITY, *r.granted)
    for n, ((text, inc, *_rest), authority) in enumerate(
        zip(r.items, r.item_authorities, strict=False), start=1
    ):
        code = authority_of(authority)
        label = f"第{n}项（{text[:16]}）"
        if inc and spec.kind != CASE_TRANSFER and code not in allowed:
            out.append(
                f"{label}属{AUTHORITY_NAMES.get(code, code)}的职权，不属本机关职权，不能列入"
                f"{spec.title}；请不列入本文书，另行制作案件移送书。"
            )
        if inc and spec.kind == CASE_TRANSFER and code in allowed:
            out.append(f"{label}属本机关职权，应由本机关依法处理，无需移送。")
    return out


def _kind_problems(spec: KindSpec, r: RuleInput) -> list[str]:
    out: list[str] = []
    f = r.fields
    for key in ("facts", "suspected"):
        if key in f and f[key].strip() and reads_as_question(f[key]):
            label = "违法事实" if key == "facts" else "涉嫌的违法行为"
            out.append(question_problem(f"“{label}”", f[key]))
    if r.party_id_no.strip():
        wrong = idcard.problem(r.party_id_no, r.today)
        if wrong:
            out.append(wrong)
    if spec.kind == "onsite_measures":
        until = _date(f.get("suspend_until", ""))
        stops = suspends(f.get("measures", ""))
        included_grades = [g for g, item in zip(r.grades, r.items, strict=False) if item[1]]
        if (stops or until is not None) and "major" not in included_grades:
            out.append(
                "暂时停产停业、停止使用设施设备只能针对重大事故隐患（《中华人民共和国安全生产法》"
                "第六十五条第一款第（三）项）：列入的问题中没有判定为重大事故隐患的，"
                "请改为其他现场处理措施，或将相应问题判定为重大事故隐患。"
            )
        if stops and until is None:
            out.append("决定暂时停产停业或停止使用设施设备的，请写明期限（停产停业、停止使用至）。")
        if until is not None and until <= r.today:
            out.append("停产停业、停止使用的期限应在今天之后。")
        if until is not None and (until - r.today).days > SUSPENSION_MAX_DAYS:
            out.append("现场处理措施的暂时停产停业期限一般不超过6个月。")
    if spec.kind == "seizure":
        start, end = _date(f.get("period_start", "")), _date(f.get("period_end", ""))
        if start and end:
            days = (end - start).days + 1
            if end < start:
                out.append("查封扣押期限的结束日期早于开始日期。")
            elif days > SEIZURE_MAX_DAYS:
                out.append(
                    f"查封扣押期限为 {days} 日，超过《行政强制法》第二十五条规定的30日；"
                    "情况复杂需要延长的，应另行作出延长决定。"
                )
            if start < r.today:
                out.append("查封扣押期限不能从过去的日期开始。")
        if r.rows == 0:
            out.append("请在清单中列明查封扣押的场所、设施或财物。")
        if not r.party_address.strip():
            out.append(
                "查封扣押决定书须载明当事人的地址（《中华人民共和国行政强制法》第二十四条"
                "第二款第（一）项），请填写被检查单位地址。"
            )
    if spec.kind.startswith("onsite_penalty"):
        out += _penalty_problems(spec, r)
        out += _statement_problems(r)
    if spec.kind in ("penalty_notice", PENALTY_DECISION):
        out += _notice_problems(r)
    if spec.kind == PENALTY_DECISION:
        out += decision_period_problems(f, r.today)
        out += _statement_problems(r, onsite=False)
        if fine_of(f) and not r.agency_bank:
            out.append("本机关尚未设置罚款缴纳银行和账号，请管理员在机关设置中填写。")
    if spec.kind == "evidence_notice":
        if r.rows == 0:
            out.append("请在清单中列明先行登记保存的物品。")
        if f.get("keep_mode") in ("onsite", "elsewhere") and not f.get("keep_place", "").strip():
            out.append("请填写物品保存地点（就地保存或存放于其他地点的，须写明具体地点）。")
        appear = _date(f.get("appear_date", ""))
        if appear is not None and not (
            r.today < appear <= r.today + timedelta(days=EVIDENCE_DECISION_DAYS)
        ):
            out.append("先行登记保存后须在7日内作出处理决定，接受处理的期限应在今后7日之内。")
    if spec.kind == "inquiry_record":
        out += _inquiry_problems(r)
    if spec.kind == "inquiry_notice":
        day = _date(f.get("appear_date", ""))
        if day is not None and day <= r.today:
            out.append("接受询问的日期应在今天之后，以便当事人准备。")
        if f.get("appear_time", "").strip() and clock_minutes(f["appear_time"]) is None:
            out.append("“接受询问的时间”应写成“时:分”，如 09:30。")
    if spec.kind == "service_receipt" and f.get("method") == "留置送达":
        if not f.get("remarks", "").strip():
            out.append("留置送达须在备注中写明拒收事由和日期。")
        if not any(role == "witness" and name.strip() for role, name, *_ in r.signers):
            out.append("留置送达须有见证人，请填写见证人。")
    return out


def clock_minutes(value: str) -> int | None:
    """ "09:30" (or "9：30", "9时30分") as minutes after midnight; None when it is not a time."""
    text = value.strip().replace("：", ":").replace("时", ":").replace("分", "")
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit():
        return None
    h, m = int(hours), int(minutes)
    return h * 60 + m if 0 <= h < 24 and 0 <= m < 60 else None


def _inquiry_problems(r: RuleInput) -> list[str]:
    """A 询问笔录: every question answered (or the refusal written down), the times in order."""
    out: list[str] = []
    asked = [(q.strip(), a.strip()) for q, a in r.qa if q.strip() or a.strip()]
    if not asked:
        out.append("询问笔录还没有记录任何问答，请记录询问的问题和被询问人的回答。")
    for n, (question, answer) in enumerate(asked, start=1):
        if not question:
            out.append(f"第{n}问只有回答，没有问题：请补记所问的问题。")
        elif not answer:
            out.append(
                f"第{n}问（{question[:16]}）尚未记录回答：请记录被询问人的回答；"
                "被询问人拒绝回答的，写明“拒绝回答”。"
            )
    start = clock_minutes(r.fields.get("time_from", ""))
    end = clock_minutes(r.fields.get("time_to", ""))
    for key, label, value in (
        ("time_from", "询问开始时间", start),
        ("time_to", "询问结束时间", end),
    ):
        if r.fields.get(key, "").strip() and value is None:
            out.append(f"“{label}”应写成“时:分”，如 09:30。")
    if start is not None and end is not None and end <= start:
        out.append("询问结束时间应晚于开始时间。")
    return out


def _penalty_problems(spec: KindSpec, r: RuleInput) -> list[str]:
    out: list[str] = []
    f = r.fields
    limit = ONSITE_FINE_LIMIT_PERSON if spec.person else ONSITE_FINE_LIMIT_UNIT
    who = "公民" if spec.person else "法人或者其他组织"
    if f.get("penalty_type") == "fine":
        fine = fine_of(f)
        if fine is None:
            out.append("请填写罚款金额。")
        elif fine < 0:
            out.append("罚款金额应为正整数（元）。")
        elif fine > limit:
            out.append(
                f"当场处罚（简易程序）对{who}的罚款不能超过 {limit} 元（《行政处罚法》第五十一条），"
                f"本次为 {fine} 元。请改用一般程序（先出具行政处罚告知书）。"
            )
        payment = f.get("payment", "")
        if not payment:
            out.append("请选择罚款的缴纳方式。")
        if (
            payment == "onsite"
            and fine is not None
            and fine > ONSITE_COLLECTION_LIMIT
            and not f.get("hard_to_collect")
        ):
            out.append(
                "罚款超过100元的，只有在事后难以执行时才能当场收缴（《行政处罚法》第六十八条），"
                "否则请选择到银行缴纳。"
            )
        if payment == "bank" and not r.agency_bank:
            out.append("本机关尚未设置罚款缴纳银行和账号，请管理员在机关设置中填写。")
    return out


def decision_period_problems(fields: dict[str, str], today: date) -> list[str]:
    """A 处罚决定 made too early: within the 3 days for 陈述、申辩 from the 罚告 (unless the party
    stated or waived in writing), within the 5 days for a hearing offered (unless waived or held),
    or while a hearing asked for has not been held."""
    notice = _date(fields.get("notice_issued_on", ""))
    if notice is None:
        return []
    out: list[str] = []
    statement_end = notice + timedelta(days=STATEMENT_DAYS)
    if today <= statement_end and not fields.get("statement_in_writing"):
        out.append(
            f"行政处罚告知书的陈述、申辩期限至{statement_end.year}年{statement_end.month}月"
            f"{statement_end.day}日届满，期满前不能作出处罚决定；当事人已书面陈述、申辩或书面放弃的，"
            "请勾选“当事人已书面陈述申辩或书面放弃陈述申辩”。"
        )
    if not fields.get("hearing"):
        return out
    outcome = fields.get("hearing_outcome", "")
    hearing_end = notice + timedelta(days=HEARING_DAYS)
    if outcome == "requested":
        out.append("当事人要求听证的，须依法举行听证后方可作出处罚决定。")
    elif not outcome:
        out.append("已告知听证权利的，请选择听证情况。")
    elif outcome == "not_requested" and today <= hearing_end:
        out.append(
            f"要求听证的期限至{hearing_end.year}年{hearing_end.month}月{hearing_end.day}日届满，"
            "期满前不能作出处罚决定；当事人书面放弃听证的，请在“听证情况”中选择。"
        )
    return out


def _statement_problems(r: RuleInput, onsite: bool = True) -> list[str]:
    out: list[str] = []
    f = r.fields
    if onsite and not f.get("told"):
        out.append(
            "当场处罚前须向当事人告知作出决定的事实、理由、依据及其陈述、申辩的权利"
            "（《中华人民共和国行政处罚法》第四十四条），告知后请勾选“已当场告知”。"
        )
    if (
        f.get("statement_outcome") in ("accepted", "rejected")
        and not f.get("statement", "").strip()
    ):
        out.append("当事人提出了陈述、申辩的，请写明其陈述、申辩的内容。")
    return out


def _notice_problems(r: RuleInput) -> list[str]:
    out: list[str] = []
    f = r.fields
    for key, label in (("fine_yuan", "拟罚款金额"), ("confiscation_yuan", "拟没收违法所得")):
        if fine_of(f, key) == -1:
            out.append(f"{label}应为正整数（元）。")
    if not intended_penalty(f):
        out.append("请选择拟作出的行政处罚（警告、罚款、没收违法所得或其他处罚种类）。")
    return out


def _signature_problems(spec: KindSpec, r: RuleInput) -> list[str]:
    out: list[str] = []
    for role, name, _img, refused, reason, witness in r.signers:
        if refused and (not reason.strip() or not witness.strip()):
            out.append(
                f"{name or role}拒绝签名的，请记录拒签理由，并请见证人签名以便证明"
                "（《中华人民共和国安全生产法》第六十八条要求将拒绝签字的情况记录在案，"
                "并向负有安全生产监督管理职责的部门报告；见证人是证明拒签的通行做法）。"
            )
    if not r.electronic:
        return out
    signed = {(role, name) for role, name, img, refused, *_ in r.signers if img or refused}
    missing = [n for n, _c in r.officers if n.strip() and ("officer", n) not in signed]
    if missing:
        out.append("电子签名文书缺少执法人员签名：" + "、".join(missing) + "。")
    if spec.kind == CASE_TRANSFER:
        return out  # the receiving body signs its receipt when the 移送书 reaches it
    parties = [s for s in r.signers if s[0] in ("party", "recipient")]
    if not parties or not any(img or refused for _r, _n, img, refused, *_ in parties):
        out.append("电子签名文书缺少当事人（被检查单位负责人）的签名或拒签记录。")
    return out
