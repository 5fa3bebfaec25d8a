"""PostgreSQL for the server tests: a throwaway cluster that tools/postgres_setup.sh starts
(Debian's package is installed when missing); each test gets its own database, copied from a
template that already has the tables. When the cluster cannot be started, the PostgreSQL tests fail
with the reason — unless INSPECTOR_SKIP_PG=1, then they skip.

`db_url` is parametrized: every test that takes it runs on SQLite and on PostgreSQL. Import both
fixtures into a conftest to use them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from sync.server.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
# overridable only to test this fixture's own failure path
SETUP = Path(os.environ.get("INSPECTOR_PG_SETUP", ROOT / "tools" / "postgres_setup.sh"))
_counter = iter(range(1, 10**9))


# -- PostgreSQL -------------------------------------------------------------------------------------
@dataclass
class PgCluster:
    base_url: str  # postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
    template: str = "inspector_template"

    def dsn(self, dbname: str) -> str:
        return (
            self.base_url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]
            + f"/{dbname}"
        )

    def url(self, dbname: str) -> str:
        return self.base_url.rsplit("/", 1)[0] + f"/{dbname}"

    def new_database(self) -> str:
        name = f"t{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self.url(name)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    skip = os.environ.get("INSPECTOR_SKIP_PG") == "1"
    parent = Path(tempfile.mkdtemp(prefix="inspector-pg-"))
    parent.chmod(0o755)  # the postgres user must reach the cluster directory
    cluster_dir = parent / "cluster"
    try:
        proc = subprocess.run(
            ["bash", str(SETUP), "start", str(cluster_dir)],
            capture_output=True,
            text=True,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        proc = None
        reason = f"tools/postgres_setup.sh could not run: {exc}"
    else:
        reason = (
            f"tools/postgres_setup.sh start failed (exit {proc.returncode}): "
            f"{proc.stderr.strip()[-2000:]}"
        )
    if proc is None or proc.returncode != 0:
        shutil.rmtree(parent, ignore_errors=True)
        if skip:
            pytest.skip(f"INSPECTOR_SKIP_PG=1 and {reason}")
        pytest.fail(f"PostgreSQL for the server tests is not available — {reason}", pytrace=False)
    cluster = PgCluster(proc.stdout.strip().splitlines()[-1])
    try:
        with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{cluster.template}"')
        make_engine(cluster.url(cluster.template)).dispose()  # tables + the counter row
        yield cluster
    finally:
        subprocess.run(["bash", str(SETUP), "stop", str(cluster_dir)], capture_output=True)
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite3'}"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()
