"""The device's settings (`settings.json` in the data dir): declared once, typed and validated.

Each setting is a field of `Settings` with its default, its limits and a one-line description
(shown in the reports below). The file carries a schema version; `UPGRADES` holds one step per
older version, each turning a file of version n into one of version n + 1, so an old file is read
as the newest program means it (the way qutebrowser and Picard migrate their configs).

Reading never fails: an unreadable file, a value of the wrong type or out of range, an unknown
key — each is reported as a Chinese sentence in `Settings.problems` (and the log) and the
default used. No globals, no pickle, no secrets: the `Context` carries the settings.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

log = logging.getLogger("inspector.settings")

SETTINGS_FILE = "settings.json"
SCHEMA_VERSION = 2
REPORTED = 3  # problems named in the message to the person; the rest counted

# 分级分类监管: counties draw up their own scheme, so these are defaults a county overrides in
# settings.json. Minimum inspections a year by supervision level; 0 means "by random selection
# only" (双随机抽查), never proposed as due.
DEFAULT_INSPECTIONS_PER_YEAR: dict[str, int] = {"A": 4, "B": 2, "C": 1, "D": 0}
# Yearly cap on inspections of one enterprise by level (国办发〔2024〕54号 asks for one; each
# province/county sets the numbers). The client warns from cap − 1 and asks for an
# acknowledgement at the cap.
DEFAULT_YEARLY_CAP: dict[str, int] = {"A": 12, "B": 6, "C": 4, "D": 2}
# Inspection kinds not counted towards the cap (complaint checks and re-inspections of an order
# are commonly exempt); counties configure this too.
DEFAULT_CAP_EXEMPT_KINDS: list[str] = ["举报核查", "复查"]


class Settings(BaseModel):
    # strict: a JSON file's numbers are numbers, never "85" or true
    model_config = ConfigDict(strict=True, validate_assignment=True, extra="forbid")

    version: int = Field(default=SCHEMA_VERSION, description="设置文件的格式版本")
    # larger images are refused (memory on small tablets)
    photo_max_megapixels: float = Field(
        default=90.0, gt=0, description="照片的最大像素数（百万像素）"
    )
    photo_display_long_edge: int = Field(default=2560, gt=0, description="照片显示副本的长边像素")
    photo_thumb_long_edge: int = Field(default=320, gt=0, description="照片缩略图的长边像素")
    photo_jpeg_quality: int = Field(
        default=85, ge=1, le=100, description="照片副本的 JPEG 质量（1–100）"
    )
    text_max_chars: int = Field(default=2000, gt=0, description="一个文字栏最多的字数")
    default_deadline_days: int = Field(
        default=7, ge=1, description="隐患整改期限的默认天数（自发现之日起）"
    )
    # Issuing asks the inspector to confirm the time shown when the clock was off by at least this
    # much at the last sync and that sync is older than this (the clock may have been set since).
    clock_confirm_offset_s: float = Field(
        default=600.0, ge=0, description="时钟偏差达到多少秒时，开具文书前请检查人员确认时间"
    )
    clock_confirm_after_hours: float = Field(
        default=24.0, ge=0, description="上次同步测得时钟偏差多少小时后，开具文书前请确认时间"
    )
    inspections_per_year: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_INSPECTIONS_PER_YEAR),
        description="各监管等级每年至少检查的次数（0 表示只参加双随机抽查）",
    )
    yearly_cap: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_YEARLY_CAP),
        description="各监管等级对同一单位每年检查次数的上限",
    )
    cap_exempt_kinds: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CAP_EXEMPT_KINDS),
        description="不计入年度检查上限的检查类别",
    )

    path: Path | None = Field(default=None, exclude=True, description="设置文件的位置")
    # what reading the file found wrong, each a Chinese sentence (the default was used)
    problems: list[str] = Field(default_factory=list, exclude=True)
    _keep_file: bool = PrivateAttr(False)  # unreadable or from a newer program: never overwrite

    @classmethod
    def load(cls, path: Path) -> Settings:
        settings = cls(path=path)
        if not path.is_file():
            return settings
        try:
            raw = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            raw = None
        if not isinstance(raw, dict):
            settings._keep_file = True
            settings._problem(f"设置文件 {path} 无法读取，全部设置已使用默认值。")
            return settings
        raw = settings._upgraded(raw)
        for key, value in raw.items():
            if key in _NOT_IN_FILE:
                continue
            if key not in SETTINGS:
                settings._problem(f"设置文件中的“{key}”不是本程序的设置，已忽略。")
                continue
            if key in _TABLES:
                value = settings._merged_table(key, value)
            try:
                setattr(settings, key, value)
            except ValidationError as err:
                settings._problem(_invalid(key, value, err))
        return settings

    def save(self) -> None:
        """Write the settings that differ from their defaults (a default improved in a later
        release then reaches this device), with the schema version."""
        if self.path is None:
            return
        if self._keep_file:
            log.warning("settings file %s kept as it is (unreadable or newer)", self.path)
            return
        data = self.model_dump(exclude_defaults=True)
        data = {"version": SCHEMA_VERSION, **{k: v for k, v in data.items() if k != "version"}}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
        tmp.replace(self.path)

    def report(self) -> str:
        """The problems found reading the file, as one message for the person ("" for none);
        past the first few, how many more (each is in the log), so the message stays short."""
        shown = "".join(self.problems[:REPORTED])
        more = len(self.problems) - REPORTED
        return shown + (f"另有 {more} 处设置有误，已使用默认值，详见日志。" if more > 0 else "")

    # -- reading -----------------------------------------------------------------------------------
    def _problem(self, text: str) -> None:
        log.warning("settings: %s", text)
        self.problems.append(text)

    def _upgraded(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The file's contents brought to SCHEMA_VERSION by the steps of `UPGRADES`."""
        version = raw.get("version", 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self._problem(f"设置文件的格式版本“{version}”无效，已按第 1 版读取。")
            version = 1
        if version > SCHEMA_VERSION:
            self._keep_file = True
            self._problem(
                f"设置文件由较新版本的程序写入（第 {version} 版），本程序只读取认识的设置。"
            )
            return {k: v for k, v in raw.items() if k != "version"}
        for step in range(version, SCHEMA_VERSION):
            raw = UPGRADES[step](raw)
        return {k: v for k, v in raw.items() if k != "version"}

    def _merged_table(self, key: str, value: object) -> object:
        """A per-level table from the file over the defaults: a file naming only some levels keeps
        the defaults of the others, and entries that are not whole numbers ≥ 0 are ignored."""
        if not isinstance(value, dict):
            return value  # reported by the validation
        merged = dict(getattr(self, key))
        for level, n in value.items():
            if isinstance(n, int) and not isinstance(n, bool) and n >= 0:
                merged[str(level)] = n
            else:
                self._problem(
                    f"设置“{_described(key)}”中 {level} 级的值 {_shown(n)} 不是不小于 0 的整数，"
                    f"已使用默认值 {_shown(merged.get(str(level)))}。"
                )
        return merged


SETTINGS: dict[str, str] = {
    name: field.description or ""
    for name, field in Settings.model_fields.items()
    if name not in ("version", "path", "problems")
}
_NOT_IN_FILE = ("path", "problems")
_TABLES = ("inspections_per_year", "yearly_cap")


def _described(key: str) -> str:
    return f"{SETTINGS[key]}（{key}）"


def _shown(value: object) -> str:
    """A value as it is written in the file."""
    return json.dumps(value, ensure_ascii=False)


_EXPECTED = {
    "int": "应为整数",
    "float": "应为数字",
    "list": "应为列表",
    "dict": "应为按等级列出的表",
    "string": "应为文字",
}


def _invalid(key: str, value: object, err: ValidationError) -> str:
    first = err.errors()[0]
    kind, ctx = first["type"], first.get("ctx", {})
    if kind == "greater_than":
        why = f"应大于 {ctx['gt']}"
    elif kind == "greater_than_equal":
        why = f"应不小于 {ctx['ge']}"
    elif kind == "less_than_equal":
        why = f"应不大于 {ctx['le']}"
    else:
        why = next((text for name, text in _EXPECTED.items() if kind.startswith(name)), "无效")
    default = Settings.model_fields[key].get_default(call_default_factory=True)
    return f"设置“{_described(key)}”的值 {_shown(value)} {why}，已使用默认值 {_shown(default)}。"


# -- upgrade steps: UPGRADES[n] turns a file of version n into one of version n + 1 ----------------


V1_DEFAULTS: dict[str, object] = {
    "photo_max_megapixels": 90.0,
    "photo_display_long_edge": 2560,
    "photo_thumb_long_edge": 320,
    "photo_jpeg_quality": 85,
    "text_max_chars": 2000,
    "default_deadline_days": 7,
    "clock_confirm_offset_s": 600.0,
    "clock_confirm_after_hours": 24.0,
    "inspections_per_year": {"A": 4, "B": 2, "C": 1, "D": 0},
    "yearly_cap": {"A": 12, "B": 6, "C": 4, "D": 2},
    "cap_exempt_kinds": ["举报核查", "复查"],
}


def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    """Version 1 saved every setting, so a saved file pinned the defaults of its day. Version 2
    keeps only what was changed: a value equal to its version-1 default is dropped (read now, it
    is the same value; a later release may improve it)."""
    return {k: v for k, v in raw.items() if k not in V1_DEFAULTS or V1_DEFAULTS[k] != v}


UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}
