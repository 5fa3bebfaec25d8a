"""Reading a spreadsheet of units (.xlsx or .csv, as a township keeps them): its rows as text, the
header row found by the many names a column goes by, and the report of an import, row by row."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SheetError(Exception):
    """The file cannot be read as a units spreadsheet (in Chinese)."""


def fold(text: str) -> str:
    """For matching names and headers: NFKC (full-width forms), no white space, no * marks."""
    return "".join(unicodedata.normalize("NFKC", text).split()).replace("*", "")


HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("单位名称", "企业名称", "名称", "单位全称", "企业(单位)名称", "生产经营单位名称"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "统一代码"),
    "address": ("地址", "单位地址", "经营地址", "注册地址", "详细地址", "生产经营地址"),
    "township": (
        "乡镇",
        "乡镇(街道)",
        "乡镇街道",
        "乡镇/街道",
        "所属乡镇",
        "所属乡镇(街道)",
        "街道",
    ),
    "grid": ("网格", "所属网格", "网格名称"),
    "industry": ("行业", "行业类别", "所属行业", "行业类型"),
    "risk": ("风险等级", "风险分级", "风险颜色", "风险级别"),
    "supervision_level": ("监管分级", "监管等级", "监管级别"),
    "legal_rep": ("法定代表人", "法人代表", "法定代表人(负责人)", "负责人", "法人"),
    "contact_name": ("联系人",),
    "contact_phone": ("联系电话", "电话", "手机", "联系方式", "手机号码"),
}
HEADER_INDEX = {fold(v): k for k, vs in HEADERS.items() for v in vs}
RISK = {
    "red": ("红", "红色", "重大风险", "重大", "red"),
    "orange": ("橙", "橙色", "较大风险", "较大", "orange"),
    "yellow": ("黄", "黄色", "一般风险", "一般", "yellow"),
    "blue": ("蓝", "蓝色", "低风险", "低", "blue"),
}
RISK_INDEX = {fold(v).lower(): k for k, vs in RISK.items() for v in vs}


@dataclass
class RowReport:
    row: int  # the spreadsheet's row number (1-based, as Excel shows it)
    name: str
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons


@dataclass
class ImportReport:
    rows: list[RowReport]
    imported: int

    @property
    def rejected(self) -> list[RowReport]:
        return [r for r in self.rows if not r.ok]

    def lines(self) -> list[str]:
        out = [
            f"第{r.row}行（{r.name or '无名称'}）：{'；'.join(r.reasons)}" for r in self.rejected
        ]
        out.append(
            f"共{len(self.rows)}行，合格{len(self.rows) - len(self.rejected)}行，"
            f"拒绝{len(self.rejected)}行，已导入{self.imported}行。"
        )
        return out


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise SheetError(f"无法读取 {path.name}：{exc}") from None
        try:
            ws = wb.worksheets[0]
            return [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
    if suffix == ".csv":
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise SheetError(f"{path.name} 的编码无法识别（应为 UTF-8 或 GBK）。")
        return [[cell_text(v) for v in row] for row in csv.reader(io.StringIO(text))]
    raise SheetError("只能导入 .xlsx 或 .csv 文件。")


def find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    for i, row in enumerate(rows[:20]):
        cols: dict[str, int] = {}
        for j, cell in enumerate(row):
            key = HEADER_INDEX.get(fold(cell))
            if key and key not in cols:
                cols[key] = j
        if "name" in cols:
            missing = [k for k in ("township",) if k not in cols]
            if missing:
                raise SheetError("表头缺少列：乡镇（街道）。")
            return i, cols
    raise SheetError("找不到表头（应有“单位名称”“乡镇”等列）。")
