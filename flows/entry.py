"""The `koperasi-sehat` command's entry point: a stop (Ctrl-C, SIGTERM) while the command still loads (its first
fraction of a second: typer, pandas, Prefect) is one line and exit 1; it was a `KeyboardInterrupt` traceback, or
exit 130 without a word (hostile trial). Nothing has been read or written by then."""

from __future__ import annotations

import os
import signal
import sys

STOPS = (signal.SIGINT, signal.SIGTERM)


def main() -> int:
    """Load the command with the stop signals answered by `_stopped_loading`, then run it (`flows.cli.main`, which
    answers them with its own handlers from its first step: no moment without one); a signal the command was started
    to ignore stays ignored."""
    _open_missing_streams()
    for signum in STOPS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _stopped_loading)
    from flows import cli

    return cli.finished(cli.main())


def _open_missing_streams() -> None:
    """A standard stream the command was started without (`<&-`, `>&-`) opens on the null device. Left closed, its
    number went to the next file or socket the command opened (the background server's connection became the run's
    stdin, so that killing the command no longer stopped its run) and Python's stream was None (a traceback where
    the command flushes it before handing its run over; hostile trial)."""
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)  # the lowest free number: fd
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, "r" if fd == 0 else "w", closefd=False))


def _stopped_loading(signum: int, frame: object) -> None:
    # the words of `flows.commands.say`, written without loading it
    os.write(2, f"koperasi-sehat: dihentikan ({signal.Signals(signum).name}) sebelum mulai: tidak ada yang dibaca "
                "atau ditulis\n".encode())
    os._exit(1)


if __name__ == "__main__":
    sys.exit(main())
