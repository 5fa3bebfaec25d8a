"""Enforcement documents other than the 现场检查记录: draft from the record, check, issue, void.

A draft is plain data the person edits in a form (never the PDF). Issuing runs the reviewer's rules,
takes the next number from this device's blocks, renders and hashes the PDF, and stores number,
document, signatures, hazard steps, outbox and audit event in one transaction. An issued document is
never changed: it can be voided (作废, with a reason) and replaced by a new one naming it.

The parts, one module each: `model` (the draft and its results), `drafting`, `rules` (checks before
issue), `issuing` (issue and void), `signing` (paper signatures), `register` (文书台账),
`case_file` (the case: its documents in order, deadlines and 案卷 PDF).
`DocumentService` is all of them on one Context.
"""

from __future__ import annotations

from inspector.services.documents.case_file import CaseFile
from inspector.services.documents.model import (
    ELECTRONIC,
    ISSUED,
    PAPER,
    RIGHTS_NOTICE_KINDS,
    STATUS_LABELS,
    VOIDED,
    DocumentRow,
    Draft,
    DraftItem,
    IssuedDocument,
    KindChoice,
    SignerInput,
)

__all__ = [
    "ELECTRONIC",
    "ISSUED",
    "PAPER",
    "RIGHTS_NOTICE_KINDS",
    "STATUS_LABELS",
    "VOIDED",
    "DocumentRow",
    "DocumentService",
    "Draft",
    "DraftItem",
    "IssuedDocument",
    "KindChoice",
    "SignerInput",
]


class DocumentService(CaseFile):
    """Every document use case on one Context."""
