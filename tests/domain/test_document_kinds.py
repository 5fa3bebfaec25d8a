"""Every enforcement-document kind: a filled example rendered to PDF, its extracted text checked
against the field list of shared/domain/documents.md and enforcement-sources.md."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw

from inspector.documents.examples import ISSUED, ITEMS, KINDS, example, with_refusal
from inspector.documents.form_document import load_template, render_document
from inspector.documents.model import AnnexPhoto, DocItem, SignatureMark
from inspector.documents.raster import page_texts, render_pages
from inspector.domain.document_kinds import SPECS
from inspector.domain.numbering import DOC_CODES
from tests.support.documents import flat_text

# what a reviewer looks for on each kind (the domain files' field lists, in the forms' wording)
FIELDS: dict[str, list[str]] = {
    "rectification_order": [
        "责令限期整改指令书",
        "青岚县鑫达家具制造有限公司：",
        "经查，你单位存在下列问题：",
        "1.打磨车间干式除尘系统未采取泄爆、惰化、抑爆等任一种爆炸防控措施，"
        "属《工贸企业重大事故隐患判定标准》第十一条第（三）项规定的重大事故隐患",
        "上述第1项问题，依据《中华人民共和国安全生产法》第一百零二条的规定",
        "上述第3项问题，依据《中华人民共和国安全生产法》第四十二条第二款、"
        "第一百零五条第（二）项的规定",
        "责令你单位于2026年12月8日前整改完毕，达到有关法律法规规章和标准规定的要求",
        "由此造成事故的，依法追究有关人员的责任",
        "整改期间，你单位应当采取措施，确保安全生产",
        "对安全不能保障的，应当从危险区域内撤出作业人员",
        "执法人员（签名）",
        "执法证号：36010021001",
        "被检查单位负责人（签名）",
        "青岚县应急管理局（印章）",
        "2026年11月23日",
    ],
    "onsite_measures": [
        "现场处理措施决定书",
        "发现你单位有下列违法违规行为和事故隐患",
        "依据《中华人民共和国安全生产法》第六十五条第一款第（三）项的规定，现作出如下现场处理决定",
        "从危险区域内撤出作业人员",
        "审查同意",
        "执法人员（签名）",
        "被检查单位负责人（签名）",
        "（印章）",
    ],
    "review_opinion": [
        "整改复查意见书",
        "本机关于2026年11月2日作出了（岚）应急责改〔2026〕7号《责令限期整改指令书》",
        "经对你单位整改情况进行复查，提出如下意见",
        "已整改，符合要求",
        "未整改完毕，责令你单位于2026年11月28日前整改完毕",
        "被复查单位负责人（签名）",
        "执法人员（签名）",
        "（印章）",
    ],
    "seizure": [
        "查封扣押决定书",
        "青岚县鑫达家具制造有限公司（地址：青岚县工业园区兴业大道18号）：",
        "经查，你单位存在下列问题",
        "第六十五条第一款第（四）项",
        "行政强制法》第二十四条、第二十五条",
        "予以查封，期限自2026年11月23日起至2026年12月22日止（共30日）",
        "查封扣押（场所、设施、财物）清单",
        "名称",
        "规格型号",
        "数量",
        "所在地点",
        "脉冲布袋除尘器",
        "延长期限不超过30日",
        "执法人员（签名）",
        "（印章）",
    ],
    "onsite_penalty_unit": [
        "行政（当场）处罚决定书（单位）",
        "被处罚单位",
        "地址",
        "邮编",
        "法定代表人（负责人）",
        "职务",
        "联系电话",
        "违法事实及证据",
        "以上行为违反了《中华人民共和国安全生产法》第四十二条第一款的规定",
        "决定给予罚款人民币2000元的行政处罚",
        "已当场告知当事人处罚的事实、理由、依据及其陈述、申辩的权利",
        "当事人陈述、申辩：汽油为自用，即将搬离。经复核，不予采纳。",
        "罚款的履行方式和期限（见打√处）",
        "☐当场缴纳",
        "☑自收到本决定书之日起15日内缴至中国农业银行青岚县支行",
        "每日按罚款数额的3%加处罚款，加处罚款的数额不超过罚款本数",
        "逾期不申请行政复议、不提起行政诉讼又不履行",
        "当事人或者委托代理人（签名）",
        "执法人员（签名）",
        "（印章）",
        "一份交被处罚单位",
    ],
    "onsite_penalty_person": [
        "行政（当场）处罚决定书（个人）",
        "被处罚人",
        "性别",
        "年龄",
        "身份证号",
        "住址",
        "工作单位",
        "决定给予罚款人民币200元的行政处罚",
        "当事人或者委托代理人（签名）",
        "一份交被处罚人",
    ],
    "penalty_notice": [
        "行政处罚告知书",
        "现查明，你单位存在下列行为",
        "以上事实主要证据如下",
        "拟对你单位作出罚款人民币30000元的行政处罚",
        "根据《中华人民共和国行政处罚法》第六十三条第一款第（一）项、第六十四条的规定，你单位有权要求举行听证",
        "《中华人民共和国行政处罚法》第四十四条、第四十五条",
        "收到本告知书之日起3日内",
        "陈述和申辩",
        "收到本告知书之日起5日内",
        "听证",
        "本机关地址：青岚县城关镇府前路8号",
        "邮政编码：341900",
        "联系人：周明",
        "联系电话：0797-5551234",
        "（印章）",
    ],
    "penalty_decision": [
        "行政处罚决定书",
        "（岚）应急罚〔2026〕15号",
        "本机关于2026年11月23日向你单位送达了《行政处罚告知书》（（岚）应急罚告〔2026〕15号）",
        "经复核，本机关不予采纳。",
        "当事人在规定期限内未要求听证。",
        "经查明，你单位存在下列违法行为：未采取措施消除",
        "以上事实主要证据如下：现场检查记录、现场照片3张、询问笔录1份。",
        "《中华人民共和国安全生产法》第一百零二条",
        "决定对你单位给予罚款人民币30000元的行政处罚。",
        "自收到本决定书之日起15日内缴至",
        "依据《中华人民共和国行政处罚法》第七十二条的规定，每日按罚款数额的3%加处罚款",
        "加处罚款的数额不超过罚款本数",
        "60日内向",
        "6个月内依法向",
        "申请人民法院强制执行",
        "当事人或者委托代理人（签收）",
        "（印章）",
    ],
    "evidence_notice": [
        "先行登记保存证据通知书",
        "你单位涉嫌未经许可经营危险化学品",
        "《中华人民共和国行政处罚法》第五十六条",
        "存放于青岚县应急管理局证据保存室，由本机关保管",
        "7日内作出处理决定",
        "请于2026年11月30日前到",
        "先行登记保存证据物品清单",
        "物品名称",
        "规格型号",
        "数量",
        "备注",
        "被通知人或者被通知单位负责人（签名）",
        "（印章）",
    ],
    "service_receipt": [
        "文书送达回执",
        "案件名称",
        "受送达单位（个人）",
        "送达文书名称及文号",
        "收件人签名或者盖章",
        "送达地点",
        "送达时间",
        "送达方式",
        "送达人",
        "备注",
        "责令限期整改指令书（岚）应急责改〔2026〕15号",
        "受送达人（签名）",
        "见证人（签名）",
        "留置送达",
    ],
    "hazard_notice": [
        "安全隐患整改通知书",
        "被通知单位（场所）",
        "负责人",
        "联系电话",
        "检查时间",
        "检查人员",
        "整改要求：移至室外充电区",
        "整改期限：2026年11月26日前",
        "逾期未整改的，将报请青岚县应急管理局等部门依法处理",
        "检查人（签名）",
        "被检查方签收（签名）",
        "复查日期",
        "复查结果",
        "复查人",
    ],
    "inquiry_notice": [
        "询问通知书",
        "青岚县鑫达家具制造有限公司：",
        "为调查了解你单位打磨车间除尘系统的安全生产情况",
        "《中华人民共和国安全生产法》第六十五条第一款第（一）项",
        "于2026年11月26日9时30分到青岚县应急管理局执法大队",
        "请携带下列材料：",
        "除尘系统设计、检修和清扫记录。",
        "申请执法人员回避的权利",
        "联系人：周明",
        "被通知人（签收）",
    ],
    "inquiry_record": [
        "询问笔录",
        "询问时间",
        "2026年11月23日10时20分至10时55分",
        "询问地点",
        "公司三楼会议室",
        "被询问人",
        "赵堃",
        "性别",
        "年龄",
        "360733198001011232",
        "打磨车间主任",
        "记录人",
        "如实回答询问",
        "申请执法人员回避",
        "问：除尘器上的泄爆装置在哪里？",
        "答：去年检修时拆下来了，一直没有装回去，在仓库里放着。",
        "以上笔录我看过",
        "被询问人（签名）",
        "询问人（签名）",
    ],
    "case_transfer": [
        "案件移送书",
        "青岚县消防救援大队：",
        "本机关于2026年11月23日对青岚县鑫达家具制造有限公司（地址：青岚县工业园区兴业大道18号）",
        "1.成品仓库二楼疏散通道堆放纸箱约3立方米，占用疏散通道。",
        "上述问题不属于本机关职权范围",
        "依据《中华人民共和国安全生产法》第六十九条和《中华人民共和国消防法》第四条的规定，"
        "现将上述问题移送你单位依法处理",
        "附件：",
        "1.现场检查记录（复印件）1份。",
        "执法人员（签名）",
        "接收单位经办人（签收）",
        "青岚县应急管理局（印章）",
        "一份送青岚县消防救援大队",
    ],
    "evidence_decision": [
        "先行登记保存证据处理决定书",
        "青岚县鑫达家具制造有限公司：",
        "本机关于2026年11月18日以（岚）应急先保通〔2026〕12号《先行登记保存证据通知书》，"
        "对你单位涉嫌未经许可经营危险化学品一案中的有关物品予以先行登记保存",
        "依据《中华人民共和国行政处罚法》第五十六条的规定",
        "先行登记保存证据物品处理清单",
        "处理决定",
        "工业酒精",
        "予以没收",
        "作为证据使用",
        "被通知人或者被通知单位负责人（签名）",
        "青岚县应急管理局（印章）",
    ],
    "seizure_extension": [
        "延长查封扣押期限决定书",
        "青岚县鑫达家具制造有限公司（地址：青岚县工业园区兴业大道18号）：",
        "本机关于2026年11月2日以（岚）应急查扣〔2026〕9号《查封扣押决定书》对你单位的有关场所、"
        "设施、财物予以查封，期限自2026年11月2日起至2026年12月1日止",
        "因案情复杂，涉案除尘器须委托有资质的机构检测，原期限内不能查清事实，经本机关负责人批准，"
        "依据《中华人民共和国行政强制法》第二十五条的规定，决定将上述查封期限延长至2026年12月31日"
        "（延长30日）",
        "脉冲布袋除尘器",
        "执法人员（签名）",
        "（印章）",
    ],
    "seizure_decision": [
        "查封扣押处理决定书",
        "本机关于2026年11月2日以（岚）应急查扣〔2026〕9号《查封扣押决定书》",
        "经查，你单位打磨车间干式除尘系统未采取泄爆、惰化、抑爆等爆炸防控措施，现已加装泄爆装置并经检测合格。",
        "依据《中华人民共和国行政强制法》第二十七条的规定",
        "查封扣押（场所、设施、财物）处理清单",
        "脉冲布袋除尘器",
        "解除查封扣押",
        "执法人员（签名）",
        "（印章）",
    ],
}
# kinds whose example runs to a second page (the 询问笔录's signature block follows its record)
PAGES = {"inquiry_record": 2}

# kinds that carry the 复议/诉讼 notice, and which form it takes
RIGHTS_STANDARD = {
    "rectification_order": "指令",
    "onsite_measures": "决定",
    "seizure": "决定",
    "evidence_decision": "决定",
    "seizure_extension": "决定",
    "seizure_decision": "决定",
}
RIGHTS_REVIEW_FIRST = {"onsite_penalty_unit", "onsite_penalty_person"}
NO_RIGHTS = {
    "review_opinion",
    "hazard_notice",
    "service_receipt",
    "evidence_notice",
    "case_transfer",  # addressed to another authority, not an act against the party
    "inquiry_notice",  # a summons, not a decision
}


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return {kind: flat_text(render_document(example(kind))) for kind in KINDS}


def test_every_kind_has_a_template_and_a_code() -> None:
    for kind in KINDS:
        tpl = load_template(kind)
        assert tpl["kind"] == kind
        # a kind without a 文号 (询问笔录) has no 代字 either
        assert tpl["code"] == DOC_CODES.get(kind, "")
        assert (kind in DOC_CODES) == SPECS[kind].numbered
    assert set(FIELDS) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_of_the_form_is_printed(kind: str, rendered: dict[str, str]) -> None:
    text = rendered[kind]
    missing = [f for f in FIELDS[kind] if re.sub(r"\s+", "", f) not in text]
    assert not missing, f"{kind}: missing {missing}"
    assert "＿＿＿＿" not in text, f"{kind}: a value the example should fill is blank"
    assert f"第1页共{PAGES.get(kind, 1)}页" in text


@pytest.mark.parametrize("kind", KINDS)
def test_number_follows_the_kind_pattern(kind: str, rendered: dict[str, str]) -> None:
    if not SPECS[kind].numbered:
        assert "\u3014" not in rendered[kind], f"{kind}: has no 文号, not even a blank one"
        return
    code = DOC_CODES[kind]
    prefix = "安" if kind == "hazard_notice" else "应急"
    pattern = rf"（[\u4e00-\u9fff]+）{prefix}{code}\u30142026\u3015\d+号"
    assert re.search(pattern, rendered[kind]), f"{kind}: no 文号 like {pattern}"


@pytest.mark.parametrize("kind", sorted(RIGHTS_STANDARD))
def test_orders_carry_the_current_rights_notice(kind: str, rendered: dict[str, str]) -> None:
    noun = RIGHTS_STANDARD[kind]
    text = rendered[kind]
    assert (
        f"如果不服本{noun}，可以依法在60日内向青岚县人民政府申请行政复议，"
        f"或者在6个月内依法向青岚县人民法院提起行政诉讼，但本{noun}不停止执行" in text
    )
    # 行政复议法 2023 §24: a county department's act goes to the 本级人民政府 only
    assert "或者上一级" not in text and "人民政府或者" not in text


@pytest.mark.parametrize("kind", sorted(RIGHTS_REVIEW_FIRST))
def test_onsite_penalties_state_review_before_court(kind: str, rendered: dict[str, str]) -> None:
    text = rendered[kind]
    assert "应当先依法在60日内向青岚县人民政府申请行政复议" in text
    assert "自收到行政复议决定书之日起15日内依法向青岚县人民法院提起行政诉讼" in text
    assert "6个月" not in text  # 复议前置: no direct route to court


@pytest.mark.parametrize("kind", sorted(NO_RIGHTS))
def test_no_rights_notice_where_the_form_has_none(kind: str, rendered: dict[str, str]) -> None:
    assert "行政复议" not in rendered[kind]


def test_township_notice_is_not_an_enforcement_document(rendered: dict[str, str]) -> None:
    text = rendered["hazard_notice"]
    assert "行政执法文书" not in text
    assert "罚款" not in text and "行政处罚" not in text
    assert "应急" not in text.split("号")[0]  # its own series, not 应急…


def test_penalty_notice_cites_the_2021_articles(rendered: dict[str, str]) -> None:
    assert "第三十一条" not in rendered["penalty_notice"]
    assert "第三十二条" not in rendered["penalty_notice"]


def test_refusal_to_sign_is_printed_with_reason_and_witness() -> None:
    text = flat_text(render_document(with_refusal(example("rectification_order"))))
    assert (
        "被检查单位负责人陈喆拒绝签名，理由：称需请示公司董事长；见证人：城关镇工业园区管委会吴敏。"
        in text
    )


def _signature_png() -> bytes:
    img = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(20, 150), (200, 40), (380, 160), (580, 50)], fill="black", width=12)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_electronic_signatures_are_drawn_in_their_cells() -> None:
    data = example("rectification_order")
    plain = render_pages(render_document(data), 60)[0].convert("L")
    signed = replace(
        data,
        signatures=[
            SignatureMark("officer", o.name, image_png=_signature_png()) for o in data.officers
        ]
        + [SignatureMark("party", data.party.legal_rep, image_png=_signature_png())],
    )
    pdf = render_document(signed)
    assert pdf.count(b"/Subtype /Image") >= 1
    ink = render_pages(pdf, 60)[0].convert("L")
    # the signed page differs from the unsigned one only where the signatures go (lower half)
    diff = [
        (x, y)
        for y in range(0, ink.height, 2)
        for x in range(0, ink.width, 2)
        if abs(ink.getpixel((x, y)) - plain.getpixel((x, y))) > 80
    ]
    assert len(diff) > 40
    assert min(y for _, y in diff) > ink.height * 0.45


def test_long_orders_flow_onto_continuation_pages() -> None:
    many = [
        DocItem(
            f"第{n}处问题：{ITEMS[n % 3].text}",
            ITEMS[n % 3].legal_basis,
            ISSUED + timedelta(days=10 + n),
        )
        for n in range(1, 31)
    ]
    pdf = render_document(replace(example("rectification_order"), items=many))
    texts = [re.sub(r"\s+", "", t) for t in page_texts(pdf)]
    assert len(texts) >= 2
    for n, t in enumerate(texts, start=1):
        assert f"第{n}页共{len(texts)}页" in t
    assert "责令限期整改指令书（续页）" in texts[1]
    assert "（岚）应急责改〔2026〕15号" in texts[1]
    assert "执法人员（签名）：" in texts[0]  # signature strip on a page without the block
    assert "青岚县应急管理局（印章）" in texts[-1]


def _photo(colour: str) -> bytes:
    img = Image.new("RGB", (800, 600), colour)
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    return buf.getvalue()


def _red_masks(page: Image.Image) -> tuple[Image.Image, Image.Image, Image.Image]:
    r, g, b = page.convert("RGB").split()
    return (
        r.point(lambda v: v > 200 and 255),
        g.point(lambda v: v < 60 and 255),
        b.point(lambda v: v < 60 and 255),
    )


def _and(*masks: Image.Image) -> Image.Image:
    from PIL import ImageChops

    out = masks[0]
    for m in masks[1:]:
        out = ImageChops.multiply(out, m)
    return out


def test_photos_go_into_an_annex_with_captions() -> None:
    photos = [
        AnnexPhoto(_photo("red"), "打磨车间除尘器（隐患1），2026-11-23 09:41 拍摄"),
        AnnexPhoto(_photo("blue"), "安全出口堵塞（隐患3），2026-11-23 09:55 拍摄"),
        AnnexPhoto(_photo("green"), "积尘（隐患2），2026-11-23 10:02 拍摄"),
    ]
    pdf = render_document(replace(example("rectification_order"), photos=photos))
    texts = [re.sub(r"\s+", "", t) for t in page_texts(pdf)]
    annex = "".join(texts[1:])
    assert "证据照片附页" in annex
    assert "照片1：打磨车间除尘器（隐患1）" in annex and "照片3：积尘（隐患2）" in annex
    assert "证据照片附页" not in texts[0]
    pages = render_pages(pdf, 30)
    red = 0
    for page in pages[1:]:
        r, g, b = (band.point(lambda v: 255 if v > 0 else 0) for band in _red_masks(page))
        red += sum(1 for v in _and(r, g, b).tobytes() if v)
    assert red > 1000  # the photo itself is on the annex page


def test_a_superseding_document_names_the_voided_one() -> None:
    data = replace(example("rectification_order"), supersedes="（岚）应急责改〔2026〕9号")
    assert "本文书更正并替代已作废的（岚）应急责改〔2026〕9号" in flat_text(render_document(data))
