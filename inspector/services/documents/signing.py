"""Paper signing after issue (登记手写签名): who signed, who refused (reason, witness), the photo of
the signed copy."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import col, select

from inspector.domain.errors import UserError
from inspector.services.blob_rows import ensure_blob_row
from inspector.services.changes import Changes, Done, done
from inspector.services.documents.issuing import Issuing
from inspector.services.documents.model import (
    ISSUED,
    PAPER,
    SignerInput,
)
from inspector.services.journal import audit
from inspector.services.setting_rows import current_user_id
from inspector.services.textcheck import clean_text
from inspector.store.models import (
    Document,
    Signature,
)


class PaperSigning(Issuing):
    """Who signed the printed copy, who refused, and its photo."""

    def record_paper_signing(
        self,
        document_id: str,
        signers: list[SignerInput],
        signed_copy: bytes | Path | None,
    ) -> Done[None]:
        """After printing: who signed the paper by hand (a photo of the signed copy as evidence),
        and who refused, with reason and witness."""
        with self.ctx.store.read() as s:
            doc = s.get(Document, document_id)
            if doc is None or doc.status != ISSUED:
                raise UserError("只能为已签发的文书登记签名。")
        for x in signers:
            if x.refused and (not x.refusal_reason.strip() or not x.witness.strip()):
                raise UserError(f"{x.name or '当事人'}拒绝签名的，须记录理由和见证人。")
            clean_text("拒签理由", x.refusal_reason, max_chars=500)
            clean_text("见证人", x.witness, max_chars=100)
        if not signers:
            raise UserError("请至少登记一位签名人。")
        signed_copy_jpeg: bytes | None
        if isinstance(signed_copy, Path):
            try:
                signed_copy_jpeg = signed_copy.read_bytes()
            except OSError:
                raise UserError(f"无法读取签字文书照片：{signed_copy}。") from None
        else:
            signed_copy_jpeg = signed_copy
        blob = self.ctx.blobs.put(signed_copy_jpeg) if signed_copy_jpeg else None
        with self.ctx.store.write() as s:
            if blob is not None and signed_copy_jpeg is not None:
                ensure_blob_row(s, self.ctx.clock, blob, len(signed_copy_jpeg), "image/jpeg")
            for x in signers:
                self._add_signature(s, document_id, x, "refused" if x.refused else PAPER, blob)
            audit(
                s,
                self.ctx.clock,
                "document.signed_on_paper",
                "document",
                document_id,
                current_user_id(s),
                {
                    "signers": [
                        {"role": x.role, "name": x.name, "refused": x.refused} for x in signers
                    ],
                    "signed_copy_sha256": blob,
                },
            )
        return done(Changes(documents=frozenset({document_id})))

    def paper_signers(self, document_id: str) -> list[SignerInput]:
        """Who is expected to sign the printed copy (officers, then the party or recipient)."""
        with self.ctx.store.read() as s:
            doc = s.get(Document, document_id)
            if doc is None:
                raise UserError("找不到该文书。")
            data = json.loads(doc.data or "{}")
        listed = [
            SignerInput(str(x.get("role", "")), str(x.get("name", "")))
            for x in data.get("signatures", [])
            if isinstance(x, dict)
        ]
        if listed:
            return listed
        officers = [
            SignerInput("officer", str(o.get("name", "")), str(o.get("cert_no", "")))
            for o in data.get("officers", [])
        ]
        return [*officers, SignerInput("party", str(data.get("representative", "")))]

    def signatures(self, document_id: str) -> list[Signature]:
        with self.ctx.store.read() as s:
            return list(
                s.exec(
                    select(Signature)
                    .where(Signature.document_id == document_id)
                    .order_by(col(Signature.recorded_at))
                )
            )
