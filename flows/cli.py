"""The `koperasi-sehat` command: run the monthly job, generate sample data."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from flows.config import TIMEZONE, settings
from scoring.rulebook import PERIODE, published_books
from scoring.periods import periods_between

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
    months = run.add_mutually_exclusive_group(required=True)
    months.add_argument("--period", type=_period, help="the month to score, YYYY-MM")
    months.add_argument("--from", dest="first", type=_period, help="backfill: the first month (with --to)")
    run.add_argument("--to", dest="last", type=_period, help="backfill: the last month, scored in order")
    defaults = settings()
    run.add_argument("--input", type=_folder, default=defaults.input, help=f"landing folder (default {defaults.input})")
    run.add_argument("--output", type=Path, default=defaults.output, help=f"output folder (default {defaults.output})")
    run.add_argument("--kabupaten", nargs="+", metavar="NAME", help="only these kabupaten/kota")
    run.add_argument("--rulebook", choices=sorted(published_books()),
                     help="force a rulebook (default: by period)")
    run.add_argument("--mode", choices=["table", "linear"], help="band tables or linear text rules")
    run.add_argument("--max-quarantine-share", type=float, default=defaults.max_quarantine_share, metavar="SHARE",
                     help="do not publish if more than this share of report rows is quarantined "
                          f"(default {defaults.max_quarantine_share})")
    run.add_argument("--max-reporting-drop", type=float, default=defaults.max_reporting_drop, metavar="SHARE",
                     help="do not publish if reporting cooperatives fell by more than this share "
                          f"(default {defaults.max_reporting_drop})")
    dask = run.add_mutually_exclusive_group()
    dask.add_argument("--dask-address", metavar="tcp://HOST:PORT", help="run the parts on this Dask scheduler")
    dask.add_argument("--dask-local", type=int, metavar="N", help="run the parts on a local Dask cluster of N workers")
    serve = commands.add_parser("serve", help="serve the monthly deployment: 02:00 WITA on the 5th, last month")
    serve.add_argument("--cron", default=defaults.cron, help=f"cron in {TIMEZONE.key} (default {defaults.cron!r})")
    sample = commands.add_parser("sample", help="write a seeded sample landing folder")
    sample.add_argument("--output", type=Path, required=True, help="folder to write")
    sample.add_argument("--scale", choices=["kaltara", "national"], default="kaltara")
    sample.add_argument("--seed", type=int, default=2026)
    sample.add_argument("--dirty", action="store_true", help="the drop with every defect of real reports")
    template = commands.add_parser("template", help="write the Excel templates of the input tables")
    template.add_argument("--output", type=Path, required=True, help="folder to write the .xlsx files to")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "sample":
        from flows.sample import write_sample

        counts = write_sample(args.output, scale=args.scale, seed=args.seed, dirty=args.dirty)
        print(f"sample written to {args.output}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        return 0
    if args.command == "template":
        from flows.templates import write_templates

        print("templates written: " + ", ".join(str(p) for p in write_templates(args.output)))
        return 0
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if args.command == "serve":
        from flows.pipeline import serve

        serve(args.cron)
        return 0
    if args.first and not args.last or args.last and not args.first:
        parser().error("--from and --to go together")
    if args.first and args.first > args.last:
        parser().error(f"--from {args.first} is after --to {args.last}")
    return _run(args, periods_between(args.first, args.last) if args.first else [args.period])


def _run(args: argparse.Namespace, periods: list[str]) -> int:
    """Run the flow for each period in order; stop at the first that fails."""
    from flows.monthly import ParameterError, keeping_common_inputs
    from flows.pipeline import with_runner
    from flows.report import print_summary

    monthly_scoring = with_runner(args.dask_address, args.dask_local)
    with keeping_common_inputs():  # the months of a backfill read and check the shared inputs once
        for period in periods:
            state = monthly_scoring(period=period, kabupaten=args.kabupaten, input=str(args.input),
                                    output=str(args.output), rulebook=args.rulebook, mode=args.mode,
                                    max_quarantine_share=args.max_quarantine_share,
                                    max_reporting_drop=args.max_reporting_drop, return_state=True)
            if not state.is_completed():
                error = state.result(raise_on_failure=False)
                print(f"koperasi-sehat: run of {period} failed: {state.message}", file=sys.stderr)
                return EXIT_USAGE if isinstance(error, ParameterError) else EXIT_FAILED
            print_summary(state.result(), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
