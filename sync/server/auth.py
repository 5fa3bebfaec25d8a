"""Passwords (argon2id), bearer tokens (only their SHA-256 is stored) and the caller's scope."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import Session, col

from sync.server.db import Token, Unit, User, utcnow

DEFAULT_HASHER = PasswordHasher()
# verified against when the user name is unknown, so both failures take the same time
_DUMMY_HASH = DEFAULT_HASHER.hash("inspector-server: no such user")


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    return (hasher or DEFAULT_HASHER).hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return DEFAULT_HASHER.verify(stored_hash or _DUMMY_HASH, password) and bool(stored_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Caller:
    """The signed-in user of one request and the jurisdiction every query is scoped to."""

    user_id: str
    user_name: str
    role: str
    agency_id: str
    agency_wide: bool
    township_ids: tuple[str, ...]
    grid_ids: tuple[str, ...]
    device_id: str

    def unit_scope(self, *, walk_seq: bool = False) -> ColumnElement[bool]:
        """SQL condition: the unit lies in this caller's jurisdiction.

        `walk_seq`: for reading in change order (`ORDER BY seq LIMIT n`). The columns are then
        wrapped (``col || ''``) so that no index on them can be chosen and the query walks the
        seq index, filtering as it goes; otherwise SQLite picks the scope index, reads every
        unit of the township and sorts them, for every page of a pull."""
        return self.area_scope(Unit.agency_id, Unit.township_id, Unit.grid_id, walk_seq=walk_seq)

    def area_scope(
        self, agency: Any, township: Any, grid: Any, *, walk_seq: bool = False
    ) -> ColumnElement[bool]:
        """SQL condition on a row's agency, township and grid columns: in this jurisdiction."""

        def c(column: Any) -> Any:
            return col(column).op("||")("") if walk_seq else col(column)

        same_agency = c(agency) == self.agency_id
        if self.agency_wide:
            return same_agency
        parts: list[ColumnElement[bool]] = []
        if self.township_ids:
            parts.append(c(township).in_(self.township_ids))
        if self.grid_ids:
            parts.append(c(grid).in_(self.grid_ids))
        if not parts:
            return false()
        return and_(same_agency, or_(*parts))

    def sees_area(self, agency_id: str, township_id: str | None, grid_id: str | None) -> bool:
        if agency_id != self.agency_id:
            return False
        if self.agency_wide:
            return True
        return (township_id is not None and township_id in self.township_ids) or (
            grid_id is not None and grid_id in self.grid_ids
        )

    def sees_unit(self, unit: Unit) -> bool:
        return self.sees_area(unit.agency_id, unit.township_id, unit.grid_id)


def caller_for(user: User, device_id: str) -> Caller:
    return Caller(
        user_id=user.id,
        user_name=user.name,
        role=user.role,
        agency_id=user.agency_id,
        agency_wide=user.agency_wide or user.role == "admin",
        township_ids=tuple(user.township_ids or ()),
        grid_ids=tuple(user.grid_ids or ()),
        device_id=device_id,
    )


def issue_token(
    session: Session, user: User, device_id: str, ttl: timedelta
) -> tuple[str, datetime]:
    token = new_token()
    expires = utcnow() + ttl
    session.add(
        Token(
            token_sha256=token_digest(token),
            user_id=user.id,
            device_id=device_id,
            expires_at=expires,
        )
    )
    return token, expires


def caller_from_token(session: Session, token: str) -> Caller | None:
    """The caller of a bearer token, or None when it is unknown, expired or the user inactive."""
    if not token or len(token) > 200:
        return None
    row = session.get(Token, token_digest(token))
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return caller_for(user, row.device_id)
