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


def test_once_a_runner_serves_the_store_only_its_writer_writes(ctx: Context, qtbot: QtBot) -> None:
    """The GUI thread opened the store: once the window's runner serves it, a write on the GUI
    thread raises like one from any other thread; the runner's writer thread writes."""
    tasks = TaskRunner()
    try:
        write_note(ctx, "before the window")  # the opener, with no runner yet
        tasks.serve(ctx)
        with pytest.raises(WrongThreadWrite) as refused:
            write_note(ctx, "on the GUI thread")
        assert threading.current_thread().name in str(refused.value)
        assert note(ctx) == "before the window"  # nothing was written
        tasks.write(write_note, ctx, "from the runner").result(timeout=10)
        assert note(ctx) == "from the runner"
    finally:
        tasks.shutdown()


def test_a_runner_that_does_not_serve_the_store_cannot_write_it(ctx: Context, qtbot: QtBot) -> None:
    tasks = TaskRunner()
    try:
        future = tasks.write(write_note, ctx, "from a stranger's runner")
        assert isinstance(future.exception(timeout=10), WrongThreadWrite)
        assert note(ctx) is None
    finally:
        tasks.shutdown()


def test_run_on_writer_sends_the_write_to_the_task_runners_writer(
    ctx: Context, qtbot: QtBot
) -> None:
    tasks = TaskRunner()
    try:
        tasks.serve(ctx)
        # a worker without the runner's writer cannot write; through run_on_writer it can
        assert isinstance(on_thread(lambda: write_note(ctx, "stray")), WrongThreadWrite)
        names: list[str] = []

        def via_writer() -> None:
            names.append(threading.current_thread().name)
            write_note(ctx, "via the writer")

        assert on_thread(lambda: ctx.run_on_writer(via_writer)) is None
        assert note(ctx) == "via the writer"
        assert names[0].startswith("db-writer")
        # the GUI thread's own set-up writes (a test's) go the same way
        ctx.run_on_writer(lambda: write_note(ctx, "from the GUI thread, via the writer"))
        assert note(ctx) == "from the GUI thread, via the writer"
        # already on the writer: runs inline (no wait on itself)
        assert tasks.write(lambda: ctx.run_on_writer(lambda: 7)).result(timeout=10) == 7
    finally:
        tasks.shutdown()
