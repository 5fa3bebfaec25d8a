"""The checks before issue: the agency's settings, a double issue, the 复查 prerequisite, and the
pure rules of domain.document_rules."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlmodel import Session, select

from inspector.documents.model import (
    Party,
)
from inspector.domain.document_kinds import (
    CASE_TRANSFER,
    PENALTY_DECISION,
    party_is_person,
)
from inspector.domain.document_rules import RuleInput, problems
from inspector.domain.enums import HazardStatus
from inspector.services.documents.drafting import Drafting
from inspector.services.documents.model import (
    ELECTRONIC,
    ISSUED,
    RIGHTS_NOTICE_KINDS,
    VOIDED,
    Draft,
    agency_power,
    large_fine,
    parse_date,
    party_from,
)
from inspector.store.models import (
    Document,
    Hazard,
)


class Rules(Drafting):
    """What a 法制审核 reviewer would refuse before a draft is issued."""

    # -- the rules ---------------------------------------------------------------------------
    def problems(self, draft: Draft) -> list[str]:
        """What stops this draft from being issued (empty: ready)."""
        self._sync_signers(draft)
        with self.ctx.store.read() as s:
            agency = self._agency(s, draft.agency_id)
            prior, prior_problem = self._prior(s, draft)
            source = self._source_facts(s, draft)
            supersedes_ok = True
            corrected_by: Document | None = None
            if draft.supersedes_id:
                old = s.get(Document, draft.supersedes_id)
                supersedes_ok = old is not None and old.status == VOIDED
                corrected_by = s.exec(
                    select(Document).where(
                        Document.supersedes_id == draft.supersedes_id, Document.status == ISSUED
                    )
                ).first()
            twin = self._issued_twin(s, draft)
        electronic = draft.signing == ELECTRONIC
        out: list[str] = []
        if draft.kind in RIGHTS_NOTICE_KINDS and not (
            agency.review_government.strip() and agency.court.strip()
        ):
            out.append(
                "本机关的行政复议机关或行政诉讼法院尚未设置，文书的权利告知不完整"
                "（未告知的，复议期限最长可延至一年）。请管理员在机关设置中填写。"
            )
        if corrected_by is not None:
            out.append(f"该作废文书已由{corrected_by.number}更正，不能再次更正。")
        if twin is not None and draft.supersedes_id is None:
            out.append(
                f"本次检查已签发{twin.title}（{twin.number}），同一文书不能重复签发；"
                "如需更正，请在“文书”中先作废原文书，再点“更正…”。"
            )
        if electronic and not agency.electronic_signing:
            out.append("本机关未启用电子签名，请打印后手写签名。")
        power = agency_power(agency)
        rule = RuleInput(
            kind=draft.kind,
            today=self.ctx.clock.today(),
            has_power=power.may_enforce,
            electronic=electronic,
            officers=[(o.name, o.cert_no) for o in draft.officers],
            items=[
                (i.text, i.include, i.exclude_reason, i.deadline, i.verdict) for i in draft.items
            ],
            fields=dict(draft.fields),
            rows=len([r for r in draft.rows if any(v.strip() for v in r.values())]),
            qa=[(r.get("q", ""), r.get("a", "")) for r in draft.rows],
            prior_order=prior,
            prior_problem=prior_problem,
            signers=[
                (x.role, x.name, x.image_png is not None, x.refused, x.refusal_reason, x.witness)
                for x in draft.signers
            ],
            agency_bank=bool(agency.bank_name.strip() and agency.bank_account.strip()),
            supersedes_ok=supersedes_ok,
            grades=[i.grade for i in draft.items],
            party_person=party_is_person(draft.kind, draft.fields),
            party_address=draft.party.address,
            party_id_no=draft.party.id_no if party_is_person(draft.kind, draft.fields) else "",
            large_fine_person=large_fine(agency, person=True),
            large_fine_unit=large_fine(agency, person=False),
            power_kind=power.kind.value,
            delegator=power.delegator_name,
            granted=power.granted,
            item_authorities=[i.authority for i in draft.items],
            row_values=[dict(r) for r in draft.rows],
            **source,
        )
        out += problems(rule)
        out += self._hazard_problems(draft)
        out += self._notice_basis_problems(draft)
        if not draft.spec.person and not draft.party.name.strip():
            out.append("请填写被检查（被处罚）单位名称。")
        if draft.spec.person and not draft.party.name.strip():
            out.append("请填写被处罚人姓名。")
        return out

    def _hazard_problems(self, draft: Draft) -> list[str]:
        """A 复查 cannot judge a hazard that is already 销号 (or withdrawn)."""
        if not draft.spec.reviews:
            return []
        out = []
        with self.ctx.store.read() as s:
            for n, item in enumerate(draft.items, start=1):
                hazard = s.get(Hazard, item.hazard_id) if item.hazard_id else None
                if (
                    item.include
                    and hazard is not None
                    and hazard.status
                    in (
                        HazardStatus.CLOSED.value,
                        HazardStatus.WITHDRAWN.value,
                    )
                ):
                    out.append(
                        f"第{n}项（{item.text[:16]}）的隐患已{HazardStatus(hazard.status).label}，"
                        "无需再复查；请重新制作复查意见书。"
                    )
        return out

    def _notice_basis_problems(self, draft: Draft) -> list[str]:
        """A 处罚决定书 keeps to its 罚告: a hearing the notice offered stays offered (the periods
        run from it), and the notice cannot have been served before it was issued."""
        if draft.kind != PENALTY_DECISION or not draft.refers_to_id:
            return []
        with self.ctx.store.read() as s:
            notice = s.get(Document, draft.refers_to_id)
            data = json.loads(notice.data or "{}") if notice is not None else {}
        if (data.get("fields") or {}).get("hearing") and not draft.fields.get("hearing"):
            return ["所依据的行政处罚告知书已告知听证权利，处罚决定书不能取消“已告知听证权利”。"]
        issued = parse_date(str(data.get("issued_on", "")))
        served = parse_date(draft.fields.get("notice_issued_on", ""))
        if issued is not None and served is not None and served < issued:
            return ["行政处罚告知书的送达日期不能早于其签发日期。"]
        return []

    @staticmethod
    def _issued_twin(s: Session, draft: Draft) -> Document | None:
        """An issued document of the same kind, record, source and party (a double issue)."""
        if draft.inspection_id is None:
            return None
        for doc in s.exec(
            select(Document).where(
                Document.kind == draft.kind,
                Document.inspection_id == draft.inspection_id,
                Document.status == ISSUED,
            )
        ):
            data = json.loads(doc.data or "{}")
            party = (party_from(data) or Party(name="")).name
            same_party = party == draft.party.name or not draft.spec.person
            if draft.kind == CASE_TRANSFER:  # one 移送书 per receiving authority
                same_party = (data.get("input_fields") or {}).get("authority") == (
                    draft.fields.get("authority")
                )
            if doc.refers_to_id == draft.refers_to_id and same_party:
                return doc
        return None

    def _case_of(self, s: Session, draft: Draft, per_case: bool) -> str | None:
        """The case whose serial a per-case agency gives this document: the inspection the order
        came from (a 复查 and a 送达回执 belong to the order's case). A correction takes a fresh
        serial, so it never repeats the number of the document it replaces."""
        if not per_case or draft.supersedes_id:
            return None
        case = draft.inspection_id
        if draft.refers_to_id:
            source = s.get(Document, draft.refers_to_id)
            if source is not None and source.inspection_id:
                case = source.inspection_id
        return case

    @staticmethod
    def _source_facts(s: Session, draft: Draft) -> dict[str, Any]:
        """What the follow-up rules need of the document a draft follows: its kind, the day it
        was issued, its input fields, and whether a follow-up of this kind (other than the
        voided one this draft corrects) was already issued for it."""
        if draft.spec.from_inspection or not draft.refers_to_id:
            return {}
        doc = s.get(Document, draft.refers_to_id)
        if doc is None:
            return {}
        data = json.loads(doc.data or "{}")
        issued = data.get("issued_on")
        followed = s.exec(
            select(Document.id).where(
                Document.refers_to_id == doc.id,
                Document.kind == draft.kind,
                Document.status == ISSUED,
            )
        ).first()
        return {
            "source_kind": doc.kind,
            "source_issued": date.fromisoformat(str(issued)) if issued else None,
            "source_fields": {str(k): str(v) for k, v in (data.get("input_fields") or {}).items()},
            "source_followed": followed is not None and draft.kind != "service_receipt",
        }

    def _prior(self, s: Session, draft: Draft) -> tuple[str | None, str]:
        if draft.spec.from_inspection:
            return "", ""
        doc = s.get(Document, draft.refers_to_id) if draft.refers_to_id else None
        if doc is None or doc.unit_id != draft.unit_id:
            return None, ""
        if doc.status != ISSUED:
            return (
                f"{doc.title}{doc.number or ''}",
                f"所依据的{doc.title}已作废或未签发，不能据此出具。",
            )
        if not draft.spec.may_follow(doc.kind):
            return None, ""
        return f"{doc.title}{doc.number or ''}", ""
