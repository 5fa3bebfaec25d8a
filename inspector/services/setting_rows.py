"""The store's key-value rows (the `setting` table): every key declared once, read and written
through typed accessors.

A key's name is written here and nowhere else (tests/services/test_setting_rows.py greps
inspector/ and sync/ for it); callers name a key by its constant. Whether a person's split store
inherits the row from a shared one is declared with the key (`personal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from inspector.store.models import Setting
from inspector.util.clock import Clock


@dataclass(frozen=True)
class Key:
    name: str
    description: str  # one line: what the row holds
    # the signed-in person's own: a split store for another person does not inherit it
    personal: bool = False
    family: bool = False  # `name` is a prefix: one row per `at(suffix)`

    def at(self, suffix: str) -> Key:
        """One row of a family of keys."""
        assert self.family, self.name
        return Key(self.name + suffix, self.description, self.personal)


CURRENT_USER = Key("current_user_id", "the user id of the person who works in this store")
AGENCY = Key("agency_id", "the agency of the person signed in to the sync server", personal=True)
DEVICE_ID = Key("device_id", "this device's id to the sync server, made once")
SERVER_URL = Key("sync_server_url", "the sync server's address")
USERNAME = Key("sync_username", "the name signed in to the sync server", personal=True)
CURSOR = Key("sync_cursor", "the position of the last change pulled from the server", personal=True)
LAST_SYNC = Key("last_sync_at", "when the last sync succeeded (ISO time)", personal=True)
CLOCK_OFFSET = Key("clock_offset_s", "server − device clock, seconds, as the last sync measured")
CLOCK_OFFSET_AT = Key("clock_offset_at", "the device time of that measurement (ISO time)")
GRIDS = Key(
    "signed_in_grids",
    "the signed-in person's grids (JSON list), from the sign-in answer and each sync",
    personal=True,
)
STATS_CACHE = Key(
    "stats_cache:",
    "the last monthly figures the server gave, per user, month and township",
    personal=True,
    family=True,
)

KEYS: tuple[Key, ...] = (
    CURRENT_USER,
    AGENCY,
    DEVICE_ID,
    SERVER_URL,
    USERNAME,
    CURSOR,
    LAST_SYNC,
    CLOCK_OFFSET,
    CLOCK_OFFSET_AT,
    GRIDS,
    STATS_CACHE,
)


def get_setting(session: Session, key: Key) -> str | None:
    row = session.get(Setting, key.name)
    return row.value if row else None


def set_setting(session: Session, key: Key, value: str) -> None:
    row = session.get(Setting, key.name)
    if row is None:
        session.add(Setting(key=key.name, value=value))
    else:
        row.value = value
        session.add(row)


def current_user_id(session: Session) -> str | None:
    """The person who works in this store (None before anyone signed in: the demo, a guest)."""
    return get_setting(session, CURRENT_USER)


def set_current_user(session: Session, user_id: str) -> None:
    set_setting(session, CURRENT_USER, user_id)


def current_agency_id(session: Session) -> str | None:
    """The agency of the person signed in here (None before anyone signed in)."""
    return get_setting(session, AGENCY)


def set_current_agency(session: Session, agency: str) -> None:
    set_setting(session, AGENCY, agency)


def personal(row_key: str) -> bool:
    """Whether a row belongs to the signed-in person (not inherited by another's split store)."""
    return any(
        (row_key.startswith(k.name) if k.family else row_key == k.name) for k in KEYS if k.personal
    )


def drop_personal_rows(session: Session) -> None:
    """Delete every row of the signed-in person (`personal` keys) from this store."""
    for row in session.exec(select(Setting)).all():
        if personal(row.key):
            session.delete(row)


# -- the clock's offset from the server ------------------------------------------------------------


def clock_offset(session: Session) -> float | None:
    """The device clock's offset from the server's, as last measured by sync (seconds).

    ``+ 0.0`` turns a negative zero into zero: SQLite stores an integral REAL as an integer, so
    -0.0 would come back as 0.0 and the event's hash (made over "-0.0") would no longer match."""
    raw = get_setting(session, CLOCK_OFFSET)
    return float(raw) + 0.0 if raw is not None else None


def remember_clock_offset(
    session: Session, clock: Clock, offset_s: float, measured_at: datetime
) -> None:
    """Keep a measured offset (setting) and correct the clock by it from now on."""
    set_setting(session, CLOCK_OFFSET, str(offset_s))
    set_setting(session, CLOCK_OFFSET_AT, measured_at.isoformat())
    clock.adopt_offset(offset_s, measured_at)


def load_clock_offset(session: Session, clock: Clock) -> None:
    """Correct the clock by the offset the last sync kept (opening a store)."""
    raw_at = get_setting(session, CLOCK_OFFSET_AT)
    try:
        measured_at = datetime.fromisoformat(raw_at) if raw_at else None
    except ValueError:
        measured_at = None
    clock.adopt_offset(clock_offset(session), measured_at)
