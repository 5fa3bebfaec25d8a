"""A new hazard's default 整改期限: never today, because every document that orders the hazard
put right refuses a deadline that is not after today (`document_rules._item_problems`)."""

from __future__ import annotations

from datetime import date, timedelta


def default_deadline(today: date, settings_days: int, item_days: int = 0) -> date:
    """The checklist item's days when it gives some; otherwise (0 reads as 立即, and a finding
    outside the checklist gives none) the settings' `default_deadline_days`, for both grades."""
    days = item_days if item_days > 0 else settings_days
    return today + timedelta(days=max(days, 1))


def deadline_problem(deadline: date | None, today: date) -> str:
    """What a person is told next to the field when the deadline would be refused ("" if fine)."""
    if deadline is not None and deadline <= today:
        return "整改期限须在今天之后，否则据此制作整改文书时会被检查退回；请改为以后的日期。"
    return ""
