"""settings.json: declared once, validated, upgraded from older versions, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

from inspector.util.settings import SCHEMA_VERSION, SETTINGS, UPGRADES, V1_DEFAULTS, Settings


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def test_every_setting_has_a_one_line_description() -> None:
    assert "photo_jpeg_quality" in SETTINGS and "yearly_cap" in SETTINGS
    for name, text in SETTINGS.items():
        assert text and "\n" not in text, name


def test_invalid_values_are_reported_in_chinese_and_the_defaults_used(tmp_path: Path) -> None:
    path = write(
        tmp_path / "settings.json",
        {
            "version": SCHEMA_VERSION,
            "photo_jpeg_quality": "高",
            "text_max_chars": 0,
            "default_deadline_days": 10,
            "cap_exempt_kinds": "复查",
            "yearly_cap": {"A": 8, "B": -1},
            "yearly_caps": {"A": 1},
        },
    )
    s = Settings.load(path)
    assert s.photo_jpeg_quality == 85
    assert s.text_max_chars == 2000
    assert s.cap_exempt_kinds == ["举报核查", "复查"]
    assert s.yearly_cap == {"A": 8, "B": 6, "C": 4, "D": 2}
    assert s.default_deadline_days == 10  # a valid value is kept
    report = s.report()
    assert '设置“照片副本的 JPEG 质量（1–100）（photo_jpeg_quality）”的值 "高" 应为整数' in report
    assert "已使用默认值 85。" in report
    assert "text_max_chars）”的值 0 应大于 0，已使用默认值 2000。" in report
    assert "B 级的值 -1 不是不小于 0 的整数，已使用默认值 6。" in s.problems[3]
    assert report.endswith("另有 2 处设置有误，已使用默认值，详见日志。")  # the message stays short
    assert "default_deadline_days" not in report
    assert len(s.problems) == 5
    assert "“yearly_caps”不是本程序的设置，已忽略。" in s.problems[4]


def test_an_unreadable_file_gives_the_defaults_and_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"photo_jpeg_quality": 70,', "utf-8")  # cut off mid-write by hand
    s = Settings.load(path)
    assert s.photo_jpeg_quality == 85
    assert s.report() == f"设置文件 {path} 无法读取，全部设置已使用默认值。"
    s.save()
    assert path.read_text("utf-8") == '{"photo_jpeg_quality": 70,'  # the county's file kept


def test_a_version_1_file_is_upgraded_and_saved_as_the_newest(tmp_path: Path) -> None:
    """Version 1 saved every setting (pinning that day's defaults); read now it means the same,
    and saved again it keeps only what the county changed, with the new version."""
    v1 = {"version": 1, **V1_DEFAULTS, "default_deadline_days": 15}
    # the step itself: a default pinned by version 1 no longer holds the setting back from a
    # better default of a later release
    assert UPGRADES[1](v1) == {"version": 1, "default_deadline_days": 15}
    path = write(tmp_path / "settings.json", v1)
    s = Settings.load(path)
    assert s.problems == []
    assert s.default_deadline_days == 15 and s.photo_jpeg_quality == 85
    s.save()
    assert json.loads(path.read_text("utf-8")) == {
        "version": SCHEMA_VERSION,
        "default_deadline_days": 15,
    }
    assert Settings.load(path).default_deadline_days == 15


def test_a_file_from_a_newer_program_is_read_where_known_and_never_overwritten(
    tmp_path: Path,
) -> None:
    data = {"version": SCHEMA_VERSION + 1, "text_max_chars": 500, "photo_style": "vivid"}
    path = write(tmp_path / "settings.json", data)
    s = Settings.load(path)
    assert s.text_max_chars == 500
    assert f"设置文件由较新版本的程序写入（第 {SCHEMA_VERSION + 1} 版）" in s.report()
    s.save()
    assert json.loads(path.read_text("utf-8")) == data
