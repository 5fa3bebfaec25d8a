"""One store per signed-in person on a shared laptop (../shared/DESIGN.md "One SQLite file per
signed-in user").

The data folder holds `profiles.json` (who has a store here, and who is signed in now) and one
folder per person under `people/`, each a whole store of its own: database, files, settings, pull
cursor and device id. To the server each person's store is a device of its own (its own device id,
so its own number blocks: two people on one laptop can never hand out the same 文号). `people/guest`
is the store before anyone signs in (the demo county, a first start); the first person to sign in
takes it over when nobody has worked in it.

Signing in as another person opens (or creates) that person's store; the window then shows that
store only. Signing out keeps the store, unsynced work included, for its owner's next sign-in.

A data folder from before this (one `inspector.sqlite3` for everyone) is split by author on the
first start (`store.split`): every person with work of their own gets a store holding their records
and everything shared; nothing is deleted — the old files are kept in `shared-store-before-split/`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import func, select

from inspector.domain.errors import UserError
from inspector.services.context import Context, open_context
from inspector.services.journal import audit
from inspector.services.setting_rows import (
    DEVICE_ID,
    USERNAME,
    current_user_id,
    drop_personal_rows,
    get_setting,
    set_current_user,
    set_setting,
)
from inspector.store import split
from inspector.store.blobs import fsync_dir
from inspector.store.engine import DB_NAME
from inspector.store.models import NumberBlock, Outbox
from inspector.util.ids import uuid7
from inspector.util.settings import SETTINGS_FILE

log = logging.getLogger("inspector.profiles")

REGISTRY = "profiles.json"
PEOPLE = "people"
GUEST = "guest"
BEFORE_SPLIT = "shared-store-before-split"
_SHARED_FILES = (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", "blobs", SETTINGS_FILE)


@dataclass(frozen=True)
class Person:
    dir: str  # folder name under people/
    user_id: str | None
    username: str | None


class Profiles:
    """The registry of per-person stores in one data folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    # -- the registry file ----------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        path = self.root / REGISTRY
        if not path.is_file():
            return {"people": [], "active": None, "guest": GUEST}
        try:
            data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            raise UserError(
                f"人员登记文件 {path} 已损坏，无法确定各人的数据。数据未被修改，请联系管理员。"
            ) from None
        data.setdefault("people", [])
        data.setdefault("active", None)
        data.setdefault("guest", GUEST)
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / REGISTRY
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
        fsync_dir(self.root)

    def people(self) -> list[Person]:
        return [
            Person(p["dir"], p.get("user_id"), p.get("username")) for p in self._read()["people"]
        ]

    def dir_of(self, person: Person) -> Path:
        return self.root / PEOPLE / person.dir

    def guest_dir(self) -> Path:
        """The store of nobody yet (a first start, the demo county)."""
        return self.root / PEOPLE / str(self._read()["guest"])

    def active(self) -> Person | None:
        data = self._read()
        return next((p for p in self.people() if p.dir == data["active"]), None)

    # -- opening --------------------------------------------------------------------------------
    def active_dir(self) -> Path:
        """The store to open now: the signed-in person's, else the guest store. A shared store from
        before per-person stores is split first."""
        self.upgrade()
        person = self.active()
        return self.dir_of(person) if person else self.guest_dir()

    def admin_dir(self) -> Path:
        """The store an admin command (import-blocks) works on, without upgrading anything: the
        folder itself while it still holds a shared store, else the active person's store."""
        if (self.root / DB_NAME).is_file():
            return self.root
        person = self.active()
        return self.dir_of(person) if person else self.guest_dir()

    def stores(self) -> list[Path]:
        """Every store in this folder (for verify): the folder itself while it is one, else each
        person's and the guest store."""
        if (self.root / DB_NAME).is_file():
            return [self.root]
        found = [self.dir_of(p) for p in self.people()]
        if self.guest_dir() not in found:
            found.append(self.guest_dir())
        return [d for d in found if (d / DB_NAME).is_file()]

    # -- signing in and out -----------------------------------------------------------------------
    def target_for(self, username: str, current: Context) -> Path:
        """The store `username` signs in to: theirs if they have one here; the guest store if
        nobody has worked in it; else a new one."""
        name = username.strip()
        for p in self.people():
            if p.username == name:
                return self.dir_of(p)
        here = current.data_dir
        if here == self.guest_dir() and _unused(current):
            return here
        return self.root / PEOPLE / uuid7()

    def record_sign_in(self, store_dir: Path, username: str, user_id: str) -> None:
        """`username` (server id `user_id`) is signed in to `store_dir` from now on."""
        data = self._read()
        data["people"] = [
            p for p in data["people"] if p["dir"] != store_dir.name and p.get("user_id") != user_id
        ] + [{"dir": store_dir.name, "user_id": user_id, "username": username.strip()}]
        data["active"] = store_dir.name
        if store_dir.name == data["guest"]:  # taken over: the next guest store is a new one
            data["guest"] = f"{GUEST}-{uuid7()}"
        self._write(data)

    def record_sign_out(self) -> None:
        data = self._read()
        data["active"] = None
        self._write(data)

    # -- the upgrade from one shared store ---------------------------------------------------------
    def upgrade(self) -> None:
        """Split a shared store (`inspector.sqlite3` right in the folder) into per-person stores."""
        shared = self.root / DB_NAME
        if not shared.is_file():
            return
        if (self.root / REGISTRY).is_file():  # split done; the old files were not yet moved aside
            self._set_aside()
            return
        ctx = open_context(self.root)  # migrates it to the newest schema first (or refuses)
        with ctx.store.read() as s:
            owner = current_user_id(s)
            owner_name = get_setting(s, USERNAME)
        ctx.store.dispose()
        staging = self.root / f"{PEOPLE}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        people = _split_into(self.root, staging, owner, owner_name)
        target = self.root / PEOPLE
        if target.exists():  # an earlier split that died before the registry was written: its
            shutil.rmtree(target)  # stores are copies of the shared one, which is still here
        staging.rename(target)
        fsync_dir(self.root)
        active = next((p["dir"] for p in people if owner_name and p["user_id"] == owner), None)
        self._write({"people": people, "active": active, "guest": GUEST})
        self._set_aside()
        log.info("shared store split into %d person stores", len(people))

    def _set_aside(self) -> None:
        aside = self.root / BEFORE_SPLIT
        aside.mkdir(exist_ok=True)
        for name in _SHARED_FILES:
            src = self.root / name
            if src.exists():
                src.rename(aside / name)
        fsync_dir(self.root)


def _unused(ctx: Context) -> bool:
    """A store nobody has signed in to and nobody has worked in (no outbox row, no person set)."""
    with ctx.store.read() as s:
        if current_user_id(s) or get_setting(s, USERNAME):
            return False
        return int(s.exec(select(func.count()).select_from(Outbox)).one()) == 0


def _split_into(
    root: Path, staging: Path, owner: str | None, owner_name: str | None
) -> list[dict[str, Any]]:
    """Write one store per person with work here into `staging`; returns the registry entries.
    The owner's copy is the guest store when nobody ever signed in to the shared one (the demo)."""
    conn = sqlite3.connect(root / DB_NAME)
    try:
        part = split.partition(conn, owner)
    finally:
        conn.close()
    entries: list[dict[str, Any]] = []
    for person in part.people():
        is_owner = person == owner
        as_guest = is_owner and not owner_name
        folder = staging / (GUEST if as_guest else uuid7())
        db = folder / DB_NAME
        split.copy_database(root / DB_NAME, db)
        conn = sqlite3.connect(db, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("BEGIN IMMEDIATE")
            moved = split.keep_only(conn, part, person)
            keep = split.referenced_blobs(conn)
            split.drop_unnamed_blob_rows(conn, keep)
            conn.execute("COMMIT")
        finally:
            conn.close()
        _copy_blobs(root / "blobs", folder / "blobs", keep)
        if (root / SETTINGS_FILE).is_file():
            shutil.copy2(root / SETTINGS_FILE, folder / SETTINGS_FILE)
        _finish_copy(folder, person, is_owner, moved, part)
        if not as_guest:
            entries.append(
                {
                    "dir": folder.name,
                    "user_id": person,
                    "username": owner_name if is_owner else None,
                }
            )
    fsync_dir(staging)
    return entries


def _copy_blobs(src: Path, dst: Path, keep: set[str]) -> None:
    """Hard links where the file system allows (no extra space), else copies."""
    for sha in keep:
        source = src / sha[:2] / sha
        if not source.is_file():
            continue  # verify of the new store names it, as it would have in the shared one
        target = dst / sha[:2] / sha
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def _finish_copy(
    folder: Path,
    person: str | None,
    is_owner: bool,
    moved: dict[str, list[str]],
    part: split.Partition,
) -> None:
    """The new store's own settings and the audit event that records the split."""
    ctx = open_context(folder)
    try:
        with ctx.store.write() as s:
            if not is_owner:
                # another person's server session and pull position (the new store pulls
                # from the start), cached figures: the `personal` keys
                drop_personal_rows(s)
                # another device to the server: its own id, and none of the shared device's
                # number blocks (they stay with the owner's store; the serials already used
                # here stay recorded, so they are never handed out again)
                set_setting(s, DEVICE_ID, uuid7())
                for block in s.exec(select(NumberBlock)).all():
                    block.next = block.last + 1
                    s.add(block)
                if person:
                    set_current_user(s, person)
            audit(
                s,
                ctx.clock,
                split.SPLIT_EVENT,
                "store",
                folder.name,
                person,
                {"people": [p for p in part.people() if p], "moved_out": moved},
            )
    finally:
        ctx.store.dispose()
