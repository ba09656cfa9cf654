"""The monthly job's steps as plain functions: prepare (read + validate), score, check quality, finish (manifest);
publishing the period is `flows.publishing`.

Each step reads and writes files in the run's work folder and returns a small summary, so the
Prefect tasks that call them pass paths and counts, never DataFrames.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows import quality, storage
from flows.config import GX_DIR, REJECTED_DIR, RUNS_DIR, TIMEZONE, WORK_DIR, settings
from flows.ingest import Landing, common_files, digest, read_common, read_reports
from flows.locks import exclusive
from flows.manifest import versions, write_json
from flows.preflight import is_published, match_areas
from schemas import inputs, outputs
from schemas.inputs import Checked, Registry, registry_of
from schemas.resubmission import resolve_submissions
from scoring import (
    KoperasiSehatError,
    load_rulebook,
    rulebook_for_period,
    score_reports,
)
from scoring.columns import REGISTRI
from scoring.derived_factors import derived_factors
from scoring.inputs import is_in
from scoring.rulebook import PERIODE, Mode
from scoring.periods import previous_period
from scoring.status import ringkasan_wilayah, status_koperasi

PREVIOUS = "sebelumnya.parquet"  # in a run's work folder: the previous month scored from the landing folder
OUTPUT_TABLES = ("skor_koperasi", "skor_indikator", "karantina", "status_koperasi", "ringkasan_wilayah",
                 "laporan_terganti")


class QualityGateError(KoperasiSehatError):
    """The outputs of the period failed expectations: nothing was published."""


class RunParameters(BaseModel):
    """The parameters of one monthly run, validated."""

    model_config = ConfigDict(frozen=True)

    period: str = Field(pattern=PERIODE.pattern, description="the month to score, YYYY-MM")
    kabupaten: tuple[str, ...] = Field(default=(), description="only these kabupaten/kota (names); all if empty")
    input: Path = Field(default_factory=lambda: settings().input, description="landing folder")
    output: Path = Field(default_factory=lambda: settings().output, description="output folder")
    rulebook: str | None = Field(default=None, description="force a rulebook id; default: by period")
    mode: Mode | None = Field(default=None, description="table or linear; default: the rulebook's")
    max_quarantine_share: float = Field(default_factory=lambda: settings().max_quarantine_share, ge=0, le=1,
                                        description="publish only if quarantined / read report rows is below this")
    max_reporting_drop: float = Field(default_factory=lambda: settings().max_reporting_drop, ge=0, le=1,
                                      description="publish only if reporting cooperatives fell by at most this share")

    @field_validator("rulebook")
    @classmethod
    def _known_rulebook(cls, value: str | None) -> str | None:
        if value is not None:
            load_rulebook(value)
        return value


@dataclass
class PrepareSummary:
    """What was read and what became of it (report rows of the run's period)."""

    berkas_ditolak: list[str]
    berkas_tidak_dibaca: list[dict]  # every entry of the landing folder not read: sumber, alasan
    laporan_dibaca: int
    laporan_diterima: int
    laporan_dikarantina: int
    laporan_terganti: int
    laporan_periode_lain: int
    kuesioner_dibaca: int
    kuesioner_dikarantina: int
    faktor_dibaca: int
    faktor_dikarantina: int
    koperasi_dibaca: int
    koperasi_dikarantina: int
    koperasi_terdaftar: int  # valid registry rows: status_koperasi must have each once
    alasan_teratas: list[tuple[str, int]] = field(default_factory=list)
    berkas: list[dict] = field(default_factory=list)  # every input file: sumber, sha256, baris, format, galat, ...
    catatan_berkas: list[str] = field(default_factory=list)  # "sumber: what was cleaned" of the files read


@dataclass
class ScoreSummary:
    dinilai: int
    tidak_dinilai: int  # accepted reports that no rulebook scores (sharia)
    per_kabupaten: list[dict]


def new_run_id(period: str, now: datetime | None = None) -> str:
    moment = (now or datetime.now(TIMEZONE)).astimezone(TIMEZONE)
    return f"{period}_{moment:%Y%m%dT%H%M%S%f}"


def work_folder(params: RunParameters, run_id: str) -> Path:
    return params.output / WORK_DIR / run_id


@dataclass(frozen=True)
class _CheckedCommon:
    """Registry, questionnaires and findings read and checked: what every month of a backfill shares."""

    rejected: Landing  # the raw frames reduced to their rejected rows, and every file read
    dibaca: dict[str, int]  # rows read: koperasi, kuesioner, faktor
    registry: Registry
    koperasi: Checked
    kuesioner: Checked
    faktor: Checked


class _Kept:
    """The shared inputs of the last run, kept only inside `keeping_common_inputs` (a backfill)."""

    active = False
    entry: dict[tuple, _CheckedCommon] = {}


@contextmanager
def keeping_common_inputs() -> Iterator[None]:
    """Runs inside reuse the registry, questionnaires and findings the previous run read and checked, when the
    files' contents and the day are the same (the months of a backfill); they are freed on leaving."""
    _Kept.active = True
    try:
        yield
    finally:
        _Kept.active = False
        _Kept.entry.clear()


def _checked_common(root: Path, today: date) -> _CheckedCommon:
    """Read and check the shared inputs, or reuse the kept result for the same file contents and day."""
    key = None  # hashing the files (about 0.2 s at national scale) is only worth it in a backfill
    if _Kept.active:
        key = (root.resolve(), today, tuple((e.sumber, digest(e)) for e in common_files(root)))
        if key in _Kept.entry:
            return _Kept.entry[key]
    landing = read_common(root)
    notes = landing.catatan
    koperasi = inputs.check_koperasi(landing.koperasi, today, notes)
    registry = registry_of(landing.koperasi, koperasi)
    kuesioner = inputs.check_kuesioner(landing.kuesioner, registry, notes)
    faktor = inputs.check_faktor(landing.faktor, registry, notes)
    rejected = Landing(koperasi=landing.koperasi.loc[koperasi.alasan.index],
                       kuesioner=landing.kuesioner.loc[kuesioner.alasan.index],
                       faktor=landing.faktor.loc[faktor.alasan.index], berkas=landing.berkas, catatan=notes)
    dibaca = {"koperasi": len(landing.koperasi), "kuesioner": len(landing.kuesioner), "faktor": len(landing.faktor)}
    common = _CheckedCommon(rejected, dibaca, registry, koperasi, kuesioner, faktor)
    _Kept.entry.clear()
    if key is not None:
        _Kept.entry[key] = common
    return common


def prepare(params: RunParameters, run_id: str, started: datetime) -> PrepareSummary:
    """Read the landing folder, validate every row, resolve resubmissions; write the accepted rows. `started`: the
    run's start (WITA), after which no date of an input can be true."""
    work = work_folder(params, run_id)
    work.mkdir(parents=True, exist_ok=True)
    common = _checked_common(params.input, started.astimezone(TIMEZONE).date())
    landing = read_reports(params.input, common.rejected, params.period, started)
    registry = common.koperasi.valid
    in_scope = _scope(registry, params.kabupaten)

    laporan_raw, periode_lain, history = _reports_of_period(landing, params.period)
    laporan_raw = laporan_raw[is_in(laporan_raw["nik"], in_scope["nik"]) | (
        not params.kabupaten and ~is_in(laporan_raw["nik"], registry["nik"]))]
    laporan = inputs.check_laporan(laporan_raw, common.registry, started, landing.catatan)
    submissions = resolve_submissions(laporan.valid)

    rejected = [(landing.koperasi, common.koperasi.alasan), (laporan_raw, laporan.alasan),
                (laporan_raw, submissions.alasan), (landing.kuesioner, common.kuesioner.alasan),
                (landing.faktor, common.faktor.alasan)]
    karantina = _karantina(rejected, params.period, in_scope["nik"], bool(params.kabupaten), run_id)

    in_scope.to_parquet(work / "koperasi.parquet")
    submissions.current.to_parquet(work / "laporan.parquet")
    superseded = submissions.superseded
    pd.DataFrame({"sumber": superseded["sumber"], "baris": superseded["baris"].astype("int64"),
                  "nik": superseded["nik"], "periode": superseded["periode"],
                  "tanggal_kirim": laporan_raw.loc[superseded.index, "tanggal_kirim"],
                  "diganti_oleh": superseded["diganti_oleh"], "data": _as_json(laporan_raw.loc[superseded.index])}
                 ).to_parquet(work / "terganti.parquet")
    answers = common.kuesioner.valid
    answers[is_in(answers["nik"], submissions.current["nik"])].to_parquet(work / "kuesioner.parquet")  # who reported
    common.faktor.valid.to_parquet(work / "faktor.parquet")
    karantina.to_parquet(work / "karantina.parquet")
    history.to_frame("periode").to_parquet(work / "riwayat.parquet")
    if not is_published(params.output, previous_period(params.period)):
        _previous_from_landing(params, common, landing.laporan_lain, started).to_parquet(work / PREVIOUS)
    quarantined_reports = laporan.alasan.index.union(submissions.alasan.index)
    pd.Series(laporan_raw.loc[quarantined_reports, "nik"].unique(), dtype="str").to_frame("nik").to_parquet(
        work / "nik_dikarantina.parquet")
    reasons = Counter(_reason_kind(r) for reasons in karantina["alasan"] for r in reasons)
    return PrepareSummary(
        berkas_ditolak=landing.galat,
        berkas_tidak_dibaca=[{"sumber": e.sumber, "alasan": e.alasan} for e in landing.tidak_dibaca],
        laporan_dibaca=len(laporan_raw), laporan_diterima=len(submissions.current),
        laporan_dikarantina=len(quarantined_reports), laporan_terganti=len(submissions.superseded),
        laporan_periode_lain=periode_lain,
        kuesioner_dibaca=common.dibaca["kuesioner"], kuesioner_dikarantina=len(common.kuesioner.alasan),
        faktor_dibaca=common.dibaca["faktor"], faktor_dikarantina=len(common.faktor.alasan),
        koperasi_dibaca=common.dibaca["koperasi"], koperasi_dikarantina=len(common.koperasi.alasan),
        koperasi_terdaftar=len(registry),
        alasan_teratas=reasons.most_common(5), berkas=[asdict(f) for f in landing.berkas],
        catatan_berkas=[f"{f.sumber}: {f.dibersihkan}" for f in landing.berkas if f.dibersihkan],
    )


def _reason_kind(reason: str) -> str:
    """A reason without its values, to count reasons of one kind together."""
    return re.sub(r"'[^']*'|\d[\d.:/-]*", "…", reason.split(": ")[0])


def _scope(registry: pd.DataFrame, kabupaten: tuple[str, ...]) -> pd.DataFrame:
    """The registry rows of the run: all, or those of the named kabupaten/kota (matched without regard to case)."""
    if not kabupaten:
        return registry
    return registry[registry["kabupaten_kota"].isin(match_areas(kabupaten, registry["kabupaten_kota"].unique()))]


def _reports_of_period(landing: Landing, period: str) -> tuple[pd.DataFrame, int, pd.Series]:
    """Rows of the run's period (and rows whose period cannot be read at all), the count of other
    periods' rows, and each cooperative's latest period with a report before the run's period."""
    others = landing.laporan_lain
    history = others[others["periode"].lt(period)].groupby("nik")["periode"].max()
    return landing.laporan, len(others), history


def _karantina(rejected: list[tuple[pd.DataFrame, pd.Series]], period: str, in_scope: pd.Series,
               filtered: bool, run_id: str) -> pd.DataFrame:
    """One row per rejected input row, with every reason, the original row as JSON text."""
    parts = []
    for raw, alasan in rejected:
        if len(alasan) == 0:
            continue
        rows = raw.loc[alasan.index]
        if filtered:  # a kabupaten rerun keeps only its own cooperatives' rows
            keep = is_in(rows["nik"], in_scope)
            rows, alasan = rows[keep], alasan[keep]
        parts.append(pd.DataFrame({
            "sumber": rows["sumber"], "baris": rows["baris"].astype("int64"), "nik": rows["nik"],
            "periode": period, "alasan": alasan.to_numpy(), "data": _as_json(rows).to_numpy(),
        }))
    if not parts:
        return outputs.empty_frame("karantina").assign(run_id=run_id)
    merged = pd.concat(parts, ignore_index=True)
    merged = merged.groupby(["sumber", "baris"], sort=True, as_index=False).agg(
        nik=("nik", "first"), periode=("periode", "first"),
        alasan=("alasan", lambda lists: [r for reasons in lists for r in reasons]), data=("data", "first"))
    return merged.assign(run_id=run_id)


def _as_json(rows: pd.DataFrame) -> pd.Series:
    """Each original text row as a JSON object, without the ingest's own columns."""
    content = rows.drop(columns=["sumber", "baris"])
    return pd.Series([json.dumps(r, ensure_ascii=False) for r in content.to_dict(orient="records")],
                     index=rows.index, dtype="str")


def partitions(params: RunParameters, run_id: str) -> list[tuple[str, ...]]:
    """The kabupaten/kota of the run, sorted, cut into at most `max_parts` parts scored independently.

    The parts depend only on the registry, never on the task runner: a Dask run and a local run
    split, score and assemble the same way, so their outputs are identical."""
    names = sorted(pd.read_parquet(work_folder(params, run_id) / "koperasi.parquet")["kabupaten_kota"].unique())
    size = -(-len(names) // settings().max_parts) if names else 1
    return [tuple(names[i:i + size]) for i in range(0, len(names), size)] or [()]


def score_part(params: RunParameters, run_id: str, part: int, kabupaten: tuple[str, ...],
               computed_at: datetime) -> ScoreSummary:
    """Score the cooperatives of some kabupaten/kota; write their rows of the three per-cooperative tables."""
    work = work_folder(params, run_id)
    registry = pd.read_parquet(work / "koperasi.parquet")
    registry = registry[registry["kabupaten_kota"].isin(kabupaten)]
    laporan = pd.read_parquet(work / "laporan.parquet")
    laporan = laporan[is_in(laporan["nik"], registry["nik"])]
    reports = laporan.merge(registry[["nik", *REGISTRI]], on="nik", how="left", validate="many_to_one")
    book = load_rulebook(params.rulebook) if params.rulebook else rulebook_for_period(params.period)
    history = pd.read_parquet(work / "riwayat.parquet")["periode"]
    factors = pd.concat([pd.read_parquet(work / "faktor.parquet"), derived_factors(laporan, history, book)],
                        ignore_index=True)
    reporting = pa.array(laporan["nik"].unique(), pa.string())
    answers = pq.read_table(work / "kuesioner.parquet", filters=pc.field("nik").isin(reporting))
    result = score_reports(reports, questionnaires=answers.to_pandas(), factors=factors, rulebook=params.rulebook,
                           mode=params.mode)
    status = status_koperasi(
        registry, params.period, result.koperasi, result.tidak_dinilai, accepted=laporan["nik"],
        quarantined=pd.read_parquet(work / "nik_dikarantina.parquet")["nik"], last_report=history,
        scored_jenis=book.jenis)
    tables = {
        "skor_koperasi": _with_previous(result.koperasi, params, work).assign(run_id=run_id, dihitung_pada=computed_at),
        "skor_indikator": result.indikator.assign(run_id=run_id),
        "status_koperasi": status.assign(run_id=run_id),
    }
    folder = work / "bagian" / f"{part:04d}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():  # typed here; checked against the contract once, whole, by `assemble`
        pq.write_table(outputs.to_arrow(name, frame), folder / f"{name}.parquet")
    per_kabupaten = (status.groupby("kabupaten_kota")
                     .agg(koperasi=("nik", "size"), melapor=("melapor", "sum"), dinilai=("dinilai", "sum"))
                     .reset_index().to_dict(orient="records"))
    return ScoreSummary(dinilai=len(result.koperasi), tidak_dinilai=len(result.tidak_dinilai),
                        per_kabupaten=[{k: (int(v) if not isinstance(v, str) else v) for k, v in r.items()}
                                       for r in per_kabupaten])


def assemble(params: RunParameters, run_id: str, parts: list[ScoreSummary]) -> ScoreSummary:
    """Join the parts in order, add the run-wide tables and the regional summary; check and keep them."""
    work = work_folder(params, run_id)
    folders = sorted((work / "bagian").iterdir())
    tables = {name: outputs.to_pandas(name, pa.concat_tables([pq.read_table(f / f"{name}.parquet") for f in folders]))
              for name in ("skor_koperasi", "skor_indikator", "status_koperasi")}
    tables["karantina"] = pd.read_parquet(work / "karantina.parquet")
    tables["laporan_terganti"] = pd.read_parquet(work / "terganti.parquet").assign(run_id=run_id)
    if params.kabupaten:
        registry = pd.read_parquet(work / "koperasi.parquet")
        tables = {name: _keep_other_areas(params, run_id, name, frame, registry["nik"])
                  for name, frame in tables.items()}
    tables["ringkasan_wilayah"] = ringkasan_wilayah(tables["status_koperasi"], tables["skor_koperasi"],
                                                    params.period).assign(run_id=run_id)
    out = work / "keluaran"
    out.mkdir(exist_ok=True)
    for name, frame in tables.items():  # checked here, before anything is published
        pq.write_table(outputs.to_arrow(name, outputs.validate_output(name, frame)), out / f"{name}.parquet")
    return ScoreSummary(dinilai=sum(p.dinilai for p in parts), tidak_dinilai=sum(p.tidak_dinilai for p in parts),
                        per_kabupaten=[area for p in parts for area in p.per_kabupaten])


def score(params: RunParameters, run_id: str, computed_at: datetime) -> ScoreSummary:
    """Every part in turn, then the assembly: the flow runs the same steps as tasks, in parallel."""
    parts = [score_part(params, run_id, i, names, computed_at) for i, names in enumerate(partitions(params, run_id))]
    return assemble(params, run_id, parts)


def _previous_from_landing(params: RunParameters, common: _CheckedCommon, others: pd.DataFrame,
                           started: datetime) -> pd.DataFrame:
    """The previous month's scores (nik, skor_total, predikat) from its reports in the landing folder, validated
    and scored with the rulebook in force then, for a run whose previous month was never published."""
    previous = previous_period(params.period)
    landing = read_reports(params.input, common.rejected, previous, started)
    accepted = resolve_submissions(inputs.check_laporan(landing.laporan, common.registry, started,
                                                        landing.catatan).valid).current
    if accepted.empty:
        return pd.DataFrame({"nik": pd.Series(dtype="str"), "skor_total": pd.Series(dtype="float64"),
                             "predikat": pd.Series(dtype="str")})
    book = rulebook_for_period(previous)
    history = others[others["periode"].lt(previous)].groupby("nik")["periode"].max()
    reports = accepted.merge(common.koperasi.valid[["nik", *REGISTRI]], on="nik", how="left",
                             validate="many_to_one")
    answers = common.kuesioner.valid
    result = score_reports(reports, questionnaires=answers[is_in(answers["nik"], accepted["nik"])],
                           factors=pd.concat([common.faktor.valid, derived_factors(accepted, history, book)],
                                             ignore_index=True), rulebook=book.id)
    return result.koperasi[["nik", "skor_total", "predikat"]].astype({"predikat": "str"})


def _with_previous(koperasi: pd.DataFrame, params: RunParameters, work: Path) -> pd.DataFrame:
    """skor_total_sebelumnya / predikat_sebelumnya, and where they come from: the previous period's published
    output ("terbit"), else its reports in the landing folder ("landing", `_previous_from_landing`)."""
    if (work / PREVIOUS).exists():
        last, source = pd.read_parquet(work / PREVIOUS), "landing"
    else:
        last, source = storage.read_table(params.output, "skor_koperasi", previous_period(params.period)), "terbit"
    if last.empty:
        return koperasi
    last = last.drop_duplicates("nik").set_index("nik")
    total = koperasi["nik"].map(last["skor_total"]).astype("float64")
    return koperasi.assign(skor_total_sebelumnya=total,
                           predikat_sebelumnya=koperasi["nik"].map(last["predikat"].astype("str")).astype("str"),
                           asal_sebelumnya=pd.Series(source, index=koperasi.index, dtype="str").where(total.notna()))


def check_quality(params: RunParameters, run_id: str, prepared: PrepareSummary) -> dict:
    """Run the Great Expectations suites on the run's tables; raise, naming the failures, if any fails."""
    out = work_folder(params, run_id) / "keluaran"
    tables = {name: outputs.to_pandas(name, pq.read_table(out / f"{name}.parquet")) for name in OUTPUT_TABLES}
    checks = quality.QualityParameters(
        jumlah_terdaftar=prepared.koperasi_terdaftar, laporan_dibaca=prepared.laporan_dibaca,
        laporan_dikarantina=prepared.laporan_dikarantina,
        jumlah_melapor_sebelumnya=quality.jumlah_melapor_sebelumnya(params.output, params.period),
        batas_penurunan_melapor=params.max_reporting_drop, batas_porsi_karantina=params.max_quarantine_share,
        run_id=run_id)
    with exclusive(params.output):  # one GX context, one writer at a time
        result = quality.check_outputs(tables, params.output / GX_DIR, params.period, checks)
    if not result.success:
        raise QualityGateError(f"periode {params.period} tidak diterbitkan: {len(result.failed)} pemeriksaan mutu "
                               "gagal: " + "; ".join(result.failed) + f" (Data Docs: {result.data_docs_index})")
    return {"sukses": True, "data_docs": str(result.data_docs_index), **result.summary}


def _keep_other_areas(params: RunParameters, run_id: str, table: str, frame: pd.DataFrame,
                      area_nik: pd.Series) -> pd.DataFrame:
    """A kabupaten run: the published rows of the other cooperatives stay as they are, republished by this run
    (their `run_id` becomes this run's, so that every row of a published partition names the run that published
    it; `dihitung_pada` and `versi_rulebook` still say when and by which book a row was scored)."""
    published = storage.read_table(params.output, table, params.period)
    if published.empty:
        return frame
    others = published[~is_in(published["nik"], area_nik)].assign(run_id=run_id)
    return pd.concat([others, frame], ignore_index=True)


def manifest(params: RunParameters, run_id: str, started: datetime, prepared: PrepareSummary, scored: ScoreSummary,
             checked: dict) -> dict:
    """The run's manifest, published with its tables (`flows.publishing.publish`): a manifest means a complete run."""
    counts = {**asdict(prepared), **asdict(scored)}
    berkas, tidak_dibaca = counts.pop("berkas"), counts.pop("berkas_tidak_dibaca")
    return {
        "run_id": run_id, "periode": params.period, "parameter": params.model_dump(mode="json"),
        "mulai": started.isoformat(), "selesai": datetime.now(TIMEZONE).isoformat(), "versi": versions(),
        "berkas_masukan": berkas, "berkas_tidak_dibaca": tidak_dibaca, "jumlah": counts,
        "great_expectations": checked,
        "keluaran": {name: str(storage.partition_path(params.output, name, params.period)) for name in OUTPUT_TABLES},
    }


def summary(params: RunParameters, run: dict) -> dict:
    """The run's summary (what the CLI prints and the flow returns), from its published manifest."""
    return {"run_id": run["run_id"], "periode": params.period, **run["jumlah"],
            "berkas_tidak_dibaca": run["berkas_tidak_dibaca"],
            "data_docs": run["great_expectations"]["data_docs"], "keluaran": run["keluaran"],
            "manifest": str(params.output / RUNS_DIR / f"{run['run_id']}.json")}


def reject(params: RunParameters, run_id: str, prepared: PrepareSummary | None, reason: str) -> Path:
    """A run stopped before publication: keep its karantina and summary where the analyst reads them,
    `<output>/_ditolak/<run_id>/` (karantina.parquet, ringkasan.json); the published partitions stay untouched."""
    folder = params.output / REJECTED_DIR / run_id
    folder.mkdir(parents=True, exist_ok=True)
    work = work_folder(params, run_id)
    if (work / "karantina.parquet").exists():
        pq.write_table(outputs.to_arrow("karantina", pd.read_parquet(work / "karantina.parquet")),
                       folder / "karantina.parquet")
    content = {"run_id": run_id, "periode": params.period, "alasan": reason,
               "parameter": params.model_dump(mode="json"), "jumlah": asdict(prepared) if prepared else None}
    write_json(folder / "ringkasan.json", content)
    return folder
