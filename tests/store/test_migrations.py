"""Schema migrations on a real file: from the first revision to head, data kept and searchable."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel, select

from inspector.services.demo.county import load_demo
from inspector.services.facade import Services
from inspector.store.engine import make_engine
from inspector.store.migrate import alembic_config, current_revision, upgrade
from inspector.store.models import AuditEvent, Document
from tests.support.clock import FixedClock


def test_first_revision_to_head_keeps_data_and_builds_the_search_index(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    engine = make_engine(data_dir / "inspector.sqlite3", immediate=True)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    # A unit written by the first schema, before search text existed.
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO unit (id, sn, name, address, industry, supervision_level, risk_colour, tags,"
            " legal_rep, contact_name, contact_phone, status, name_pinyin, name_initials, search_name,"
            " search_addr, search_pyfull, version, updated_at, deleted)"
            " VALUES ('u1', 1, '青岚县红光机械厂', '白沙镇8号', '工贸', 'A', 'red', '[]', '', '', '',"
            " 'active', '', '', '', '', '', 0, ?, 0)",
            (datetime.now(UTC).isoformat(),),
        )
    engine.dispose()

    services = Services.open(data_dir)  # opening migrates to head
    try:
        head = ScriptDirectory.from_config(
            alembic_config(services.ctx.store.writer)
        ).get_current_head()
        assert current_revision(services.ctx.store.writer) == head != "0001"
        for query in ("红光", "hgjx", "hongguang", "白沙"):
            assert [r.id for r in services.units.search(query)] == ["u1"], query
    finally:
        services.close()
    with sqlite3.connect(data_dir / "inspector.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_models_match_the_migrated_schema(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "x.sqlite3", immediate=True)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    # the FTS tables are created by hand and are not part of the models
    diff = [
        d
        for d in diff
        if not (d[0] == "remove_table" and d[1].name.startswith(("unit_fts", "unit_ini")))
    ]
    assert diff == []


def test_site_records_issued_before_the_fix_get_their_issue_time(tmp_path: Path) -> None:
    """A 现场检查记录 issued by a version that left `issued_at` empty (the store downgraded to 0007
    and the column emptied, as that version wrote it): opening the store fills it from the issue
    event, and the month's figures count the record."""
    from tests.support.documents import inspection_with_hazards, load_blocks

    data_dir = tmp_path / "data"
    services = Services.open(data_dir, clock=FixedClock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC)))
    try:
        load_demo(services.ctx, n_units=40, seed=3)
        load_blocks(services, tmp_path, "检记")
        issued = services.records.issue_site_record(inspection_with_hazards(services)).value
        with services.ctx.store.read() as s:
            event = s.exec(
                select(AuditEvent).where(
                    AuditEvent.kind == "document.issued", AuditEvent.entity_id == issued.document_id
                )
            ).one()
    finally:
        services.close()
    engine = make_engine(data_dir / "inspector.sqlite3", immediate=True)
    command.downgrade(alembic_config(engine), "0007")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE document SET issued_at = NULL")
    engine.dispose()

    services = Services.open(data_dir, clock=FixedClock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC)))
    try:
        with services.ctx.store.read() as s:
            doc = s.get(Document, issued.document_id)
            assert doc is not None and doc.issued_at is not None
            assert doc.issued_at == datetime.fromisoformat(event.device_time)
        figures = services.overview.figures(2026, 11)
        assert {k.label: k.count for k in figures.documents_by_kind} == {"现场检查记录": 1}
    finally:
        services.close()
