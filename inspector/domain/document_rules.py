"""The rules a reviewer (法制审核) checks before a document is issued: :func:`problems` lists in
Chinese everything that stops a draft, in the order of the form — pure functions over plain values
(a :class:`RuleInput` the service takes from the draft), tested without a database or Qt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from inspector.domain import idcard
from inspector.domain.agency_settings import PowerKind, authority_of
from inspector.domain.authorities import AUTHORITY_NAMES, OWN_AUTHORITY
from inspector.domain.document_kinds import (
    CASE_TRANSFER,
    COERCIVE_LAW,
    EVIDENCE_DECISION_DAYS,
    EVIDENCE_LAW,
    EVIDENCE_OUTCOMES,
    EXTENSION_MAX_DAYS,
    FOLLOW_ANY,
    FOR_ROWS,
    HEARING_DAYS,
    ONSITE_COLLECTION_LIMIT,
    ONSITE_FINE_LIMIT_PERSON,
    ONSITE_FINE_LIMIT_UNIT,
    ORDER_KINDS,
    PENALTY_DECISION,
    SEIZURE_EXTENSION_LAW,
    SEIZURE_MAX_DAYS,
    SEIZURE_OUTCOMES,
    SPECS,
    STATEMENT_DAYS,
    SUSPENSION_MAX_DAYS,
    SUSPENSION_WORDS,
    TRANSFER_OUTCOME,
    KindSpec,
    clock_minutes,
    field_date,
    fine_of,
)
from inspector.domain.document_wording import intended_penalty


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


def reads_as_question(text: str) -> bool:
    """A checklist question (是否…？) left where a finding of fact belongs."""
    t = text.strip()
    return "是否" in t or t.rstrip("。． ").endswith(("？", "?"))


def question_problem(label: str, text: str) -> str:
    """The refusal for a finding that is still the checklist's question."""
    shown = text.strip().rstrip("。")
    shown = shown if len(shown) <= 24 else shown[:24] + "…"
    return f"{label}“{shown}”写的是检查内容，不是发现的事实：请写明发现的问题（部位、现象、数量）。"


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
        if f.kind == "date" and value and field_date(value) is None:
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
    end = field_date(r.source_fields.get("period_end", ""))
    new_end = field_date(r.fields.get("new_end", ""))
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
        until = field_date(f.get("suspend_until", ""))
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
        start, end = field_date(f.get("period_start", "")), field_date(f.get("period_end", ""))
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
        appear = field_date(f.get("appear_date", ""))
        if appear is not None and not (
            r.today < appear <= r.today + timedelta(days=EVIDENCE_DECISION_DAYS)
        ):
            out.append("先行登记保存后须在7日内作出处理决定，接受处理的期限应在今后7日之内。")
    if spec.kind == "inquiry_record":
        out += _inquiry_problems(r)
    if spec.kind == "inquiry_notice":
        day = field_date(f.get("appear_date", ""))
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
    notice = field_date(fields.get("notice_issued_on", ""))
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
