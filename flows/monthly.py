"""The last steps of a monthly run: check quality, write the manifest and the summary, or keep a rejected run's
karantina. The run's earlier steps are `flows.prepare`, `flows.score_parts` and `flows.assemble`; publishing the
period is `flows.publishing`.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq

from flows import quality, storage
from flows.config import GX_DIR, REJECTED_DIR, REPORTS_DIR, RUNS_DIR, TIMEZONE
from flows.locks import exclusive
from flows.manifest import versions, write_json
from flows.runs import PrepareSummary, RunParameters, ScoreSummary
from schemas import outputs
from schemas.expectations import ANTAR_PERIODE
from schemas.landing_paths import input_table, meant_folder
from scoring.errors import QualityGateError
from scoring.texts import number

OUTPUT_TABLES = tuple(outputs.TABLES)  # every table a run publishes, in the contract's order
FILES_NAMED = 3  # refused files a failed gate's line names, then how many more (all in the run's summary)


def check_quality(params: RunParameters, run_id: str, prepared: PrepareSummary) -> dict:
    """Run the Great Expectations suites on the run's tables (each read when its suite runs); raise, naming the
    failures, if any fails."""
    tables = quality.TableFiles(params.folder(run_id).kept_root, params.period)
    checks = quality.QualityParameters(
        jumlah_terdaftar=prepared.koperasi_terdaftar, laporan_dibaca=prepared.laporan_dibaca,
        laporan_dikarantina=prepared.laporan_dikarantina,
        koperasi_kuesioner_dinilai=prepared.koperasi_kuesioner_dinilai,
        koperasi_kuesioner_dikarantina=prepared.koperasi_kuesioner_dikarantina,
        jumlah_melapor_sebelumnya=_reporting_before(params, prepared),
        jumlah_melapor_terbit=quality.jumlah_melapor_terbit(params.output, params.period, params.kabupaten),
        batas_penurunan_melapor=params.max_reporting_drop, batas_porsi_karantina=params.max_quarantine_share,
        kabupaten=tuple(params.kabupaten), run_id=run_id,
        jumlah_melapor_terbit_wilayah={area: quality.jumlah_melapor_terbit(params.output, params.period, (area,))
                                       for area in params.kabupaten} if len(params.kabupaten) > 1 else {})
    with exclusive(params.output):  # one GX context, one writer at a time
        result = quality.check_outputs(tables, params.output / GX_DIR, params.period, checks)
    failed = [_explained(line, prepared) for line in result.failed]
    failed += _unread(params, prepared, bool(failed))
    if failed:  # a file refused whole is the likeliest cause: named first, those naming the period first
        period = (params.period, params.period.replace("-", ""))
        refused = sorted(prepared.berkas_ditolak, key=lambda f: not any(p in f.split(": ", 1)[0] for p in period))
        shown = refused[:FILES_NAMED]
        more = len(refused) - len(shown)
        named = (f"berkas ditolak ({len(refused)}): " + "; ".join(shown)
                 + (f"; dan {more} berkas lain (ringkasan run)" if more else "") + "; ") if shown else ""
        raise QualityGateError(f"periode {params.period} tidak diterbitkan: {named}{len(failed)} pemeriksaan mutu "
                               f"gagal: {'; '.join(failed)} (Data Docs: {result.data_docs_index})")
    return {"sukses": True, "data_docs": str(result.data_docs_index), **result.summary}


def _explained(line: str, prepared: PrepareSummary) -> str:
    """A failed quarantine share with its counts and its first quarantined row, and what to do (a share alone said
    what, not why: fresh-clone trial); any other failed check as it is."""
    shares = {"porsi_karantina": (prepared.laporan_dikarantina, prepared.laporan_dibaca, "baris laporan", "laporan"),
              "porsi_kuesioner_karantina": (prepared.koperasi_kuesioner_dikarantina,
                                            prepared.koperasi_kuesioner_dinilai, "koperasi", "kuesioner")}
    for check, (part, whole, what, table) in shares.items():
        if f"[{ANTAR_PERIODE}.{check}]: " in line:
            example = prepared.contoh_karantina.get(table)
            return (f"{line} ({number(part, 0)} dari {number(whole, 0)} {what})"
                    + (f", mis. {example}: perbaiki baris seperti ini, lalu jalankan lagi" if example else ""))
    return line


def _unread(params: RunParameters, prepared: PrepareSummary, failing: bool) -> list[str]:
    """Inputs whose files refused whole or missing likely hold what the month needs. The reports, when no report row
    was read (`_no_reports`): a file of laporan/ refused whole or none there stops the month, or the area run (an
    area run without laporan/ published its area of no reports: hostile trial); when a whole month fails anyway
    (`failing`: the drop in reporting, say), the line says which files could have held its reports.
    The questionnaires, whenever a file of theirs was refused: its sets may be the latest, and the management
    aspects would silently be scored from older sets, or be 0 (hostile trial: the rows of a set quarantined stopped
    the month, the same rows in a file refused whole did not)."""
    failed = []
    if not prepared.laporan_dibaca:  # an area may have no report in a month, not without any report file
        line, stops = _no_reports(params, prepared)
        failed += [line] if stops or (failing and not params.kabupaten) else []
    refused = sum(1 for f in prepared.berkas if f.get("galat") and input_table(f["sumber"]) == "kuesioner")
    if refused and prepared.koperasi_kuesioner_dinilai:
        failed.append(f"kuesioner: {refused} berkas kuesioner ditolak utuh, dan jawabannya bisa jadi "
                      "kuesioner terbaru koperasi (aspek manajemen dinilai dari kuesioner lebih lama, atau 0): "
                      "perbaiki berkasnya, atau keluarkan dari folder kuesioner/ bila tidak dipakai, lalu jalankan "
                      "lagi")
    return failed


def _no_reports(params: RunParameters, prepared: PrepareSummary) -> tuple[str, bool]:
    """Why a month of which no report row was read has none, and whether that alone stops it: a report file refused
    whole (its reports are most likely there; without a baseline for the drop in reporting such a month was
    published, exit 0: fresh-clone trial), or no report file at all (no laporan/ folder, or a file named so: a
    published month was replaced by one of no reports, exit 0: hostile trial). A month without reports whose files
    were all read is published (the quick start's 2015-12), unless another check fails: then the line names the
    files that could have held them (not read, without a data row) and the rows of other periods (hostile trial:
    the drop in reporting alone did not say why)."""
    def of_reports(sumber: str) -> bool:  # a file at the root meant for laporan/ too (hostile trial)
        return "laporan" in (input_table(sumber), meant_folder(sumber))

    files = [f for f in prepared.berkas if of_reports(f["sumber"])]
    refused = [f for f in files if f.get("galat")]
    text = f"laporan: tidak ada baris laporan periode {params.period} yang terbaca"
    if refused:
        return (f"{text}, dan {len(refused)} berkas laporan ditolak utuh: perbaiki yang memuat laporan periode ini, "
                "lalu jalankan lagi"), True
    why = [f"berkas tidak dibaca: {e['sumber']} ({e['alasan']})" for e in prepared.berkas_tidak_dibaca
           if of_reports(e["sumber"])][:FILES_NAMED]
    why += [f"berkas tanpa baris data: {f['sumber']}" for f in files if not f["baris"]][:FILES_NAMED]
    if prepared.laporan_periode_lain:
        why.append(f"{number(prepared.laporan_periode_lain, 0)} baris laporan periode lain")
    if not files:
        why.append("tidak ada berkas laporan di folder laporan/ masukan")
    return (f"{text} ({'; '.join(why)}): letakkan laporan periode ini di folder laporan/ masukan, lalu jalankan "
            "lagi"), not files


def _reporting_before(params: RunParameters, prepared: PrepareSummary) -> int | None:
    """The previous month's reporting cooperatives: as published, else as its reports in the landing folder say
    (a first run: a report file refused whole published a month of no reports, exit 0; fresh-clone trial); None
    when neither is known."""
    published = quality.jumlah_melapor_sebelumnya(params.output, params.period, params.kabupaten)
    return published if published is not None else prepared.melapor_sebelumnya_landing


def manifest(params: RunParameters, run_id: str, started: datetime, prepared: PrepareSummary, scored: ScoreSummary,
             checked: dict) -> dict:
    """The run's manifest, published with its tables (`flows.publishing.publish`, which adds the list of the period's
    documents): a manifest means a complete run."""
    counts = {**asdict(prepared), **asdict(scored)}
    berkas, tidak_dibaca = counts.pop("berkas"), counts.pop("berkas_tidak_dibaca")
    return {
        "run_id": run_id, "periode": params.period, "parameter": params.model_dump(mode="json"),
        "masukan": str(Path(params.input).resolve()),  # the landing folder as an area rerun compares it
        "mulai": started.isoformat(), "selesai": datetime.now(TIMEZONE).isoformat(), "versi": versions(),
        "berkas_masukan": berkas, "berkas_tidak_dibaca": tidak_dibaca, "jumlah": counts,
        "great_expectations": checked,
        "keluaran": {name: str(storage.partition_path(params.output, name, params.period))
                     for name in (*OUTPUT_TABLES, REPORTS_DIR)},  # the tables, and the folder of the documents
    }


def summary(params: RunParameters, run: dict) -> dict:
    """The run's summary (what the CLI prints and the flow returns), from its published manifest; its paths absolute
    (the folders as given were printed relative beside absolute ones: new-user trial)."""
    return {"run_id": run["run_id"], "periode": params.period, "kabupaten": list(params.kabupaten),
            "masukan": run["masukan"], **run["jumlah"],
            "berkas_tidak_dibaca": run["berkas_tidak_dibaca"],
            "data_docs": run["great_expectations"]["data_docs"], "keluaran": run["keluaran"],
            "manifest": str(params.output.resolve() / RUNS_DIR / f"{run['run_id']}.json")}


def reject(params: RunParameters, run_id: str, prepared: PrepareSummary | None, reason: str) -> Path:
    """A run stopped before publication: keep its karantina and summary where the analyst reads them,
    `<output>/_ditolak/<run_id>/` (karantina.parquet, ringkasan.json); the published partitions stay untouched.
    Raises OSError when the folder cannot be written (it is removed then)."""
    folder = params.output / REJECTED_DIR / run_id
    folder.mkdir(parents=True, exist_ok=True)
    run = params.folder(run_id)
    try:
        if run.exists("karantina"):
            pq.write_table(outputs.to_arrow("karantina", run.read("karantina").assign(run_id=run_id)),
                           folder / "karantina.parquet")
        content = {"run_id": run_id, "periode": params.period, "alasan": reason,
                   "parameter": params.model_dump(mode="json"), "jumlah": asdict(prepared) if prepared else None}
        write_json(folder / "ringkasan.json", content)
    except OSError:  # a full disk: no half-written folder left for the analyst to find
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder
