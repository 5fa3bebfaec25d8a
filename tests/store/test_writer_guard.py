"""The single-writer rule, enforced at run time: a write transaction opened on a thread that is
not the store's writer raises (the tests run with the guard strict); reads go anywhere, and a
task runner's writer thread and `ctx.run_on_writer` are the way to write from elsewhere."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from inspector.services.context import Context, open_context
from inspector.services.setting_rows import Key, get_setting, set_setting
from inspector.store.engine import WrongThreadWrite
from inspector.ui.tasks import TaskRunner

GUARD_NOTE = Key("guard_note", "a row only this test writes")


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    c = open_context(tmp_path / "data")
    yield c
    c.store.dispose()


def on_thread(fn: Callable[[], object]) -> BaseException | None:
    """Run `fn` on a new thread; the exception it raised, if any."""
    caught: list[BaseException] = []

    def body() -> None:
        try:
            fn()
        except BaseException as exc:
            caught.append(exc)

    t = threading.Thread(target=body, name="not-the-writer")
    t.start()
    t.join()
    return caught[0] if caught else None


def write_note(ctx: Context, value: str) -> None:
    with ctx.store.write() as s:
        set_setting(s, GUARD_NOTE, value)


def note(ctx: Context) -> str | None:
    with ctx.store.read() as s:
        return get_setting(s, GUARD_NOTE)


def test_a_write_from_a_thread_that_is_not_the_writer_raises(ctx: Context) -> None:
    write_note(ctx, "opener")  # the thread that opened the store writes (CLI, tests)
    exc = on_thread(lambda: write_note(ctx, "stray"))
    assert isinstance(exc, WrongThreadWrite)
    assert "not-the-writer" in str(exc)
    assert note(ctx) == "opener"  # nothing was written
    assert on_thread(lambda: note(ctx)) is None  # reading from anywhere is fine


def test_run_on_writer_sends_the_write_to_the_task_runners_writer(
    ctx: Context, qtbot: QtBot
) -> None:
    tasks = TaskRunner()
    try:
        # the runner's own writer thread may write
        tasks.write(write_note, ctx, "from the runner").result(timeout=10)
        assert note(ctx) == "from the runner"
        # a worker without the runner's writer cannot; through run_on_writer it can
        assert isinstance(on_thread(lambda: write_note(ctx, "stray")), WrongThreadWrite)
        tasks.serve(ctx)
        names: list[str] = []

        def via_writer() -> None:
            names.append(threading.current_thread().name)
            write_note(ctx, "via the writer")

        assert on_thread(lambda: ctx.run_on_writer(via_writer)) is None
        assert note(ctx) == "via the writer"
        assert names[0].startswith("db-writer")
        # already on the writer: runs inline (no wait on itself)
        assert tasks.write(lambda: ctx.run_on_writer(lambda: 7)).result(timeout=10) == 7
    finally:
        tasks.shutdown()
