"""A laptop that dies: a child process is SIGKILLed right after an edit returns. On restart the
edit is there and the database file is whole."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from inspector.services.demo.county import load_demo
from inspector.services.facade import Services

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from inspector.services.facade import Services
    from inspector.services.inspections.recording import StartInspection, HazardInput

    services = Services.open(Path(sys.argv[1]))
    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    unit = services.units.search("", limit=1)[0]
    cl = services.inspections.checklists()[0]
    iid = services.inspections.start(StartInspection(unit.id, people, [cl.id])).value
    item = services.inspections.view(iid).checklists[0].items[0]
    services.inspections.set_item(iid, item.id, "fail", "配电箱门损坏，带电部位外露")
    services.inspections.add_hazard(iid, HazardInput(description="安全出口上锁"))
    print(iid, item.id, flush=True)   # the edits have returned: the parent kills us now
    time.sleep(60)
    """
)


@pytest.mark.slow
def test_sigkill_right_after_an_edit_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    seed = Services.open(data)
    load_demo(seed.ctx, n_units=50, seed=3)
    seed.close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert child.stdout is not None
    line = child.stdout.readline().split()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    iid, item_id = line

    with sqlite3.connect(data / "inspector.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    services = Services.open(data)
    try:
        view = services.inspections.view(iid)
        marked = {it.id: it for cl in view.checklists for it in cl.items}[item_id]
        assert marked.result == "fail" and marked.note == "配电箱门损坏，带电部位外露"
        assert sorted(h.description for h in view.hazards) == [
            "安全出口上锁",
            "配电箱门损坏，带电部位外露",
        ]
        assert services.unsynced_count() == 4  # inspection, item result, two hazards
    finally:
        services.close()
