"""The first step of a monthly run: read the landing folder, validate every row, resolve resubmissions, and keep
in the run's work folder what the scoring reads (`flows.catalog`). Each stage is a function a reader can name."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from flows import forked, storage
from flows.catalog import RunFolder, release
from flows.common_cache import checked_or_cached
from flows.config import TIMEZONE
from flows.ingest.landing import (Landing, as_it_is, common_files, read_common, read_report_files, read_reports,
                                  remember_report_files, with_common)
from flows.ingest.walk import shown
from flows.memory import give_back
from flows.preflight import is_published, match_areas
from flows.runs import PrepareSummary, RunParameters
from schemas import inputs, outputs
from schemas.inputs import REFUSED_REGISTRY, Checked, Registry, registry_of
from schemas.kuesioner import latest_set_rows, questionnaire_scored, without_questionnaire
from schemas.landing_paths import input_table
from schemas.parsing import SET_REASON, raw_text, under_meant_nik
from schemas.resubmission import Submissions, resolve_submissions
from scoring import early_warning, score_reports
from scoring.columns import REGISTRI
from scoring.errors import InputFileError, ParameterError
from scoring.derived_factors import derived_factors
from scoring.explain import aligned
from scoring.inputs import KUESIONER, is_in
from scoring.periods import previous_period
from scoring.reporting_quality import reason_kinds
from scoring.texts import number


@dataclass(frozen=True)
class CheckedCommon:
    """Registry, questionnaires, findings and examiners' checklists read and checked: what every month of a backfill
    shares."""

    rejected: Landing  # the raw frames reduced to their rejected rows, and every file read
    dibaca: dict[str, int]  # rows read: koperasi, kuesioner, faktor, pemeriksaan
    registry: Registry
    koperasi: Checked
    kuesioner: Checked  # its valid rows in the engine's columns (KUESIONER): the file and row only for those rejected
    faktor: Checked
    pemeriksaan: Checked  # optional input: read by `koperasi-sehat bandingkan`, its rejected rows quarantined by runs
    dari_cache: bool = False  # kept on disk by an earlier run of the same day (`flows.common_cache`)


class _Kept:
    """The shared inputs of the last run, kept only inside `keeping_common_inputs` (a backfill)."""

    active = False
    entry: dict[tuple, CheckedCommon] = {}


@contextmanager
def keeping_common_inputs(keep: bool = True) -> Iterator[None]:
    """Runs inside reuse the registry, questionnaires and findings the previous run read and checked, when the
    files' contents and the day are the same (the months of a backfill), and the reads of the report files of
    other months (`landing.remember_report_files`); they are freed on leaving. Not `keep` (one month): nothing is
    kept, the memory goes back before the scoring."""
    _Kept.active = keep
    remember_report_files(keep)
    try:
        yield
    finally:
        _Kept.active = False
        _Kept.entry.clear()
        remember_report_files(False)


def keep_common_inputs() -> None:
    """From now on, this process reuses the shared inputs it read and checked and the reads of the report files of
    other months (a Dask worker that prepares several months of a backfill); it keeps those of one landing folder
    and day at a time."""
    _Kept.active = True
    remember_report_files()


def checked_common(root: Path, today: date) -> CheckedCommon:
    """Read and check the shared inputs, or reuse the result kept for the same files and day: in memory during a
    backfill (the files as they are, `as_it_is`), on disk between runs (their contents, `flows.common_cache`)."""
    key = None  # the files as they are (`as_it_is`: hashing them took 0.3-0.4 s of each national month)
    if _Kept.active:
        key = (root.resolve(), today, tuple(as_it_is(e) or e.sumber for e in common_files(root)))
        if key in _Kept.entry:
            return _Kept.entry[key]
    common, kept = checked_or_cached(root, today, lambda: _checked(root, today),
                                     lambda checked: {f.sumber: f.sha256 for f in checked.rejected.berkas})
    common = replace(common, dari_cache=kept)
    if not kept:  # the raw files' frames and the checks' own are freed: their memory goes back before the month's
        release()
    _Kept.entry.clear()
    if key is not None:
        _Kept.entry[key] = common
    return common


def _checked(root: Path, today: date) -> CheckedCommon:
    landing = read_common(root)
    notes = landing.catatan
    koperasi = inputs.check_koperasi(landing.koperasi, today, notes)
    _some_registered(landing, koperasi)
    registry = registry_of(landing.koperasi, koperasi)
    give_back()  # the pages the reads and the registry's check freed: the answers' check is the preparation's peak
    kuesioner = inputs.check_kuesioner(landing.kuesioner, registry, notes)
    faktor = inputs.check_faktor(landing.faktor, registry, notes)
    pemeriksaan = inputs.check_pemeriksaan(landing.pemeriksaan, registry, notes)
    rejected = Landing(koperasi=landing.koperasi.loc[koperasi.alasan.index],
                       kuesioner=landing.kuesioner.loc[kuesioner.alasan.index],
                       faktor=landing.faktor.loc[faktor.alasan.index],
                       pemeriksaan=landing.pemeriksaan.loc[pemeriksaan.alasan.index], berkas=landing.berkas,
                       catatan=notes)
    dibaca = {"koperasi": len(landing.koperasi), "kuesioner": len(landing.kuesioner), "faktor": len(landing.faktor),
              "pemeriksaan": len(landing.pemeriksaan)}
    # a national month's answers are 1.8 million rows: their file names alone took 60 MiB of every run's memory
    kuesioner = replace(kuesioner, valid=kuesioner.valid[list(KUESIONER)])
    return CheckedCommon(rejected, dibaca, registry, koperasi, kuesioner, faktor, pemeriksaan)


def _some_registered(landing: Landing, koperasi: Checked) -> None:
    """Raise InputFileError when the registry has no accepted row: nothing can be scored, every report would be
    'tidak terdaftar' (a header-only registry, or every date written 13/03/2019, crashed the run's summary: hostile
    trial). The line names the file, how many rows were refused and the first row's reasons."""
    if len(koperasi.valid):
        return
    if koperasi.alasan.empty:
        sumber = next(f.sumber for f in landing.berkas if input_table(f.sumber) == "koperasi")
        raise InputFileError(f"{sumber}: daftar koperasi tanpa baris: isi satu baris per koperasi terdaftar")
    row = landing.koperasi.loc[koperasi.alasan.index[0]]
    raise InputFileError(f"{row['sumber']}: tidak ada baris registri yang diterima ({len(koperasi.alasan)} ditolak, "
                         f"mis. baris {row['baris']}: {'; '.join(koperasi.alasan.iloc[0])}): perbaiki daftar koperasi, "
                         "lalu jalankan lagi")


def prepare(params: RunParameters, run_id: str, started: datetime, previous_published: bool | None = None
            ) -> PrepareSummary:
    """Read the landing folder, validate every row, resolve resubmissions; keep the accepted rows, the quarantine and
    the history in the run's work folder. `started`: the run's start (WITA), after which no date can be true.
    `previous_published`: whether the previous month is published by the time this one is assembled (default:
    whether it is now; a backfill on Dask prepares its months ahead): if not, its scores come from the landing
    folder, scored in a copy of the process (`flows.forked`) while this one checks the period's reports."""
    run = params.folder(run_id)
    if previous_published is None:
        previous_published = is_published(params.output, previous_period(params.period))
    previous = None if previous_published else previous_period(params.period)
    with ThreadPoolExecutor(max_workers=1) as reader:  # the reports are read while the shared inputs are checked
        reports = reader.submit(read_report_files, params.input, params.period, started, previous=previous)
        common = checked_common(params.input, started.astimezone(TIMEZONE).date())
        landing = with_common(reports.result(), common.rejected)
    changed_elsewhere = check_registry_as_published(params, common.koperasi.valid) if params.kabupaten else ""
    # the previous month scored in a copy of the process while this one checks the period's reports (a national
    # month: about 1 s of each); without a copy (`flows.forked`), here after them, as before
    scope = in_scope(common.koperasi.valid, params.kabupaten, common)
    area_niks = scope["nik"] if params.kabupaten else None  # an area run's reporting is its areas'
    aside = (forked.forked(lambda: keep_previous(run, common, landing, previous, started, area_niks)) if previous
             else None)
    with aside or nullcontext() as copy:
        start = time.perf_counter()
        raw = reports_in_scope(landing.laporan, scope, common.koperasi.valid, bool(params.kabupaten))
        laporan = inputs.check_laporan(raw, common.registry, started, landing.catatan)
        submissions = resolve_submissions(laporan.valid)
        rejected = [(landing.koperasi, common.koperasi.alasan), (raw, laporan.alasan), (raw, submissions.alasan),
                    (landing.kuesioner, common.kuesioner.alasan), (landing.faktor, common.faktor.alasan),
                    (landing.pemeriksaan, common.pemeriksaan.alasan)]
        karantina = quarantine(rejected, params.period, scope["nik"], bool(params.kabupaten))
        quarantined = laporan.alasan.index.union(submissions.alasan.index)
        keep(run, scope, raw, submissions, common, karantina, landing.laporan_lain, params.period,
             raw.loc[quarantined, "nik"])
        scored = questionnaire_scored(submissions.current["nik"], common.registry.jenis, params.period)
        answers = under_meant_nik(landing.kuesioner, common.kuesioner.alasan)  # a set sent under a mistyped nik
        counted = latest_set_rows(common.kuesioner.valid, answers, scored, params.period)  # counts as its own
        without_latest = raw_text(answers, "nik")[counted].unique()
        without_any = without_questionnaire(common.kuesioner.valid, scored, params.period)
        # none of them has a set by the period's end: their accepted answers, each dated after it (TANPA KUESIONER)
        later = int(is_in(common.kuesioner.valid["nik"], scored).sum()) if len(without_any) == len(scored) else 0
        reporting = copy.result(time.perf_counter() - start) if copy is not None else None
    # an area run's counts of the shared inputs are the whole folder's, and so are their examples (a registry row
    # of another area refused: a count with no example, review); its reports and answers counted are its own
    folder = quarantine(rejected, params.period, scope["nik"], False) if params.kabupaten else karantina
    examples = {table: first_quarantined(folder, table, landing.kuesioner[counted] if table == "kuesioner"
                                         else None) for table in QUARANTINE_EXAMPLES}
    return replace(summarise(landing, common, raw, submissions, len(quarantined), karantina,
                             len(common.koperasi.valid)), melapor_sebelumnya_landing=reporting,
                   koperasi_kuesioner_dinilai=len(scored), koperasi_kuesioner_dikarantina=len(without_latest),
                   koperasi_tanpa_kuesioner=len(without_any), kuesioner_sesudah_periode=later,
                   contoh_karantina={table: text for table, text in examples.items() if text},
                   laporan_tanpa_wilayah=int((~is_in(landing.laporan["nik"], common.koperasi.valid["nik"])).sum())
                   if params.kabupaten else 0, registri_berubah_wilayah_lain=changed_elsewhere)


EXAMPLE_LENGTH = 300  # characters of an example at most: 44 cells of 2,000 quoted made one line of 92,672
# the input tables (`schemas.landing_paths.input_table`) in the run summary's order
QUARANTINE_EXAMPLES = ("laporan", "kuesioner", "koperasi", "faktor_pengurang", "pemeriksaan")


def first_quarantined(karantina: pd.DataFrame, table: str, counted: pd.DataFrame | None = None) -> str | None:
    """The first quarantined row of an input table (`QUARANTINE_EXAMPLES`; of the rows `counted`, sumber and baris,
    when given: those a share counts, not an older set of the same cooperative: review) with its reasons:
    '<sumber> baris N (nik ...): reasons', cut to EXAMPLE_LENGTH characters; None when there is none. The run
    summary shows it, and so does a failed quarantine share (a month of questionnaires dated 06/02/2026 was refused
    with a share alone: fresh-clone trial)."""
    code, files = pd.factorize(karantina["sumber"].astype("str"))  # each file named once, not each row
    rows = karantina[np.append(np.array([input_table(f) == table for f in files], dtype=bool), False)[code]]
    if counted is not None:
        keys = counted[["sumber", "baris"]].astype({"sumber": "str", "baris": "int64"})
        rows = rows.merge(keys.drop_duplicates(), on=["sumber", "baris"])
    if rows.empty:
        return None
    # a row with a reason of its own before a row refused for its set's sake ('set pemeriksaan ...: baris 10
    # ditolak' named baris 2, which was right: fresh-clone trial) or for its registry row's ('perbaiki baris seperti
    # ini' named a report whose fix is in koperasi.csv: new-user trial)
    own = np.fromiter((any(not r.startswith((SET_REASON, REFUSED_REGISTRY)) for r in reasons)
                       for reasons in rows["alasan"]), bool, len(rows))
    row = rows.iloc[int(np.argmax(own)) if own.any() else 0]
    text = f"{row['sumber']} baris {row['baris']} (nik {row['nik']}): {'; '.join(row['alasan'])}"
    return text if len(text) <= EXAMPLE_LENGTH else text[:EXAMPLE_LENGTH - 1] + "…"  # a line of 92,672: trial


# the registry's columns status_koperasi publishes beside nik and kabupaten_kota: an area rerun republishes the other
# areas' as published, and says when the registry has changed them since
REGISTRY_PUBLISHED = ("nama", "jenis", "kode_wilayah", "tanggal_rat_terakhir", "pendamping")


def check_registry_as_published(params: RunParameters, registry: pd.DataFrame) -> str:
    """An area rerun keeps the other areas' published rows: it needs the registry the month was published with (its
    accepted rows' nik and kabupaten/kota, as status_koperasi holds them). A cooperative added, gone (or its row now
    refused) or moved to another kabupaten/kota anywhere broke the quality gate in English terms, or published the
    old areas without a word (hostile trial): ParameterError naming how many of each and one. Returns, in words, the
    other areas' cooperatives whose other registry columns (REGISTRY_PUBLISHED) changed since: republished as they
    were ('' when none; they went unsaid: review)."""
    published = storage.read_table(params.output, "status_koperasi", params.period,
                                   columns=["nik", "kabupaten_kota", *REGISTRY_PUBLISHED])
    if published.empty:  # not published (`preflight.check_area_rerun` refuses the run)
        return ""
    now = registry[["nik", "kabupaten_kota", *REGISTRY_PUBLISHED]].assign(
        tanggal_rat_terakhir=registry["tanggal_rat_terakhir"].dt.strftime("%Y-%m-%d"))
    both = _texts(published).merge(_texts(now), on="nik", how="outer", suffixes=("_terbit", "_kini"), indicator=True)
    moved = both[(both["_merge"] == "both") & (both["kabupaten_kota_terbit"] != both["kabupaten_kota_kini"])]
    kinds = [(both[both["_merge"] == "right_only"], "baru", lambda r: f"{r.nik} baru ({r.kabupaten_kota_kini})"),
             (both[both["_merge"] == "left_only"], "tidak ada lagi atau barisnya ditolak",
              lambda r: f"{r.nik} ({r.kabupaten_kota_terbit}) tidak ada lagi atau barisnya ditolak"),
             (moved, "berganti kabupaten/kota",
              lambda r: f"{r.nik}: {r.kabupaten_kota_terbit} -> {r.kabupaten_kota_kini}")]
    changed = [(rows, words, example) for rows, words, example in kinds if len(rows)]
    if changed:
        counts = ", ".join(f"{number(len(rows), 0)} {words}" for rows, words, _ in changed)
        rows, _, example = changed[0]
        raise ParameterError(f"daftar koperasi berubah sejak periode {params.period} terbit (koperasi {counts}; mis. "
                             f"{shown(example(next(rows.itertuples())))}): jalankan seluruh bulannya (tanpa "
                             "--kabupaten)")
    areas = {name.strip().casefold() for name in params.kabupaten}
    elsewhere = both[~both["kabupaten_kota_terbit"].str.casefold().isin(areas)]
    differs = {column: elsewhere[f"{column}_terbit"] != elsewhere[f"{column}_kini"] for column in REGISTRY_PUBLISHED}
    changed_rows = elsewhere[np.logical_or.reduce([d.to_numpy() for d in differs.values()])]
    if changed_rows.empty:
        return ""
    row = changed_rows.iloc[0]
    column = next(c for c in REGISTRY_PUBLISHED if row[f"{c}_terbit"] != row[f"{c}_kini"])
    return (f"{number(len(changed_rows), 0)} koperasi (mis. {shown(row['nik'])} {column}: "
            f"{shown(row[f'{column}_terbit'])} -> {shown(row[f'{column}_kini'])})")


def _texts(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns as text, an empty cell as '-' (so that a value set or cleared compares as a change)."""
    return frame.astype("str").fillna("-")


def in_scope(registry: pd.DataFrame, kabupaten: tuple[str, ...], common: CheckedCommon | None = None
             ) -> pd.DataFrame:
    """The registry rows of the run: all, or those of the named kabupaten/kota (matched without regard to case).
    Raises ParameterError for a name of no accepted row: saying which rows of it were refused (`common`), if any."""
    if not kabupaten:
        return registry
    areas = match_areas(kabupaten, registry["kabupaten_kota"].unique(), refused_areas(common) if common else None)
    return registry[registry["kabupaten_kota"].isin(areas)]


def refused_areas(common: CheckedCommon) -> dict[str, str]:
    """Each kabupaten/kota named on refused registry rows (`str.casefold`, stripped): how many rows, and the first
    with its reasons (an area run of an area whose every row was refused said the area did not exist: review)."""
    rows = common.rejected.koperasi
    if rows.empty or "kabupaten_kota" not in rows:
        return {}
    why = inputs.refused_rows(rows, common.koperasi)
    names = rows["kabupaten_kota"].astype("str").fillna("").str.strip().str.casefold()
    return {name: f"{number(len(texts), 0)} baris ditolak, mis. {texts.iloc[0]}"
            for name, texts in why.groupby(names.to_numpy(), sort=False)}


def reports_in_scope(laporan: pd.DataFrame, scope: pd.DataFrame, registry: pd.DataFrame,
                     area_run: bool) -> pd.DataFrame:
    """The period's report rows of the cooperatives in scope; a whole-month run also keeps the rows of unregistered
    nik (they are quarantined with the reason)."""
    keep = is_in(laporan["nik"], scope["nik"])
    if not area_run:
        keep |= ~is_in(laporan["nik"], registry["nik"])
    return laporan[keep]


def quarantine(rejected: list[tuple[pd.DataFrame, pd.Series]], period: str, scope: pd.Series,
               area_run: bool) -> pd.DataFrame:
    """One row per rejected input row (karantina, without run_id), with every reason and the row as JSON text; an
    area run keeps only its own cooperatives' rows."""
    parts = []
    for raw, alasan in rejected:
        if len(alasan) == 0:
            continue
        rows = raw.loc[alasan.index]
        if area_run:
            keep = is_in(rows["nik"], scope)
            rows, alasan = rows[keep], alasan[keep]
        parts.append(pd.DataFrame({
            "sumber": rows["sumber"], "baris": rows["baris"].astype("int64"), "nik": rows["nik"],
            "periode": period, "alasan": alasan.to_numpy(), "data": as_json(rows).to_numpy(),
        }))
    if not parts:
        return outputs.empty_frame("karantina").drop(columns="run_id")
    merged = pd.concat(parts, ignore_index=True)
    return merged.groupby(["sumber", "baris"], sort=True, as_index=False).agg(
        nik=("nik", "first"), periode=("periode", "first"),
        alasan=("alasan", lambda lists: [r for reasons in lists for r in reasons]), data=("data", "first"))


def as_json(rows: pd.DataFrame) -> pd.Series:
    """Each original text row as a JSON object, without the ingest's own columns."""
    content = rows.drop(columns=["sumber", "baris"])
    return pd.Series([json.dumps(r, ensure_ascii=False) for r in content.to_dict(orient="records")],
                     index=rows.index, dtype="str")


def keep(run: RunFolder, scope: pd.DataFrame, raw: pd.DataFrame, submissions: Submissions, common: CheckedCommon,
         karantina: pd.DataFrame, others: pd.DataFrame, period: str, quarantined_nik: pd.Series) -> None:
    """Write what the scoring reads: the registry in scope, the reports in force and superseded, the answers of the
    cooperatives that reported, the findings, the quarantine, and the history of the other periods."""
    superseded = submissions.superseded
    run.write("koperasi", scope)
    run.write("laporan", submissions.current)
    run.write("terganti", pd.DataFrame({
        "sumber": superseded["sumber"], "baris": superseded["baris"].astype("int64"), "nik": superseded["nik"],
        "periode": superseded["periode"], "tanggal_kirim": raw.loc[superseded.index, "tanggal_kirim"],
        "diganti_oleh": superseded["diganti_oleh"], "data": as_json(raw.loc[superseded.index])}))
    run.write("kuesioner", answers_of(common, submissions.current["nik"]))
    run.write("faktor", common.faktor.valid)
    run.write("karantina", karantina)
    run.write("riwayat", others[others["periode"].lt(period)].groupby("nik")["periode"].max().to_frame("periode"))
    run.write("kiriman", others[["nik", "periode", "tanggal_kirim"]].astype("str"))
    run.write("nik_dikarantina", pd.Series(quarantined_nik.unique(), dtype="str").to_frame("nik"))


@dataclass(frozen=True)
class AcceptedReports:
    """A period's reports as a whole-month run accepts them (the preparation's own checks)."""

    landing: Landing  # what was read for the period: its report rows, the other periods' rows, every file
    current: pd.DataFrame  # the reports in force: checked, typed, resubmissions resolved
    dikarantina: int  # report rows of the period quarantined (a rule, or a resubmission that cannot be decided)


def accepted_reports(root: Path, common: CheckedCommon, period: str, started: datetime) -> AcceptedReports:
    """Read the period's reports of the landing folder, check every row and resolve resubmissions, as `prepare`
    does for a whole month."""
    landing = read_reports(root, common.rejected, period, started)
    current, quarantined = accept(landing.laporan, common, started, landing.catatan)
    return AcceptedReports(landing, current, quarantined)


def accept(rows: pd.DataFrame, common: CheckedCommon, started: datetime, notes: pd.DataFrame | None
           ) -> tuple[pd.DataFrame, int]:
    """Report rows as read (`notes`: the cells read with a note, `Landing.catatan`) checked and their resubmissions
    resolved: the reports in force, and how many rows were quarantined."""
    checked = inputs.check_laporan(rows, common.registry, started, notes)
    submissions = resolve_submissions(checked.valid)
    return submissions.current, len(checked.alasan.index.union(submissions.alasan.index))


def answers_of(common: CheckedCommon, nik: pd.Series) -> pd.DataFrame:
    """The accepted questionnaire answers of these cooperatives, in the columns the engine reads
    (`scoring.inputs.KUESIONER`: the copy leaves out the file and row each answer came from)."""
    answers = common.kuesioner.valid
    return answers.loc[is_in(answers["nik"], nik), list(KUESIONER)]


def with_registry(reports: pd.DataFrame, common: CheckedCommon) -> pd.DataFrame:
    """The reports with the registry columns the engine carries (nama, jenis, kode_wilayah, kabupaten_kota)."""
    return reports.merge(common.koperasi.valid[["nik", *REGISTRI]], on="nik", how="left", validate="many_to_one")


# what the warnings and skor_total_sebelumnya read, and the worklist's latest member count
PREVIOUS_KOPERASI = (*early_warning.READS["skor_koperasi"], "jumlah_anggota")
PREVIOUS_INDIKATOR = early_warning.READS["skor_indikator"]


def previous_from_landing(common: CheckedCommon, landing: Landing, previous: str, started: datetime,
                          counted: pd.Series | None = None) -> tuple[pd.DataFrame, pd.DataFrame, int | None]:
    """The previous month's scores (PREVIOUS_KOPERASI) and components (PREVIOUS_INDIKATOR) from its reports in the
    landing folder (`landing.laporan_sebelumnya`, read with the period's), validated and scored with the books in
    force then, for a run whose previous month is not published: skor_total_sebelumnya and the early warnings
    compare with the same month; and its reporting cooperatives (accepted reports, as status_koperasi.melapor
    counts them; of the nik `counted`, an area run's, if given; None for none): the quality gate's baseline."""
    others = landing.laporan_lain
    accepted = accept(landing.laporan_sebelumnya, common, started, landing.catatan)[0]
    niks = accepted["nik"] if counted is None else accepted.loc[is_in(accepted["nik"], counted), "nik"]
    reporting = int(niks.nunique()) or None  # none: no baseline (the check is left out), not 0
    if accepted.empty:
        kinds = {"skor_total": "float64", "jumlah_anggota": "int64"}
        return (pd.DataFrame({c: pd.Series(dtype=kinds.get(c, "str")) for c in PREVIOUS_KOPERASI}),
                pd.DataFrame({c: pd.Series(dtype="float64" if c in ("rasio", "nilai") else "str")
                              for c in PREVIOUS_INDIKATOR}), reporting)
    history = others[others["periode"].lt(previous)].groupby("nik")["periode"].max()
    reports = with_registry(accepted, common)
    result = score_reports(reports, questionnaires=answers_of(common, accepted["nik"]),
                           factors=pd.concat([common.faktor.valid, derived_factors(reports, history)],
                                             ignore_index=True))
    koperasi = result.koperasi.assign(  # as the month's skor_koperasi has it (`scoring.explain.cooperative_columns`)
        jumlah_anggota=aligned(reports, result.koperasi, "reports")["jumlah_anggota"].to_numpy(dtype="int64"))
    return (koperasi[list(PREVIOUS_KOPERASI)].astype({"predikat": "str", "predikat_skor": "str"}),
            result.indikator[list(PREVIOUS_INDIKATOR)], reporting)


def keep_previous(run: RunFolder, common: CheckedCommon, landing: Landing, previous: str,
                  started: datetime, counted: pd.Series | None = None) -> int | None:
    """Keep the previous month's scores and components from the landing folder (`previous_from_landing`) in the
    run's work folder, for the warnings and skor_total_sebelumnya; its reporting cooperatives (of the nik `counted`,
    if given), once written."""
    koperasi, indikator, reporting = previous_from_landing(common, landing, previous, started, counted)
    run.write("sebelumnya", koperasi)
    run.write("sebelumnya_indikator", indikator)
    return reporting


def summarise(landing: Landing, common: CheckedCommon, raw: pd.DataFrame, submissions: Submissions,
              quarantined: int, karantina: pd.DataFrame, registered: int) -> PrepareSummary:
    """What was read and what became of it."""
    reasons = Counter(reason_kinds(karantina["alasan"].explode().dropna()).tolist())
    return PrepareSummary(
        berkas_ditolak=landing.galat,
        berkas_tidak_dibaca=[{"sumber": e.sumber, "alasan": e.alasan} for e in landing.tidak_dibaca],
        laporan_dibaca=len(raw), laporan_diterima=len(submissions.current), laporan_dikarantina=quarantined,
        laporan_terganti=len(submissions.superseded), laporan_periode_lain=len(landing.laporan_lain),
        kuesioner_dibaca=common.dibaca["kuesioner"], kuesioner_dikarantina=len(common.kuesioner.alasan),
        faktor_dibaca=common.dibaca["faktor"], faktor_dikarantina=len(common.faktor.alasan),
        koperasi_dibaca=common.dibaca["koperasi"], koperasi_dikarantina=len(common.koperasi.alasan),
        koperasi_terdaftar=registered, pemeriksaan_dibaca=common.dibaca["pemeriksaan"],
        pemeriksaan_dikarantina=len(common.pemeriksaan.alasan), masukan_umum_dari_cache=common.dari_cache,
        alasan_teratas=reasons.most_common(5), berkas=[asdict(f) for f in landing.berkas],
        catatan_berkas=[f"{f.sumber}: {f.dibersihkan}" for f in landing.berkas if f.dibersihkan],
    )

