"""Ctrl-C and SIGTERM stop a run at once, except inside a critical section (the switch of a publication), whose
end they wait for: a period is published whole or not at all.

`install` sets the CLI's handlers (in its main thread): a stop signal raises `Interrupted` (a KeyboardInterrupt,
so that Prefect's engine ends the run as interrupted) where the main thread is. `critical` marks a section: a
stop signal received inside is kept, and delivered when the section ends to whichever handler is in force then
(the CLI's, or Prefect's in a served run).

Python cannot raise out of a finalizer (`__del__`, a weakref callback, run by the garbage collector anywhere): a
signal handled inside one is printed as "Exception ignored" and lost, and a run went on to publish. Such a stop
is sent again at once (`prepare_process`), and the flow asks `check` between its steps too.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Interrupted(KeyboardInterrupt):
    """The process was asked to stop (SIGINT or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _State:
    pending: int | None = None  # a signal received inside a critical section
    received: int | None = None  # the last signal received, if any
    lost: int | None = None  # a stop lost in a finalizer, to be sent again unless `check` raised it first
    lock = threading.Lock()  # `lost`, between the main thread and the timer that sends it again


def stop_signals() -> list[signal.Signals]:
    """The signals that ask this process to stop: Ctrl-C, SIGTERM, and Ctrl-Break on Windows."""
    return [signal.SIGINT, signal.SIGTERM] + ([signal.SIGBREAK] if hasattr(signal, "SIGBREAK") else [])


def _stop(signum: int, frame: object) -> None:
    _State.received = signum
    raise Interrupted(signum)


def _defer(signum: int, frame: object) -> None:
    _State.received = _State.pending = signum


def install() -> None:
    """Handle the stop signals in this (main) thread, and send a stop lost in a finalizer again; a signal the
    command was started to ignore (SIGINT of a shell's background job) stays ignored. Arrow's handling is left to
    the process that runs the job (`prepare_process`, when `flows.pipeline` is loaded): a command that hands its
    run to the background server does not import Arrow (0.14 s of each command)."""
    _deliver_lost_stops()
    handle_stops()


def handle_stops() -> None:
    """A stop signal raises `Interrupted` where this (main) thread is, and is recorded (`received`); a signal the
    command was started to ignore stays ignored."""
    for signum in stop_signals():
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _stop)


def ignore_stops() -> None:
    """A command that has ended: a late stop (the second of two quick Ctrl-C) has nothing left to stop. Ignored by
    the system, not by a handler of Python's, which Python resets to the default as it exits."""
    for signum in stop_signals():
        signal.signal(signum, signal.SIG_IGN)


def prepare_process() -> None:
    """What every process that runs the job needs, whichever handlers it has (ours, or Prefect's in a served run
    and in the serving process): stop signals left to them, not to Arrow (`keep_from_arrow`), and a stop lost in a
    finalizer delivered again (`_LostStop`)."""
    keep_from_arrow()
    _deliver_lost_stops()


def _deliver_lost_stops() -> None:
    if not isinstance(sys.unraisablehook, _LostStop):
        sys.unraisablehook = _LostStop(sys.unraisablehook)


AGAIN_AFTER = 0.05  # seconds


class _LostStop:
    """`sys.unraisablehook`: a stop a finalizer could not raise (a KeyboardInterrupt, Prefect's TerminationSignal:
    any BaseException that is not an Exception and names its signal) is not printed but sent again to this
    process from another thread, AGAIN_AFTER seconds later (out of this hook and the finalizer), so that its handler
    raises it where the main thread is then, unless `check` raised it first (sent after, it broke the run's clean-up:
    a work folder half removed); anything else goes to the hook before."""

    def __init__(self, hook: Callable[[object], None]) -> None:
        self.hook = hook

    def __call__(self, unraisable: object) -> None:
        signum = _signal_of(unraisable.exc_value)
        if signum is None:
            self.hook(unraisable)
            return
        try:
            with _State.lock:
                _State.lost = signum
            again = threading.Timer(AGAIN_AFTER, _send_lost)
            again.daemon = True
            again.start()
        except KeyboardInterrupt:  # a second stop, here: recorded (`received`), the run's next `check` raises it
            pass


def _send_lost() -> None:
    with _State.lock:  # held while sending: a `check` cannot raise the stop between the two
        if _State.lost is not None:
            signum, _State.lost = _State.lost, None
            os.kill(os.getpid(), signum)


def _signal_of(error: BaseException | None) -> int | None:
    if error is None or isinstance(error, Exception):
        return None
    if isinstance(error, Interrupted):
        return error.signum
    if isinstance(error, KeyboardInterrupt):
        return signal.SIGINT
    named = getattr(error, "signal", None)  # prefect.exceptions.TerminationSignal
    return named if isinstance(named, int) else None


def check() -> None:
    """Raise `Interrupted` if this process received a stop signal: one lost in a finalizer stops the run at its
    next step (it is not sent again then). Raises Interrupted."""
    if _State.received is not None:
        with _State.lock:
            _State.lost = None
        raise Interrupted(_State.received)


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
def held(*signums: int) -> Iterator[None]:
    """These signals (default: the stop signals) held back during the block and delivered at its end, where the
    system can: one that landed between two changes of handlers ran one of them half-way (hostile trial: SIGTERM
    left deferred for good)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, signums or stop_signals())
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


@contextmanager
def critical() -> Iterator[None]:
    """A section a stop signal does not break: it takes effect when the section ends."""
    if threading.current_thread() is not threading.main_thread():  # signals are handled there, outside this section
        yield
        return
    with held():
        previous = {signum: signal.signal(signum, _defer) for signum in stop_signals()}
    try:
        yield
    finally:
        with held():
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            deferred, _State.pending = _State.pending, None
            if deferred is not None:
                signal.raise_signal(deferred)  # held: delivered as the block ends, to the handler in force then
