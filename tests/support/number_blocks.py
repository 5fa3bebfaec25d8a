"""The agency, its settings as an admin sets them, and its document-number blocks, loaded from a
real block file."""

from __future__ import annotations

import json
import random
from pathlib import Path

from inspector.services.facade import Services
from inspector.services.setting_rows import current_agency_id
from inspector.store.models import Agency
from tests.support.writer import writes


def agency_id(services: Services) -> str:
    with services.ctx.store.read() as s:
        value = current_agency_id(s)
    assert value is not None
    return value


@writes
def set_agency(services: Services, **settings: object) -> None:
    """This device's agency row with each named setting (a column of `Agency`) changed."""
    with services.ctx.store.write() as s:
        agency = s.get(Agency, agency_id(services))
        assert agency is not None
        for name, value in settings.items():
            assert hasattr(agency, name), f"the agency has no setting {name}"
            setattr(agency, name, value)
        s.add(agency)


def block_file(tmp_path: Path, *blocks: dict[str, object]) -> Path:
    path = tmp_path / f"blocks-{random.random()}.json"
    path.write_text(json.dumps({"blocks": list(blocks)}, ensure_ascii=False), "utf-8")
    return path


def block(
    services: Services,
    first: int,
    last: int,
    *,
    series: str = "检记",
    year: int = 0,
    block_id: str | None = None,
) -> dict[str, object]:
    return {
        "id": block_id or f"b-{series}-{first}-{last}",
        "agency_id": agency_id(services),
        "series": series,
        "year": year or services.ctx.clock.today().year,
        "first": first,
        "last": last,
    }
