"""The server counts a wrong-clock device's work in the server's month: the device's clock says
23:30 on the last day of October, a sync has measured that it is an hour behind, so the inspection
recorded then is the server's 1 November and the server's monthly figures count it in November."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from inspector.services.setting_rows import remember_clock_offset
from tests.support.photos import jpeg_bytes
from tests.support.sync_devices import BASE_URL, Device
from tests.support.sync_steps import record_inspection
from tests.support.sync_world import PASSWORD


def test_the_server_counts_a_behind_clocks_inspection_in_the_servers_month(
    make_device: Any, tmp_path: Path
) -> None:
    dev: Device = make_device("zhang")
    dev.sync.sign_in(BASE_URL, "zhang", PASSWORD)
    assert dev.sync.run().ok
    dev.clock.moment = datetime(2026, 10, 31, 23, 30).astimezone()  # local wall time
    with dev.services.ctx.store.write() as s:  # what the sync measured: an hour behind
        remember_clock_offset(s, dev.clock, 3600, dev.clock.device_now())
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg_bytes(640, 480))
    unit = dev.services.units.search("沙河机械厂")[0].id
    iid, _hid, _pid = record_inspection(dev, unit, photo)
    view = dev.services.inspections.view(iid)
    assert view.started_at.astimezone().date().isoformat() == "2026-11-01"
    report = dev.sync.run()
    assert report.ok and report.retry == 0, report.error
    november = dev.sync.fetch_monthly(2026, 11, None)
    october = dev.sync.fetch_monthly(2026, 10, None)
    assert (november.inspections, october.inspections) == (1, 0)
    assert november.hazards_found == 1
