"""The agency settings the documents need, declared once: what each is, how an administrator
writes it (the `inspector-server set-agency` options), how it is checked, and what the power
settings mean for a document (issuer, 文号 简称, 行政强制措施, the authorities it may act on).
Pure values, no I/O: the server's admin command, the device's store and the document rules all
read this module."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from inspector.domain.authorities import AUTHORITY_BODIES, OWN_AUTHORITY
from inspector.domain.errors import UserError


class PowerKind(StrEnum):
    """Where the agency's enforcement power comes from (行政处罚法 §18–§21)."""

    OWN = "own"  # the 应急管理部门 itself: its own statutory power
    AUTHORIZED = "authorized"  # 授权 by law or regulation: acts in its own name
    ENTRUSTED = "entrusted"  # 委托 by a named 机关: acts in that 机关's name (§20)
    NONE = "none"  # no enforcement power: only the township's 隐患整改通知书

    @property
    def label(self) -> str:
        return {
            "own": "本机关法定职权",
            "authorized": "法律法规授权",
            "entrusted": "受委托",
            "none": "无执法权",
        }[self.value]


# what an administrator may type for each power kind
POWER_WORDS: dict[str, PowerKind] = {
    **{k.value: k for k in PowerKind},
    "本机关": PowerKind.OWN,
    "自有": PowerKind.OWN,
    "法定": PowerKind.OWN,
    "授权": PowerKind.AUTHORIZED,
    "委托": PowerKind.ENTRUSTED,
    "受委托": PowerKind.ENTRUSTED,
    "无": PowerKind.NONE,
    "无执法权": PowerKind.NONE,
}


def authority_of(value: object) -> str:
    """A finding's authority code; anything missing or blank is 应急 (the agency's own)."""
    text = str(value or "").strip()
    return text or OWN_AUTHORITY


def receiving_body(authority: str, county: str) -> str:
    """The default body a matter of `authority` goes to (the inspector may edit it)."""
    pattern = AUTHORITY_BODIES.get(authority, "{county}" + authority + "主管部门")
    return pattern.format(county=county.strip() or "××县")


def authorities_from(value: object) -> tuple[str, ...]:
    """The 赋权 list as stored (a JSON list in the device's column, a list in the server's data)."""
    if isinstance(value, str):
        try:
            value = json.loads(value or "[]")
        except ValueError:
            return ()
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(v).strip() for v in value if str(v).strip())


@dataclass(frozen=True)
class AgencyPower:
    """The power settings of an agency, as the documents use them."""

    kind: PowerKind
    own_name: str
    own_short_name: str
    delegator_name: str = ""
    delegator_short_name: str = ""
    delegator_seal: str = ""
    granted: tuple[str, ...] = ()

    @property
    def may_enforce(self) -> bool:
        return self.kind != PowerKind.NONE

    @property
    def entrusted(self) -> bool:
        return self.kind == PowerKind.ENTRUSTED

    @property
    def may_take_coercive_measures(self) -> bool:
        """行政强制法 §17: 行政强制措施权不得委托."""
        return self.kind in (PowerKind.OWN, PowerKind.AUTHORIZED)

    def issuer(self, enforcement: bool = True) -> str:
        """The issuing body printed at the top: under 委托 the 委托机关 (行政处罚法 §20); a
        township's own notice (not an 执法文书) always in its own name."""
        if enforcement and self.entrusted and self.delegator_name.strip():
            return self.delegator_name.strip()
        return self.own_name

    def seal(self, enforcement: bool = True) -> str:
        """Whose seal the document bears: under 委托 the 委托机关's (its seal's name if set)."""
        if enforcement and self.entrusted:
            return self.delegator_seal.strip() or self.issuer(enforcement)
        return self.own_name

    def number_short_name(self, enforcement: bool = True) -> str:
        """The 简称 in the 文号: under 委托 the 委托机关's, since the document is its act."""
        if enforcement and self.entrusted and self.delegator_short_name.strip():
            return self.delegator_short_name.strip()
        return self.own_short_name

    def may_act_on(self, authority: str) -> bool:
        """A finding of `authority` may be ordered: 应急 matters, and those locally granted."""
        code = authority_of(authority)
        return code == OWN_AUTHORITY or code in self.granted


def power_kind_of(power_kind: str, has_enforcement_power: bool) -> PowerKind:
    """The stored kind; an agency from before the setting ("") follows its old switch."""
    if power_kind in POWER_WORDS:
        return POWER_WORDS[power_kind]
    return PowerKind.OWN if has_enforcement_power else PowerKind.NONE


# -- the settings an administrator sets ------------------------------------------------------------
TEXT, FLAG, YUAN, POWER, AUTHORITIES = "text", "flag", "yuan", "power", "authorities"


@dataclass(frozen=True)
class SettingSpec:
    key: str  # the column of the device's `agency`, the key of the server's agency data
    option: str  # the admin command's option (--option)
    label: str  # Chinese, in messages
    kind: str = TEXT
    max_chars: int = 100
    hint: str = ""


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("name", "name", "机关全称"),
    SettingSpec("short_name", "short-name", "文号中的机关简称", max_chars=10),
    SettingSpec("county", "county", "所在县（市、区）", max_chars=50),
    SettingSpec("review_government", "review-government", "行政复议机关（本级人民政府）"),
    SettingSpec("court", "court", "行政诉讼法院"),
    SettingSpec("address", "address", "机关地址", max_chars=200),
    SettingSpec("contact", "contact", "联系人", max_chars=50),
    SettingSpec("phone", "phone", "联系电话", max_chars=30),
    SettingSpec("postcode", "postcode", "邮政编码", max_chars=6),
    SettingSpec("bank_name", "bank-name", "罚款缴纳银行"),
    SettingSpec("bank_account", "bank-account", "罚款缴纳账号", max_chars=40),
    SettingSpec(
        "power_kind",
        "power",
        "执法权来源",
        POWER,
        hint="own（本机关）/ authorized（授权）/ entrusted（委托）/ none（无）",
    ),
    SettingSpec("delegator_name", "delegator", "委托机关全称"),
    SettingSpec("delegator_short_name", "delegator-short-name", "委托机关简称", max_chars=10),
    SettingSpec("delegator_seal", "delegator-seal", "委托机关印章名称"),
    SettingSpec(
        "granted_authorities",
        "granted",
        "地方赋权事项",
        AUTHORITIES,
        hint="以逗号分隔，如：消防救援,燃气；none 表示清空",
    ),
    SettingSpec(
        "large_fine_person_yuan",
        "large-fine-person",
        "对个人的较大数额罚款标准（元）",
        YUAN,
        hint="none 表示未设置",
    ),
    SettingSpec(
        "large_fine_unit_yuan",
        "large-fine-unit",
        "对单位的较大数额罚款标准（元）",
        YUAN,
        hint="none 表示未设置",
    ),
    SettingSpec("numbers_per_case", "numbers-per-case", "同一案件文书共用一个序号", FLAG),
    SettingSpec("electronic_signing", "electronic-signing", "启用电子签名", FLAG),
)
SETTING_KEYS = tuple(s.key for s in SETTINGS)
_BY_KEY = {s.key: s for s in SETTINGS}
_YES = ("yes", "true", "1", "是", "启用", "y", "on")
_NO = ("no", "false", "0", "否", "停用", "n", "off")
_UNSET = ("none", "无", "未设置", "")
MAX_YUAN = 100_000_000


def parse_setting(key: str, raw: str) -> Any:
    """The typed value an administrator's text stands for (UserError in Chinese if it is bad)."""
    spec = _BY_KEY[key]
    text = raw.strip()
    if spec.kind == FLAG:
        if text.lower() in _YES:
            return True
        if text.lower() in _NO:
            return False
        raise UserError(f"“{spec.label}”应为 yes（是）或 no（否），不能是“{raw}”。")
    if spec.kind == POWER:
        kind = POWER_WORDS.get(text.lower()) or POWER_WORDS.get(text)
        if kind is None:
            raise UserError(
                f"“{spec.label}”应为 own（本机关）、authorized（授权）、entrusted（委托）"
                f"或 none（无执法权），不能是“{raw}”。"
            )
        return kind.value
    if spec.kind == YUAN:
        if text.lower() in _UNSET:
            return None
        digits = text.replace(",", "").replace("，", "").removesuffix("元")
        if not digits.isascii() or not digits.isdigit() or not 0 < int(digits) <= MAX_YUAN:
            raise UserError(
                f"“{spec.label}”应为正整数（元），如 20000；未设置请写 none。不能是“{raw}”。"
            )
        return int(digits)
    if spec.kind == AUTHORITIES:
        if text.lower() in _UNSET:
            return []
        codes: list[str] = []
        for part in text.replace("，", ",").replace("、", ",").split(","):
            code = part.strip()
            if not code or code in codes:
                continue
            if code == OWN_AUTHORITY:
                raise UserError(f"“{spec.label}”不必列入“应急”：应急管理事项本就属本机关职权。")
            if code not in AUTHORITY_BODIES:
                known = "、".join(a for a in AUTHORITY_BODIES if a != OWN_AUTHORITY)
                raise UserError(f"“{spec.label}”中的“{code}”不是已知的职权类别（可用：{known}）。")
            codes.append(code)
        return codes
    if len(text) > spec.max_chars:
        raise UserError(f"“{spec.label}”不能超过{spec.max_chars}个字。")
    if key == "postcode" and text and not (text.isascii() and text.isdigit() and len(text) == 6):
        raise UserError(f"“{spec.label}”应为6位数字，不能是“{raw}”。")
    if key in ("name", "short_name") and not text:
        raise UserError(f"“{spec.label}”不能为空。")
    return text


def settings_problems(values: Mapping[str, Any]) -> list[str]:
    """What does not hold together in a whole set of settings (Chinese, one line each)."""
    out: list[str] = []
    kind = power_kind_of(
        str(values.get("power_kind") or ""), bool(values.get("has_enforcement_power", True))
    )
    if kind == PowerKind.ENTRUSTED:
        if not str(values.get("delegator_name") or "").strip():
            out.append("受委托执法的，须填写委托机关全称（--delegator），文书以委托机关名义作出。")
        if not str(values.get("delegator_short_name") or "").strip():
            out.append("受委托执法的，须填写委托机关简称（--delegator-short-name），用于文书文号。")
    person, unit = values.get("large_fine_person_yuan"), values.get("large_fine_unit_yuan")
    if isinstance(person, int) and isinstance(unit, int) and unit < person:
        out.append("对单位的较大数额罚款标准不应低于对个人的标准，请核对。")
    return out


def stored(key: str, value: Any) -> Any:
    """A typed value as the device's column holds it (the 赋权 list as JSON text)."""
    if _BY_KEY.get(key) is not None and _BY_KEY[key].kind == AUTHORITIES:
        return json.dumps(list(authorities_from(value)), ensure_ascii=False)
    return value


def describe(values: Mapping[str, Any]) -> list[str]:
    """The settings as lines for the administrator ("行政复议机关（本级人民政府）：柴桑区人民政府")."""
    out = []
    for spec in SETTINGS:
        value = values.get(spec.key)
        if spec.kind == FLAG:
            text = "是" if value else "否"
        elif spec.kind == POWER:
            text = power_kind_of(
                str(value or ""), bool(values.get("has_enforcement_power", True))
            ).label
        elif spec.kind == YUAN:
            text = (
                f"{value}元"
                if isinstance(value, int)
                else "未设置（凡超过简易程序限额的罚款均告知听证权利）"
            )
        elif spec.kind == AUTHORITIES:
            text = "、".join(authorities_from(value)) or "无"
        else:
            text = str(value or "") or "（未设置）"
        out.append(f"{spec.label}：{text}")
    return out
