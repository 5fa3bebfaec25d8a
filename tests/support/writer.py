"""A test's own writes go to the store's writer, as the app's do.

Once a window (a task runner) serves a store, only the runner's db-writer thread may write it: a
write on the test's thread raises `WrongThreadWrite` (the tests run the guard strict). Set-up
helpers that write are marked `@writes`, and a test body that writes directly says `on_writer`;
both run inline when no runner serves the store (service tests, CLI-like scripts)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlmodel import Session

from inspector.services.context import Context

P = ParamSpec("P")
T = TypeVar("T")


def _ctx(owner: Any) -> Context:
    """The context of a Services, a test Device (its .services) or a Context itself."""
    if isinstance(owner, Context):
        return owner
    services = getattr(owner, "services", owner)
    ctx: Context = services.ctx
    return ctx


def on_writer(owner: Any, fn: Callable[[], T]) -> T:
    """Run `fn` on the writer of `owner`'s store and return what it returned."""
    return _ctx(owner).run_on_writer(fn)


def writes(fn: Callable[Concatenate[Any, P], T]) -> Callable[Concatenate[Any, P], T]:
    """A set-up helper whose first argument is a Services (or a Device, or a Context) and
    which writes: its whole body runs on that store's writer."""

    @functools.wraps(fn)
    def wrapper(owner: Any, *args: P.args, **kwargs: P.kwargs) -> T:
        return on_writer(owner, lambda: fn(owner, *args, **kwargs))

    return wrapper


def in_write(owner: Any, fn: Callable[[Session], T]) -> T:
    """`fn` inside one write transaction on `owner`'s store, on its writer."""

    def body() -> T:
        with _ctx(owner).store.write() as s:
            return fn(s)

    return on_writer(owner, body)
