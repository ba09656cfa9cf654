"""Data quality gate: run the Great Expectations suites (schemas/expectations.py) on a run's output tables.

`check_outputs` validates each table through its validation definition (suite + whole-dataframe batch) in a
file-based GX Data Context rooted at `context_dir`, so the context keeps every run's validation results, and
builds the local Data Docs site (HTML) once per run: the history of all runs. It never raises for a failed
expectation: it returns the failures in words and the caller decides not to publish.

GX is imported on first use (the import alone takes seconds), analytics are off (environment variable
`GX_ANALYTICS_ENABLED` and the context's `analytics_enabled`) and progress bars are off (the context's
`progress_bars` variable), so nothing reaches the network and nothing is drawn in the logs.

What costs GX time without checking anything is not done: a suite and its validation definition are written
only when they differ from the ones stored, the context reads no `config_variables.yml` (GX parsed that YAML
file again at every access to the context's variables: hundreds of times per run), and each expectation's
configuration is built once per validation, not at each reading (`flows.expectation_configurations`). No
Checkpoint: with no action to run, it only added its own freshness checks and writes. On Linux with two cores or
more, about half of the suites are validated in a copy of the process while this one validates the rest
(`flows.forked`): the same results, the same failures in the same order, and, whatever the copy cannot do, done
here.
"""

from __future__ import annotations

import copy
import errno
import functools
import gc
import json
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from flows import forked, storage
from flows.expectation_configurations import configurations_kept
from schemas import outputs
from schemas.contract import plain
from schemas.tables import jumlah_melapor
from flows.config import settings
from scoring.errors import KoperasiSehatError, QualityGateError
from scoring.reporting_quality import grade_table
from scoring.rulebook import published_books
from scoring.rulebook_format import Rulebook
from scoring.texts import number, trimmed
from scoring.periods import previous_period

if TYPE_CHECKING:
    from great_expectations.data_context import FileDataContext

DATASOURCE = "koperasi_sehat"
BATCH_DEFINITION = "seluruh_tabel"
DOCS_SITE = "local_site"
EXAMPLES = 5  # failing values quoted per failed expectation
# runs whose validation results the Data Docs index links, the newest first. Rendering the index reads every result
# it links, so without a limit each run's gate took longer than the one before (0.5 s more per 250 results); the
# pages of older results stay in the site
DOCS_INDEX_RUNS = 12


@dataclass(frozen=True)
class QualityParameters:
    """What the suites need besides the tables.

    jumlah_terdaftar: registered cooperatives in the run's scope (rows status_koperasi must have).
    laporan_dibaca / laporan_dikarantina: report rows of the period read, and quarantined.
    jumlah_melapor_sebelumnya: reporting cooperatives of the previous period; None on the first run.
    jumlah_melapor_terbit: reporting cooperatives of this period as published before (a rerun); None when it was not.
    kabupaten: an area run's areas, whose reporting those counts and the run's are (`schemas.tables.jumlah_melapor`);
    () for all.
    """

    jumlah_terdaftar: int
    laporan_dibaca: int
    laporan_dikarantina: int
    batas_penurunan_melapor: float
    batas_porsi_karantina: float
    jumlah_melapor_sebelumnya: int | None = None
    jumlah_melapor_terbit: int | None = None
    kabupaten: tuple[str, ...] = ()
    # a run of several areas: each area's reporting cooperatives of this period as published before (None: none)
    jumlah_melapor_terbit_wilayah: Mapping[str, int | None] = field(default_factory=dict)
    # the run's reporting cooperatives whose book scores the questionnaire, and those whose latest set is quarantined
    koperasi_kuesioner_dinilai: int = 0
    koperasi_kuesioner_dikarantina: int = 0
    toleransi_total: float = 0.005
    rulebooks: Mapping[str, Rulebook] | None = None  # default: every published book in scoring/rulebooks
    min_peers: int = field(default_factory=lambda: settings().min_peers)  # persentil_sejawat's smallest group
    visits_per_pendamping: int = field(default_factory=lambda: settings().visits_per_pendamping)
    run_id: str | None = None  # names the run in Data Docs (default: the period)


@dataclass
class QualityResult:
    """What the quality gate found: whether every expectation held, each failure as one line, the Data Docs index and
    its summary for the run's record."""

    success: bool
    failed: list[str]  # "<table>: <what failed> [<check id>]: <observed>"
    data_docs_index: Path
    summary: dict = field(default_factory=dict)


class Tables(Protocol):
    """The output tables of a run, read when a suite needs them: `read` gives a table (raises KeyError when the run
    has none), `rows` its row count without reading it."""

    def __contains__(self, name: object) -> bool: ...

    def read(self, name: str) -> pd.DataFrame:
        """The table `name` as a frame in its contract's dtypes; raises KeyError when the run has none."""

    def rows(self, name: str) -> int:
        """The row count of table `name`, without reading its rows."""


@dataclass(frozen=True)
class InMemory:
    """Tables already in memory (`Tables`)."""

    frames: Mapping[str, pd.DataFrame]

    def __contains__(self, name: object) -> bool:
        return name in self.frames

    def read(self, name: str) -> pd.DataFrame:
        """The frame held for `name` (itself, not a copy); KeyError when none is held."""
        return self.frames[name]

    def rows(self, name: str) -> int:
        """The row count of the frame held for `name`; KeyError when none is held."""
        return len(self.frames[name])


@dataclass(frozen=True)
class TableFiles:
    """The tables of one period in a folder laid out as the output (`<root>/<table>/periode=<p>/part-0.parquet`),
    each read when its suite runs and let go after (`Tables`): a national month's tables are about 400 MiB as
    frames, more with their cek_* columns and GX's copies."""

    root: Path
    periode: str

    def _file(self, name: str) -> Path:
        return storage.partition_file(self.root, name, self.periode)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._file(name).is_file()

    def read(self, name: str) -> pd.DataFrame:
        """The table in its contract's dtypes; a file that cannot be read raises Arrow's error (a failure of the
        suite, not advice to republish: these are a run's own files)."""
        if name not in self:
            raise KeyError(name)
        data = storage.partitions(self.root / name, name).to_table(filter=ds.field(storage.KEY) == self.periode)
        return outputs.to_pandas(name, data)

    def rows(self, name: str) -> int:
        """The row count of the period's file of table `name`, from its Parquet footer (no row is read)."""
        return pq.ParquetFile(self._file(name)).metadata.num_rows


def check_outputs(tables: Mapping[str, pd.DataFrame] | Tables, context_dir: Path, periode: str,
                  params: QualityParameters) -> QualityResult:
    """Validate the output tables of one period (frames, or `Tables` read one at a time); record the results and
    rebuild Data Docs under `context_dir`."""
    started = time.perf_counter()
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    from flows import data_docs
    from schemas import action_expectations as ax
    from schemas import expectations as ex  # imports great_expectations

    source = InMemory(tables) if isinstance(tables, Mapping) else tables
    books = dict(params.rulebooks or published_books())
    failed: list[str] = []
    suites = _suites(source, periode, params, books, failed)
    with _configuration_of(Path(context_dir)):
        context = open_context(Path(context_dir))
        prepared = time.perf_counter()

        run_name = params.run_id or periode
        run_id = _run_id(run_name, datetime.now(timezone.utc))
        validations = _validations(context, {name: one.suite for name, one in suites.items()})
        checked = _checked_suites(context, validations, suites, run_id)
        summaries: dict[str, dict[str, Any]] = {}
        documents: list[Any] = []  # what Data Docs must render: each validation result and its suite
        failed += [one.unbuilt for one in checked.values() if one.unbuilt]  # before any suite's own failures
        for name, one in checked.items():
            if one.unbuilt:
                continue
            documents += [_result_key(one.suite_name, run_id, one.batch_id), _suite_key(one.suite_name)]
            failed += one.failed
            summaries[name] = one.summary
        context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=documents)  # once: each build renders
        index = docs_index(context)                                                       # the index again
        data_docs.vendor(index.parent)  # the pages' scripts and styles: the site works offline
    if sum(one.rows for one in suites.values()) > COLLECT_ROWS:  # a full collection costs 0.2 s; smaller copies
        gc.collect()                                                 # wait for Python's own
    summary = {
        "periode": periode, "run_name": run_name, "suites": summaries, "failed": len(failed),
        "not_checked": sorted({*ex.SUITES, *ax.ACTION_SUITES} - set(summaries)),
        "seconds": round(time.perf_counter() - started, 3),
        "seconds_prepare": round(prepared - started, 3),
    }
    return QualityResult(success=not failed, failed=failed, data_docs_index=index, summary=summary)


@dataclass(frozen=True)
class _Suite:
    """A table's suite, its batch (the table with its cek_* columns, built when the suite runs) and its rows."""

    suite: Any
    batch: Callable[[], pd.DataFrame]
    rows: int


@dataclass(frozen=True)
class _Checked:
    """One suite's validation: its result's keys (for Data Docs), its failures in words, its summary; or, when its
    batch could not be built (a column missing), that failure alone (`unbuilt`)."""

    suite_name: str
    batch_id: str
    failed: list[str]
    summary: dict[str, Any]
    unbuilt: str | None = None


def _checked_suites(context: FileDataContext, validations: Mapping[str, Any], suites: Mapping[str, _Suite],
                    run_id: Any) -> dict[str, _Checked]:
    """Every suite validated, each result stored in the context, in the suites' order; about half of the work
    (`_apart`) in a copy of this process (`flows.forked`: GX's work is Python's own, so threads would only take
    turns), the rest here. The suites and validation definitions are stored before (`_validation`): the copy only
    validates and stores its results, each in a file of its own."""
    def check(names: list[str]) -> dict[str, _Checked]:
        return {name: _check(context, name, validations[name], suites[name], run_id) for name in names}

    apart = _apart(suites) if forked.supported() else []
    here = [name for name in suites if name not in apart]
    if not apart:
        return check(here)
    with forked.forked(lambda: check(apart)) as copy:
        start = time.perf_counter()
        checked = check(here)
        checked |= copy.result(time.perf_counter() - start)
    return {name: checked[name] for name in suites}


def _check(context: FileDataContext, name: str, validation: Any, suite: _Suite, run_id: Any) -> _Checked:
    """One suite on its batch, built now and let go after (`_forget_batches`; the copies GX's validators leave in
    cycles are collected once, at the end of the gate)."""
    start = time.perf_counter()
    try:
        frame = suite.batch()
    except Exception as error:  # noqa: BLE001 - reported as a failure: the caller must not publish
        return _Checked("", "", [], {}, unbuilt=_unchecked(name, error))
    with configurations_kept():
        outcome = validation.run(batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT, run_id=run_id)
    del frame
    _forget_batches(context)
    results = outcome.results
    return _Checked(outcome.suite_name, outcome.batch_id, [describe_failure(name, r) for r in results if not r.success],
                    {"success": all(r.success for r in results), "rows": suite.rows, "evaluated": len(results),
                     "failed": sum(not r.success for r in results), "seconds": round(time.perf_counter() - start, 3)})


def _apart(suites: Mapping[str, _Suite]) -> list[str]:
    """The suites a copy validates: about half of the expected time, largest first. GX's time for a suite is
    about its expectations' count, each costing more as its table grows (ROWS_PER_EXPECTATION)."""
    cost = {name: len(one.suite.expectations) * (1 + one.rows / ROWS_PER_EXPECTATION) for name, one in suites.items()}
    shares: tuple[list[str], list[str]] = ([], [])
    totals = [0.0, 0.0]
    for name in sorted(cost, key=lambda n: -cost[n]):
        smaller = int(totals[1] < totals[0])
        shares[smaller].append(name)
        totals[smaller] += cost[name]
    return shares[1]


def _suites(tables: Tables, periode: str, params: QualityParameters, books: Mapping[str, Rulebook],
            failed: list[str]) -> dict[str, _Suite]:
    """Suite, batch and rows per suite; only skor_koperasi is read now (the suites of skor_koperasi, skor_indikator
    and skor_aspek follow its books). A missing table, or a suite that cannot be built, is a failure in `failed`,
    not an exception; so is a batch whose cek_* columns cannot be derived (a column missing), when it is built."""
    from schemas import action_expectations as ax
    from schemas import expectations as ex

    def present(name: str) -> bool:
        if name not in tables:
            failed.append(f"{name}: tabel tidak ada di keluaran run")
            return False
        return True

    suites: dict[str, _Suite] = {}

    def add(name: str, rows: Callable[[], int], suite: Callable[[], Any], batch: Callable[[], pd.DataFrame]) -> None:
        try:
            suites[name] = _Suite(suite(), batch, rows())
        except Exception as error:  # noqa: BLE001 - reported as a failure: the caller must not publish
            failed.append(_unchecked(name, error))

    def read(name: str) -> Callable[[], pd.DataFrame]:
        return functools.partial(tables.read, name)

    def rows(name: str) -> Callable[[], int]:
        return functools.partial(tables.rows, name)

    has_koperasi, has_indikator = present(ex.SKOR_KOPERASI), present(ex.SKOR_INDIKATOR)
    has_status, has_ringkasan = present(ex.STATUS_KOPERASI), present(ex.RINGKASAN_WILAYAH)
    # read once for the suites that follow its books, in their own try: a file that cannot be read fails each
    koperasi = functools.cache(read(ex.SKOR_KOPERASI))
    if has_koperasi:
        add(ex.SKOR_KOPERASI, rows(ex.SKOR_KOPERASI),
            lambda: ex.skor_koperasi_suite(ex.books_in_use(koperasi(), books), params.toleransi_total,
                                           ex.sole_book(koperasi())),
            lambda: ex.batch_skor_koperasi(tables.read(ex.SKOR_KOPERASI), books))
        if has_indikator:
            add(ex.SKOR_INDIKATOR, rows(ex.SKOR_INDIKATOR),
                lambda: ex.skor_indikator_suite(ex.books_in_use(koperasi(), books),
                                                ex.jumlah_baris_indikator(koperasi(), books)),
                lambda: ex.batch_skor_indikator(tables.read(ex.SKOR_INDIKATOR), tables.read(ex.SKOR_KOPERASI), books))
    if has_status:
        add(ex.STATUS_KOPERASI, rows(ex.STATUS_KOPERASI), lambda: ex.status_koperasi_suite(params.jumlah_terdaftar),
            read(ex.STATUS_KOPERASI))
        add(ex.ANTAR_PERIODE, lambda: 1,  # one row: this run's figures
            lambda: ex.antar_periode_suite(params.jumlah_melapor_sebelumnya, params.batas_penurunan_melapor,
                                           params.batas_porsi_karantina, params.jumlah_melapor_terbit,
                                           params.kabupaten, params.jumlah_melapor_terbit_wilayah),
            lambda: ex.batch_antar_periode(tables.read(ex.STATUS_KOPERASI), periode, params.laporan_dibaca,
                                           params.laporan_dikarantina, params.jumlah_melapor_sebelumnya,
                                           params.koperasi_kuesioner_dinilai, params.koperasi_kuesioner_dikarantina,
                                           params.jumlah_melapor_terbit, params.kabupaten,
                                           bool(params.jumlah_melapor_terbit_wilayah)))
    if has_ringkasan:
        kolom = ex.kolom_jumlah()
        add(ex.RINGKASAN_WILAYAH, rows(ex.RINGKASAN_WILAYAH), lambda: ex.ringkasan_wilayah_suite(kolom),
            lambda: ex.batch_ringkasan_wilayah(tables.read(ex.RINGKASAN_WILAYAH), kolom))
    action = {  # suite, and the batch made of the table
        ax.SKOR_ASPEK: (lambda: ax.skor_aspek_suite(ex.jumlah_baris_aspek(koperasi(), books) if has_koperasi else None),
                        lambda t: ax.batch_skor_aspek(t, books)),
        ax.JALAN_MENUJU_SEHAT: (lambda: ax.jalan_menuju_sehat_suite(books), ax.batch_jalan_menuju_sehat),
        ax.PERINGATAN_DINI: (ax.peringatan_dini_suite, lambda t: t),
        ax.PERSENTIL_SEJAWAT: (lambda: ax.persentil_sejawat_suite(params.min_peers),
                               lambda t: ax.batch_persentil_sejawat(t, params.min_peers)),
        ax.DAFTAR_PRIORITAS: (lambda: ax.daftar_prioritas_suite(params.visits_per_pendamping),
                              lambda t: ax.batch_daftar_prioritas(t, params.visits_per_pendamping)),
        ax.MUTU_PELAPORAN: (lambda: ax.mutu_pelaporan_suite([g.huruf for g in grade_table().nilai]),
                            ax.batch_mutu_pelaporan),
    }
    for name, (suite, batch) in action.items():
        if present(name):
            add(name, rows(name), suite, functools.partial(lambda made, table: made(table()), batch, read(name)))
    return suites


def _unchecked(name: str, error: Exception) -> str:
    """A suite that cannot be built or run, as one line of its failure list."""
    return f"{name}: tidak bisa diperiksa ({type(error).__name__}: {_one_line(str(error))})"


def _one_line(text: str) -> str:
    """An error's text on one line (Arrow's and GX's messages hold line breaks): every failure is one line."""
    return " ".join(text.split())


def jumlah_melapor_sebelumnya(output: Path, periode: str, kabupaten: Sequence[str] = ()) -> int | None:
    """Reporting cooperatives (status_koperasi.melapor) of the month before `periode` as published under
    `output` (of the areas `kabupaten`, if named); None when that month has not been published (the first run)."""
    return jumlah_melapor_terbit(output, previous_period(periode), kabupaten)


def jumlah_melapor_terbit(output: Path, periode: str, kabupaten: Sequence[str] = ()) -> int | None:
    """Reporting cooperatives (status_koperasi.melapor) of `periode` as published under `output` (of the areas
    `kabupaten`, if named: `schemas.tables.jumlah_melapor`); None when it has not been published."""
    status = storage.read_table(output, "status_koperasi", periode)
    return jumlah_melapor(status, kabupaten) if len(status) else None


# ------------------------------------------------------------------ the GX Data Context

# What a failure's words need (unexpected_count, element_count, observed_value and up to 20 unexpected values):
# SUMMARY's counts per unexpected value and their row indexes cost a quarter of the check and are read by nothing
RESULT_FORMAT = "BASIC"
COLLECT_ROWS = 100_000  # validated rows above which the copies GX's validators leave are collected at once
ROWS_PER_EXPECTATION = 100_000  # rows that double an expectation's time (its own overhead: the other half)


@contextmanager
def _configuration_of(context_dir: Path) -> Iterator[None]:
    """GX's own errors of a context edited by hand (invalid YAML, a store, site or data source removed, a file that
    cannot be written) as one line naming the configuration and what to do; a full disk as a full disk; a stop
    signal passes through."""
    try:
        yield
    except KoperasiSehatError:
        raise
    except Exception as error:  # noqa: BLE001 - any of GX's exceptions: its configuration is ours to name
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):  # the disk, not the folder
            raise QualityGateError(f"ruang disk habis untuk {context_dir} ({error.strerror}): kosongkan ruang, lalu "
                                   "jalankan ulang") from None
        why = str(error).strip().splitlines()[0] if str(error).strip() else "-"
        raise QualityGateError(
            f"konfigurasi Great Expectations di {context_dir} tidak dapat dipakai ({type(error).__name__}: "
            f"{why[:200]}); pindahkan folder itu (riwayat Data Docs) ke tempat lain, run berikutnya membuatnya "
            "lagi") from None


def open_context(context_dir: Path) -> FileDataContext:
    """The file Data Context in `context_dir` (created on first use), analytics and progress bars off, without
    a config variables file, its Data Docs index limited to the results of the newest `DOCS_INDEX_RUNS` runs, its
    pages drawn by GX's views with templates compiled once per process (`flows.data_docs`).
    Opened for each check (a few tenths of a second): a context kept open keeps the last tables it validated (its
    execution engine's batches)."""
    root = Path(context_dir).resolve()
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfigDefaults, ProgressBarsConfig

    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints each batch (an MD5 of every row's hash: 0.9 s of a national month's 11 validations) for its
    # result's batch markers alone; the run_id names what was validated. Its threshold in bytes, 0: never.
    pandas_execution_engine.HASH_THRESHOLD = 0
    root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", context_root_dir=root)
    changed = False
    if context.config.analytics_enabled is not False:
        context.enable_analytics(False)  # saved in great_expectations.yml
    bars = context.variables.progress_bars
    if not bars or bars.get("globally", True) or bars.get("metric_calculations", True):
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        changed = True
    if context.variables.config_variables_file_path:  # no ${VARIABLE} in our configuration: nothing to read
        context.variables.config_variables_file_path = None
        changed = True
    from flows import data_docs
    from schemas.action_expectations import ACTION_SUITES
    from schemas.expectations import SUITES

    limit = DOCS_INDEX_RUNS * len({*SUITES, *ACTION_SUITES})  # a run validates every suite once
    sites = context.variables.data_docs_sites or {}
    if not isinstance(sites.get(DOCS_SITE), dict):  # removed from great_expectations.yml by hand: GX's own again
        sites[DOCS_SITE] = copy.deepcopy(DataContextConfigDefaults.DEFAULT_DATA_DOCS_SITES.value[DOCS_SITE])
    if not data_docs.as_wanted(sites[DOCS_SITE], limit):
        data_docs.make_wanted(sites[DOCS_SITE], limit)
        context.variables.data_docs_sites = sites
        changed = True
    if changed:
        context.variables.save()  # GX only logs a file it cannot write
        context = gx.get_context(mode="file", context_root_dir=root)  # its configuration providers as saved
        if not data_docs.as_wanted((context.variables.data_docs_sites or {}).get(DOCS_SITE), limit):
            raise QualityGateError(f"{root / 'great_expectations.yml'} tidak dapat ditulis: situs Data Docs "
                                   f"{DOCS_SITE} tidak dapat dipulihkan; izinkan penulisan berkas itu")
    return context


def _forget_batches(context: FileDataContext) -> None:
    """Drop the table GX still holds once its suite is done: the batches of the data source's engine (GX keeps the
    last context it opened, its project manager, until the process ends)."""
    engine = context.data_sources.get(DATASOURCE).get_execution_engine()
    engine.batch_manager.batch_data_cache.clear()
    engine.batch_manager.reset_batch_cache()


def _validations(context: FileDataContext, suites: Mapping[str, Any]) -> dict[str, Any]:
    """Each table's validation definition (its suite on the whole-dataframe batch). Those missing, or whose suite
    differs from the stored one (read each time: another process may have stored another), are stored first, the
    batch definitions they need added in one write of great_expectations.yml (`_batch_definitions`); in a new
    context each suite and definition is written once (GX's `add_or_update` writes the data source again)."""
    import great_expectations as gx

    stored = {name: (_stored(context.suites, name), _stored(context.validation_definitions, name)) for name in suites}
    validations = {name: validation for name, (suite, validation) in stored.items()
                   if suite is not None and validation is not None and _same(suite, suites[name])
                   and _same(validation.suite, suites[name])}
    for name, data in _batch_definitions(context, [name for name in suites if name not in validations]).items():
        if all(one is None for one in stored[name]):
            validation = gx.ValidationDefinition(name=name, data=data, suite=context.suites.add(suites[name]))
            validations[name] = context.validation_definitions.add(validation)
        else:
            validation = gx.ValidationDefinition(name=name, data=data, suite=context.suites.add_or_update(suites[name]))
            validations[name] = context.validation_definitions.add_or_update(validation)
    return {name: validations[name] for name in suites}


def _stored(factory: Any, name: str) -> Any:
    """The suite or validation definition stored under `name` in a context's factory, or None."""
    from great_expectations.exceptions import DataContextError

    try:
        return factory.get(name)
    except DataContextError:
        return None


def _same(stored: Any, suite: Any) -> bool:
    """Whether a stored suite holds the same expectations (ids aside: a suite built in code has none) and meta."""
    def plain(one: Any) -> tuple:
        rows = [json.dumps({k: v for k, v in e.configuration.to_json_dict().items() if k != "id"}, sort_keys=True,
                           default=str) for e in one.expectations]
        return one.name, sorted(rows), one.meta, one.suite_parameters

    return plain(stored) == plain(suite)


def _batch_definitions(context: FileDataContext, names: list[str]) -> dict[str, Any]:
    """Each table's whole-dataframe batch definition in the pandas data source. The tables' assets it lacks are
    added in one write of great_expectations.yml: GX writes the whole file again for each asset, batch definition
    or validation definition added: 23 writes, about half a second, in a new context."""
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.datasource.fluent import PandasDatasource
    from great_expectations.datasource.fluent.pandas_datasource import DataFrameAsset

    if not names:
        return {}
    try:
        source = context.data_sources.get(DATASOURCE)
    except KeyError:
        source = None
    present = set(source.get_asset_names()) if source is not None else set()
    missing = [DataFrameAsset(name=name, batch_definitions=[BatchDefinition(name=BATCH_DEFINITION)])
               for name in names if name not in present]
    if source is None or missing:
        kept = {"id": source.id, "assets": [*source.assets, *missing]} if source is not None else {"assets": missing}
        source = context.data_sources.add_or_update_pandas(datasource=PandasDatasource(name=DATASOURCE, **kept))
    definitions = {}
    for name in names:
        asset = source.get_asset(name)
        try:
            definitions[name] = asset.get_batch_definition(BATCH_DEFINITION)
        except KeyError:  # the asset kept, its batch definition removed by hand
            definitions[name] = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
    return definitions


def _suite_key(suite_name: str) -> Any:
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    return ExpectationSuiteIdentifier(name=suite_name)


def _result_key(suite_name: str, run_id: Any, batch_id: str) -> Any:
    from great_expectations.data_context.types.resource_identifiers import ValidationResultIdentifier

    return ValidationResultIdentifier(expectation_suite_identifier=_suite_key(suite_name), run_id=run_id,
                                      batch_identifier=batch_id)


def _run_id(run_name: str, run_time: datetime) -> Any:
    from great_expectations.core.run_identifier import RunIdentifier

    return RunIdentifier(run_name=run_name, run_time=run_time)


def docs_index(context: FileDataContext) -> Path:
    """The index.html of the local Data Docs site. GX's address of it is `file://` and the path as it is, not
    escaped: read as a URL, a '#', '?' or '%41' in the output folder's name cut or changed the path, and the
    site's scripts and styles were copied outside the output folder (trial of this session)."""
    url = context.get_docs_sites_urls(site_name=DOCS_SITE)[0]["site_url"]
    return Path(url.removeprefix("file://"))


# ------------------------------------------------------------------ failures in words

def for_people(value: Any, share: bool = False) -> str:
    """A number as a person reads it, in Indonesian notation (`scoring.texts.number`): a whole number with thousands
    dots (1.234.567), a share as a percent with one decimal (0.2045 -> 20,5%), other fractions to two decimals
    without trailing zeros (1234.5 -> 1.234,5), an infinite one as "tak hingga"; a missing value as "kosong";
    values of a row separated by "; " (a decimal comma reads as a separator); anything else as it is."""
    value = plain(value)
    if not isinstance(value, (list, tuple, dict)) and pd.isna(value):  # None, NaN, NA, NaT: every kind of missing
        return "kosong"
    value = float(value) if isinstance(value, Decimal) else value
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value, 0)
    if isinstance(value, float) and share and math.isfinite(value):
        return f"{number(value * 100, 1)}%"
    if isinstance(value, float):
        return trimmed(value)
    if isinstance(value, (list, tuple)):
        return "(" + "; ".join(for_people(v, share) for v in value) + ")"
    return repr(value) if isinstance(value, str) else str(value)


def describe_failure(table: str, result: Any) -> str:
    """'<table>: <description> [<check id>]: <observed>' for one failed ExpectationValidationResult."""
    config = result.expectation_config
    what = config.description or config.type
    from schemas.expectations import SHARE  # GX is imported: these are its results

    meta = config.meta or {}
    check, share = meta.get("cek", config.type), meta.get("satuan") == SHARE
    outcome = result.result or {}
    info = result.exception_info or {}
    errors = [info] if "raised_exception" in info else list(info.values())
    raised = [e for e in errors if isinstance(e, dict) and e.get("raised_exception")]
    if raised:
        messages = dict.fromkeys(_one_line(str(e.get("exception_message"))) for e in raised)
        observed = "tidak bisa diperiksa: " + "; ".join(messages)
    elif outcome.get("observed_value") is not None:
        observed = f"teramati {for_people(outcome['observed_value'], share)}"
    elif outcome.get("unexpected_count") is not None:
        # each failing value once: a not-null check's examples are all "kosong"
        examples = list(dict.fromkeys(for_people(v, share) for v in outcome.get("partial_unexpected_list") or []))
        examples = examples[:EXAMPLES]
        checked = outcome.get("element_count", 0) - (outcome.get("missing_count") or 0)  # GX skips a missing value
        observed = (f"{number(outcome['unexpected_count'], 0)} dari {number(checked, 0)} baris gagal, mis. "
                    f"{'; '.join(examples)}")
    else:
        observed = f"hasil {plain(outcome)!r}"
    return f"{table}: {what} [{check}]: {observed}"
