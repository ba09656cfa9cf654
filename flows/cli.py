"""The `koperasi-sehat` command: run the monthly job, generate sample data."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from flows.config import DEFAULT_INPUT, DEFAULT_OUTPUT
from scoring.rulebook import PERIODE, rulebooks

EXIT_FAILED, EXIT_USAGE = 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, exit code 2
        self.exit(EXIT_USAGE, f"koperasi-sehat: {message} (see --help)\n")


def _period(text: str) -> str:
    if not re.fullmatch(PERIODE.pattern, text):
        raise argparse.ArgumentTypeError(f"period {text!r} is not YYYY-MM (e.g. 2026-10)")
    return text


def _folder(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"input folder {text!r} does not exist")
    return path


def parser() -> argparse.ArgumentParser:
    main = _Parser(prog="koperasi-sehat", description="Monthly health scoring of savings-and-loan cooperatives.")
    commands = main.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="score one month (embedded Prefect: no server to start)")
    run.add_argument("--period", required=True, type=_period, help="the month to score, YYYY-MM")
    run.add_argument("--input", type=_folder, default=DEFAULT_INPUT, help=f"landing folder (default {DEFAULT_INPUT})")
    run.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"output folder (default {DEFAULT_OUTPUT})")
    run.add_argument("--kabupaten", nargs="+", metavar="NAME", help="only these kabupaten/kota")
    run.add_argument("--rulebook", choices=sorted(rulebooks()), help="force a rulebook (default: by period)")
    run.add_argument("--mode", choices=["table", "linear"], help="band tables or linear text rules")
    sample = commands.add_parser("sample", help="write a seeded sample landing folder")
    sample.add_argument("--output", type=Path, required=True, help="folder to write")
    sample.add_argument("--scale", choices=["kaltara", "national"], default="kaltara")
    sample.add_argument("--seed", type=int, default=2026)
    sample.add_argument("--dirty", action="store_true", help="the drop with every defect of real reports")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "sample":
        from flows.sample import write_sample

        counts = write_sample(args.output, scale=args.scale, seed=args.seed, dirty=args.dirty)
        print(f"sample written to {args.output}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        return 0
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.monthly import ParameterError
    from flows.pipeline import monthly_scoring
    from flows.report import print_summary

    state = monthly_scoring(period=args.period, kabupaten=args.kabupaten, input=str(args.input),
                            output=str(args.output), rulebook=args.rulebook, mode=args.mode, return_state=True)
    if not state.is_completed():
        error = state.result(raise_on_failure=False)
        print(f"koperasi-sehat: run failed: {state.message}", file=sys.stderr)
        return EXIT_USAGE if isinstance(error, ParameterError) else EXIT_FAILED
    print_summary(state.result(), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
