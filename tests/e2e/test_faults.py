"""Fault injection: three devices sync with the real server process through a relay that breaks
connections at random byte offsets; every twentieth fault SIGKILLs the server instead, and the
server also dies now and then at failpoints inside its own work; it is restarted each time. A
photo file goes missing or bad on a device every fortieth fault. Nothing may be lost or
duplicated (tests/support/fault_campaign.py lists the promises it checks). The benchmark script
runs the same campaign with ≥ 1,000 faults."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.fault_campaign import Campaign, CampaignResult

FAULTS = int(os.environ.get("INSPECTOR_FAULT_RUNS", "200"))


SEED = 20261123


def _campaign(
    workdir: Path, db_url: str, seed: int, faults: int, workers: int = 1
) -> CampaignResult:
    """The campaign run to its end; no problem may be reported."""
    campaign = Campaign(workdir, db_url, seed=seed, workers=workers)
    try:
        result = campaign.run(faults)
    finally:
        campaign.close()
    print(result.summary())
    assert result.problems == [], f"seed {seed}: " + "\n".join(result.problems[:20])
    return result


def test_nothing_lost_or_duplicated_over_broken_connections_and_server_kills(
    tmp_path: Path, db_url: str
) -> None:
    result = _campaign(tmp_path, db_url, SEED, FAULTS)
    assert result.fault_runs >= FAULTS
    # the faults reached every step of a sync, both directions, and lost answers were resent
    assert result.kills >= FAULTS // 20 - 1 and result.crashes > 0
    assert result.recovered > 0 and result.resumed > 0
    assert result.damaged_blobs >= FAULTS // 40 and result.units_created > 0
    assert result.cuts_in_request > 0 and result.cuts_in_answer > 0
    for step in ("连接服务器", "上传附件", "上传记录", "下载更新"):
        assert result.phases[step] > 0, result.summary()
    assert result.duplicates > 0
    assert result.records["inspection"] == result.inspections
    assert result.records["photo"] == result.photos


WORKER_FAULTS = 60


def test_a_server_of_two_worker_processes_loses_nothing_either(tmp_path: Path, db_url: str) -> None:
    """The same campaign against `serve --workers 2`: a kill takes the whole server, a failpoint
    only the worker it hits (its supervisor starts another, and the other worker goes on)."""
    result = _campaign(tmp_path, db_url, SEED + 2, WORKER_FAULTS, workers=2)
    assert result.kills >= WORKER_FAULTS // 20 - 1 and result.crashes > 0
    assert result.records["inspection"] == result.inspections
    assert result.records["photo"] == result.photos
