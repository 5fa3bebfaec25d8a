"""What each document kind asks for: the declarative table of kinds (:data:`SPECS`), the legal
limits and choices it refers to, and the parsers of its field values. The rules a reviewer (法制审核)
checks before issuing are in :mod:`inspector.domain.document_rules`, the wording printed from the
fields in :mod:`inspector.domain.document_wording`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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


def field_date(value: str) -> date | None:
    """A date field's value (ISO, as the form stores it); None when empty or not a date."""
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


def clock_minutes(value: str) -> int | None:
    """ "09:30" (or "9：30", "9时30分") as minutes after midnight; None when it is not a time."""
    text = value.strip().replace("：", ":").replace("时", ":").replace("分", "")
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit():
        return None
    h, m = int(hours), int(minutes)
    return h * 60 + m if 0 <= h < 24 and 0 <= m < 60 else None


def party_is_person(kind: str, fields: dict[str, str]) -> bool:
    """Whether the party is a 公民 (你) rather than a unit (你单位)."""
    return SPECS[kind].person or fields.get("party_type") == "person"
