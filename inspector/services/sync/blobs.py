"""Step 2 of a run: ask which blobs the server lacks and send them (small ones whole in
batches, large ones in resumable pieces) while the push goes on behind them."""

from __future__ import annotations

import json

from sqlmodel import col, select

from inspector.services.sync.steps import RunState
from inspector.services.sync.uploads import BatchSizer, UploadQueue, file_size, plan_uploads
from inspector.store.models import Outbox
from sync.contract import MANIFEST_HEADER, BlobBatchResult, BlobMissing, manifest

CHECK_BATCH = 1000
UPLOAD_WORKERS = 3


class BlobSteps(RunState):
    def start_uploads(self) -> UploadQueue | None:
        """Ask which blobs the server lacks and start sending them (None: nothing to send)."""
        with self.ctx.store.read() as s:
            refs_json = s.exec(
                select(Outbox.blob_refs).where(Outbox.state == "pending").order_by(col(Outbox.seq))
            ).all()
        wanted = list(dict.fromkeys(sha for raw in refs_json for sha in json.loads(raw or "[]")))
        if not wanted:
            return None
        missing: list[str] = []
        partial: dict[str, int] = {}
        for i in range(0, len(wanted), CHECK_BATCH):
            r = self.request(
                "POST", "/sync/blobs/check", json={"sha256": wanted[i : i + CHECK_BATCH]}
            )
            answer = self.answer(
                r, BlobMissing, "核对附件", "服务器对附件核对的回答无法识别。已保存的记录不受影响。"
            )
            missing.extend(answer.missing)
            partial.update(answer.partial)
        if not missing:
            return None
        uploads = plan_uploads(
            [(sha, file_size(self.ctx.blobs.path_for(sha))) for sha in missing],
            partial,
            self.svc.chunk_size,
        )
        self.progress("上传附件", 0, len(missing))
        return UploadQueue(
            uploads,
            self.upload_batch,
            lambda sha: self.upload(sha, partial.get(sha, 0)),
            UPLOAD_WORKERS,
            self.check,
            BatchSizer(self.svc.batch_bytes),
        )

    def missing_file(self, sha: str) -> None:
        self.report.warnings.append(
            f"本机缺少附件文件 {sha[:12]}…，引用它的记录暂不能上传。请运行数据校验。"
        )

    def damaged_file(self, sha: str) -> None:
        self.report.warnings.append(
            f"附件 {sha[:12]}… 的内容与其哈希不符（本机文件可能已损坏），未上传。"
        )

    def upload_batch(self, shas: list[str]) -> None:
        """Small blobs whole in one request (POST /sync/blobs). A cut connection keeps nothing
        of the batch on the server, and the resend costs at most one batch."""
        items: list[tuple[str, int]] = []
        bodies: list[bytes] = []
        for sha in shas:
            try:
                data = self.ctx.blobs.path_for(sha).read_bytes()
            except OSError:
                with self.lock:
                    self.missing_file(sha)
                continue
            if len(data) > self.svc.chunk_size:  # grew since it was planned: send it in pieces
                self.upload(sha)
                continue
            items.append((sha, len(data)))
            bodies.append(data)
        if not items:
            return
        r = self.request(
            "POST",
            "/sync/blobs",
            content=bodies,  # sent one after another, not joined: a copy of every byte less
            headers={
                MANIFEST_HEADER: manifest(items),
                "Content-Type": "application/octet-stream",
                "Content-Length": str(sum(n for _, n in items)),
            },
        )
        answer = self.answer(
            r, BlobBatchResult, "上传附件", "服务器对附件上传的回答无法识别。已保存的记录不受影响。"
        )
        lengths = dict(items)
        with self.lock:
            self.report.blobs_uploaded += len(answer.stored)
            self.report.bytes_uploaded += sum(lengths.get(sha, 0) for sha in answer.stored)
            for sha in answer.refused:
                self.damaged_file(sha)

    def upload(self, sha: str, offset: int = 0) -> None:
        """PATCH from `offset` (where the check said this device's earlier upload stopped); a 409
        names the offset the server has, and the upload goes on from there."""
        path = self.ctx.blobs.path_for(sha)
        if not path.is_file():
            with self.lock:
                self.missing_file(sha)
            return
        length = path.stat().st_size
        if not 0 <= offset <= length:
            offset = 0
        restarts = 0
        with path.open("rb") as fh:
            while True:
                fh.seek(offset)
                chunk = fh.read(self.svc.chunk_size)
                r = self.request(
                    "PATCH",
                    f"/sync/blobs/{sha}",
                    content=chunk,
                    headers={
                        "Upload-Offset": str(offset),
                        "Upload-Length": str(length),
                        "Content-Type": "application/offset+octet-stream",
                    },
                )
                if r.status_code == 204:
                    with self.lock:
                        self.report.bytes_uploaded += len(chunk)
                    offset = int(r.headers.get("Upload-Offset", offset + len(chunk)))
                    if r.headers.get("X-Complete") == "1" or offset >= length:
                        with self.lock:
                            self.report.blobs_uploaded += 1
                        return
                    self.check()
                    continue
                if r.status_code == 409 and restarts < 5:  # someone else's offset: resume there
                    restarts += 1
                    offset = int(r.headers.get("Upload-Offset", "0"))
                    continue
                if r.status_code == 422:
                    with self.lock:
                        self.damaged_file(sha)
                    return
                raise self.fail(r, "上传附件")
