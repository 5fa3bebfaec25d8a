"""A filled example of every document kind (fictional data): the documents' tests, the pictures in
docs/documents/ and the rendering benchmark all use these."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from inspector.documents.model import (
    AgencyInfo,
    DocItem,
    DocumentData,
    Officer,
    Party,
    SignatureMark,
)
from inspector.domain.citations import cite, major_sentence
from inspector.domain.numbering import DOC_CODES, number_for

ISSUED = date(2026, 11, 23)
AGENCY = AgencyInfo(
    name="青岚县应急管理局",
    short_name="岚",
    review_government="青岚县人民政府",
    court="青岚县人民法院",
    address="青岚县城关镇府前路8号",
    contact="周明",
    phone="0797-5551234",
    postcode="341900",
    bank_name="中国农业银行青岚县支行",
    bank_account="14-123401040000001",
)
OFFICERS = [Officer("李建国", "36010021001"), Officer("王𠀀堃", "36010021002")]
UNIT = Party(
    name="青岚县鑫达家具制造有限公司",
    address="青岚县工业园区兴业大道18号",
    postcode="341900",
    legal_rep="陈喆",
    legal_rep_title="总经理",
    phone="13907970001",
    credit_code="91360733MA35L8XK24",
)
PERSON = Party(
    name="赵赟",
    address="青岚县城关镇解放路22号",
    phone="13807970002",
    gender="男",
    age="46",
    id_no="360733198001011232",  # a valid GB 11643 check digit
    workplace="青岚县城关镇个体经营户",
)
# Citations are structured references printed from the registry (forms/citations/registry.json).
SAFETY_LAW = "安全生产法"
DUST_CRITERION = {"law": "工贸重大隐患判定标准", "article": 11}
ITEMS = [
    DocItem(
        "打磨车间干式除尘系统未采取泄爆、惰化、抑爆等任一种爆炸防控措施，"
        + major_sentence(cite({**DUST_CRITERION, "item": 3})),
        cite({"law": SAFETY_LAW, "article": 102}),
        ISSUED + timedelta(days=15),
        "加装泄爆装置并委托有资质单位检测",
    ),
    DocItem(
        "未落实粉尘清理制度，打磨车间作业现场积尘严重，"
        + major_sentence(cite({**DUST_CRITERION, "item": 10})),
        cite({"law": SAFETY_LAW, "article": 102}),
        ISSUED + timedelta(days=7),
        "立即清扫积尘，建立并落实清扫制度",
    ),
    DocItem(
        "车间安全出口被成品堆放堵塞",
        cite(
            [
                {"law": SAFETY_LAW, "article": 42, "paragraph": 2},
                {"law": SAFETY_LAW, "article": 105, "item": 2},
            ]
        ),
        ISSUED + timedelta(days=7),
        "清除堆放物，保持出口畅通",
    ),
]


def _number(kind: str, serial: int) -> str:
    return number_for(kind, AGENCY.short_name, ISSUED.year, serial)


def _penalty_case() -> dict[str, str]:
    """The facts, provisions and fine of the example case, on the 罚告 and its 处罚决定书 alike."""
    return {
        "facts": "未采取措施消除打磨车间除尘系统未采取防爆泄爆措施的重大事故隐患。",
        "evidence": "现场检查记录、现场照片3张、询问笔录1份。",
        "violated": cite({"law": SAFETY_LAW, "article": 41, "paragraph": 2}),
        "applied": cite({"law": SAFETY_LAW, "article": 102}),
        "penalty": "罚款人民币30000元",
        "fine_yuan": "30000",
    }


def example(kind: str) -> DocumentData:
    """A realistic filled example of *kind* (numbered, not signed)."""
    common = DocumentData(
        kind=kind,
        agency=AGENCY,
        number=_number(kind, 15) if kind in DOC_CODES else None,
        party=UNIT,
        officers=list(OFFICERS),
        issued_on=ISSUED,
        items=list(ITEMS),
        issued=kind not in DOC_CODES,  # an unnumbered kind (询问笔录) is shown as issued
    )
    if kind == "rectification_order":
        return common
    if kind == "onsite_measures":
        return replace(
            common,
            items=ITEMS[:1],
            fields={
                "inspection_date": "2026年11月23日",
                "measures_basis": cite(
                    {"law": SAFETY_LAW, "article": 65, "paragraph": 1, "item": 3}
                ),
                "measures": "打磨车间暂时停止作业，从危险区域内撤出作业人员\n"
                "停止使用打磨车间除尘系统，待整改完毕后报请复查",
                "suspension": "暂时停产停业、停止使用期限自2026年11月23日起至2026年12月22日止；"
                "重大事故隐患排除后，经本机关审查同意，方可恢复生产经营和使用。",
            },
        )
    if kind == "review_opinion":
        return replace(
            common,
            items=[
                replace(ITEMS[0], verdict="ok"),
                replace(ITEMS[1], verdict="ok"),
                replace(ITEMS[2], verdict="failed", deadline=ISSUED + timedelta(days=5)),
            ],
            fields={
                "order_date": "2026年11月2日",
                "order_number": _number("rectification_order", 7),
                "order_title": "责令限期整改指令书",
                "conclusion": "第1、2项已整改完毕，予以销号；第3项责令限期整改，逾期仍未整改的，依法予以处理。",
            },
        )
    if kind == "seizure":
        return replace(
            common,
            items=ITEMS[:1],
            fields={
                "evidence": "现场检查记录、现场照片3张、询问笔录",
                "legal_basis": cite({"law": SAFETY_LAW, "article": 65, "paragraph": 1, "item": 4}),
                "measure": "查封",
                "period_start": "2026年11月23日",
                "period_end": "2026年12月22日",
                "period_days": "30",
                "list_no": "岚查扣清〔2026〕15-1",
            },
            rows=[
                {
                    "name": "脉冲布袋除尘器",
                    "spec": "DMC-64",
                    "quantity": "1台",
                    "place": "打磨车间东侧",
                },
                {"name": "砂光机", "spec": "MM5213", "quantity": "2台", "place": "打磨车间"},
            ],
        )
    if kind in ("onsite_penalty_unit", "onsite_penalty_person"):
        person = kind == "onsite_penalty_person"
        return replace(
            common,
            party=PERSON if person else UNIT,
            items=[],
            fields={
                "facts": "2026年11月23日检查发现，当事人在经营场所内违规存放汽油约20升，"
                "现场有照片2张及现场检查记录为证。",
                "violated": cite({"law": SAFETY_LAW, "article": 42, "paragraph": 1}),
                "applied": cite({"law": SAFETY_LAW, "article": 105, "item": 1}),
                "penalty": "罚款人民币200元" if person else "罚款人民币2000元",
                "fine_yuan": "200" if person else "2000",
                "payment": "bank",
                "decided_at": "2026年11月23日10时30分",
                "decided_place": PERSON.address if person else UNIT.address,
                "party_signer": PERSON.name if person else UNIT.legal_rep,
                "told": "yes",
                "statement_outcome": "rejected",
                "statement": "汽油为自用，即将搬离",
            },
        )
    if kind == "penalty_notice":
        return replace(
            common,
            items=[],
            fields={
                **_penalty_case(),
                "hearing": "yes",
            },
        )
    if kind == "penalty_decision":
        return replace(
            common,
            items=[],
            fields={
                **_penalty_case(),
                "payment": "bank",
                "notice_number": _number("penalty_notice", 15),
                "notice_issued_on": "2026年11月23日",
                "statement_record": "当事人在规定期限内提出陈述、申辩：除尘系统泄爆装置已订购，"
                "尚未到货。经复核，本机关不予采纳。",
                "hearing": "yes",
                "hearing_record": "本机关已告知当事人有要求举行听证的权利，"
                "当事人在规定期限内未要求听证。",
                "party_signer": UNIT.legal_rep,
            },
        )
    if kind == "evidence_notice":
        return replace(
            common,
            items=[],
            fields={
                "suspected": "未经许可经营危险化学品",
                "keep_mode": "agency",
                "keep_place": "青岚县应急管理局证据保存室",
                "appear_date": "2026年11月30日",
                "appear_place": "青岚县应急管理局执法大队（府前路8号）",
            },
            rows=[
                {"name": "工业酒精", "spec": "25升/桶", "quantity": "12桶", "note": "已贴封条"},
                {"name": "销售台账", "spec": "", "quantity": "1本", "note": ""},
            ],
        )
    if kind == "service_receipt":
        order = _number("rectification_order", 15)
        return replace(
            common,
            items=[],
            fields={
                "case_name": "青岚县鑫达家具制造有限公司粉尘防爆隐患案",
                "remarks": "直接送达。",
                "recipient_name": UNIT.legal_rep,
            },
            rows=[
                {
                    "document": f"责令限期整改指令书 {order}",
                    "place": "公司办公室",
                    "time": "2026年11月23日11时",
                    "method": "直接送达",
                    "server": "李建国、王𠀀堃",
                }
            ],
        )
    if kind == "hazard_notice":
        township = AgencyInfo(name="青岚县城关镇人民政府", short_name="城关")
        return replace(
            common,
            agency=township,
            number=number_for(kind, township.short_name, ISSUED.year, 3),
            party=Party(
                name="城关镇解放路便民超市",
                address="青岚县城关镇解放路36号",
                legal_rep="孙丽",
                phone="13979770036",
            ),
            officers=[Officer("刘洋", ""), Officer("黄婷", "")],
            items=[
                DocItem(
                    "电动自行车在店内楼梯间充电", "", ISSUED + timedelta(days=3), "移至室外充电区"
                ),
                DocItem("灭火器压力不足", "", ISSUED + timedelta(days=7), "更换合格灭火器"),
            ],
            fields={
                "inspection_date": "2026年11月23日",
                "report_to": "青岚县应急管理局等部门",
                "photo_refs": "照片1、照片2",
            },
        )
    if kind == "inquiry_notice":
        return replace(
            common,
            items=[],
            fields={
                "matter": "你单位打磨车间除尘系统的安全生产情况",
                "appear_date": "2026年11月26日",
                "appear_time_text": "9时30分",
                "appear_place": "青岚县应急管理局执法大队（青岚县城关镇府前路8号）",
                "bring": "营业执照复印件\n法定代表人身份证明\n除尘系统设计、检修和清扫记录",
                "contact": "周明",
                "contact_phone": "0797-5551234",
            },
        )
    if kind == "inquiry_record":
        return replace(
            common,
            number=None,
            items=[],
            party=Party(
                name="赵堃",
                address="青岚县城关镇解放路12号",
                phone="13979770012",
                gender="男",
                age="46",
                id_no="360733198001011232",
                workplace=UNIT.name,
            ),
            fields={
                "inquiry_time": "2026年11月23日10时20分至10时55分",
                "place": "公司三楼会议室",
                "position": "打磨车间主任",
                "recorder": OFFICERS[-1].name,
                "present": "",
            },
            rows=[
                {"q": "以上告知的内容，你听清楚了吗？", "a": "听清楚了。"},
                {"q": "你是否申请执法人员回避？", "a": "不申请。"},
                {"q": "打磨车间的除尘系统是什么时候装的？", "a": "2023年3月，由厂家安装。"},
                {
                    "q": "除尘器上的泄爆装置在哪里？",
                    "a": "去年检修时拆下来了，一直没有装回去，在仓库里放着。",
                },
                {"q": "车间积尘多久清扫一次？有没有记录？", "a": "每周清扫一次，没有做记录。"},
            ],
        )
    if kind == "case_transfer":
        return replace(
            common,
            items=[
                DocItem(
                    "成品仓库二楼疏散通道堆放纸箱约3立方米，占用疏散通道",
                    "《中华人民共和国消防法》第二十八条",
                ),
                DocItem("仓库内部分灭火器压力指示处于红区，未保持完好有效"),
            ],
            fields={
                "inspection_date": "2026年11月23日",
                "authority": "消防救援",
                "receiver": "青岚县消防救援大队",
                "transfer_basis": (
                    "《中华人民共和国安全生产法》第六十九条和《中华人民共和国消防法》第四条"
                ),
                "attachments": "现场检查记录（复印件）1份\n现场照片2张",
            },
        )
    if kind in ("evidence_decision", "seizure_extension", "seizure_decision"):
        return _follow_up(kind, replace(common, items=[]))
    raise ValueError(f"no example for {kind}")


def _follow_up(kind: str, common: DocumentData) -> DocumentData:
    """The decisions drafted from the 先保通 and 查扣 examples (issued a few days before)."""
    if kind == "evidence_decision":
        notice = example("evidence_notice")
        return replace(
            common,
            fields={
                "source_title": "先行登记保存证据通知书",
                "source_number": _number("evidence_notice", 12),
                "source_date": "2026年11月18日",
                "suspected": notice.fields["suspected"],
                "receiver_line": "",
            },
            rows=[
                {**notice.rows[0], "decision": "予以没收"},
                {**notice.rows[1], "decision": "作为证据使用"},
            ],
        )
    seizure = example("seizure")
    source = {
        "source_title": "查封扣押决定书",
        "source_number": _number("seizure", 9),
        "source_date": "2026年11月2日",
        "measure": "查封",
    }
    if kind == "seizure_extension":
        return replace(
            common,
            fields={
                **source,
                "period_start": "2026年11月2日",
                "period_end": "2026年12月1日",
                "reason": "案情复杂，涉案除尘器须委托有资质的机构检测，原期限内不能查清事实",
                "new_end": "2026年12月31日",
                "extra_days": "30",
            },
            rows=list(seizure.rows),
        )
    return replace(
        common,
        fields={
            **source,
            "facts": "你单位打磨车间干式除尘系统未采取泄爆、惰化、抑爆等爆炸防控措施，"
            "现已加装泄爆装置并经检测合格",
            "receiver_line": "",
        },
        rows=[
            {**{k: r.get(k, "") for k in ("name", "spec", "quantity")}, "decision": "解除查封扣押"}
            for r in seizure.rows
        ],
    )


def with_refusal(data: DocumentData) -> DocumentData:
    """The example where the unit's responsible person refused to sign, with a witness."""
    return replace(
        data,
        signatures=[
            SignatureMark(
                "party",
                data.party.legal_rep,
                refused=True,
                refusal_reason="称需请示公司董事长",
                witness="城关镇工业园区管委会 吴敏",
            )
        ],
    )


KINDS: tuple[str, ...] = (
    "rectification_order",
    "onsite_measures",
    "review_opinion",
    "seizure",
    "onsite_penalty_unit",
    "onsite_penalty_person",
    "penalty_notice",
    "penalty_decision",
    "evidence_notice",
    "service_receipt",
    "hazard_notice",
    "inquiry_notice",
    "inquiry_record",
    "case_transfer",
    "evidence_decision",
    "seizure_extension",
    "seizure_decision",
)
