"""Splitting a store that several people shared into one store per person (the upgrade to
per-person stores, ../shared/DESIGN.md "One SQLite file per signed-in user").

Who made a record is read from the records themselves: an inspection's `created_by`, a patrol's
and a grid report's `user_id`, an own task's `created_by`, a task step's `actor_id`. Everything under
such a root follows it (item results, hazards and their steps, photos, documents and their
signatures, drafts, patrol visits). A record with no author, and every pending unit edit, belongs to
the person who last signed in on the shared store (the `owner`).

Only people with work of their own on this device (a record of theirs in the outbox) get a store.
Records of anyone else (pulled from the server) stay in every copy, as a pull would bring them again.
Each copy is the whole database less the other people's records and outbox rows; the audit chain is
kept whole in every copy (an event is never removed) and a last `store.split` event names the records
that moved to another person's store, so `verify` knows why they are absent.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SPLIT_EVENT = "store.split"  # the audit event naming the records moved to another person's store

# outbox entity → table
_TABLE = {
    "inspection": "inspection",
    "item_result": "itemresult",
    "hazard": "hazard",
    "hazardevent": "hazardevent",
    "photo": "photo",
    "document": "document",
    "signature": "signature",
    "patrol": "patrol",
    "patrolvisit": "patrolvisit",
    "hazardreport": "hazardreport",
    "taskstep": "taskstep",
    "owntask": "task",
}
# table → the entity name its audit events carry
_AUDIT_ENTITY = {"itemresult": "item_result"}
# deleted children first (foreign keys are on)
_DELETE_ORDER = (
    "signature",
    "photo",
    "hazardevent",
    "document",
    "hazard",
    "itemresult",
    "hazardreport",
    "patrolvisit",
    "patrol",
    "taskstep",
    "task",
    "inspection",
)


@dataclass
class Partition:
    """Whose each locally made record is: table → record id → user id."""

    owner: str | None
    authors: dict[str, dict[str, str | None]] = field(default_factory=lambda: defaultdict(dict))
    outbox: dict[int, str | None] = field(default_factory=dict)  # outbox seq → author
    drafts: dict[str, str | None] = field(default_factory=dict)  # docdraft key → author

    def people(self) -> list[str | None]:
        """Everyone with work of their own in the outbox, the owner first."""
        found: list[str | None] = [self.owner]
        for who in self.outbox.values():
            if who not in found:
                found.append(who)
        return found

    def moved_out(self, person: str | None) -> dict[str, set[str]]:
        """Records (table → ids) that belong to another person who gets a store of their own."""
        others = set(self.people()) - {person}
        out: dict[str, set[str]] = defaultdict(set)
        for table, rows in self.authors.items():
            for rid, who in rows.items():
                if who in others:
                    out[table].add(rid)
        return out


def _rows(conn: sqlite3.Connection, sql: str) -> list[tuple[str, ...]]:
    return list(conn.execute(sql).fetchall())


def partition(conn: sqlite3.Connection, owner: str | None) -> Partition:
    """Work out who made each record of the shared database `conn`."""
    p = Partition(owner)
    a = p.authors

    def by(who: str | None) -> str | None:
        return who if who else owner

    for iid, who in _rows(conn, "SELECT id, created_by FROM inspection"):
        a["inspection"][iid] = by(who)
    for rid, iid in _rows(conn, "SELECT id, inspection_id FROM itemresult"):
        a["itemresult"][rid] = a["inspection"].get(iid, owner)
    for hid, iid in _rows(conn, "SELECT id, inspection_id FROM hazard"):
        a["hazard"][hid] = a["inspection"].get(iid, owner)
    for eid, hid in _rows(conn, "SELECT id, hazard_id FROM hazardevent"):
        a["hazardevent"][eid] = a["hazard"].get(hid, owner)
    for pid, who in _rows(conn, "SELECT id, user_id FROM patrol"):
        a["patrol"][pid] = by(who)
    for vid, pid in _rows(conn, "SELECT id, patrol_id FROM patrolvisit"):
        a["patrolvisit"][vid] = a["patrol"].get(pid, owner)
    for rid, pid, who in _rows(conn, "SELECT id, patrol_id, user_id FROM hazardreport"):
        a["hazardreport"][rid] = a["patrol"][pid] if pid in a["patrol"] else by(who)
    for tid, who in _rows(conn, "SELECT id, created_by FROM task WHERE origin = 'self'"):
        a["task"][tid] = by(who)
    for sid, who in _rows(conn, "SELECT id, actor_id FROM taskstep"):
        a["taskstep"][sid] = by(who)
    for row in _rows(conn, "SELECT id, inspection_id, hazard_id, visit_id, report_id FROM photo"):
        pid, iid, hid, vid, rid = row
        if iid in a["inspection"]:
            a["photo"][pid] = a["inspection"][iid]
        elif hid in a["hazard"]:
            a["photo"][pid] = a["hazard"][hid]
        elif vid in a["patrolvisit"]:
            a["photo"][pid] = a["patrolvisit"][vid]
        else:
            a["photo"][pid] = a["hazardreport"].get(rid, owner)
    _documents(conn, p)
    for sid, did in _rows(conn, "SELECT id, document_id FROM signature"):
        a["signature"][sid] = a["document"].get(did, owner)
    for seq, entity, eid in _rows(conn, "SELECT seq, entity, entity_id FROM outbox"):
        table = _TABLE.get(entity)
        p.outbox[int(seq)] = a[table].get(eid, owner) if table else owner
    for key, iid in _rows(conn, "SELECT key, inspection_id FROM docdraft"):
        p.drafts[key] = a["inspection"].get(iid, owner) if iid else owner
    return p


def _documents(conn: sqlite3.Connection, p: Partition) -> None:
    """A document follows its inspection; one without (a 送达回执, a correction) follows the
    document it refers to or replaces, else whoever issued it (its audit events)."""
    a = p.authors
    docs = {
        d: (iid, ref, sup)
        for d, iid, ref, sup in _rows(
            conn, "SELECT id, inspection_id, refers_to_id, supersedes_id FROM document"
        )
    }
    # the first event of each document names who made it (SQLite takes the bare column from the
    # row holding the MIN)
    actors = {
        eid: who
        for eid, who, _first in _rows(
            conn,
            "SELECT entity_id, actor_id, MIN(seq) FROM auditevent WHERE entity = 'document' "
            "AND actor_id IS NOT NULL GROUP BY entity_id",
        )
    }

    def author(doc: str, seen: set[str]) -> str | None:
        if doc in a["document"]:
            return a["document"][doc]
        iid, ref, sup = docs[doc]
        if iid in a["inspection"]:
            return a["inspection"][iid]
        seen.add(doc)
        for other in (ref, sup):
            if other in docs and other not in seen:
                return author(other, seen)
        return actors.get(doc) or p.owner

    for doc in docs:
        a["document"][doc] = author(doc, set())


def _in(ids: Iterable[str]) -> tuple[str, list[str]]:
    values = list(ids)
    return ",".join("?" * len(values)), values


def keep_only(conn: sqlite3.Connection, p: Partition, person: str | None) -> dict[str, list[str]]:
    """Remove from `conn` (a copy of the shared database) what belongs to other people with stores
    of their own; returns what was removed (audit entity name → ids). One transaction; the caller
    commits."""
    moved = p.moved_out(person)
    if "document" in moved:
        marks, ids = _in(moved["document"])
        # the serial stays used on this device (never handed out again); only the link goes
        conn.execute(f"UPDATE numberuse SET document_id = NULL WHERE document_id IN ({marks})", ids)
    if "inspection" in moved:
        marks, ids = _in(moved["inspection"])
        for child in ("inspectioninspector", "inspectionchecklist"):
            conn.execute(f"DELETE FROM {child} WHERE inspection_id IN ({marks})", ids)
    for table in _DELETE_ORDER:
        gone = moved.get(table)
        if gone:
            marks, ids = _in(gone)
            conn.execute(f"DELETE FROM {table} WHERE id IN ({marks})", ids)
    foreign = [seq for seq, who in p.outbox.items() if who != person]
    if foreign:
        marks, seqs = _in(str(s) for s in foreign)
        conn.execute(f"DELETE FROM outbox WHERE seq IN ({marks})", seqs)
    drafts = [key for key, who in p.drafts.items() if who != person]
    if drafts:
        marks, keys = _in(drafts)
        conn.execute(f"DELETE FROM docdraft WHERE key IN ({marks})", keys)
    return {_AUDIT_ENTITY.get(t, t): sorted(ids) for t, ids in moved.items() if ids}


def referenced_blobs(conn: sqlite3.Connection) -> set[str]:
    """Every file hash a row of this database names."""
    found: set[str] = set()
    for sql in (
        "SELECT original_sha256, display_sha256, thumb_sha256 FROM photo",
        "SELECT pdf_sha256 FROM document WHERE pdf_sha256 IS NOT NULL",
        "SELECT image_sha256 FROM signature WHERE image_sha256 IS NOT NULL",
    ):
        for row in conn.execute(sql):
            found.update(v for v in row if v)
    return found


def drop_unnamed_blob_rows(conn: sqlite3.Connection, keep: set[str]) -> None:
    """Remove `blob` rows no record of this copy names (their files are not copied)."""
    held = {sha for (sha,) in conn.execute("SELECT sha256 FROM blob")}
    gone = held - keep
    if gone:
        marks, shas = _in(gone)
        conn.execute(f"DELETE FROM blob WHERE sha256 IN ({marks})", shas)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file (its WAL included), written durably."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()
