"""Ctrl-C and SIGTERM stop a run at once, except inside a critical section (the switch of a publication), whose
end they wait for: a period is published whole or not at all.

`install` sets the handlers (the CLI does, in its main thread); `critical` marks a section. A signal outside
a section raises `Interrupted` (a KeyboardInterrupt, so that Prefect's engine ends the run as interrupted)
where the main thread is; inside, it is kept and raised when the section ends.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


class Interrupted(KeyboardInterrupt):
    """The process was asked to stop (SIGINT or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _State:
    depth = 0  # nesting of critical sections
    pending: int | None = None  # a signal received inside one
    received: int | None = None  # the last signal received, if any


def stop_signals() -> list[signal.Signals]:
    """The signals that ask this process to stop: Ctrl-C, SIGTERM, and Ctrl-Break on Windows."""
    return [signal.SIGINT, signal.SIGTERM] + ([signal.SIGBREAK] if hasattr(signal, "SIGBREAK") else [])


def _handler(signum: int, frame: object) -> None:
    _State.received = signum
    if _State.depth:
        _State.pending = signum
        return
    raise Interrupted(signum)


def install() -> None:
    """Handle the stop signals in this (main) thread (and not in Arrow's reads: `keep_from_arrow`)."""
    keep_from_arrow()
    for signum in stop_signals():
        signal.signal(signum, _handler)


def keep_from_arrow() -> None:
    """Leave stop signals to the process's handlers (ours, or Prefect's in a served run), not to Arrow.

    Arrow turns a signal that lands inside one of its reads into ArrowCancelled and re-sends it afterwards; a
    caller that falls back on another reader when Arrow fails (flows.ingest's CSV reader) swallows the stop.
    Without Arrow's handling the signal is handled as soon as the read returns (a read is short)."""
    import pyarrow

    pyarrow.enable_signal_handlers(False)


def received() -> int | None:
    """The stop signal this process received, if any."""
    return _State.received


@contextmanager
def critical() -> Iterator[None]:
    """A section a stop signal does not break: it takes effect when the section ends."""
    _State.depth += 1
    try:
        yield
    finally:
        _State.depth -= 1
        if not _State.depth and _State.pending is not None:
            signum, _State.pending = _State.pending, None
            raise Interrupted(signum)
