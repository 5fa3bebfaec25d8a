import logging
import sys
import threading
from pathlib import Path

import pytest

from inspector.util.log import setup_logging


def test_log_file_redacts_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    path = setup_logging(tmp_path / "logs")
    log = logging.getLogger("inspector.test")
    log.warning("login ok token=abc123SECRET for user")
    log.warning('payload {"password": "hunter2"} sent')
    log.warning("Authorization: Bearer-xyz789")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text("utf-8")
    for secret in ("abc123SECRET", "hunter2", "Bearer-xyz789"):
        assert secret not in text
    assert "token=***" in text
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "baseFilename", "") == str(path):
            root.removeHandler(handler)
            handler.close()
