"""The third step of a monthly run: join the parts, add the run-wide tables (karantina, laporan_terganti, the
regional summary) and the action tables of the period (early warnings, peer percentiles, the pendamping
worklist, reporting quality), check every table against its contract and keep it for publication."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Collection, Mapping
from datetime import datetime

import pandas as pd
import pyarrow as pa

from flows import forked, storage
from flows.catalog import PART_TABLES, RunFolder
from flows.config import TIMEZONE, settings
from flows.runs import RunParameters, ScoreSummary
from flows.score_parts import partitions, score_parts, uses_landing_previous, with_previous
from schemas.periode import wita_times
from scoring import early_warning, reporting_quality, worklist
from scoring.early_warning import peringatan_dini
from scoring.errors import KoperasiSehatError
from scoring.inputs import is_in
from scoring.peers import persentil_sejawat
from scoring.periods import previous_period, shift_period
from scoring.reporting_quality import mutu_pelaporan
from scoring.status import ringkasan_wilayah
from scoring.worklist import daftar_prioritas

# the columns of skor_koperasi the warnings and the worklist read of earlier months
SKOR_HISTORY = tuple(dict.fromkeys([*early_warning.READS["skor_koperasi"], *worklist.READS["skor_koperasi"]]))


# the tables of a month made from its own parts and datasets alone, no other month's: in a backfill, checked and
# kept by the copy that scores the month ahead (`keep_ahead`) while this process finishes the month before
AHEAD = ("skor_indikator", "skor_aspek", "status_koperasi", "jalan_menuju_sehat", "karantina", "laporan_terganti")


# part tables no action table reads whole: read whole only by the copy that checks and keeps them (the worklist
# reads its columns of jalan_menuju_sehat), so that neither process holds them beside the others
KEPT_APART = ("skor_aspek", "jalan_menuju_sehat")


def kept_ahead(params: RunParameters) -> tuple[str, ...]:
    """The tables a backfill's month scored ahead keeps before its assembly (`keep_ahead`): AHEAD; none in an area
    run (its tables take the other areas' published rows, `_with_other_areas`)."""
    return () if params.kabupaten else AHEAD


def keep_ahead(params: RunParameters, run_id: str) -> tuple[str, ...]:
    """Check the month's tables that need no other month (`kept_ahead`) against their contract and keep them for
    publication, as its assembly would (`assemble`'s `kept` then leaves them): a backfill's copy that scores a month
    ahead does, so that the process finishing the month before has less left of this one. One table after another
    until that process waits for the copy (`forked.awaited`): the rest are its assembly's, so that neither side waits
    long for the other whatever the machine. Returns the tables kept; raises OutputContractError (the first table,
    in order, that breaks its contract)."""
    run = params.folder(run_id)
    made = {name: functools.partial(run.parts_table, name) for name in PART_TABLES} | _run_wide(run, run_id)
    kept: list[str] = []
    for name in kept_ahead(params):
        if forked.awaited():
            break
        _keep(run, params.period, {name: made[name]})
        kept.append(name)
    return tuple(kept)


def _run_wide(run: RunFolder, run_id: str) -> dict[str, Callable[[], pd.DataFrame]]:
    """The run-wide tables of the period from the run's datasets: karantina and laporan_terganti."""
    return {"karantina": lambda: run.read("karantina").assign(run_id=run_id),
            "laporan_terganti": lambda: run.read("terganti").assign(run_id=run_id)}


def assemble(params: RunParameters, run_id: str, parts: list[ScoreSummary], kept: Collection[str] = ()
             ) -> ScoreSummary:
    """Join the parts in order, add the run-wide tables, the regional summary and the action tables; check each
    table and keep it for publication, but those `kept` already (`keep_ahead`). An area run keeps the other areas'
    published rows (republished under this run) and recomputes the run-wide tables over the whole period."""
    run = params.folder(run_id)
    tables = {name: run.read_parts(name) for name in PART_TABLES if name not in KEPT_APART}
    tables["skor_koperasi"] = with_previous(tables["skor_koperasi"], params, run)
    tables |= {name: made() for name, made in _run_wide(run, run_id).items()}
    whole = _with_other_areas(params, run_id, run)
    tables = whole(tables)
    tables["ringkasan_wilayah"] = ringkasan_wilayah(tables["status_koperasi"], tables["skor_koperasi"],
                                                    params.period).assign(run_id=run_id)

    def apart(name: str) -> Callable[[], pd.DataFrame | pa.Table]:  # as written by the parts: no pandas copy
        return (lambda: whole({name: run.read_parts(name)})[name]) if params.kabupaten else (
            lambda: run.parts_table(name))

    # the contract's order: the first table breaking its contract is named as before
    left = {name: tables.get(name) if name not in KEPT_APART else apart(name) for name in (*PART_TABLES, *tables)
            if name not in kept}
    moves = worklist.READS["jalan_menuju_sehat"]
    jalan = whole({"jalan_menuju_sehat": run.read_parts("jalan_menuju_sehat", moves)})["jalan_menuju_sehat"]
    left["persentil_sejawat"] = lambda: _of_run(run_id, peer_table(tables))["persentil_sejawat"]  # made last
    # in a copy of the process: the period's tables checked and kept, and persentil_sejawat made and kept, while
    # this process makes and keeps the warnings, the worklist and the reporting quality
    with forked.forked(lambda: _keep(run, params.period, left)) as copy:
        start = time.perf_counter()
        try:
            _keep(run, params.period, _of_run(run_id, warning_tables(params, run, tables, jalan[list(moves)])
                                              | whole(reporting_table(params, run, tables))))
        except KoperasiSehatError:  # a table the copy keeps breaks its contract too: its error comes first, as in
            copy.result(time.perf_counter() - start)  # one process
            raise
        copy.result(time.perf_counter() - start)
    return ScoreSummary(dinilai=sum(p.dinilai for p in parts), tidak_dinilai=sum(p.tidak_dinilai for p in parts),
                        per_kabupaten=[area for p in parts for area in p.per_kabupaten])


def _of_run(run_id: str, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: frame.assign(run_id=run_id) for name, frame in tables.items()}


def _keep(run: RunFolder, periode: str,
          tables: Mapping[str, pd.DataFrame | Callable[[], pd.DataFrame | pa.Table]]) -> None:
    """Check each table (or the table a function reads, let go once kept) against its contract, then keep it for
    publication (before anything is published). Raises OutputContractError (the first table, in order, that breaks
    its contract)."""
    for name, frame in tables.items():
        run.write_table(name, frame() if callable(frame) else frame, periode)


def warning_tables(params: RunParameters, run: RunFolder, tables: dict[str, pd.DataFrame], jalan: pd.DataFrame
                   ) -> dict[str, pd.DataFrame]:
    """peringatan_dini and daftar_prioritas (which acts on the warnings) of the period, from its tables, its
    jalan_menuju_sehat (`worklist.READS`'s columns) and the published months before it (settings:
    `flows.config.Settings`)."""
    s, periode = settings(), params.period
    skor = _with_landing(params, run, "sebelumnya", _with_published(params, "skor_koperasi", tables["skor_koperasi"],
                                                                    _earlier(periode), SKOR_HISTORY))
    before, reads = [previous_period(periode)], early_warning.READS
    peringatan = peringatan_dini(
        periode, skor, _with_landing(params, run, "sebelumnya_indikator", _with_published(
            params, "skor_indikator", tables["skor_indikator"], before, reads["skor_indikator"])),
        _with_published(params, "status_koperasi", tables["status_koperasi"], before, reads["status_koperasi"]),
        margin=s.warning_margin, falling_periods=s.falling_periods, silent_months=s.silent_months,
        rat_months=s.rat_warning_months)
    return {
        "peringatan_dini": peringatan,
        "daftar_prioritas": daftar_prioritas(periode, skor, tables["status_koperasi"], jalan,
                                             peringatan, capacity=s.visits_per_pendamping,
                                             silent_months=s.silent_months,
                                             members_per_step=s.priority_members_per_step),
    }


def peer_table(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """persentil_sejawat of the period, from its tables (settings: `flows.config.Settings`)."""
    return {"persentil_sejawat": persentil_sejawat(tables["skor_koperasi"], tables["skor_indikator"],
                                                   min_peers=settings().min_peers)}


def reporting_table(params: RunParameters, run: RunFolder, tables: dict[str, pd.DataFrame]
                    ) -> dict[str, pd.DataFrame]:
    """mutu_pelaporan of the period, from its tables, the run's datasets and the published months before it
    (settings: `flows.config.Settings`)."""
    s, periode = settings(), params.period
    return {"mutu_pelaporan": mutu_pelaporan(periode, run.read("koperasi"), _submissions(run, tables),
                                             _quarantined(params, tables["karantina"], _earlier(periode)),
                                             deadline_day=s.deadline_day, months=s.reporting_quality_months,
                                             timezone=TIMEZONE.key)}


def _earlier(periode: str) -> list[str]:
    """The months before the period the action tables read, oldest first (the falling scores' and the reporting
    quality's, whichever reaches further back)."""
    s = settings()
    return [shift_period(periode, -back) for back in range(max(s.falling_periods, s.reporting_quality_months), 0, -1)]


def _with_published(params: RunParameters, table: str, now: pd.DataFrame, periods: list[str],
                    columns: tuple[str, ...]) -> pd.DataFrame:
    """The period's rows with the published rows of earlier periods (a period never published adds none); of each,
    only `columns` (only they are read from the files)."""
    earlier = [storage.read_table(params.output, table, p, columns=columns) for p in periods]
    return pd.concat([*[e for e in earlier if len(e)], now[[c for c in now.columns if c in columns]]],
                     ignore_index=True)


def _with_landing(params: RunParameters, run: RunFolder, dataset: str, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with the previous month's scored from the landing folder (`dataset`), when that month is not
    published: the warnings then compare with the month skor_total_sebelumnya comes from."""
    if not uses_landing_previous(params, run):
        return rows
    return pd.concat([run.read(dataset), rows], ignore_index=True)


def _submissions(run: RunFolder, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every report row of the landing folder with its send time: the period's in force and superseded, and the
    other periods' as written (the latest of a (nik, periode) in force, the others superseded). Times as naive
    WITA: a time written with a zone is converted (`wita_times`), as validation reads it."""
    current = run.read("laporan", columns=["nik", "periode", "tanggal_kirim"]).assign(terganti=False)
    replaced = tables["laporan_terganti"][["nik", "periode", "tanggal_kirim"]].assign(terganti=True)
    replaced = replaced.assign(tanggal_kirim=wita_times(replaced["tanggal_kirim"].astype("str")))
    others = run.read("kiriman")
    others = others.assign(tanggal_kirim=wita_times(others["tanggal_kirim"].astype("str")))
    others = others.dropna(subset=["tanggal_kirim"]).sort_values("tanggal_kirim", kind="stable")
    others = others.assign(terganti=others.duplicated(["nik", "periode"], keep="last"))
    times = [frame.assign(tanggal_kirim=frame["tanggal_kirim"].astype("datetime64[us]"))
             for frame in (current, replaced, others)]  # every one naive WITA
    return pd.concat(times, ignore_index=True)


def _quarantined(params: RunParameters, karantina: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """The quarantined report rows of the period and of the published months before it."""
    rows = _with_published(params, "karantina", karantina, periods, reporting_quality.READS["karantina"])
    return rows[rows["sumber"].astype("str").str.startswith("laporan/")]


def _with_other_areas(params: RunParameters, run_id: str, run: RunFolder
                      ) -> Callable[[dict[str, pd.DataFrame]], dict[str, pd.DataFrame]]:
    """Tables of the run's cooperatives made whole: in an area run, each with the other areas' published rows
    (`_keep_other_areas`; the tables made from the period's whole tables need none); in a whole run, as they are."""
    if not params.kabupaten:
        return lambda tables: tables
    area = run.read("koperasi", columns=["nik"])["nik"]
    return lambda tables: {name: _keep_other_areas(params, run_id, name, frame, area) for name, frame in tables.items()}


def _keep_other_areas(params: RunParameters, run_id: str, table: str, frame: pd.DataFrame,
                      area_nik: pd.Series) -> pd.DataFrame:
    """An area run: the published rows of the other cooperatives stay as they are, republished by this run (their
    `run_id` becomes this run's, so that every row of a published partition names the run that published it;
    `dihitung_pada` and `versi_rulebook` still say when and by which book a row was scored)."""
    published = storage.read_table(params.output, table, params.period)
    if published.empty:
        return frame
    others = published[~is_in(published["nik"], area_nik)].assign(run_id=run_id)
    return pd.concat([others, frame], ignore_index=True)


def score_all(params: RunParameters, run_id: str, computed_at: datetime) -> ScoreSummary:
    """Every part in turn, then the assembly, in this process (tests, benchmarks): the flow runs the same steps as
    Prefect tasks (`flows.pipeline`)."""
    return assemble(params, run_id, list(score_parts(params, run_id, partitions(params, run_id), computed_at).values()))
