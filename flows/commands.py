"""What each command of the CLI does, as plain functions returning the exit code: 0 done, 1 the run failed or was
stopped, 2 a bad argument or environment (`flows.preflight.ParameterError`). The CLI (`flows/cli.py`) only
parses the options and calls these; every message meant for the analyst is one line, in Indonesian.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TextIO

from flows import interrupt, preflight
from flows.config import APP_NAME, COMMITTED, WORK_DIR, published_run, run_period, run_started, settings
from flows.ingest.walk import given
from schemas.wita import current_period
from scoring.errors import KoperasiSehatError, ServerError

EXIT_DONE, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SAMPLE_ENTRIES = ("koperasi.csv", "faktor_pengurang.csv", "laporan", "kuesioner", "pemeriksaan", "CACAT.md")


def say(message: str) -> None:
    """One line for the analyst, on stderr; dropped when stderr cannot take it either (`2>&1 | head -1`, both on a
    full disk): the exit code still says it. It raised, and a run that had published exited 1 (fresh-clone
    trial). Written, not printed: inside a flow run Prefect takes what is printed as a log of the run (`log_prints`),
    which the console does not show without --verbose (a line said while Prefect's client retried; hostile trial)."""
    try:
        sys.stderr.write(f"{APP_NAME}: {message}\n")
        sys.stderr.flush()
    except OSError:
        lose(sys.stderr)


@dataclass(frozen=True)
class RunRequest:
    """The options of `run`, as given."""

    period: str | None
    first: str | None
    last: str | None
    input: Path | None
    output: Path
    kabupaten: tuple[str, ...]
    rulebook: str | None
    mode: str | None
    max_quarantine_share: float
    max_reporting_drop: float
    dask_address: str | None
    dask_local: int | None
    verbose: bool = False

    def message(self) -> dict:
        """The request as plain values (JSON), for the background server (`flows.background`)."""
        return {k: (str(v) if isinstance(v, Path) else list(v) if isinstance(v, tuple) else v)
                for k, v in asdict(self).items()}

    @classmethod
    def of(cls, message: dict) -> RunRequest:
        """The request from its plain values (`message`), as the background server receives it."""
        paths = {k: Path(message[k]) if message[k] is not None else None for k in ("input", "output")}
        return cls(**{**message, **paths, "kabupaten": tuple(message["kabupaten"])})


FIRST_PERIOD = "1900-01"  # before it, a date pandas cannot hold (its Timestamp starts in 1677) is near


def checked_periods(request: RunRequest) -> list[str]:
    """The months to run, in order: from FIRST_PERIOD to the current month (WITA)."""
    if request.period and (request.first or request.last):
        raise preflight.ParameterError("--period tidak bisa digabung dengan --from/--to")
    if not request.period and not (request.first and request.last):
        raise preflight.ParameterError("berikan --period YYYY-MM, atau --from YYYY-MM dan --to YYYY-MM")
    if request.first and request.first > request.last:
        raise preflight.ParameterError(f"--from {request.first} sesudah --to {request.last}")
    current = current_period()
    first, last = request.period or request.first, request.period or request.last
    if last > current:  # a typo of the year, most often: it published an empty month (hostile trial)
        raise preflight.ParameterError(f"periode {last} belum berjalan: bulan berjalan {current} (WITA), laporannya "
                                       "belum ada")
    if first < FIRST_PERIOD:  # year 0 reached Prefect as pandas' "year 0 is out of range"
        raise preflight.ParameterError(f"periode {first} di luar rentang: berikan bulan {FIRST_PERIOD} sampai "
                                       f"{current}")
    if request.period:
        return [request.period]
    from scoring.periods import periods_between

    return periods_between(request.first, request.last)


def check_run(request: RunRequest) -> tuple[list[str], RunRequest, list[Path]]:
    """Every check of a run that needs no Prefect: the months, folders, shares, workers and areas; the months, the
    request with its folders resolved, and the folders made for its output (innermost first)."""
    periods = checked_periods(request)
    landing = preflight.check_input(request.input)
    preflight.check_apart(landing, request.output)  # before check_output creates it inside the landing folder
    made = [f for f in (request.output, *request.output.parents) if not f.exists()]  # innermost first
    output = preflight.check_output(request.output)
    try:
        preflight.check_share("--max-quarantine-share", request.max_quarantine_share)
        preflight.check_share("--max-reporting-drop", request.max_reporting_drop)
        preflight.check_workers("--dask-local", request.dask_local)
        areas = request.kabupaten
        known = preflight.registered_areas(landing) if areas else None
        if known:
            areas = preflight.match_areas(areas, known)
        for period in periods:
            preflight.check_area_rerun(output, period, areas, landing)
    except preflight.ParameterError:  # a refused run writes nothing: the folders made for it go (an area rerun
        _unmade(made)                 # refused left an empty --output folder: new-user trial)
        raise
    return periods, replace(request, input=landing, output=output, kabupaten=areas), made


def _unmade(made: list[Path]) -> None:
    """The folders made for a refused run's output removed, as long as they are empty (innermost first)."""
    for folder in made:
        with contextlib.suppress(OSError):
            folder.rmdir()


def run_months(request: RunRequest) -> int:
    """Check the request, then run the month's flow, or the backfill's for several months (they stop at the first
    month that fails). Without PREFECT_API_URL they run in the background server (`flows.background`), started if
    needed."""
    periods, request, made = check_run(request)
    from flows import background

    if not request.verbose:  # the console shows progress and the summary; Prefect's logs go to its API and UI
        for name, value in background.QUIET_CONSOLE.items():
            os.environ.setdefault(name, value)
    # Prefect's handler of logs sent to the API writes its failures to stderr when logging's errors are raised, glued
    # to the next line ("--- Error logging to API ---" and the error, without a newline: hostile trial)
    logging.raiseExceptions = request.verbose

    interrupt.install()  # a stop while the background server starts is a stop too
    started = time.time()
    if not background.in_copy():
        try:
            server = background.ready_server()
        except OSError:  # the Prefect home cannot hold its state (read-only, full): a temporary server, as before
            server = None
        except Exception:  # Prefect's settings refused, a library refusing the environment (it left the folder made
            _unmade(made)  # for the run: hostile trial), or its server could not start: nothing written
            raise
        except KeyboardInterrupt:  # the server it was starting stops too, and nothing is left of the run
            background.stop_starting()
            _unmade(made)
            say(_stopped(request.output, periods, started))
            return EXIT_FAILED
        code = None if server is None else background.run_there(server, request.message(),
                                                                 _ended_there(request, periods, started))
        if code is not None:
            if code == EXIT_USAGE:  # refused before anything was written (a Prefect setting of the command's folder,
                _unmade(made)       # a parameter): no folder left for it (hostile trial)
            return code
    try:
        from flows import report, server
        from flows.api_check import retries_said

        with server.prefect_api() as url, server.without_heartbeats(), retries_said(url, say):
            from flows.pipeline import with_runner

            if len(periods) > 1:  # the months as one flow, each read and scored ahead; published in order
                return _backfill(with_runner(request.dask_address, request.dask_local, backfill=True), request,
                                 periods)
            with report.progress():
                state = with_runner(request.dask_address, request.dask_local)(
                    period=periods[0], kabupaten=list(request.kabupaten) or None, input=str(request.input),
                    output=str(request.output), rulebook=request.rulebook, mode=request.mode,
                    max_quarantine_share=request.max_quarantine_share,
                    max_reporting_drop=request.max_reporting_drop, return_state=True)
            if not state.is_completed():
                if interrupt.received():  # a stop that Prefect reported as its own error (a signal
                    raise KeyboardInterrupt  # between two tasks: "Task run is not set")
                error = state.result(raise_on_failure=False)
                _raised_if_the_api_s(error)
                why = (f"galat berkas: {preflight.os_error_words(error)}" if isinstance(error, OSError)
                       else state.message)  # a file the flow itself could not write, in the user's words
                say(f"run {periods[0]} gagal: {why}")
                return EXIT_USAGE if isinstance(error, preflight.ParameterError) else EXIT_FAILED
            print_summaries([state.result()], request.output)
    except ServerError:  # the user's Prefect API refused (`flows.api_check`): nothing written, no folder left
        _unmade(made)    # for it (hostile trial)
        raise
    except KeyboardInterrupt:
        return _ended_by_stop(request, periods, started, made)
    except Exception as error:
        from flows.api_check import failed_request

        _unmade(made)  # a run that failed before it wrote (a Prefect setting refused): no folder left (hostile trial)
        failed = failed_request(error)  # the Prefect API failed a request of the run: say what it published, if any
        if failed is None:
            if interrupt.received() is not None:  # an error the stop caused: pyarrow's pandas shim swallows a stop
                return _ended_by_stop(request, periods, started, made)  # that cuts pandas' loading short, and the
            raise  # next import of it failed (`pustaka pandas tidak dapat dimuat`, exit 2: hostile trial)
        print_summaries(_published_summaries(request, periods, started), request.output)
        stop = _stop_signal(error)
        say(_stopped(request.output, periods, started, how=failed if stop is None else
                     f"dihentikan ({signal.Signals(stop).name}) saat {failed}"))
        return EXIT_FAILED
    return EXIT_DONE


def _ended_by_stop(request: RunRequest, periods: list[str], started: float, made: list[Path]) -> int:
    """A run in this process stopped (Ctrl-C, SIGTERM): the months it published, its line, exit 1, no folder left
    that was made for it and is empty. A second stop from now on has nothing left to stop: as the line was said, or
    as Prefect's logs were sent at the exit, it ended the command by SIGINT (exit 130: hostile trial)."""
    interrupt.ignore_stops()
    _unmade(made)
    print_summaries(_published_summaries(request, periods, started), request.output)
    say(_stopped(request.output, periods, started))
    return EXIT_FAILED


def _stop_signal(error: BaseException | None) -> int | None:
    """The stop signal a run was ending on when the Prefect API failed it (`error`), if any: Prefect records the stop
    on its server, and a server that does not answer then fails the run (`flows.api_check._given_up`). A Ctrl-C
    received, or SIGTERM as Prefect takes it during a flow run (its TerminationSignal, which `error` was raised
    while handling); the line said only that the server failed (new-user trial)."""
    received = interrupt.received()
    while error is not None:
        if type(error).__name__ == "TerminationSignal":  # prefect.exceptions: Prefect is loaded by now
            return getattr(error, "signal", signal.SIGTERM)
        error = error.__context__
    return received


def _raised_if_the_api_s(error: object) -> None:
    """A failed flow's exception raised again when the Prefect API failed it (`api_check.failed_request`), so that
    the run's line says what was published: a month published, then the API refusing its artifact, read `run
    2026-08 gagal: ... PrefectHTTPStatusError ...` (hostile trial)."""
    from flows.api_check import failed_request

    if isinstance(error, Exception) and failed_request(error) is not None:
        raise error


def _backfill(flow: object, request: RunRequest, periods: list[str]) -> int:
    """The months of a backfill as one flow on Dask (`flows.pipeline.backfill_scoring`): each month's summary,
    and the month that failed, if one did."""
    from flows import report

    with report.progress():
        state = flow(periods=periods, kabupaten=list(request.kabupaten) or None, input=str(request.input),
                     output=str(request.output), rulebook=request.rulebook, mode=request.mode,
                     max_quarantine_share=request.max_quarantine_share,
                     max_reporting_drop=request.max_reporting_drop, return_state=True)
    from flows.pipeline import BackfillStopped

    result = state.result(raise_on_failure=False)
    if state.is_completed():
        print_summaries(result, request.output)
        return EXIT_DONE
    month, error, message = periods[0], result, state.message  # the parameters: no month started
    if isinstance(result, BackfillStopped):
        print_summaries(result.summaries, request.output)
        month, error, message = result.periode, result.error, str(result.error)
    _raised_if_the_api_s(error)
    say(f"run {month} gagal: {message}")
    return EXIT_USAGE if isinstance(error, preflight.ParameterError) else EXIT_FAILED


def print_summaries(summaries: list[dict], output: Path) -> None:
    """Each published month's summary on stdout (`report.print_summary`). A stdout that cannot take it (a full
    disk) is one line on stderr, not a failure: the months are published (it was a traceback, or exit 1 without a
    word, after publication; hostile trial); a pipe its reader closed (`| head -1`) took what it wanted."""
    from flows import report

    for i, summary in enumerate(summaries):
        report.print_summary(summary, output, first=i == 0)
    reason = words_lost()
    if reason is not None:
        say(f"ringkasan tidak dapat ditulis ke keluaran standar ({reason}); periode terbit, keluaran di {output}")


class GuardedStdout:
    """A command's stdout that never raises: the first write or flush it refuses (a full disk, a pipe closed early:
    `| head -1`, a closed descriptor) sends the rest to the null device and is kept (`refused`), so the command
    does its work to its end whatever Python's buffering (the refusal showed at one write or at the last flush,
    by PYTHONUNBUFFERED: hostile trial) and says it once (`words_lost`), but for a pipe its reader closed. A
    character the stream's encoding cannot write is replaced (PYTHONIOENCODING=ascii gave a traceback)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.refused: str | None = None  # why stdout refused, once it has

    def write(self, text: str) -> int:
        """Write `text` unless stdout has refused a write before (then it is dropped); returns its length, as a
        stream does."""
        if self.refused is None:
            try:
                self.stream.write(text)
            except UnicodeEncodeError:
                encoding = self.stream.encoding
                self.write(text.encode(encoding, "replace").decode(encoding))
            except OSError as error:
                self._refuse(error)
        return len(text)

    def flush(self) -> None:
        """Flush the stream unless it has refused; an OSError now is kept as the refusal, not raised."""
        if self.refused is None:
            try:
                self.stream.flush()
            except OSError as error:
                self._refuse(error)

    def _refuse(self, error: OSError) -> None:
        # a pipe its reader closed (`jelaskan ... | head -5`) took what the reader wanted: nothing to say (a line
        # "kata-kata perintah ini hilang" told a user who had what he asked for that it was lost: new-user trial)
        self.refused = "" if error.errno == errno.EPIPE else error.strerror or str(error)
        lose(self.stream)

    def __getattr__(self, name: str) -> object:  # fileno, isatty, encoding...: the stream's
        return getattr(self.stream, name)


def words_lost() -> str | None:
    """Why stdout refused what this process wrote to it (flushed now), once: None when it took it all, or when it
    is not a `GuardedStdout` (a command that writes none)."""
    sys.stdout.flush()
    reason = getattr(sys.stdout, "refused", None)
    if reason is not None:
        sys.stdout.refused = ""  # said: not again
    return reason or None


def lose(stream: TextIO) -> None:
    """The rest of this process's writes to the stream (stdout, stderr) go to the null device: what is still
    buffered is flushed there at exit, not reported by Python as a second error (nor exit 120)."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, stream.fileno())
    os.close(null)


def _stopped(output: Path, periods: list[str], started: float, signum: int | None = None, how: str | None = None,
             unfinished: dict[str, str] | None = None) -> str:
    """The line of a run stopped by a signal (`signum`, default the one received; `how` it ended, default
    "dihentikan (SIGINT)"), `started` being the command's start (seconds since the epoch): the months published by
    a run started since (their record names it), and the first not published, whose previous outputs are intact, or
    whose publication a killed run committed but could not finish (`unfinished`: the month and why); or, if every
    one was published, that the last one was before it stopped. A record's age said who published it: a run of
    another command, published meanwhile, was taken for the stopped one (hostile trial)."""
    from scoring.periods import period_span

    how = how or f"dihentikan ({signal.Signals(signum or interrupt.received() or signal.SIGINT).name})"
    for i, period in enumerate(periods):
        if not _published_since(output, period, started):
            after = f" setelah periode {period_span(periods[:i])} terbit utuh;" if i else ":"
            if period in (unfinished or {}):
                return (f"{how}{after} penerbitan periode {period} terhenti di tengah ({unfinished[period]}); "
                        "perintah berikutnya pada folder keluaran menyelesaikannya")
            return f"{how}{after} periode {period} tidak diterbitkan, keluaran sebelumnya utuh"
    return f"{how} setelah periode {period_span(periods)} terbit utuh"


def _published_summaries(request: RunRequest, periods: list[str], started: float) -> list[dict]:
    """The summaries of the months a run started at `started` published, in order, from their manifests (a run
    stopped, or failed by the Prefect API, after publishing months printed none of them: hostile trial); a manifest
    that cannot be read gives none."""
    from flows import monthly
    from flows.runs import RunParameters

    summaries = []
    for period in periods:
        if not _published_since(request.output, period, started):
            break
        try:
            manifest = json.loads((request.output / published_run(request.output, period)["manifest"]).read_text(
                encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        params = RunParameters(period=period, kabupaten=request.kabupaten, output=request.output)
        summaries.append(monthly.summary(params, manifest))
    return summaries


def _published_since(output: Path, period: str, started: float) -> bool:
    """Whether the period's record (`_terbit/<periode>.json`) names a run started at or after `started`."""
    run_id = published_run(output, period).get("run_id")
    moment = run_started(run_id) if isinstance(run_id, str) else None
    return moment is not None and moment >= started


def _ended_by_signal(output: Path, periods: list[str], started: float, signum: int, how: str | None = None) -> str:
    """The line of a run whose process ended by a signal it could not handle (SIGKILL, the kernel's out-of-memory
    killer, a crash; a stop in its first moments): what it left in the output folder is first finished, if it was
    committed, or undone (`finish_switches`, as the next command on the folder would do), so that the line
    (`_stopped`) says what a reader of the folder now finds; a publication that cannot be finished now (a folder
    made read-only) is named so. It said only the signal, the outputs possibly half switched until the next
    command (hostile trial)."""
    deadline = time.monotonic() + RECOVER_SECONDS  # the run's own copies end with it, a moment later: until then
    why = "proses run itu belum berakhir"          # they hold its period's lock, and its folder is left alone
    try:
        finish_switches(output)
        while _left_by_runs_since(output, periods, started) and time.monotonic() < deadline:
            time.sleep(0.1)
            finish_switches(output)
    except OSError as error:  # a folder this command cannot write (read-only, full): the next command does it
        why = preflight.os_error_words(error)
    except Exception as error:  # noqa: BLE001 - any other: named, the next command meets it again
        why = str(error) if isinstance(error, KoperasiSehatError) else f"{type(error).__name__}: {error}"
    unfinished = {run_period(work.name): why for work in _left_by_runs_since(output, periods, started)
                  if (work / COMMITTED).exists()}
    return _stopped(output, periods, started, signum, how, unfinished)


RECOVER_SECONDS = 5


def _ended_there(request: RunRequest, periods: list[str], started: float) -> Callable[[int, str | None], str]:
    """For a run in the background server whose copy ended by a signal it could not handle, or whose server
    stopped answering (`background.run_there`): print the summaries of the months it published (a backfill prints
    them at its end: one killed after two months said only that they were published; note of 2026-12-06), then
    give its line (`_ended_by_signal`)."""
    def line(signum: int, how: str | None = None) -> str:
        said = _ended_by_signal(request.output, periods, started, signum, how)
        print_summaries(_published_summaries(request, periods, started), request.output)
        return said

    return line


def _left_by_runs_since(output: Path, periods: list[str], started: float) -> list[Path]:
    """The work folders of runs of the periods started at or after `started` (not those of another command's run
    started before, which may well be at work: it was waited for, and its publication taken for the killed
    run's; hostile trial)."""
    return [work for period in periods for work in sorted((output / WORK_DIR).glob(f"{period}_*"))
            if (run_started(work.name) or 0) >= started]


SERVING = "_KOPERASI_SEHAT_SERVING"  # set in the serving process that `serve` starts in a session of its own


def serve_deployment(cron: str | None) -> int:
    """Serve the monthly deployment on its schedule until Ctrl-C or SIGTERM; start a local Prefect server (UI on
    127.0.0.1) for it when PREFECT_API_URL is not set.

    On POSIX the serving is a process of its own session (`_serve_apart`): a Ctrl-C at the terminal reaches only
    this command, which stops it as on SIGTERM, so that a flow run in progress is cancelled by the runner (and
    its concurrency slot released) rather than interrupted in the middle by the terminal's SIGINT."""
    from flows.background import check_prefect_files

    check_prefect_files()
    if os.name != "nt" and not os.environ.get(SERVING):
        return _serve_apart(cron)
    if os.environ.get(SERVING):
        _stop_when_the_command_ends()
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")  # the runner's warnings only
    from flows import pipeline, server

    interrupt.prepare_process()

    config = settings()
    if os.name != "nt":  # stop as on Ctrl-C: the runner shuts down gracefully
        signal.signal(signal.SIGTERM, _as_ctrl_c)
    try:
        with server.prefect_api(port=config.server_port, ui=True) as url:
            say(f"melayani {pipeline.monthly_scoring.name}/{config.deployment} (jadwal '{cron or config.cron}' "
                f"WITA) lewat {url}; UI {url.removesuffix('/api')}; hentikan dengan Ctrl-C")
            pipeline.serve(cron)
    except KeyboardInterrupt:
        pass
    say("serve dihentikan")
    return EXIT_DONE


def _as_ctrl_c(signum: int, frame: object) -> None:
    """SIGTERM as Ctrl-C (whether or not SIGINT is ignored here): the runner shuts down gracefully."""
    raise KeyboardInterrupt


def _serve_apart(cron: str | None) -> int:
    """Run the serving in a new session, pass Ctrl-C, SIGTERM and SIGHUP on to it as SIGTERM, return its code."""
    import subprocess

    command = [sys.executable, "-m", "flows.cli", "serve", *(["--cron", cron] if cron else [])]
    serving = subprocess.Popen(command, env={**os.environ, SERVING: "1"}, stdin=subprocess.PIPE,
                               start_new_session=True)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is not signal.SIG_IGN:  # one the command was started to ignore stays ignored
            signal.signal(signum, lambda *_: serving.send_signal(signal.SIGTERM))
    code = serving.wait()  # a signal handled above does not end the wait (PEP 475)
    if code < 0:  # ended by the signal passed on before its own handler was in place (still starting)
        say("serve dihentikan")
        return EXIT_DONE
    return code


def _stop_when_the_command_ends() -> None:
    """In the serving process: stop as on SIGTERM when the `serve` command that started it ends in any way (its
    pipe on stdin closes, even on kill -9)."""
    import threading

    def watch() -> None:
        while os.read(0, 1 << 10):  # the descriptor itself: no lock of sys.stdin held at the interpreter's end
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="serve-watch").start()


def server_status() -> int:
    """Say whether the background server runs (`flows.background`)."""
    from flows import background

    print(background.status_line())
    return EXIT_DONE


def server_stop() -> int:
    """Stop the background server, its runs first."""
    from flows import background

    print(background.stop_server())
    return EXIT_DONE


def make_sample(output: Path, scale: str, seed: int, dirty: bool, force: bool, last_period: str) -> int:
    """Write a seeded sample landing folder whose reports end at `last_period`; a folder that is not empty is only
    overwritten with `force`. A folder that cannot be made or written is refused in one line (exit 2); a write
    that fails meanwhile is one line (exit 1)."""
    preflight.check_output(output)
    if any(output.iterdir()):
        if not force:
            raise preflight.ParameterError(f"folder {output} tidak kosong: pilih folder lain, atau tambahkan --force "
                                           "untuk mengganti contoh di dalamnya")
        for name in SAMPLE_ENTRIES:  # only what a sample writes: a landing folder of another sample is replaced
            entry = output / name
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink(missing_ok=True)
    from sample import counted, write_sample  # after the checks: a refusal stays fast
    from scoring.texts import number

    with _written("contoh", output):
        counts = write_sample(output, scale=scale, seed=seed, dirty=dirty, last_period=last_period)
    written = ", ".join(f"{number(v, 0)} {counted(k)}" for k, v in counts.items())
    print(f"contoh ditulis ke {output.resolve()}: {written}")
    return EXIT_DONE


def make_templates(output: Path) -> int:
    """Write the Excel templates the office sends to cooperatives, one per input table; refusals and failed writes
    as `make_sample`'s."""
    from flows.templates import write_templates

    preflight.check_output(output)
    with _written("templat", output):
        written = write_templates(output)
    print("templat ditulis: " + ", ".join(str(path.resolve()) for path in written))  # where: absolute, as a run's
    return EXIT_DONE


@contextmanager
def _written(what: str, output: Path) -> Iterator[None]:
    """A write into `output` that fails (a full disk, a folder made read-only meanwhile) as one line, exit 1."""
    try:
        yield
    except OSError as error:
        raise KoperasiSehatError(f"{what} tidak selesai ditulis ke {output}: {preflight.os_error_words(error)}"
                                 ) from None


def compare_books(period: str, input: Path | None, output: Path, books: tuple[str, ...]) -> int:
    """Score one month of the landing folder with several rulebooks (default: ksp-2009, ksp-2016 and
    kkpkk-2021-draft), write the table perbandingan_rulebook of the month and print what changes
    (`flows.comparison`)."""
    landing = preflight.check_input(input)
    preflight.check_apart(landing, output)  # before check_output creates it inside the landing folder
    output = preflight.check_output(output)
    finish_switches(output)
    from rich.console import Console

    from flows import comparison

    result = comparison.compare(landing, output, period, books or comparison.DEFAULT_BOOKS)
    comparison.print_summary(result, Console(highlight=False, soft_wrap=True))
    return EXIT_DONE


def finish_switches(output: Path) -> None:
    """The first step of a command that reads an output folder: a publication a killed run left half switched is
    finished (committed) or undone (`flows.publishing.recover`), so that it reads one run's tables."""
    if (Path(output) / WORK_DIR).is_dir():
        from flows.publishing import recover

        recover(output)


def explain(query: str, period: str | None, output: Path) -> int:
    """Print one cooperative of a published period (`flows.lookup`); a name that matches several lists them on
    stdout and exits with the usage code."""
    from rich.console import Console

    from flows import lookup

    finish_switches(output)
    console = Console(highlight=False)
    try:
        lookup.show(lookup.cooperative(output, query, period), console)
    except lookup.AmbiguousName as error:
        lookup.show_matches(error.matches, console)  # in a pipe, one line per cooperative as its own tables
        raise
    return EXIT_DONE


def rebuild_reports(period: str, output: Path) -> int:
    """Build the documents of a published period again from its tables, replacing its folder whole
    (`flows.publishing.rebuild_documents`); a period never published, or an output folder that is not there, is
    refused in one line (exit 2); a write that fails is one line (exit 1), the documents before left whole."""
    if not output.exists():
        raise preflight.ParameterError(f"folder keluaran {given(output)} tidak ada")
    preflight.check_output(output)  # a folder, writable
    if not preflight.is_published(output, period):
        raise preflight.ParameterError(f"periode {period} belum pernah terbit di {output}: jalankan dulu "
                                       f"`{APP_NAME} run --period {period}`")
    from flows.publishing import rebuild_documents
    from scoring.texts import number

    try:
        folder, files = rebuild_documents(output, period)
    except OSError as error:  # a full disk, a folder made read-only meanwhile: the documents before stay
        say(f"dokumen periode {period} tidak ditulis ulang: {preflight.os_error_words(error)}; dokumen sebelumnya "
            "utuh")
        return EXIT_FAILED
    print(f"dokumen periode {period} ditulis ulang: {number(len(files), 0)} berkas di {Path(folder).resolve()}")
    return EXIT_DONE
