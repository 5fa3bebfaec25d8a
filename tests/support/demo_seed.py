"""One demo data dir, seeded once a module, that tests copy for each simulated device."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.services.demo.county import load_demo
from inspector.services.facade import Services


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo data dir to copy for every simulated device (same agency, as after a sync)."""
    base = tmp_path_factory.mktemp("seed") / "data"
    svc = Services.open(base)
    load_demo(svc.ctx, n_units=30, seed=11)
    svc.close()
    return base
