"""Migration 0013: a pending op's `retry` reason code leaves the error text for its own column
(and goes back into the text on a downgrade), so the push asks the column, not the words."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command

from inspector.store.engine import make_engine
from inspector.store.migrate import alembic_config, upgrade

ROWS = [
    # op_id, state, last_error as the version before 0013 stored it
    ("parent", "pending", "missing_parent: 所属的检查或文书尚未上传，下次同步时重试"),
    ("value", "pending", "invalid_value:lat: 「纬度」的值无效"),
    ("refused", "rejected", "内容有无效的值"),
    ("fresh", "pending", ""),
]


def test_retry_reason_moves_out_of_the_error_text_and_back(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "inspector.sqlite3", immediate=True)
    upgrade(engine, "0012")
    with engine.begin() as conn:
        for op_id, state, error in ROWS:
            conn.exec_driver_sql(
                "INSERT INTO outbox (op_id, kind, entity, entity_id, payload, payload_sha256,"
                " blob_refs, state, attempts, last_error, result, created_at)"
                " VALUES (?, 'upsert', 'photo', ?, '{}', '', '[]', ?, 1, ?, '', ?)",
                (op_id, op_id, state, error, datetime.now(UTC).isoformat()),
            )
    upgrade(engine, "0014")
    with engine.connect() as conn:
        got = {
            op: (reason, error)
            for op, reason, error in conn.exec_driver_sql(
                "SELECT op_id, retry_reason, last_error FROM outbox"
            )
        }
    assert got == {
        "parent": ("missing_parent", "所属的检查或文书尚未上传，下次同步时重试"),
        "value": ("invalid_value", "「纬度」的值无效"),
        "refused": ("", "内容有无效的值"),
        "fresh": ("", ""),
    }
    command.downgrade(alembic_config(engine), "0012")
    with engine.connect() as conn:
        back = dict(conn.exec_driver_sql("SELECT op_id, last_error FROM outbox").all())
    assert back["parent"] == ROWS[0][2]
    assert back["refused"] == "内容有无效的值" and back["fresh"] == ""
    engine.dispose()
