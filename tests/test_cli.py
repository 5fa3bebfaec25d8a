"""The `inspector` command as a user runs it: demo + screenshot, and `verify` on whole and broken data."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from inspector.services.facade import Services
from tests.support.inspections import start
from tests.support.worked import Worked, work

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "inspector", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


@pytest.mark.slow
def test_demo_screenshot_shows_a_ready_window(tmp_path: Path) -> None:
    shot = tmp_path / "main.png"
    result = run("--data-dir", str(tmp_path / "d"), "--demo", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    img = Image.open(shot).convert("RGB")
    assert img.width >= 1000 and img.height >= 700
    # the navigation bar's dark blue and the selected row's highlight are both on screen
    colours = {c for _, c in img.getcolors(1_000_000) or []}
    assert (31, 58, 95) in colours
    # a second start on the same folder does not load the demo twice
    again = run("--data-dir", str(tmp_path / "d"), "--demo", "--screenshot", str(shot))
    assert again.returncode == 0 and "载入演示数据" not in again.stdout


def test_verify_whole_and_tampered(services: Services, photo_file: Path) -> None:
    iid = start(services)
    services.photos.add_file(iid, photo_file, "x")
    services.inspections.finish(iid)
    record = services.records.render_site_record(iid).value
    data_dir = services.ctx.data_dir
    ok = run("verify", "--data-dir", str(data_dir))
    assert ok.returncode == 0 and "完整无误" in ok.stdout, ok.stdout + ok.stderr

    pdf = services.ctx.blobs.path_for(record.pdf_sha256)
    pdf.write_bytes(pdf.read_bytes().replace(b"/Producer", b"/Producex"))
    broken = run("verify", "--data-dir", str(data_dir))
    assert broken.returncode == 1
    assert "文书《现场检查记录》（草稿）的PDF" in broken.stdout, broken.stdout
    assert record.pdf_sha256[:12] in broken.stdout and "不符" in broken.stdout


def test_verify_on_an_empty_folder(tmp_path: Path) -> None:
    result = run("verify", "--data-dir", str(tmp_path))
    assert result.returncode == 2 and "没有数据库" in result.stderr


def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    data = tmp_path / "d"
    Services.open(data).close()
    db = data / "inspector.sqlite3"
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db.read_bytes()
    result = run("--data-dir", str(data), "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "较新版本" in result.stderr and "Traceback" not in result.stderr
    assert db.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir()
    (data / "inspector.sqlite3").write_bytes(b"this is not sqlite" * 100)
    result = run("--data-dir", str(data), "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "无法读取" in result.stderr and "Traceback" not in result.stderr


def test_an_unusable_data_dir_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")  # a data dir "inside" a file cannot be created, even by root
    result = run("--data-dir", str(blocker / "d"), "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "无法使用数据目录" in result.stderr and "Traceback" not in result.stderr


def test_import_blocks_command(services: Services, tmp_path: Path) -> None:
    import json

    from inspector.services.setting_rows import current_agency_id

    with services.ctx.store.read() as s:
        agency = current_agency_id(s)
    good = tmp_path / "blocks.json"
    good.write_text(
        json.dumps(
            {
                "blocks": [
                    {
                        "id": "b1",
                        "agency_id": agency,
                        "series": "检记",
                        "year": 2026,
                        "first": 1,
                        "last": 20,
                    }
                ]
            }
        ),
        "utf-8",
    )
    data = str(services.ctx.data_dir)
    ok = run("import-blocks", str(good), "--data-dir", data)
    assert ok.returncode == 0 and "已导入号段 1 个" in ok.stdout, ok.stderr
    overlap = tmp_path / "overlap.json"
    overlap.write_text(
        json.dumps(
            {
                "blocks": [
                    {
                        "id": "b2",
                        "agency_id": agency,
                        "series": "检记",
                        "year": 2026,
                        "first": 10,
                        "last": 30,
                    }
                ]
            }
        ),
        "utf-8",
    )
    bad = run("import-blocks", str(overlap), "--data-dir", data)
    assert bad.returncode == 2 and "重叠" in bad.stderr and "Traceback" not in bad.stderr


def _delete_document(w: Worked) -> list[str]:
    w.sql(
        ("DELETE FROM numberuse WHERE document_id = ?", (w.record_id,)),
        ("DELETE FROM outbox WHERE entity = 'document' AND entity_id = ?", (w.record_id,)),
        ("DELETE FROM document WHERE id = ?", (w.record_id,)),
    )
    return [f"问题：文书{w.record_number}：由审计事件 #", f"曾记录它为文书{w.record_number}的PDF"]


def _delete_hazard(w: Worked) -> list[str]:
    w.sql(("DELETE FROM hazard WHERE id = ?", (w.hazard_id,)))
    return ["问题：隐患“配电箱前堆放杂物”", "记录隐患", "记录本身却已不存在（被删除）"]


def _delete_photo(w: Worked) -> list[str]:
    w.sql(("DELETE FROM photo WHERE id = ?", (w.photo_id,)))
    return ["问题：照片“IMG_0001.JPG”：由审计事件 #", "曾记录它为照片“IMG_0001.JPG”的原图"]


def _edit_hazard(w: Worked) -> list[str]:
    w.sql(
        (
            "UPDATE hazard SET description = '无隐患', deadline = '2099-12-31' WHERE id = ?",
            (w.hazard_id,),
        )
    )
    return ["问题：隐患“配电箱前堆放杂物”", "隐患描述：“配电箱前堆放杂物”改为“无隐患”"]


def _orphan_blob(w: Worked) -> list[str]:
    sha = w.services.ctx.blobs.put(b"a file no record names")
    w.sql(
        (
            "INSERT INTO blob (sha256, size, media_type, created_at)"
            " VALUES (?, 22, 'image/jpeg', '2026-01-01 00:00:00')",
            (sha,),
        )
    )
    return [f"问题：附件 {sha[:12]}…（image/jpeg，22 字节）没有任何记录引用"]


@pytest.mark.parametrize(
    "damage", [_delete_document, _delete_hazard, _delete_photo, _edit_hazard, _orphan_blob]
)
def test_verify_names_rows_deleted_or_edited_behind_its_back(
    services: Services, tmp_path: Path, photo_file: Path, damage: Callable[[Worked], list[str]]
) -> None:
    w = work(services, tmp_path, photo_file)
    data_dir = str(services.ctx.data_dir)
    whole = run("verify", "--data-dir", data_dir)
    assert whole.returncode == 0 and "完整无误" in whole.stdout, whole.stdout + whole.stderr
    expected = damage(w)
    broken = run("verify", "--data-dir", data_dir)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    for text in expected:
        assert text in broken.stdout, broken.stdout
    assert "Traceback" not in broken.stdout + broken.stderr
