"""The Prefect flow of the monthly job: thin tasks around the steps of a run (`flows.prepare`, `flows.score_parts`,
`flows.assemble`, `flows.monthly`) and `flows.publishing`."""

from __future__ import annotations

import concurrent.futures
import functools
import importlib
import multiprocessing.resource_tracker
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack, nullcontext, suppress
from datetime import datetime

import prefect
from prefect import Flow, flow, get_run_logger, task
from pydantic import ValidationError
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.deployments.runner import EntrypointType
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.schedules import Cron
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from flows import assemble, forked, interrupt, monthly, prepare, publishing, report, score_parts
from flows.catalog import release
from flows.config import TIMEZONE, settings
from flows.ingest.walk import shown
from flows.locks import period_lock
from flows.runs import PrepareSummary, RunParameters, ScoreSummary, new_run_id
from flows.preflight import check_apart, check_area_rerun, os_error_words
from scoring import KoperasiSehatError
from scoring.periods import period_span, previous_period
from scoring.errors import ParameterError


# a process that loads the flow (a served run's, before Prefect's engine starts it) has the stop handling of the
# job from then on: a stop lost in a finalizer of the engine's own start or end is sent again, not printed
interrupt.prepare_process()


def scheduled_period(scheduled: datetime) -> str:
    """The period a run scheduled at this moment scores: the month before it, in the province's time."""
    return previous_period(f"{scheduled.astimezone(TIMEZONE):%Y-%m}")


def _io_error(task, task_run, state) -> bool:
    """Retry only what may pass a second time: operating-system I/O errors, not bad data."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:
        return False
    return False


IO_RETRIES = {"retries": 3, "retry_delay_seconds": [2, 10, 30], "retry_condition_fn": _io_error}


def _user_errors_fail(step: Callable) -> Callable:
    """A user's error ends the task as Failed with one clear message, no traceback. A step but a score part gives
    the memory it freed back to the system (`catalog.release`): the run's peak is its largest step's."""
    @functools.wraps(step)
    def run(*args: object) -> object:
        try:
            return step(*args)
        except KoperasiSehatError as error:
            get_run_logger().error("%s", error)
            return Failed(message=str(error), data=error)
        finally:
            if step.__name__ != "score_part_task":
                release()
    return run


@task(name="baca-dan-validasi", cache_policy=NO_CACHE, **IO_RETRIES)
@_user_errors_fail
def prepare_task(params: RunParameters, run_id: str, started: datetime, previous_published: bool | None = None,
                 prepared: PrepareSummary | None = None) -> PrepareSummary | State:
    """The month read and validated here, or already by a copy of the process (`prepared`: its summary)."""
    if previous_published is not None:  # a month of a backfill: the shared inputs are checked once per process
        prepare.keep_common_inputs()
    summary = prepared or prepare.prepare(params, run_id, started, previous_published)
    logger = get_run_logger()
    for problem in summary.berkas_ditolak:
        logger.warning("berkas ditolak: %s", problem)
    for entry in summary.berkas_tidak_dibaca:
        logger.warning("tidak dibaca: %s: %s", entry["sumber"], entry["alasan"])
    logger.info("laporan %s: %d dibaca, %d diterima, %d dikarantina, %d terganti (%d baris periode lain)",
                params.period, summary.laporan_dibaca, summary.laporan_diterima, summary.laporan_dikarantina,
                summary.laporan_terganti, summary.laporan_periode_lain)
    for reason, count in summary.alasan_teratas:
        logger.info("karantina: %d x %s", count, reason)
    return summary


@task(name="bagi", cache_policy=NO_CACHE)
@_user_errors_fail
def partition_task(params: RunParameters, run_id: str) -> list[tuple[str, ...]]:
    """Prefect task 'bagi': the run's parts, each a tuple of kabupaten/kota codes (`score_parts.partitions`)."""
    return score_parts.partitions(params, run_id)


@task(name="nilai-bagian", cache_policy=NO_CACHE)
@_user_errors_fail
def score_part_task(params: RunParameters, run_id: str, part: int, kabupaten: tuple[str, ...],
                    computed_at: datetime, scored: ScoreSummary | None = None) -> ScoreSummary:
    """A part scored here, or already by a copy of the process (`scored`: its summary, the rows written)."""
    return scored if scored is not None else score_parts.score_together(params, run_id, {part: kabupaten},
                                                                         computed_at)[part]


Scored = tuple[list[ScoreSummary], tuple[str, ...]]  # a month's parts' summaries, and its tables kept ahead


@task(name="nilai-bulan", cache_policy=NO_CACHE)
@_user_errors_fail
def score_month_task(params: RunParameters, run_id: str, computed_at: datetime,
                     scored: Scored | None = None) -> Scored:
    """Every part of a month, and its tables that need no other month kept (`_month_parts`: a month of a backfill,
    the months are what runs in parallel), or already by a copy of the process (`scored`: the parts' summaries and
    the tables kept, their rows written)."""
    return scored or _month_parts(params, run_id, computed_at)


def _month_parts(params: RunParameters, run_id: str, computed_at: datetime) -> Scored:
    """Every part of a month without tasks (a month of a backfill on a Dask worker, or in the copy that scores the
    next month ahead): together (`score_parts.score_together`), or in halves where a core is free for a copy of
    this process (`_in_halves`); then its tables that need no other month checked and kept
    (`assemble.keep_ahead`): its assembly, once the month before is published, has less left to do. Returns the
    parts' summaries and the tables kept."""
    def scored(chosen: dict[int, tuple[str, ...]], given: dict[int, ScoreSummary]) -> dict[int, ScoreSummary]:
        return given or score_parts.score_parts(params, run_id, plan, computed_at, chosen)

    plan = score_parts.partitions(params, run_id)
    parts = _in_halves(params, run_id, computed_at, plan, scored)
    return parts, assemble.keep_ahead(params, run_id)


@task(name="gabung", cache_policy=NO_CACHE)
@_user_errors_fail
def assemble_task(params: RunParameters, run_id: str, parts: list[ScoreSummary], kept: tuple[str, ...] = ()
                  ) -> ScoreSummary:
    """Prefect task 'gabung': the month's tables from the scored parts (`assemble.assemble`), its counts logged."""
    summary = assemble.assemble(params, run_id, parts, kept)
    logger = get_run_logger()
    logger.info("dinilai %d koperasi, %d laporan tidak dinilai (jenis tanpa rulebook)", summary.dinilai,
                summary.tidak_dinilai)
    for area in summary.per_kabupaten:  # details: the console and the UI show the summary table instead
        logger.debug("%s: %d koperasi, %d melapor, %d dinilai", shown(area["kabupaten_kota"]), area["koperasi"],
                     area["melapor"], area["dinilai"])
    return summary


def _score(params: RunParameters, run_id: str, started: datetime) -> ScoreSummary:
    """The month's parts scored (`_scored_parts`), then assembled."""
    return _assembled(params, run_id, _scored_parts(params, run_id, started))


def _assembled(params: RunParameters, run_id: str, parts: list[ScoreSummary], kept: tuple[str, ...] = ()
               ) -> ScoreSummary:
    """The month assembled (`kept`: its tables kept already, `assemble.keep_ahead`)."""
    report.stage(f"menggabungkan bagian {params.period}")
    release()  # the datasets the parts read
    return _completed(assemble_task(params, run_id, parts, kept, return_state=True))


def _scored_parts(params: RunParameters, run_id: str, started: datetime) -> list[ScoreSummary]:
    """The parts on the flow's task runner (in parallel on Dask), in order; locally in halves (`_in_halves`), the
    copy's parts then having their tasks too, which take its summaries."""
    plan = _completed(partition_task(params, run_id, return_state=True))
    report.stage(f"menilai koperasi per bagian {params.period}", total=len(plan))
    return _in_halves(params, run_id, started, plan, functools.partial(_parts_scored, params, run_id, started),
                      copy=_local())


Scorer = Callable[[dict[int, tuple[str, ...]], dict[int, ScoreSummary]], dict[int, ScoreSummary]]


def _in_halves(params: RunParameters, run_id: str, started: datetime, plan: list[tuple[str, ...]], scored: Scorer,
               copy: bool = True) -> list[ScoreSummary]:
    """The summaries of the plan's parts, in order, by `scored(parts, given)`, which takes the summaries `given`
    and scores the other parts. Where a copy helps (`copy`, `forked.supported`, two parts or more), the later half
    of the parts is scored meanwhile in a forked copy of this process (`flows.forked`: a part is mostly pandas,
    which holds the interpreter's lock, so threads would only take turns); a part the copy gave nothing for is
    scored here. The copy shares the datasets read before it (`PART_INPUTS`) and writes its parts' rows itself."""
    apart = score_parts.in_a_copy(plan) if copy and forked.supported() else []
    if apart:
        params.folder(run_id).read_ahead(score_parts.PART_INPUTS)
    with (forked.forked(lambda: score_parts.score_parts(params, run_id, plan, started, apart)) if apart
          else nullcontext()) as helper:
        start = time.perf_counter()
        parts = scored({i: names for i, names in enumerate(plan) if i not in apart}, {})
        done, given = helper.given(time.perf_counter() - start) if helper else (False, None)
    parts |= scored({i: plan[i] for i in apart}, given if done else {})
    return [parts[i] for i in range(len(plan))]


def _parts_scored(params: RunParameters, run_id: str, started: datetime, plan: dict[int, tuple[str, ...]],
                  scored: dict[int, ScoreSummary]) -> dict[int, ScoreSummary]:
    """These parts on the flow's task runner (those in `scored` take their summaries); their summaries by part."""
    futures: dict[int, PrefectFuture] = {}
    parts = {}
    try:
        with interrupt.critical():  # a stop comes once every part is submitted: none runs without its future
            futures |= {i: score_part_task.submit(params, run_id, i, names, started, scored.get(i))
                        for i, names in plan.items()}
        for i, future in futures.items():
            parts[i] = _completed(future.wait() or future.state)
            report.advance()
    finally:  # stopped, or a part failed: no part still writes into the work folder once the run cleans it up
        _settled(list(futures.values()))
    return parts


def _settled(futures: list[PrefectFuture]) -> None:
    """Every future ended: those not started are cancelled, the running ones waited for. A stop signal meanwhile (a
    second Ctrl-C) takes effect once they have ended."""
    wrapped = [getattr(future, "wrapped_future", None) for future in futures]
    with interrupt.critical():
        for inner in wrapped:
            getattr(inner, "cancel", lambda: None)()
        # a thread's future, waited for itself: Prefect's `wait` may return at once once the flow was interrupted
        concurrent.futures.wait([inner for inner in wrapped if isinstance(inner, concurrent.futures.Future)])
        for future, inner in zip(futures, wrapped):
            if not isinstance(inner, concurrent.futures.Future):
                with suppress(Exception):  # cancelled, or failed: nothing of it runs any more
                    future.wait()


def _local() -> bool:
    """Whether the flow's tasks run in this process (the default runner, not Dask)."""
    context = FlowRunContext.get()
    return context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner)


@task(name="periksa-mutu", cache_policy=NO_CACHE)
@_user_errors_fail
def quality_task(params: RunParameters, run_id: str, prepared: PrepareSummary) -> dict | State:
    """Prefect task 'periksa-mutu': the quality gate over the run's tables (`monthly.check_quality`); a failed State
    when an expectation fails."""
    result = monthly.check_quality(params, run_id, prepared)
    get_run_logger().info("Great Expectations: semua ekspektasi terpenuhi (%.1f s); Data Docs: %s",
                          result["seconds"], result["data_docs"])
    return result


@task(name="terbitkan", cache_policy=NO_CACHE, **IO_RETRIES)
@_user_errors_fail
def publish_task(params: RunParameters, run_id: str, manifest: dict) -> dict[str, str] | State:
    """Prefect task 'terbitkan': the period's tables swapped into the output folder (`publishing.publish`), retried
    on I/O errors; the files written by table."""
    written = publishing.publish(params, run_id, manifest)
    get_run_logger().info("terbit: %s", ", ".join(written.values()))
    return written


class _StepFailed(KoperasiSehatError):
    """A step ended Failed; carries its state's message and error."""


def _completed(state: State) -> object:
    """The result of a step's state; raises the step's error, or `Interrupted` if a stop signal came during the step
    (`interrupt.check`: one lost in a finalizer, too)."""
    interrupt.check()
    if not state.is_completed():
        error = state.result(raise_on_failure=False)
        if isinstance(error, OSError):  # a full disk, a folder made read-only: in the user's words
            raise _StepFailed(f"galat berkas: {os_error_words(error)}")
        raise error if isinstance(error, KoperasiSehatError) else _StepFailed(state.message)
    return state.result()


# Locally the parts run one after another: pandas holds the GIL for most of a part, so threads on the same
# machine only add memory (measured on 2 cores: parallel parts took longer and +1 GiB peak RSS).
@flow(name="koperasi-sehat-bulanan", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def monthly_scoring(period: str | None = None, kabupaten: list[str] | None = None, input: str | None = None,
                    output: str | None = None, rulebook: str | None = None, mode: str | None = None,
                    max_quarantine_share: float | None = None, max_reporting_drop: float | None = None) -> dict:
    """Score one month: read and validate the landing folder, score, publish the period's Parquet outputs.

    Without `period` (a scheduled run), the month before the run's scheduled time in WITA; a parameter left None
    takes its setting (`flows.config.Settings`)."""
    interrupt.prepare_process()  # a cancellation (SIGTERM) of a served run reaches Prefect's handler
    if period is None:
        period = scheduled_period(flow_run.scheduled_start_time)
    params = _parameters(period, kabupaten, input, output, rulebook, mode, max_quarantine_share, max_reporting_drop)
    if isinstance(params, State):
        return params
    started = datetime.now(TIMEZONE)
    run_id = new_run_id(params.period, started)
    try:
        with period_lock(params.output, params.period, run_id):
            left = publishing.recover(params.output, holding=params.period)
            if left:
                get_run_logger().warning("run yang terputus diselesaikan atau dibatalkan: %s", ", ".join(left))
            check_area_rerun(params.output, params.period, params.kabupaten, params.input)
            try:
                run = _steps(params, run_id, started)
            finally:
                publishing.recover(params.output, holding=params.period)
    except KoperasiSehatError as error:
        return Failed(message=str(error), data=error)
    summary = monthly.summary(params, run)
    publish_artifacts(summary, params)
    return summary


def _parameters(period: str, kabupaten: list[str] | None, input: str | None, output: str | None,
                rulebook: str | None, mode: str | None, max_quarantine_share: float | None,
                max_reporting_drop: float | None) -> RunParameters | State:
    """The month's parameters, or the Failed state that says, in one line, which are wrong."""
    try:
        given = {"input": input, "output": output, "max_quarantine_share": max_quarantine_share,
                 "max_reporting_drop": max_reporting_drop}  # None: the setting's value
        params = RunParameters(period=period, kabupaten=tuple(kabupaten or ()), rulebook=rulebook, mode=mode,
                               **{k: v for k, v in given.items() if v is not None})
        check_apart(params.input, params.output)
    except ValidationError as error:  # one line: each wrong parameter and why
        from flows.cli import refusal

        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {refusal(e)}" for e in error.errors())
        return Failed(message=f"parameter salah: {problems}", data=ParameterError(problems))
    except KoperasiSehatError as error:
        return Failed(message=f"parameter salah: {error}", data=ParameterError(str(error)))
    refusal = _documents_refusal()
    if refusal is not None:
        return Failed(message=refusal, data=ParameterError(refusal))
    return params


def _documents_refusal() -> str | None:
    """With documents on, the line of a library they need that refuses to load (`flows.cli.library_refusal`:
    MPLBACKEND=bogus failed the publication, after the whole run, in Prefect's English: hostile trial), None when
    they load. Imported here, before the run's work (the background server has them already)."""
    if not settings().documents:
        return None
    try:
        importlib.import_module("flows.handouts")  # matplotlib and openpyxl, as the publication imports them
    except Exception as error:  # noqa: BLE001 - a library's own error when its environment is wrong
        from flows.cli import library_refusal

        refusal = library_refusal(error)
        if refusal is None:
            raise
        return refusal
    return None


def _steps(params: RunParameters, run_id: str, started: datetime) -> dict:
    """Prepare, score, check, publish; the run's manifest. A run stopped after prepare keeps its karantina and
    summary in `_ditolak/<run_id>/` and says where."""
    report.stage(f"membaca dan memvalidasi masukan {params.period}")
    prepared = _completed(prepare_task(params, run_id, started, return_state=True))
    return _finish(params, run_id, started, prepared, lambda: _score(params, run_id, started))


def _finish(params: RunParameters, run_id: str, started: datetime, prepared: PrepareSummary,
            score: Callable[[], ScoreSummary]) -> dict:
    """Score (`score`), check, publish a prepared month; its manifest. A month stopped after its preparation
    keeps its karantina and summary in `_ditolak/<run_id>/` and says where."""
    try:
        scored = score()
        report.stage("memeriksa mutu (Great Expectations)")
        checked = _completed(quality_task(params, run_id, prepared, return_state=True))
        run = monthly.manifest(params, run_id, started, prepared, scored, checked)
        report.stage("menerbitkan tabel dan dokumen" if settings().documents else "menerbitkan tabel")
        _completed(publish_task(params, run_id, run, return_state=True))
    except KoperasiSehatError as error:
        try:
            folder = monthly.reject(params, run_id, prepared, str(error))
        except OSError as failed:  # the same full disk, most often
            raise _StepFailed(f"{error}; karantina dan ringkasan run ini tidak tersimpan: {os_error_words(failed)}"
                              ) from error
        raise _StepFailed(f"{error}; karantina dan ringkasan run ini: {folder}") from error
    return run


class BackfillStopped(KoperasiSehatError):
    """A month of a backfill failed: the months before it are published (`summaries`), the later ones not."""

    def __init__(self, periode: str, error: KoperasiSehatError, summaries: list[dict]) -> None:
        super().__init__(f"{periode}: {error}")
        self.periode, self.error, self.summaries = periode, error, summaries


@flow(name="koperasi-sehat-backfill", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def backfill_scoring(periods: list[str], kabupaten: list[str] | None = None, input: str | None = None,
                     output: str | None = None, rulebook: str | None = None, mode: str | None = None,
                     max_quarantine_share: float | None = None, max_reporting_drop: float | None = None
                     ) -> list[dict]:
    """The months of a backfill, each assembled, checked and published once the month before it is published (its
    scores are the next month's previous scores, and the action tables read the months published before). Reading,
    checking and scoring a month do not depend on the months before it, so they run ahead: on a Dask cluster
    (`with_runner`) every month's, in parallel (`_months_on_cluster`); locally the next month's, in a forked copy of
    this process while this one finishes the month before (`_months_here`). The outputs are those of the months run
    one after another (tested). Stops at the first month that fails: the later months are not published."""
    interrupt.prepare_process()
    months = []
    for period in periods:
        params = _parameters(period, kabupaten, input, output, rulebook, mode, max_quarantine_share,
                             max_reporting_drop)
        if isinstance(params, State):
            return params
        months.append(params)
    started = datetime.now(TIMEZONE)
    runs = {p.period: new_run_id(p.period, started) for p in months}
    summaries: list[dict] = []  # the months published, in order
    begun = False  # whether every month is held: until then a failure is the backfill's, not a month's
    try:
        with ExitStack() as held:
            for params in months:
                held.enter_context(period_lock(params.output, params.period, runs[params.period]))
                publishing.recover(params.output, holding=params.period)
                check_area_rerun(params.output, params.period, params.kabupaten, params.input)
            begun = True
            try:
                (_months_here if _local() else _months_on_cluster)(months, runs, started, summaries)
            finally:  # a month's work folder left by a stop or a failure; a stop now waits for every month's
                with interrupt.critical():
                    for params in months:
                        publishing.recover(params.output, holding=params.period)
    except KoperasiSehatError as error:
        failed = (next((p.period for p in months if p.period not in {s["periode"] for s in summaries}), periods[-1])
                  if begun else period_span(periods))
        return Failed(message=str(error), data=BackfillStopped(failed, error, summaries))
    return summaries


def _months_on_cluster(months: list[RunParameters], runs: dict[str, str], started: datetime,
                       summaries: list[dict]) -> None:
    """Every month read, checked and scored ahead on the cluster, in parallel; then published in order
    (`summaries`)."""
    ahead = {}
    for i, params in enumerate(months):  # the first month's previous month is published, or not, now
        run_id = runs[params.period]
        prepared = prepare_task.submit(params, run_id, started, None if i == 0 else True)
        ahead[params.period] = (prepared, score_month_task.submit(params, run_id, started, wait_for=[prepared]))
    try:
        for params in months:
            prepared, scored = ahead[params.period]
            report.stage(f"menunggu bagian-bagian {params.period}")
            summary = _completed(prepared.wait() or prepared.state)
            summaries.append(_published(params, runs[params.period], started, summary,
                                        lambda: _completed(scored.wait() or scored.state)))
    finally:  # a month still at work writes into its folder
        _settled([f for pair in ahead.values() for f in pair])


Ahead = tuple[PrepareSummary, Scored]


def _months_here(months: list[RunParameters], runs: dict[str, str], started: datetime,
                 summaries: list[dict]) -> None:
    """The months in order in this process (`summaries`); while a month is assembled, checked and published, a
    forked copy of the process reads, checks and scores the next one (`_ahead`: the second core). A month the copy
    gave nothing for (it failed, or no fork here; the first month) is read and scored here, meeting its error, its
    parts in halves on both cores before the next month's copy starts. The months share the inputs they have in
    common, checked once (`prepare.keeping_common_inputs`)."""
    given: Ahead | None = None
    with prepare.keeping_common_inputs():
        for i, params in enumerate(months):
            run_id = runs[params.period]
            report.stage(f"membaca dan memvalidasi masukan {params.period}")
            prepared = _completed(prepare_task(params, run_id, started, None if i == 0 else True,
                                               given and given[0], return_state=True))
            following = months[i + 1] if i + 1 < len(months) else None
            with ExitStack() as stack:
                copy, start = None, time.perf_counter()

                def scored(params: RunParameters = params, run_id: str = run_id, parts: Scored | None = given and
                           given[1], following: RunParameters | None = following) -> Scored:
                    nonlocal copy, start
                    done = (_completed(score_month_task(params, run_id, started, parts, return_state=True)) if parts
                            else (_scored_parts(params, run_id, started), ()))
                    if following and forked.supported():  # the next month's copy, once this month's parts are scored
                        copy = stack.enter_context(forked.forked(
                            functools.partial(_ahead, following, runs[following.period], started)))
                        start = time.perf_counter()
                    return done

                summaries.append(_published(params, run_id, started, prepared, scored))
                done, given = copy.given(time.perf_counter() - start) if copy else (False, None)
            given = given if done else None


def _ahead(params: RunParameters, run_id: str, started: datetime) -> Ahead:
    """A later month of a backfill read, checked and scored (its previous month is published by the time it is
    assembled), its rows and the tables that need no other month in its work folder; the summaries."""
    return (prepare.prepare(params, run_id, started, previous_published=True),
            _month_parts(params, run_id, started))


def _published(params: RunParameters, run_id: str, started: datetime, prepared: PrepareSummary,
               scored: Callable[[], Scored]) -> dict:
    """A month of a backfill, prepared, its parts scored and some tables kept (`scored`), assembled, checked and
    published; its summary."""
    run = _finish(params, run_id, started, prepared, lambda: _assembled(params, run_id, *scored()))
    result = monthly.summary(params, run)
    publish_artifacts(result, params)
    return result


def publish_artifacts(summary: dict, params: RunParameters) -> None:
    """Markdown summary, the cooperatives that moved down and the top of the pendamping worklist, under stable keys
    (history in the UI)."""
    create_markdown_artifact(key="koperasi-sehat-ringkasan", markdown=report.summary_markdown(summary, params.output),
                             description=f"Ringkasan periode {params.period}")
    create_table_artifact(key="koperasi-sehat-turun-predikat", table=report.moved_down(params.output, params.period),
                          description=f"Koperasi yang predikatnya turun pada {params.period}")
    top = settings().worklist_top_n
    create_table_artifact(key=report.WORKLIST_ARTIFACT, table=report.worklist_top(params.output, params.period, top),
                          description=f"Daftar prioritas {params.period}: {top} teratas per kabupaten/kota")


def with_runner(dask_address: str | None = None, dask_local: int | None = None, backfill: bool = False) -> Flow:
    """The flow on the chosen task runner: local, one part at a time (default), an existing Dask scheduler,
    or a local Dask cluster of `dask_local` worker processes. `backfill`: the flow of several months
    (`backfill_scoring`)."""
    if dask_address is None and dask_local is None:
        return backfill_scoring if backfill else monthly_scoring
    from prefect_dask import DaskTaskRunner

    if not dask_address:  # the local cluster's processes start multiprocessing's resource tracker, which takes this
        # process's warning options: a run killed outright had it warn of "leaked semaphore objects" in two lines
        # on the terminal before the command's own (hostile trial); what the tracker cleans is cleaned all the same
        quiet = f"ignore::UserWarning:{multiprocessing.resource_tracker.__name__}"
        sys.warnoptions += [quiet] if quiet not in sys.warnoptions else []
    runner = (DaskTaskRunner(address=dask_address) if dask_address else
              DaskTaskRunner(cluster_kwargs={"n_workers": dask_local, "threads_per_worker": 1, "processes": True}))
    return (backfill_scoring if backfill else monthly_scoring).with_options(task_runner=runner)


def serve(cron: str | None = None) -> None:
    """A long-running process that runs the deployment on its schedule (default: the `cron` setting), one run at
    a time, until interrupted. The flow is named by its module (`flows.pipeline.monthly_scoring`), so the runs'
    processes find it from any working folder, and installed packages too."""
    config = settings()
    deployment = monthly_scoring.to_deployment(
        name=config.deployment, schedules=[Cron(cron or config.cron, timezone=TIMEZONE.key)], concurrency_limit=1,
        entrypoint_type=EntrypointType.MODULE_PATH)
    prefect.serve(deployment, limit=1, print_starting_message=False)
