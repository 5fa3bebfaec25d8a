"""Failpoints: named places where a test may make the server die as if killed (SIGKILL-like:
``os._exit``, no cleanup, no answer), to prove that a crash at that exact moment loses and
duplicates nothing. Off unless the environment names them, e.g.

    INSPECTOR_FAILPOINTS="push.before_commit=0.02,blob.before_record=0.05" INSPECTOR_FAILPOINT_SEED=7

Each named point then fires with its probability. Production never sets the variable.
"""

from __future__ import annotations

import logging
import os
import random

log = logging.getLogger("inspector.server.failpoints")

POINTS = (
    "push.before_commit",  # every op of a push applied, the transaction not yet committed
    "push.after_commit",  # committed, the answer not yet sent
    "blob.before_record",  # the file verified and renamed into place, no row says so yet
    "blob.after_record",  # the row committed, the answer not yet sent
)


def _parse(raw: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in raw.split(","):
        name, _, p = part.strip().partition("=")
        if name in POINTS:
            try:
                out[name] = float(p or "1")
            except ValueError:
                continue
    return out


_ARMED = _parse(os.environ.get("INSPECTOR_FAILPOINTS", ""))
_RNG = random.Random(os.environ.get("INSPECTOR_FAILPOINT_SEED"))


def failpoint(name: str) -> None:
    """Die here (exit status 137, like SIGKILL) when this point is armed and its dice say so."""
    p = _ARMED.get(name)
    if p and _RNG.random() < p:
        log.warning("failpoint %s: exiting", name)
        os._exit(137)
