"""Errors a person can act on. The message is Simplified Chinese and shown as it is."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused action; `message` is a complete Chinese sentence for the UI."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
