"""Document numbers (文号) from number blocks.

A device may only use serials from blocks handed to it (by the server in the sync issue; until then
an admin loads a block file). A serial is taken inside the same write transaction as the document
that carries it, so a crash either keeps both or neither; the UNIQUE key of `numberuse` makes a
duplicate impossible on the device, and blocks never overlap, so two devices never collide.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from inspector.domain.errors import UserError
from inspector.domain.numbering import (
    CASE_SERIES,
    DOC_CODES,
    MAX_YEAR,
    MIN_YEAR,
    NUMBER_PREFIX,
    Block,
)
from inspector.services.changes import Changes, Done
from inspector.services.context import Context
from inspector.services.journal import audit
from inspector.services.setting_rows import current_user_id
from inspector.store.models import Agency, NumberBlock, NumberUse
from inspector.util.clock import offset_words, to_local
from inspector.util.ids import uuid7

LOW_WATER = 5  # warn when this few serials are left in a series


@dataclass(frozen=True)
class SeriesState:
    agency_id: str
    series: str
    year: int
    remaining: int
    blocks: list[tuple[int, int, int]]  # (first, last, next)

    @property
    def low(self) -> bool:
        return self.remaining <= LOW_WATER


@dataclass(frozen=True)
class TakenNumber:
    serial: int
    series: str
    year: int
    use_id: str
    remaining: int

    @property
    def low_warning(self) -> str | None:
        if self.remaining > LOW_WATER:
            return None
        return (
            f"提醒：本机「{self.series}」{self.year}年文号只剩 {self.remaining} 个，"
            "请尽快联网同步领取新的号段。"
        )


def _remaining(blocks: list[NumberBlock]) -> int:
    return sum(Block(b.first, b.last, b.next).remaining for b in blocks)


def series_for(kind: str, per_case: bool) -> str:
    if kind not in DOC_CODES:
        raise UserError(f"未知的文书种类：{kind}。")
    # a township's 隐患整改通知书 is not part of an enforcement case: always its own series
    return CASE_SERIES if per_case and kind not in NUMBER_PREFIX else DOC_CODES[kind]


class NumberingService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- blocks --------------------------------------------------------------------------------
    def load_block_file(self, path: Path) -> Done[int]:
        """Load the blocks in an admin's JSON file; returns how many were new."""
        try:
            raw: Any = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise UserError(f"找不到号段文件：{path}。") from None
        except (OSError, ValueError) as exc:
            raise UserError(f"号段文件无法读取：{path.name}（{exc}）。") from None
        entries = raw.get("blocks") if isinstance(raw, dict) else None
        if not isinstance(entries, list) or not entries:
            raise UserError('号段文件中没有号段（应为 {"blocks": [...]}）。')
        added = 0
        with self.ctx.store.write() as s:
            for n, entry in enumerate(entries, start=1):
                added += self._add_block(s, entry, f"第 {n} 个号段")
        return Done(added, Changes(reference=True))

    def _add_block(self, s: Session, entry: Any, where: str) -> int:
        if not isinstance(entry, dict):
            raise UserError(f"{where}格式不对。")
        try:
            block_id = str(entry["id"])
            agency_id = str(entry["agency_id"])
            series = str(entry["series"])
            year, first, last = int(entry["year"]), int(entry["first"]), int(entry["last"])
        except (KeyError, TypeError, ValueError):
            raise UserError(
                f"{where}缺少或写错了字段（需要 id、agency_id、series、year、first、last）。"
            ) from None
        if s.get(Agency, agency_id) is None:
            raise UserError(f"{where}属于本机没有的执法机关（{agency_id}），未导入。")
        if series not in (*DOC_CODES.values(), CASE_SERIES):
            raise UserError(f"{where}的文书代字「{series}」不认识。")
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise UserError(f"{where}的年份 {year} 不对。")
        if not 1 <= first <= last:
            raise UserError(f"{where}的起止号不对：{first}–{last}。")
        known = s.get(NumberBlock, block_id)
        if known is not None:
            if (known.agency_id, known.series, known.year, known.first, known.last) != (
                agency_id,
                series,
                year,
                first,
                last,
            ):
                raise UserError(f"{where}与本机已有的同一号段（{block_id}）内容不同，未导入。")
            return 0
        for other in self._blocks(s, agency_id, series, year):
            if Block(other.first, other.last, other.next).overlaps(first, last):
                raise UserError(
                    f"{where}（{series} {year}年 {first}–{last}号）与本机已有号段 "
                    f"{other.first}–{other.last}号重叠，未导入。重叠的号段会造成重号。"
                )
        block = NumberBlock(
            id=block_id,
            agency_id=agency_id,
            series=series,
            year=year,
            first=first,
            last=last,
            next=first,
            source=str(entry.get("source", "file")),
            loaded_at=self.ctx.clock.now(),
        )
        s.add(block)
        s.flush()
        audit(
            s,
            self.ctx.clock,
            "numbers.block_loaded",
            "numberblock",
            block_id,
            current_user_id(s),
            {"agency_id": agency_id, "series": series, "year": year, "first": first, "last": last},
        )
        return 1

    @staticmethod
    def _blocks(s: Session, agency_id: str, series: str, year: int) -> list[NumberBlock]:
        return list(
            s.exec(
                select(NumberBlock)
                .where(NumberBlock.agency_id == agency_id)
                .where(NumberBlock.series == series, NumberBlock.year == year)
                .order_by(col(NumberBlock.first))
            )
        )

    def state(self, agency_id: str, series: str, year: int) -> SeriesState:
        with self.ctx.store.read() as s:
            blocks = self._blocks(s, agency_id, series, year)
        return SeriesState(
            agency_id,
            series,
            year,
            _remaining(blocks),
            [(b.first, b.last, b.next) for b in blocks],
        )

    def _clock_problem(self, s: Session, agency_id: str, series: str, year: int) -> str | None:
        """When no serial is left for `year` but the clock is the likely cause, say so: the
        device's year differs from the one numbers are taken for (corrected by the offset the
        last sync measured), or, with no sync yet, the device holds serials of another year."""
        clock = self.ctx.clock
        device_year = to_local(clock.device_now()).year
        if clock.offset_s is not None and device_year != year:
            return (
                f"本机时钟显示 {device_year} 年，与服务器时间相差{offset_words(clock.offset_s)}；"
                f"文号按服务器时间取 {year} 年，本机没有 {year} 年「{series}」的可用文号。"
                "请先校准本机时钟，再联网同步领取号段。"
            )
        if clock.offset_s is not None:
            return None
        other = s.exec(
            select(NumberBlock.year)
            .where(NumberBlock.agency_id == agency_id, NumberBlock.series == series)
            .where(NumberBlock.year != year, NumberBlock.next <= NumberBlock.last)
            .order_by(col(NumberBlock.year).desc())
        ).first()
        if other is None:
            return None
        return (
            f"本机时钟显示 {device_year} 年，可能不准（本机尚未与服务器校时）："
            f"本机没有 {year} 年「{series}」的可用文号（文号已用完或尚未领取），"
            f"却有 {other} 年的号段。请先校准本机时钟，或联网同步一次（同步后按服务器时间取号）；"
            "时钟无误时，请联网同步领取新的号段。"
        )

    # -- taking a number (inside the caller's write transaction) -------------------------------
    def take(
        self, s: Session, agency_id: str, series: str, year: int, case_id: str | None = None
    ) -> TakenNumber:
        """The next serial of the series, or UserError when the device's blocks are used up.

        Per-case series: a case (inspection) that already holds a serial gets the same one."""
        if series == CASE_SERIES and case_id is not None:
            held = s.exec(
                select(NumberUse).where(
                    NumberUse.agency_id == agency_id,
                    NumberUse.series == series,
                    NumberUse.year == year,
                    NumberUse.case_id == case_id,
                )
            ).first()
            if held is not None:
                remaining = _remaining(self._blocks(s, agency_id, series, year))
                return TakenNumber(held.serial, series, year, held.id, remaining)
        blocks = self._blocks(s, agency_id, series, year)
        block = next((b for b in blocks if b.next <= b.last), None)
        if block is None:
            raise UserError(
                self._clock_problem(s, agency_id, series, year)
                or f"本机「{series}」{year}年的文号已用完（或尚未领取号段）。"
                "请联网同步领取新的号段，或请管理员导入号段文件；本机不会自行编号。"
            )
        serial = block.next
        block.next += 1
        s.add(block)
        use = NumberUse(
            id=uuid7(),
            agency_id=agency_id,
            series=series,
            year=year,
            serial=serial,
            block_id=block.id,
            case_id=case_id,
            used_at=self.ctx.clock.now(),
        )
        s.add(use)
        s.flush()
        return TakenNumber(serial, series, year, use.id, _remaining(blocks))
