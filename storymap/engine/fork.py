"""Work run in a second process beside the build, where the machine has a core to spare: the
build's one fork runner.

In: a function that writes files and returns a (picklable) value; with ``inbox=True``, a function
of the items sent to it one by one while it runs (the built pages to check, as MkDocs writes
them). Out: a :class:`Beside` whose :meth:`~Beside.result` waits for it and returns that value,
or raises what it raised.

The second process is a fork of this one, so it starts with everything already computed (the
geography, the figures) and nothing is pickled on the way in; only its return value comes back.
The work runs in this process instead, when asked for, where forking is unsafe or gains
nothing: another thread is running (the preview server's), the machine has one core, there is
no ``fork`` (Windows), or ``STORYMAP_JOBS=1`` is set (``STORYMAP_JOBS=2`` forks whenever it
can, for tests). What is built is the same either way (tests/test_reproducible.py).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
import threading
import traceback
from collections.abc import Callable
from typing import Generic, TypeVar

from storymap.errors import StorymapError

T = TypeVar("T")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether to fork: ``STORYMAP_JOBS=1`` never, ``STORYMAP_JOBS=2`` wherever there is
    ``fork``; unset, when this process runs no other thread and the machine has two cores."""
    jobs = os.environ.get("STORYMAP_JOBS", "")
    if jobs == "1" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    return jobs == "2" or (threading.active_count() == 1 and cores() > 1)


class Done(Generic[T]):
    """A value already at hand, with :class:`Beside`'s methods."""

    def __init__(self, value: T):
        self.value = value

    def result(self) -> T:
        return self.value

    def stop(self) -> None:
        pass


class Beside(Generic[T]):
    """``work()`` started in a forked process (or kept to run here, see the module's note);
    ``then(value)``, if given, runs here on its value when :meth:`result` is first asked for,
    and gives the result. With ``inbox``, ``work(items)`` is given an iterator of what
    :meth:`send` sends, which ends when :meth:`result` is asked for."""

    def __init__(
        self,
        work: Callable[..., T],
        then: Callable[[T], T] | None = None,
        inbox: bool = False,
        fork: bool | None = None,
    ):
        self.work: Callable[..., T] | None = work
        self.then = then
        self.process = None
        self.message: tuple | None = None
        self.finished: list = []
        self.inbox: list | None = [] if inbox else None  # items kept for work run here
        self.sender = None
        if not (can_fork() if fork is None else fork):
            return
        context = multiprocessing.get_context("fork")
        self.reader, writer = context.Pipe(duplex=False)
        if inbox:
            items, self.sender = context.Pipe(duplex=False)
            self.inbox = None
            work = _reading(work, items)
        # the value comes back through a file, so the second process can end (and free its
        # memory) as soon as it is done, however large the value and whenever it is read
        self.spool = tempfile.TemporaryFile()
        self.process = context.Process(
            target=_child, args=(work, self.reader, writer, self.spool), daemon=True
        )
        self.process.start()
        writer.close()
        if self.sender is not None:
            items.close()

    def send(self, item: object) -> None:
        """One more item for ``work`` (with ``inbox``)."""
        if self.sender is not None:
            self.sender.send(item)
        else:
            assert self.inbox is not None, "send() needs Beside(..., inbox=True)"
            self.inbox.append(item)

    def result(self) -> T:
        if not self.finished:
            value = self._value()
            self.finished.append(self.then(value) if self.then else value)
        return self.finished[0]

    def _value(self) -> T:
        if self.process is None:
            work, self.work = self.work, None
            assert work is not None
            if self.inbox is not None:
                items, self.inbox = self.inbox, []
                return work(iter(items))
            return work()
        if self.message is None:
            if self.sender is not None:
                try:
                    self.sender.send(_END)
                    self.sender.close()
                except OSError:
                    pass  # it has stopped: the reader says how below
                self.sender = None
            try:
                got = self.reader.recv()
                if got == SPOOLED:
                    self.spool.seek(0)
                    got = pickle.load(self.spool)
                self.message = got
            except EOFError:
                self.process.join()
                raise StorymapError(
                    f"a build process stopped before it finished (exit status "
                    f"{self.process.exitcode}), most likely for lack of memory. Build again "
                    "with STORYMAP_JOBS=1 to build in one process."
                ) from None
            finally:
                self.reader.close()
                self.spool.close()
                self.process.join(timeout=30)
                self.stop()
        if self.message[0] == "error":
            _kind, error, where = self.message
            if not isinstance(error, StorymapError):
                error.add_note("In the build's second process:\n" + where)
            raise error
        return self.message[1]

    def stop(self) -> None:
        """Stop the second process if it is still running (the build failed elsewhere)."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=10)


SPOOLED = "spooled"  # sent when the message is in the spool file
_END = ("end of the items",)  # sent after the last item of an inbox


def _reading(work: Callable[..., T], conn) -> Callable[[], T]:
    """``work`` given the items that come through ``conn`` until the end marker."""

    def items():
        try:
            while (item := conn.recv()) != _END:
                yield item
        except EOFError:  # the build stopped without saying so: nothing more will come
            return

    def run() -> T:
        try:
            return work(items())
        finally:
            conn.close()

    return run


def _child(work: Callable[[], object], reader, writer, spool) -> None:
    reader.close()
    try:
        message: tuple = ("value", work())
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the build
        message = ("error", exc, traceback.format_exc())
    try:
        pickle.dump(message, spool, protocol=pickle.HIGHEST_PROTOCOL)
        spool.flush()
        writer.send(SPOOLED)
    except Exception as exc:  # noqa: BLE001 - a value or error that does not pickle
        writer.send(
            (
                "error",
                RuntimeError(f"{message[1]!r} could not be sent back: {exc}"),
                message[2] if len(message) > 2 else traceback.format_exc(),
            )
        )
    writer.close()
