"""A desktop client's day of work in its own process, for running under libfaketime (a wrong
device clock): sign in, sync once, record an inspection with a finding due in three days, issue its
现场检查记录 and a 责令限期整改指令书, sync again. Prints what it did as one JSON line.

    python -m tests.support.wrong_clock_client DATA_DIR SERVER_URL USERNAME PASSWORD DEVICE_ID
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "tests.support.memory_keyring.MemoryKeyring")

from inspector.services.facade import Services
from inspector.services.inspections.recording import HazardInput, StartInspection

DEADLINE_DAYS = 3


def main(argv: list[str]) -> int:
    data_dir, url, username, password, device_id = argv
    svc = Services.open(Path(data_dir))
    try:
        svc.sync.sign_in(url, username, password, device_id=device_id)
        first = svc.sync.run()
        if not first.ok:
            print(json.dumps({"error": first.error}, ensure_ascii=False))
            return 1
        clock = svc.ctx.clock
        unit = svc.units.search("", limit=1)[0]
        people = [p.id for p in svc.inspections.people() if p.cert_no][:2]
        checklist = svc.inspections.checklists()[0].id
        iid = svc.inspections.start(StartInspection(unit.id, people, [checklist])).value
        hid = svc.inspections.add_hazard(
            iid,
            HazardInput(
                "配电箱前堆放杂物",
                legal_basis="《中华人民共和国安全生产法》第四十二条",
                measure="清除杂物",
                deadline=clock.today() + timedelta(days=DEADLINE_DAYS),
            ),
        ).value
        svc.inspections.finish(iid, "检查发现一处问题。")
        record = svc.records.issue_site_record(iid).value
        draft = svc.documents.draft_from_inspection("rectification_order", iid)
        order = svc.documents.issue(draft).value
        second = svc.sync.run()
        print(
            json.dumps(
                {
                    "device_now": clock.device_now().isoformat(),
                    "offset_s": clock.offset_s,
                    "inspection_id": iid,
                    "hazard_id": hid,
                    "record_id": record.document_id,
                    "record_pdf": record.pdf_sha256,
                    "order_id": order.document_id,
                    "order_pdf": order.pdf_sha256,
                    "second_sync_ok": second.ok,
                    "second_sync_error": second.error,
                },
                ensure_ascii=False,
            )
        )
        return 0
    finally:
        svc.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
