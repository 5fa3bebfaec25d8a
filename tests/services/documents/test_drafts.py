"""Document forms saved as they are typed: what comes back is the form as it was (rare characters,
dates, excluded items, 清单 rows), minus drawn signatures, which must be drawn again; issuing
removes the case's saved form and no other; a saved form that cannot be read is not offered."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from inspector.services.documents.drafts import draft_json
from inspector.services.facade import Services
from inspector.store.models import DocDraft
from tests.support.documents import inspection_with_hazards, load_blocks

PNG = b"\x89PNG\r\n\x1a\n-not-really-a-signature"


def edited(services: Services, iid: str):  # type: ignore[no-untyped-def]
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    items = [replace(i) for i in draft.items]
    items[1].include = False
    items[1].exclude_reason = "已当场整改"
    items[0].deadline = services.ctx.clock.today() + timedelta(days=3)
    items[0].text = "配电箱前堆放杂物（𠀀堃喆）"
    signers = [replace(x) for x in draft.signers]
    signers[0].image_png = PNG
    return replace(
        draft,
        party=replace(draft.party, legal_rep="王喆", phone="13800000000"),
        items=items,
        signers=signers,
        fields={**draft.fields, "note": "限期内报送整改报告"},
    )


def test_a_saved_form_comes_back_as_it_was_without_signatures(services: Services) -> None:
    iid = inspection_with_hazards(services)
    form = edited(services, iid)
    assert services.drafts.find(form) is None
    services.drafts.save(form)
    fresh = services.documents.draft_from_inspection("rectification_order", iid)
    saved = services.drafts.find(fresh)  # the same case, found from a form made anew
    assert saved is not None and saved.had_signatures
    assert saved.saved_at == services.ctx.clock.now()
    want = replace(form, signers=[replace(x, image_png=None) for x in form.signers])
    assert saved.draft == want
    assert saved.draft.items[0].text.endswith("（𠀀堃喆）")
    assert saved.draft.items[0].deadline == form.items[0].deadline
    assert saved.draft.party.legal_rep == "王喆"

    # saved again: one row for the case, the newer form
    services.drafts.save(replace(form, fields={**form.fields, "note": "改过"}))
    with services.ctx.store.read() as s:
        assert len(list(s.exec(select(DocDraft)))) == 1
    again = services.drafts.find(fresh)
    assert again is not None and again.draft.fields["note"] == "改过"


def test_issuing_removes_only_its_own_saved_form(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_hazards(services)
    load_blocks(services, tmp_path, "责改", 1, 9)
    order = services.documents.draft_from_inspection("rectification_order", iid)
    notice = services.documents.draft_from_inspection("hazard_notice", iid)
    services.drafts.save(order)
    services.drafts.save(notice)
    services.documents.issue(order)
    assert services.drafts.find(order) is None
    assert services.drafts.find(notice) is not None


def test_a_saved_form_that_cannot_be_read_is_not_offered(services: Services) -> None:
    iid = inspection_with_hazards(services)
    form = services.documents.draft_from_inspection("rectification_order", iid)
    services.drafts.save(form)
    for broken in ("{not json", '{"format": 0}', '{"format": 1, "kind": "x"}'):
        with services.ctx.store.write() as s:
            row = s.get(DocDraft, form.key)
            assert row is not None
            row.data = broken
            s.add(row)
        assert services.drafts.find(form) is None
    services.drafts.discard(form)
    with services.ctx.store.read() as s:
        assert s.get(DocDraft, form.key) is None
    assert '"image_png": null' in draft_json(edited(services, iid))
