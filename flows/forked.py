"""Work done in a forked copy of this process while this process does other work: the second core of the machine
for a step that is Python's own (the GX gate holds the interpreter's lock, so threads only take turns).

A copy is only an aid: whatever it cannot give (no fork on this system, its work raised, it died, it was killed,
it gave no answer in time, its answer cannot be read), the work is done here after all, so the result and any
error are what they would have been without it. The copy writes nothing to the console or the logs, leaves the
stop signals to their defaults (Ctrl-C to the terminal's group ends it at once) and is ended and reaped whatever
ends the caller's block.
"""

from __future__ import annotations

import logging
import mmap
import os
import pickle
import select
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")
PATIENCE = 10.0  # the copy's time allowed, in multiples of the time this process took for its own share
AT_LEAST = 120.0  # seconds the copy is always allowed
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def supported() -> bool:
    """Whether a copy helps here: Linux (fork is safe with the libraries' own at-fork handling there, not on
    macOS), a core for it (more cores than the processes of this work at work: this one and the copies running
    that it or its makers made, `Forked.start`) and the main thread (a Dask worker's task runs on one of its
    threads). So on 2 cores neither a copy nor its maker makes another copy while the copy runs: a backfill's month
    ahead and the month being finished have a core each, and copies of theirs would only take turns with them."""
    return (sys.platform.startswith("linux") and _cores() > _at_work[0]
            and threading.current_thread() is threading.main_thread())


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this system
        return os.cpu_count() or 1


_at_work = [1]  # the processes of this work at work: this one and its makers' and its own copies running
_awaited: list[mmap.mmap | None] = [None]  # in a copy: the byte its maker sets once it waits for the result


def awaited() -> bool:
    """In a copy, whether the process that made it waits for its result now (`Forked.given`): work the copy may
    leave to its maker is better left from then on (`flows.assemble.keep_ahead`); False in any other process."""
    flag = _awaited[0]
    return flag is not None and flag[0] == 1


class Forked(Generic[T]):
    """`work` started in a copy of this process (`start`); its result (`result`)."""

    def __init__(self, work: Callable[[], T]) -> None:
        self.work = work
        self.pid: int | None = None
        self.answer: int | None = None  # the read end of the copy's pipe
        self.waiting: mmap.mmap | None = None  # shared with the copy: set once this process waits for it

    def start(self) -> Forked[T]:
        """Start `work` in a forked copy where one helps (`supported`); otherwise nothing starts and `result` does
        the work here. Returns self."""
        if not supported():
            return self
        answer, write = os.pipe()
        waiting = mmap.mmap(-1, 1)  # anonymous and shared: the copy sees what this process writes to it
        parent = os.getpid()
        _at_work[0] += 1  # before the fork: the copy counts itself too
        try:
            pid = os.fork()
        except BaseException:
            _at_work[0] -= 1
            for fd in (answer, write):
                os.close(fd)
            waiting.close()
            raise
        if pid == 0:
            _awaited[0] = waiting
            _in_the_copy(self.work, answer, write, parent)
        os.close(write)
        self.pid, self.answer, self.waiting = pid, answer, waiting
        return self

    def result(self, waited_here: float) -> T:
        """The copy's result, or `work()` done here if the copy gave none (`given`). Raises what `work` raises
        here."""
        done, value = self.given(waited_here)
        return value if done else self.work()

    def given(self, waited_here: float) -> tuple[bool, T | None]:
        """Whether the copy gave its result within `waited_here` (the seconds this process spent on its own share)
        times PATIENCE, and AT_LEAST seconds, and that result (None if it gave none); the copy is ended after."""
        if self.waiting is not None:
            self.waiting[0] = 1
        data = self._read(max(AT_LEAST, PATIENCE * waited_here)) if self.pid is not None else None
        self.stop()
        if data:
            try:
                return pickle.loads(data)
            except Exception:  # noqa: BLE001 - an answer cut short: as none
                pass
        return False, None

    def _read(self, seconds: float) -> bytes | None:
        chunks, deadline = [], time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.answer], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.answer, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
        return None  # no answer in time

    def stop(self) -> None:
        """End the copy if it still runs, reap it, close its pipe."""
        if self.pid is None:
            return
        pid, answer, waiting = self.pid, self.answer, self.waiting
        self.pid = self.answer = self.waiting = None  # first: a stop signal landing below must not end the copy twice
        _at_work[0] -= 1
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):  # reaped already (by a handler of any child's end)
            pass
        os.close(answer)
        waiting.close()


@contextmanager
def forked(work: Callable[[], T]) -> Iterator[Forked[T]]:
    """`work` in a copy of this process during the block; the copy is ended and reaped when the block ends,
    however it ends (a stop signal too)."""
    copy = Forked(work).start()
    try:
        yield copy
    finally:
        copy.stop()


def _in_the_copy(work: Callable[[], object], answer: int, write: int, parent: int) -> None:
    """The copy: quiet, stoppable, ended with the process that made it, `work`'s result (or that it gave none)
    written to the pipe; never returns."""
    code = 1
    try:
        os.close(answer)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        end_with_parent(parent)
        # nothing written through a stream or lock another thread of the original process may have held, and the
        # command's terminal or pipes not held open (a command waits for its output's end)
        logging.disable(logging.CRITICAL)
        warnings.simplefilter("ignore")
        quiet = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(quiet, fd)
        sys.stdout = sys.stderr = open(quiet, "w", closefd=False)  # noqa: SIM115 - for the copy's whole life
        try:
            payload = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - the original process does the work and meets the error itself
            payload = pickle.dumps((False, None))
        with os.fdopen(write, "wb") as out:
            out.write(payload)
        code = 0
    finally:
        os._exit(code)


def end_with_parent(parent: int) -> None:
    """Linux ends this copy (SIGKILL) when the process `parent` that made it ends, even by `kill -9` (prctl
    PR_SET_PDEATHSIG); a parent already gone ends it now. Also the background server's copy that runs a run
    (`flows.background_loop`)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux's C library: the parent's `stop` ends the copy
        return
    if os.getppid() != parent:
        os._exit(1)
