"""The real `inspector-server serve` process on a loopback port, for tests and benchmarks that
need a real socket: started, SIGKILLed and restarted on the same port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(
        self,
        db_url: str,
        blobs: Path,
        log: Path,
        env: dict[str, str] | None = None,
        workers: int = 1,
    ) -> None:
        self.db_url, self.blobs, self.log, self.workers = db_url, blobs, log, workers
        self.env = env or {}  # e.g. INSPECTOR_FAILPOINTS (sync.server.failpoints)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._log_read, self._exits = 0, 0  # failpoint exits seen in the log so far

    def start(self, timeout_s: float = 30) -> None:
        assert self.proc is None or self.proc.poll() is not None, "the server is still running"
        exe = shutil.which("inspector-server", path=str(Path(sys.executable).parent))
        cmd = [exe] if exe else [sys.executable, "-m", "sync.server.cli"]
        cmd += ["serve", "--db", self.db_url, "--blobs", str(self.blobs), "--port", str(self.port)]
        cmd += ["--workers", str(self.workers)]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env, "INSPECTOR_FAILPOINT_SEED": str(self.starts)},
                start_new_session=True,  # its own process group: a kill takes its workers too
            )
        self.starts += 1
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text("utf-8", "replace")
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.03)
        raise AssertionError("server did not start: " + self.log.read_text("utf-8", "replace"))

    def died(self) -> bool:
        """The process has ended (killed, or exited at a failpoint). A process that is exiting
        may already have closed its sockets but not yet be reaped: when it no longer answers,
        wait for its end."""
        if self.proc is None:
            return False
        if self.proc.poll() is not None:
            return True
        try:
            httpx.get(f"{self.url}/openapi.json", timeout=2)
            return False
        except httpx.TransportError:
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                return False
            return True

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, open transactions die with the process."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def failpoint_exits(self) -> int:
        """How many times a server process has exited at a failpoint so far (its last log line).
        With `workers` > 1 the process that exits is a worker, which its supervisor replaces:
        the server lives on, and this count is how a caller learns of the crash."""
        if self.log.exists():
            with open(self.log, "rb") as fh:
                fh.seek(self._log_read)
                new = fh.read()
            complete = new.rfind(b"\n") + 1  # a line still being written is read next time
            self._exits += new[:complete].count(b": exiting")
            self._log_read += complete
        return self._exits

    def log_problems(self) -> list[str]:
        """Lines of the server log that show a server fault (a traceback or a 5xx answer)."""
        text = self.log.read_text("utf-8", "replace") if self.log.exists() else ""
        return [
            line
            for line in text.splitlines()
            if "Traceback" in line or " 500 " in line or "Exception in ASGI" in line
        ]
