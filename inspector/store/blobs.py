"""Content-addressed files (photos, PDFs, signatures) under <data dir>/blobs/, named by SHA-256.

A file is written to a temporary name, fsynced, then renamed into place; only after that may a row
point to its hash. Re-adding the same bytes is a no-op.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path

from inspector.domain.errors import UserError


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put(self, data: bytes, sha256: str | None = None) -> str:
        """Store bytes durably and return their hash."""
        digest = sha256 or sha256_bytes(data)
        final = self.path_for(digest)
        if final.is_file() and final.stat().st_size == len(data):
            return digest
        try:
            write_durably(final, data)
        except OSError as exc:
            raise UserError(f"无法保存文件：{disk_problem(exc)}。已保存的记录不受影响。") from None
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def verify(self, sha256: str) -> str | None:
        """None when the stored file is whole; otherwise what is wrong, in Chinese."""
        path = self.path_for(sha256)
        if not path.is_file():
            return "文件缺失"
        actual = sha256_file(path)
        if actual != sha256:
            return f"文件内容与登记的哈希不符（实际 {actual[:12]}…）"
        return None


def write_durably(final: Path, data: bytes, *, mode: int | None = None) -> None:
    """Temp file in the same folder, fsync, rename over `final`, fsync the folder. The file is
    private to this user (0600, as mkstemp makes it) unless `mode` says otherwise (POSIX)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".tmp-")
    try:
        if mode is not None and os.name == "posix":
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(final.parent)


def disk_problem(exc: OSError) -> str:
    """What went wrong with the disk, in words an inspector can act on."""
    if exc.errno == errno.ENOSPC:
        return "存储空间不足，请清理磁盘后重试"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "没有写入权限（磁盘或U盘可能被写保护）"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "目标文件夹不存在（U盘可能已拔出）"
    if exc.errno == errno.EEXIST:
        return "路径中有一个同名的文件，不能当作文件夹使用"
    if exc.errno == errno.EISDIR:
        return "已有同名的文件夹，请换一个文件名"
    if exc.errno == errno.ENAMETOOLONG:
        return "文件名或路径过长，请换一个短一些的名称"
    if exc.errno == errno.EIO:
        return "磁盘读写出错（U盘可能已损坏或被拔出）"
    return f"磁盘错误（{exc.strerror or exc}）"


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in `path` durable (a no-op where folders cannot be opened)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
