"""What each document kind asks for and the rules a reviewer (法制审核) would check before it is
issued — pure functions over plain values, so they are tested without a database or Qt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from inspector.domain.agency_settings import (
    AUTHORITY_NAMES,
    OWN_AUTHORITY,
    PowerKind,
    authority_of,
)

# 行政处罚法 §51 简易程序 limits (yuan), §68 当场收缴 limit
ONSITE_FINE_LIMIT_UNIT = 3000
ONSITE_FINE_LIMIT_PERSON = 200
ONSITE_COLLECTION_LIMIT = 100
SEIZURE_MAX_DAYS = 30  # 行政强制法 §25
SUSPENSION_MAX_DAYS = 183  # 现场处理措施: suspension generally ≤ 6 months
EVIDENCE_DECISION_DAYS = 7  # 行政处罚法 §56
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

ORDER_KINDS = ("rectification_order", "onsite_measures", "seizure")  # a 复查 reviews one of these
CASE_TRANSFER = "case_transfer"  # 案件移送书: findings of another authority, to the right body
# 行政强制措施, which 委托 cannot carry (行政强制法 §17)
COERCIVE_LAW = "《中华人民共和国行政强制法》第十七条"
# the default basis of a 移送 by the receiving authority ("" = any other); editable on the form.
# 安全生产法 §69 (移送 of a matter for another department) is from memory of the 2021 text, not yet
# checked against it (docs/ARCHITECTURE.md, agency settings); 消防法 §4 is confirmed (law.md).
TRANSFER_BASIS: dict[str, str] = {
    "": "《中华人民共和国安全生产法》第六十九条",
    "消防救援": "《中华人民共和国安全生产法》第六十九条和《中华人民共和国消防法》第四条",
}
SERVICE_METHODS = ("直接送达", "留置送达", "邮寄送达", "委托送达")


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


_PENALTY_FIELDS = (
    FieldSpec("facts", "违法事实及证据", "multiline"),
    FieldSpec("violated", "违反的规定", hint="如：《中华人民共和国安全生产法》第四十二条第一款"),
    FieldSpec("applied", "处罚依据", hint="如：《中华人民共和国安全生产法》第一百零五条"),
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
)

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
            row_columns=(
                ("name", "名称"),
                ("spec", "规格型号"),
                ("quantity", "数量"),
                ("place", "所在地点"),
                ("note", "备注"),
            ),
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
                FieldSpec("facts", "违法行为", "multiline"),
                FieldSpec("evidence", "主要证据", "multiline"),
                FieldSpec("violated", "违反的规定"),
                FieldSpec("applied", "处罚依据"),
                FieldSpec("penalty", "拟作出的行政处罚", hint="如：罚款人民币3万元"),
                FieldSpec("hearing", "告知听证权利", "flag", required=False),
            ),
        ),
        KindSpec(
            "evidence_notice",
            "先行登记保存证据通知书",
            fields=(
                FieldSpec("suspected", "涉嫌的违法行为"),
                FieldSpec("keep_place", "物品保存地点"),
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
            "hazard_notice",
            "安全隐患整改通知书",
            enforcement=False,
            items_label="安全隐患",
            items_need_deadline=True,
            orders_hazards=True,
        ),
    )
}


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
    power_kind: str = "own"  # domain.agency_settings.PowerKind
    delegator: str = ""  # the 委托机关 under 委托
    granted: tuple[str, ...] = ()  # authorities locally granted (赋权) besides 应急
    item_authorities: list[str] = field(default_factory=list)  # per item, as `items`


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def fine_of(fields: dict[str, str]) -> int | None:
    """The fine in whole yuan; None when not given, -1 when it is not a positive whole number."""
    raw = fields.get("fine_yuan", "").strip().replace(",", "").replace("，", "")
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return -1
    value = int(raw)
    return value if value > 0 else -1


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
    if spec.kind in ("review_opinion", "service_receipt"):
        if r.prior_order is None:
            what = (
                "责令限期整改指令书、现场处理措施决定书或查封扣押决定书"
                if spec.reviews
                else "已签发的文书"
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
    out += _signature_problems(spec, r)
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
    if spec.kind == "onsite_measures":
        until = _date(f.get("suspend_until", ""))
        if suspends(f.get("measures", "")) and until is None:
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
    if spec.kind.startswith("onsite_penalty"):
        out += _penalty_problems(spec, r)
    if spec.kind == "evidence_notice":
        if r.rows == 0:
            out.append("请在清单中列明先行登记保存的物品。")
        appear = _date(f.get("appear_date", ""))
        if appear is not None and not (
            r.today < appear <= r.today + timedelta(days=EVIDENCE_DECISION_DAYS)
        ):
            out.append("先行登记保存后须在7日内作出处理决定，接受处理的期限应在今后7日之内。")
    if spec.kind == "service_receipt" and f.get("method") == "留置送达":
        if not f.get("remarks", "").strip():
            out.append("留置送达须在备注中写明拒收事由和日期。")
        if not any(role == "witness" and name.strip() for role, name, *_ in r.signers):
            out.append("留置送达须有见证人，请填写见证人。")
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


def _signature_problems(spec: KindSpec, r: RuleInput) -> list[str]:
    out: list[str] = []
    for role, name, _img, refused, reason, witness in r.signers:
        if refused and (not reason.strip() or not witness.strip()):
            out.append(
                f"{name or role}拒绝签名的，须记录理由和见证人（《安全生产法》第六十八条）。"
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
