"""Document forms saved as they are typed (草稿): a flat battery, a crash or a mistaken 取消 must
not cost the inspector a form filled in front of the unit.

One saved form per case (`Draft.key`: kind, inspection, the document it refers to or replaces).
What is kept is the form's JSON; drawn signatures are not: a signature belongs to the text the
signer saw, so after a restore each party signs again. Issuing the document removes its saved
form in the same transaction (DocumentService.issue).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any

from inspector.documents.model import Officer, Party
from inspector.services.changes import Done
from inspector.services.context import Context
from inspector.services.documents import Draft, DraftItem, SignerInput
from inspector.store.models import DocDraft

FORMAT = 1  # bumped when the JSON changes shape; an older saved form is then not offered


@dataclass(frozen=True)
class SavedDraft:
    draft: Draft
    saved_at: datetime
    had_signatures: bool  # signatures were drawn before it was saved: they must be drawn again


def draft_json(draft: Draft) -> str:
    """The form as JSON, without drawn signatures."""
    body = asdict(draft)
    for signer in body["signers"]:
        signer["image_png"] = None
    for item in body["items"]:
        item["deadline"] = item["deadline"].isoformat() if item["deadline"] else None
    body["format"] = FORMAT
    body["signed"] = any(s.image_png for s in draft.signers)
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """Only the fields `cls` has (a later version may have added some)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def draft_from_json(text: str) -> tuple[Draft, bool]:
    """The form and whether it had drawn signatures; ValueError when it cannot be read."""
    body = json.loads(text)
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise ValueError("not a saved form of this version")
    try:
        items = [
            DraftItem(
                **_known(
                    DraftItem,
                    {**i, "deadline": date.fromisoformat(i["deadline"]) if i["deadline"] else None},
                )
            )
            for i in body["items"]
        ]
        draft = Draft(
            **{
                **_known(Draft, body),
                "party": Party(**_known(Party, body["party"])),
                "officers": [Officer(**_known(Officer, o)) for o in body["officers"]],
                "items": items,
                "signers": [SignerInput(**_known(SignerInput, x)) for x in body["signers"]],
            }
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"saved form unreadable: {exc}") from None
    return draft, bool(body.get("signed"))


class DraftStore:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def save(self, draft: Draft) -> Done[datetime]:
        """Keep the form as it is now (replacing the case's earlier one); returns when (a form
        draft is no record any page lists, so it changes nothing they show)."""
        now = self.ctx.clock.now()
        text = draft_json(draft)
        with self.ctx.store.write() as s:
            row = s.get(DocDraft, draft.key)
            if row is None:
                row = DocDraft(
                    key=draft.key,
                    kind=draft.kind,
                    unit_id=draft.unit_id,
                    inspection_id=draft.inspection_id,
                    data=text,
                    saved_at=now,
                )
            else:
                row.data, row.saved_at = text, now
            s.add(row)
        return Done(now)

    def find(self, draft: Draft) -> SavedDraft | None:
        """The saved form of the same case as `draft`, if there is one that can be read."""
        with self.ctx.store.read() as s:
            row = s.get(DocDraft, draft.key)
            if row is None:
                return None
            text, saved_at = row.data, row.saved_at
        try:
            saved, signed = draft_from_json(text)
        except ValueError:
            return None
        return SavedDraft(saved, saved_at, signed)

    def discard(self, draft: Draft) -> Done[None]:
        with self.ctx.store.write() as s:
            row = s.get(DocDraft, draft.key)
            if row is not None:
                s.delete(row)
        return Done(None)
