"""Content-addressed blob store with resumable uploads (tus-like: HEAD for the offset, PATCH to
append at it).

Where the bytes are kept, once verified:
- a blob sent whole in a batch (POST /sync/blobs; every photo, signature and most PDFs) in a pack:
  the batch's new blobs one after another in ``<blob_dir>/packs/<year-month>/<id>.pack``, one
  fsync for the batch; table ``packed_blob`` says which pack and at what offset;
- a blob sent in resumable pieces (PATCH; larger than a piece) in a file of its own,
  ``<blob_dir>/<sha[:2]>/<sha>``, grown at ``<blob_dir>/partial/<user_id>/<sha>`` — one per
  uploader, so nobody can append to, or learn about, another user's upload.
`read_blob` finds either. A pack is written in full and renamed into place before its rows are
committed; a crash in between leaves a pack nobody refers to (harmless: the device is told the
blobs are missing and sends them again).

Access rule (simple and sound): a caller may see a blob (``check`` reports it present, ``HEAD``
says complete, ``GET`` serves it) only if the caller uploaded it completely itself, or a record
in the caller's jurisdiction refers to it. Someone else holding the same bytes is invisible: the
caller is told the blob is missing and uploads it; the server re-hashes that upload, so access is
granted only on proof of possession of the bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, exists
from sqlmodel import Session, col, select

from sync.server.auth import Caller
from sync.server.db import (
    Blob,
    BlobRef,
    BlobUpload,
    PackedBlob,
    Unit,
    insert_on_conflict,
    read_session,
    relaxed_engine,
    utcnow,
    write_session,
)
from sync.server.failpoints import failpoint

try:
    import fcntl
except ImportError:  # Windows: one worker process only (see the CLI)
    fcntl = None  # type: ignore[assignment]

SHA_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_BLOB = 512 << 20  # largest single blob accepted (a scanned PDF, a long video is not evidence)
PACKS = "packs"
Chunk = bytes | memoryview
Pieces = Sequence[Chunk]  # a blob's bytes in one or more pieces (views into a request's chunks)
WRITE_SLICE = 1 << 20  # bytes per write(2): larger writes measured 4× slower on ext4 here


def split_body(chunks: Sequence[bytes], sizes: Sequence[int]) -> list[list[memoryview]]:
    """A request body, as the chunks it arrived in, cut into consecutive parts of `sizes` bytes
    without copying a byte (each part a list of views). The sizes must add up to the body."""
    parts: list[list[memoryview]] = []
    views = [memoryview(c) for c in chunks if len(c)]
    i, at = 0, 0  # the chunk being cut, and how far
    for size in sizes:
        part: list[memoryview] = []
        while size:
            take = min(size, len(views[i]) - at)
            part.append(views[i][at : at + take])
            size -= take
            at += take
            if at == len(views[i]):
                i, at = i + 1, 0
        parts.append(part)
    return parts


def digest(pieces: Pieces) -> str:
    h = hashlib.sha256()
    for piece in pieces:
        h.update(piece)
    return h.hexdigest()


def loose_path(root: Path, sha: str) -> Path:
    return root / sha[:2] / sha


def locate_blob(s: Session, root: Path, sha: str) -> tuple[Path, int, int] | None:
    """(file, offset, length) of a stored blob; None when the server does not hold it."""
    blob = s.get(Blob, sha)
    if blob is None:
        return None
    packed = s.get(PackedBlob, sha)
    if packed is not None:
        return root / PACKS / packed.pack, packed.offset, blob.length
    return loose_path(root, sha), 0, blob.length


def read_blob(engine: Engine, root: Path, sha: str) -> bytes | None:
    """A stored blob's bytes (None when the server does not hold it, or its file is gone)."""
    with read_session(engine) as s:
        where = locate_blob(s, root, sha)
    return None if where is None else read_at(*where)


def read_at(path: Path, offset: int, length: int) -> bytes | None:
    """length bytes at offset of path; None when the file is gone or too short."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read(length)
    except OSError:
        return None
    return data if len(data) == length else None


class UploadError(Exception):
    def __init__(self, status: int, detail: str, offset: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.offset = offset


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


STALE_S = 3600


def _remove_stale(folder: Path) -> None:
    """Temporary files a crash left behind (older than an hour: a running request's are not)."""
    cutoff = time.time() - STALE_S
    for entry in os.scandir(folder):
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass


class BlobStore:
    def __init__(self, root: Path, engine: Engine) -> None:
        self.root = root
        self.engine = engine
        self.record_engine = relaxed_engine(engine)  # a blob's row needs no fsync of its own
        root.mkdir(parents=True, exist_ok=True)
        (root / "partial").mkdir(exist_ok=True)
        self.incoming = root / "incoming"  # whole blobs of a batch before they are renamed
        self.incoming.mkdir(exist_ok=True)
        _remove_stale(self.incoming)
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def path(self, sha: str) -> Path:
        """Where a blob sent in pieces is kept (see `read_blob` for any blob)."""
        return loose_path(self.root, sha)

    def read(self, sha: str) -> bytes | None:
        return read_blob(self.engine, self.root, sha)

    def partial_path(self, user_id: str, sha: str) -> Path:
        return self.root / "partial" / user_id / sha

    @contextmanager
    def _lock(self, user_id: str, sha: str) -> Iterator[None]:
        """One upload of a blob by a user at a time: the threads of this process queue on a
        lock, the processes of `serve --workers N` on a lock file beside the partial file (kept:
        a removed one could be locked by two processes at once)."""
        with self._locks_guard:
            lock = self._locks.setdefault((user_id, sha), threading.Lock())
        with lock:
            if fcntl is None:
                yield
                return
            folder = self.root / "partial" / user_id
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder / f"{sha}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    # -- access ---------------------------------------------------------------------------------
    def accessible(self, s: Session, caller: Caller, shas: list[str]) -> set[str]:
        """The subset of shas that are stored and that the caller may see."""
        if not shas:
            return set()
        stored = set(s.exec(select(Blob.sha256).where(col(Blob.sha256).in_(shas))))
        if not stored:
            return set()
        own = set(
            s.exec(
                select(BlobUpload.sha256).where(
                    col(BlobUpload.sha256).in_(stored),
                    BlobUpload.user_id == caller.user_id,
                    col(BlobUpload.complete).is_(True),
                )
            )
        )
        rest = list(stored - own)
        if rest:
            in_scope = exists().where(col(Unit.id) == col(BlobRef.unit_id), caller.unit_scope())
            own |= set(
                s.exec(
                    select(BlobRef.sha256)
                    .where(col(BlobRef.sha256).in_(rest), BlobRef.agency_id == caller.agency_id)
                    .where(in_scope)
                )
            )
        return own

    # -- upload ---------------------------------------------------------------------------------
    def head(self, s: Session, caller: Caller, sha: str) -> tuple[int, int, bool] | None:
        """(offset, length, complete) for this caller, or None when not started."""
        if self.accessible(s, caller, [sha]):
            blob = s.get(Blob, sha)
            assert blob is not None
            return blob.length, blob.length, True
        up = s.get(BlobUpload, (sha, caller.user_id))
        if up is None or up.complete:
            return None
        part = self.partial_path(caller.user_id, sha)
        size = part.stat().st_size if part.exists() else 0
        return size, up.length, False

    def patch(
        self, caller: Caller, sha: str, offset: int, length: int, body: bytes
    ) -> tuple[int, int, bool]:
        """Append body at offset; at the last byte re-hash, fsync and rename. Returns
        (new offset, length, complete). Raises UploadError(409/422/400/413)."""
        if length < 0 or length > MAX_BLOB:
            raise UploadError(413, "blob_too_large")
        with self._lock(caller.user_id, sha):
            if offset == 0 and len(body) == length:
                return self._whole(caller, sha, body)
            with write_session(self.engine) as s:
                if self.accessible(s, caller, [sha]):
                    blob = s.get(Blob, sha)
                    assert blob is not None
                    if offset != blob.length:
                        raise UploadError(409, "offset_mismatch", blob.length)
                    return blob.length, blob.length, True
                up = s.get(BlobUpload, (sha, caller.user_id))
                part = self.partial_path(caller.user_id, sha)
                if up is None or up.complete:
                    up = BlobUpload(sha256=sha, user_id=caller.user_id, length=length)
                    s.add(up)
                    part.unlink(missing_ok=True)
                elif up.length != length:
                    raise UploadError(
                        409, "length_mismatch", part.stat().st_size if part.exists() else 0
                    )
            current = part.stat().st_size if part.exists() else 0
            if offset != current:
                raise UploadError(409, "offset_mismatch", current)
            if offset + len(body) > length:
                raise UploadError(400, "beyond_length", current)
            part.parent.mkdir(parents=True, exist_ok=True)
            with open(part, "ab") as fh:
                fh.write(body)
                fh.flush()
                if offset + len(body) == length:
                    os.fsync(fh.fileno())
            new_offset = offset + len(body)
            if new_offset < length:
                return new_offset, length, False
            return self._finish(caller, sha, part, length)

    def _whole(self, caller: Caller, sha: str, body: bytes) -> tuple[int, int, bool]:
        """A blob sent in one PATCH (a batch of one)."""
        _stored, refused = self.store_batch(caller, [(sha, [body])])
        if refused:
            raise UploadError(422, "hash_mismatch", 0)
        return len(body), len(body), True

    def _record_many(
        self,
        caller: Caller,
        blobs: list[tuple[str, int]],
        placed: Sequence[tuple[str, str, int]] = (),
    ) -> None:
        """The blobs are stored and verified: the rows that say so (and where a packed one is),
        and this caller's uploads, in one transaction."""
        failpoint("blob.before_record")
        engine = self.record_engine
        with write_session(engine, durable=False) as s:
            s.execute(
                insert_on_conflict(engine, Blob).on_conflict_do_nothing(),
                [{"sha256": sha, "length": n, "created_at": utcnow()} for sha, n in blobs],
            )
            if placed:
                s.execute(
                    insert_on_conflict(engine, PackedBlob).on_conflict_do_nothing(),
                    [{"sha256": sha, "pack": pack, "offset": at} for sha, pack, at in placed],
                )
            ins = insert_on_conflict(engine, BlobUpload)
            s.execute(
                ins.on_conflict_do_update(
                    index_elements=["sha256", "user_id"],
                    set_={"length": ins.excluded.length, "complete": True},
                ),
                [
                    {
                        "sha256": sha,
                        "user_id": caller.user_id,
                        "length": n,
                        "complete": True,
                        "started_at": utcnow(),
                    }
                    for sha, n in blobs
                ],
            )
        failpoint("blob.after_record")

    def store_batch(
        self, caller: Caller, items: Sequence[tuple[str, Pieces]]
    ) -> tuple[list[str], dict[str, str]]:
        """Blobs sent whole in one request: each verified against its name; the ones the server
        lacks written one after another into one new pack file, made durable (data, rename,
        directory) and recorded in one transaction. One fsync for the batch, not two per blob.
        Returns (stored shas, refused sha → reason); a refused blob leaves nothing behind."""
        refused = {sha: "hash_mismatch" for sha, pieces in items if digest(pieces) != sha}
        good = {sha: pieces for sha, pieces in items if sha not in refused}
        if not good:
            return [], refused
        with read_session(self.engine) as s:
            held = set(s.exec(select(Blob.sha256).where(col(Blob.sha256).in_(list(good)))))
        new = [(sha, body) for sha, body in good.items() if sha not in held]
        placed = self._write_pack(new) if new else []
        if (self.root / "partial" / caller.user_id).is_dir():  # this user started uploads
            for sha in good:
                self.partial_path(caller.user_id, sha).unlink(missing_ok=True)  # a stale start
        sizes = [(sha, sum(len(p) for p in pieces)) for sha, pieces in good.items()]
        self._record_many(caller, sizes, placed)
        return list(good), refused

    def _write_pack(self, blobs: list[tuple[str, Pieces]]) -> list[tuple[str, str, int]]:
        """The blobs one after another in a new file under packs/<year-month>/, fsynced and
        renamed into place before anything says they are stored. Returns (sha, pack, offset)."""
        name = f"{utcnow():%Y-%m}/{uuid.uuid4().hex}.pack"
        tmp = self.incoming / f"{uuid.uuid4().hex}.pack"
        placed, at = [], 0
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            for sha, pieces in blobs:
                placed.append((sha, name, at))
                for piece in pieces:
                    view = memoryview(piece)
                    while view:
                        view = view[os.write(fd, view[:WRITE_SLICE]) :]
                    at += len(piece)
            os.fdatasync(fd)
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        os.close(fd)
        final = self.root / PACKS / name
        folder_is_new = not final.parent.exists()
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        if folder_is_new:
            _fsync_dir(final.parent.parent)
        return placed

    def partial_offsets(self, s: Session, caller: Caller, shas: list[str]) -> dict[str, int]:
        """Bytes already received of this caller's unfinished uploads (where to resume)."""
        if not shas:
            return {}
        rows = s.exec(
            select(BlobUpload.sha256).where(
                col(BlobUpload.sha256).in_(shas),
                BlobUpload.user_id == caller.user_id,
                col(BlobUpload.complete).is_(False),
            )
        )
        out = {}
        for sha in rows:
            part = self.partial_path(caller.user_id, sha)
            size = part.stat().st_size if part.exists() else 0
            if size:
                out[sha] = size
        return out

    def _finish(self, caller: Caller, sha: str, part: Path, length: int) -> tuple[int, int, bool]:
        h = hashlib.sha256()
        with open(part, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        if h.hexdigest() != sha:
            part.unlink(missing_ok=True)
            with write_session(self.engine) as s:
                up = s.get(BlobUpload, (sha, caller.user_id))
                if up is not None and not up.complete:
                    s.delete(up)
            raise UploadError(422, "hash_mismatch", 0)
        final = self.path(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            part.unlink()
        else:
            os.replace(part, final)
            _fsync_dir(final.parent)
        self._record_many(caller, [(sha, length)])
        return length, length, True
