"""Logging: a logger per area, a rotating file in the data dir, secrets redacted."""

from __future__ import annotations

import logging
import re
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

_SECRET = re.compile(
    r"(?i)(authorization|token|password|passwd|secret)(\s*[:=]\s*|\"\s*:\s*\")([^\s\",]+)"
)


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "inspector.log"
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)

    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        logging.getLogger("inspector.crash").critical(
            "unhandled exception", exc_info=(kind, exc, tb)
        )

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread else "?"
        error = args.exc_value or args.exc_type()
        logging.getLogger("inspector.crash").critical(
            "unhandled exception in thread %s", name, exc_info=error
        )

    sys.excepthook = excepthook
    threading.excepthook = thread_hook
    return path
