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
    for signum in STOPS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _stopped_loading)
    from flows import cli

    return cli.main()


def _stopped_loading(signum: int, frame: object) -> None:
    # the words of `flows.commands.say`, written without loading it
    os.write(2, f"koperasi-sehat: dihentikan ({signal.Signals(signum).name}) sebelum mulai: tidak ada yang dibaca "
                "atau ditulis\n".encode())
    os._exit(1)


if __name__ == "__main__":
    sys.exit(main())
