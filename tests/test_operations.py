"""Operations: schedule, reruns, backfills, safe writes under kill -9, the period lock, prefect.yaml."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
import yaml

from flows import config, locks, monthly, publishing, storage
from flows.assemble import score_all
from flows.config import DATA_DIR, PROJECT_ROOT, TIMEZONE, settings
from flows.monthly import OUTPUT_TABLES
from flows.prepare import _Kept, keeping_common_inputs, prepare
from flows.report import stale_history
from flows.runs import PrepareSummary, RunParameters, new_run_id
from flows.pipeline import monthly_scoring, scheduled_period
from schemas.outputs import validate_output
from scoring.errors import PeriodLockedError, QualityGateError

STARTED = datetime(2026, 11, 29, 2, 0, tzinfo=TIMEZONE)  # the run's start handed to prepare

RUN_FIELDS = ["run_id", "dihitung_pada"]


@pytest.mark.parametrize("moment, period", [
    (datetime(2026, 1, 5, 2, 0, tzinfo=TIMEZONE), "2025-12"),  # January -> December of the year before
    (datetime(2026, 11, 5, 2, 0, tzinfo=TIMEZONE), "2026-10"),
    (datetime(2026, 2, 4, 18, 30, tzinfo=timezone.utc), "2026-01"),  # 02:30 WITA on 5 February
    (datetime(2026, 3, 31, 17, 0, tzinfo=timezone.utc), "2026-03"),  # 01:00 WITA on 1 April
])
def test_period_from_the_scheduled_time(moment, period):
    assert scheduled_period(moment) == period


def test_prefect_yaml_names_the_real_flow_and_schedule():
    config = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text())
    (deployment,) = config["deployments"]
    path, name = deployment["entrypoint"].split(":")
    assert (PROJECT_ROOT / path).exists() and name == "monthly_scoring"
    assert monthly_scoring.name == "koperasi-sehat-bulanan" and monthly_scoring.fn.__name__ == name
    (schedule,) = deployment["schedules"]
    assert (schedule["cron"], schedule["timezone"]) == (settings().cron, TIMEZONE.key) == ("0 2 5 * *", "Asia/Makassar")
    assert deployment["concurrency_limit"] == 1


def stage_run(output: Path, period: str = "2026-10", input: Path = DATA_DIR / "sample", **extra
              ) -> tuple[RunParameters, str, dict]:
    """The flow's steps before publication, without Prefect and without the GX gate: prepare and score; returns
    the parameters, the run id and its manifest."""
    params = RunParameters(period=period, input=input, output=output, **extra)
    started = datetime.now(TIMEZONE)
    run_id = new_run_id(period, started)
    prepared = prepare(params, run_id, STARTED)
    scored = score_all(params, run_id, started)
    return params, run_id, monthly.manifest(params, run_id, started, prepared, scored, {"data_docs": None})


def run_period(output: Path, period: str = "2026-10", input: Path = DATA_DIR / "sample", **extra) -> str:
    """The flow's steps without Prefect: lock, recover, prepare, score, publish, clean up."""
    with locks.period_lock(output, period, "test"):
        publishing.recover(output, holding=period)
        params, run_id, manifest = stage_run(output, period, input, **extra)
        publishing.publish(params, run_id, manifest)
        publishing.recover(output, holding=period)
    return run_id


def content(output: Path, period: str = "2026-10") -> dict[str, pd.DataFrame]:
    return {t: storage.read_table(output, t, period).drop(columns=RUN_FIELDS, errors="ignore") for t in OUTPUT_TABLES}


@pytest.fixture(scope="module")
def october_alone(tmp_path_factory) -> tuple[Path, str]:
    """An output folder with only 2026-10 of the clean sample published, and its run id: published once for the
    module, copied by a test that writes in it."""
    output = tmp_path_factory.mktemp("october") / "out"
    return output, run_period(output)


def test_a_rerun_with_the_same_inputs_gives_the_same_content(october_alone, tmp_path):
    output = shutil.copytree(october_alone[0], tmp_path / "out")
    first = content(output)
    run_period(output)
    for table, frame in content(output).items():
        pd.testing.assert_frame_equal(frame, first[table], obj=table)


def refused_by_the_gate(params: RunParameters) -> str:
    """The flow's steps without Prefect up to the quality gate, which must refuse the month: its line; the outputs
    are then as before the run (what the flow does after a failed step)."""
    before = {table: snapshot(params.output / table) for table in OUTPUT_TABLES}
    run_id = new_run_id(params.period, STARTED)
    prepared = prepare(params, run_id, STARTED)
    score_all(params, run_id, STARTED)
    with pytest.raises(QualityGateError) as error:
        monthly.check_quality(params, run_id, prepared)
    publishing.recover(params.output)
    assert {table: snapshot(params.output / table) for table in OUTPUT_TABLES} == before
    return str(error.value)


def sample_without(folder: Path, areas: set[str]) -> Path:
    """The sample's landing folder copied to `folder`, the October and November reports of `areas` taken out."""
    landing = shutil.copytree(DATA_DIR / "sample", folder)
    registry = pd.read_csv(landing / "koperasi.csv", dtype="str")
    niks = set(registry.loc[registry["kabupaten_kota"].isin(areas), "nik"])
    for path in (landing / "laporan").glob("laporan_2026-1*.csv"):
        rows = pd.read_csv(path, dtype="str", keep_default_na=False)
        rows[~rows["nik"].isin(niks)].to_csv(path, index=False)
    return landing


def test_a_rerun_without_the_months_reports_leaves_the_published_month(october_alone, tmp_path):
    """A rerun from a landing folder without laporan/ published a month of no reports over the published one, exit
    0 (hostile trial): no report file stops it, and so does a drop in reporting from the month as published."""
    output = shutil.copytree(october_alone[0], tmp_path / "out")
    landing = shutil.copytree(DATA_DIR / "sample", tmp_path / "landing")
    shutil.rmtree(landing / "laporan")
    assert refused_by_the_gate(RunParameters(period="2026-10", input=landing, output=output)).startswith(
        "periode 2026-10 tidak diterbitkan: 2 pemeriksaan mutu gagal: antar_periode: jumlah koperasi yang melapor "
        "(status_koperasi.melapor) turun tidak lebih dari 20% dari 41 yang diterbitkan sebelumnya untuk periode ini "
        "(paling sedikit 33) [antar_periode.penurunan_melapor_terbit]: teramati 0; laporan: tidak ada baris laporan "
        "periode 2026-10 yang terbaca (tidak ada berkas laporan di folder laporan/ masukan): letakkan laporan periode "
        "ini di folder laporan/ masukan, lalu jalankan lagi (Data Docs: ")


def test_an_area_rerun_losing_its_area_s_reports_is_held_to_its_area_s_reporting(october_alone, tmp_path):
    """An area rerun was held to the whole month: Malinau losing its 6 reporting cooperatives was 41 -> 35, a drop
    of 14.6%, published (note of 2026-12-06). Its reporting, as published and in the month before (from the landing
    folder: 2026-09 is not published), is its own."""
    output = shutil.copytree(october_alone[0], tmp_path / "out")
    landing = sample_without(tmp_path / "landing", {"Malinau"})
    assert refused_by_the_gate(RunParameters(period="2026-10", kabupaten=("malinau",), input=landing,
                                             output=output)).startswith(
        "periode 2026-10 tidak diterbitkan: 2 pemeriksaan mutu gagal: antar_periode: jumlah koperasi yang melapor di "
        "malinau (status_koperasi.melapor) turun tidak lebih dari 20% dari 6 pada periode sebelumnya (paling sedikit "
        "5) [antar_periode.penurunan_melapor]: teramati 0; antar_periode: jumlah koperasi yang melapor di malinau "
        "(status_koperasi.melapor) turun tidak lebih dari 20% dari 6 yang diterbitkan sebelumnya untuk periode ini "
        "(paling sedikit 5) [antar_periode.penurunan_melapor_terbit]: teramati 0 (Data Docs: ")
    # two areas, one of them losing its only report: held together 17 -> 16, published (hostile trial); each is
    # held to its own count as published too
    landing = sample_without(tmp_path / "landing2", {"Tana Tidung"})
    assert refused_by_the_gate(RunParameters(period="2026-10", kabupaten=("Nunukan", "Tana Tidung"), input=landing,
                                             output=output)).startswith(
        "periode 2026-10 tidak diterbitkan: 1 pemeriksaan mutu gagal: antar_periode: jumlah koperasi yang melapor di "
        "Tana Tidung (status_koperasi.melapor) turun tidak lebih dari 20% dari 1 yang diterbitkan sebelumnya untuk "
        "periode ini (paling sedikit 1) [antar_periode.penurunan_melapor_terbit_tana_tidung]: teramati 0 (Data "
        "Docs: ")


def test_previous_period_fields_come_from_the_previous_output_else_from_the_landing_folder(october_alone, tmp_path):
    run_period(tmp_path / "both", "2026-09")
    run_period(tmp_path / "both", "2026-10")
    september = storage.read_table(tmp_path / "both", "skor_koperasi", "2026-09").set_index("nik")
    october = storage.read_table(tmp_path / "both", "skor_koperasi", "2026-10").set_index("nik")
    # October published alone: September never published, its reports are in the landing folder
    alone = storage.read_table(october_alone[0], "skor_koperasi", "2026-10").set_index("nik")
    both = october.index.intersection(september.index)
    assert len(both) > 30
    assert (october.loc[both, "skor_total_sebelumnya"] == september.loc[both, "skor_total"]).all()
    assert (october.loc[both, "predikat_sebelumnya"] == september.loc[both, "predikat"]).all()
    assert october["asal_sebelumnya"].value_counts(dropna=False).to_dict() == {"terbit": len(both)}
    assert alone["asal_sebelumnya"].value_counts(dropna=False).to_dict() == {"landing": len(both)}
    columns = ["skor_total_sebelumnya", "predikat_sebelumnya"]  # the same values, scored with the same book
    pd.testing.assert_frame_equal(alone[columns], october[columns])
    assert stale_history(tmp_path / "both", "2026-09") == stale_history(tmp_path / "both", "2026-10") == []


def test_a_month_published_again_names_the_published_month_after_it_whose_history_it_changed(october_alone, tmp_path):
    """September published after October with a report changed since (unbalanced now: quarantined) left October's
    history as it was, without a word (hostile trial); October then names it too, until it is run again."""
    output = shutil.copytree(october_alone[0], tmp_path / "out")
    landing = shutil.copytree(DATA_DIR / "sample", tmp_path / "landing")
    nik = storage.read_table(output, "skor_koperasi", "2026-10").dropna(subset=["skor_total_sebelumnya"])["nik"].iloc[0]
    path = landing / "laporan" / "laporan_2026-09.csv"
    rows = pd.read_csv(path, dtype="str", keep_default_na=False)
    rows.loc[rows["nik"] == nik, "kas"] = (rows.loc[rows["nik"] == nik, "kas"].astype("int64") + 10**9).astype("str")
    rows.to_csv(path, index=False)
    run_period(output, "2026-09", landing)
    assert stale_history(output, "2026-09") == [
        "periode 2026-10 yang terbit memakai skor 2026-09 sebelum run ini (1 koperasi berbeda): jalankan ulang "
        "--period 2026-10 (atau --from 2026-09 --to 2026-10) agar riwayat, peringatan dan daftar prioritasnya "
        "mengikuti"]
    assert stale_history(output, "2026-10") == [
        "1 koperasi periode 2026-10 membawa skor 2026-09 yang lain dari yang kini terbit (skor_total_sebelumnya, "
        "predikat_sebelumnya): jalankan ulang periode 2026-10 tanpa --kabupaten agar riwayat, peringatan dan daftar "
        "prioritasnya mengikuti"]
    run_period(output, "2026-10", landing)
    assert stale_history(output, "2026-09") == stale_history(output, "2026-10") == []


def test_a_second_run_of_the_same_period_is_refused(tmp_path):
    with locks.period_lock(tmp_path, "2026-10", "2026-10_first"):
        with pytest.raises(PeriodLockedError, match="periode 2026-10 di .* sedang ditulis oleh run 2026-10_first"):
            with locks.period_lock(tmp_path, "2026-10", "2026-10_second"):
                entered = True
        assert "entered" not in locals()
        with locks.period_lock(tmp_path, "2026-09", "2026-09_third"):  # another period may run
            assert (tmp_path / "_kunci" / "2026-09.pemilik").read_text().startswith("run 2026-09_third")
    with locks.period_lock(tmp_path, "2026-10", "2026-10_after"):  # released
        assert (tmp_path / "_kunci" / "2026-10.pemilik").read_text().startswith("run 2026-10_after (pid ")


def killed_publication(entry: str, module: str, step: str, nth: int, output: Path, run_id: str,
                       manifest: dict) -> int:
    """The publication (`entry` "publish": from the run's checked tables; "commit": from everything staged, as
    `publishing.stage` leaves it) in a copy of this process that kills itself (SIGKILL) at the nth call of
    `module.step`; the copy's wait status. A fork: the copy has the modules loaded, as a run's process has."""
    import flows.handouts
    from flows import runs

    pid = os.fork()
    if pid:
        return os.waitpid(pid, 0)[1]
    try:  # the copy: never returns into the tests
        owner = {"storage": storage, "publishing": publishing, "handouts": flows.handouts}[module]
        original, calls = getattr(owner, step), []

        def dying(*args, **kwargs):
            calls.append(1)
            if len(calls) == nth:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(*args, **kwargs)

        setattr(owner, step, dying)
        params = runs.RunParameters(period="2026-10", output=output, max_quarantine_share=0.5)
        with locks.period_lock(output, "2026-10", run_id):
            if entry == "publish":
                publishing.publish(params, run_id, manifest)
            else:
                publishing.commit(output, run_id, "2026-10")
    except BaseException:  # noqa: BLE001 - shown in the test's output; the copy ends either way
        traceback.print_exc()
    finally:
        os._exit(3)


DOCUMENTS = Path("laporan") / "periode=2026-10"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under the folder with its SHA-256 (nothing when there is no folder)."""
    files = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    return {name: hashlib.sha256(files[name].read_bytes()).hexdigest() for name in sorted(files)}


@pytest.fixture(scope="module")
def staged(october_alone, tmp_path_factory) -> dict:
    """An output folder with the clean run of 2026-10 published, and the dirty run's tables checked and ready
    (`publish`); a copy of it with everything of the dirty run staged (`commit`): the tables, its documents and
    its manifest. Also the documents of each run, file by file."""
    template = shutil.copytree(october_alone[0], tmp_path_factory.mktemp("staged") / "out")
    published = october_alone[1]
    params, run_id, manifest = stage_run(template, input=DATA_DIR / "sample_dirty", max_quarantine_share=0.5)
    ready = shutil.copytree(template, tmp_path_factory.mktemp("ready") / "out")
    publishing.stage(params.model_copy(update={"output": ready}), run_id, manifest)
    return {"publish": template, "commit": ready, "first": published, "run_id": run_id, "manifest": manifest,
            "documents": {published: snapshot(template / DOCUMENTS),
                          run_id: snapshot(storage.staging_path(ready, "laporan", "2026-10", run_id))}}


def consistent_run(output: Path, period: str = "2026-10") -> str | None:
    """What the README tells a dashboard: the run the period's record names, if every table holds exactly the
    record's count of rows of that run (DuckDB, reading the folders as any reader does); else None."""
    import duckdb

    record = config.published_run(output, period)
    for table, entry in record["tabel"].items():
        ((count,),) = duckdb.sql(f"SELECT count(*) FROM read_parquet('{output}/{table}/*/*.parquet') "
                              f"WHERE periode = '{period}' AND run_id = '{record['run_id']}'").fetchall()
        if count != entry["baris"]:
            return None
    return record["run_id"]


@pytest.mark.parametrize("entry, module, step, nth, committed", [
    ("publish", "storage", "stage_file", 1, False), ("publish", "storage", "stage_file", 6, False),
    ("publish", "handouts", "write_cards", 1, False),  # the workbook and the report staged, no card yet
    ("publish", "publishing", "write_json", 1, False),  # the staged manifest
    ("commit", "publishing", "write_json", 1, False),  # the commit mark
    *(("commit", "storage", "swap_period", n, True) for n in range(1, len(OUTPUT_TABLES) + 1)),  # every table
    ("commit", "storage", "swap_period", len(OUTPUT_TABLES) + 1, True),  # the documents, after the last table
    ("commit", "publishing", "write_json", 2, True),  # the period's record in _terbit, after the last swap
])
def test_a_publication_killed_at_any_step_is_finished_or_undone_by_the_next_command(
        staged, tmp_path, entry, module, step, nth, committed):
    first, run_id = staged["first"], staged["run_id"]
    output = shutil.copytree(staged[entry], tmp_path / "out")
    status = killed_publication(entry, module, step, nth, output, run_id, staged["manifest"])
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status  # the copy's error: in stderr
    for table in OUTPUT_TABLES:  # readable and valid right after the kill, before any cleanup
        validate_output(table, storage.read_table(output, table, "2026-10"))
    # a dashboard following the record reads the old run whole, or sees that a switch is under way
    switching = committed and (step, nth) != ("swap_period", 1)  # the kill comes before the call
    assert consistent_run(output) == (None if switching else first)
    # the documents are the old run's, whole, until their swap; then the new run's, whole
    assert snapshot(output / DOCUMENTS) == staged["documents"][run_id if step == "write_json" and committed else first]
    if nth == 3 and step == "swap_period":
        run_period(output, "2026-09")  # the first step of a run of any other period finishes the switch
    elif nth in (5, 9) and step == "swap_period":  # so does the first step of a command that only reads
        from flows.cli import main

        main(["jelaskan", "650274822002787", "--output", str(output)] if nth == 5 else
             ["bandingkan", "--period", "2026-10", "--rulebook", "ksp-2016", "--output", str(output)])
    else:
        assert publishing.recover(output) == [run_id]
    expected = run_id if committed else first
    run_ids = {t: set(storage.read_table(output, t, "2026-10")["run_id"]) for t in OUTPUT_TABLES}
    assert run_ids["skor_koperasi"] == {expected} and all(ids <= {expected} for ids in run_ids.values()), run_ids
    assert bool(run_ids["karantina"]) == committed  # the dirty run quarantines rows, the clean one none
    assert consistent_run(output) == expected
    assert (output / "_runs" / f"{run_id}.json").exists() == committed  # never published without its manifest
    assert snapshot(output / DOCUMENTS) == staged["documents"][expected]
    listed = json.loads((output / "_runs" / f"{expected}.json").read_text())["berkas_laporan"]
    assert listed == list(staged["documents"][expected])  # the manifest lists each document of its run
    assert config.published_run(output, "2026-10")["laporan"] == {"folder": DOCUMENTS.as_posix(),
                                                                      "berkas": len(listed)}
    assert not (output / "_kerja").exists()


def test_a_file_where_a_publication_writes_a_folder_stops_it_before_anything_is_switched(october_alone, tmp_path):
    """A file put in place of a partition stopped the switch half-way (skor_koperasi of the new run, the rest of the
    old) and every later command with it, `jelaskan` with a traceback; a file in place of a table's folder left a
    committed run that a later read published (hostile trial). Refused before the commit mark, in one line:
    nothing switched, the staged run still whole for a retry; bandingkan's table likewise, no work folder left."""
    from flows.comparison import TABLE
    from scoring.errors import PublishedOutputError

    output = shutil.copytree(october_alone[0], tmp_path / "out")
    params, run_id, manifest = stage_run(output)
    publishing.stage(params, run_id, manifest)
    # a file where it writes a folder, and a folder named as the period's record (it switched half-way, then every
    # later command on the folder failed: hostile trial)
    places = [*((output / blocked, "berkas, bukan folder") for blocked in
                ("karantina/periode=2026-10", "skor_koperasi", "_terbit", "laporan")),
              (output / "_terbit" / "2026-10.json", "folder, bukan berkas")]
    for target, words in places:
        shutil.move(target, tmp_path / "aside")
        target.mkdir() if words.startswith("folder") else target.write_text("x")
        before = snapshot(output)
        with pytest.raises(PublishedOutputError) as refused:
            publishing.commit(output, run_id, "2026-10")
        assert str(refused.value) == (f"{target} adalah {words} keluaran: pindahkan atau hapus, lalu jalankan lagi "
                                      "(tidak ada yang diganti)")
        assert snapshot(output) == before and not (output / "_kerja" / run_id / publishing.COMMITTED).exists()
        target.rmdir() if target.is_dir() else target.unlink()
        shutil.move(tmp_path / "aside", target)
    publishing.commit(output, run_id, "2026-10")  # the place free again: the same staged run publishes
    assert consistent_run(output) == run_id
    stray = output / "skor_koperasi" / "periode=2026-11"  # a file where a month not published would be: read, it
    stray.write_text("x")  # said 'terbitkan ulang', which met it again (hostile trial)
    for periode in ("2026-11", None):
        with pytest.raises(PublishedOutputError) as read:
            storage.read_table(output, "skor_koperasi", periode)
        assert str(read.value) == (f"{stray} adalah berkas, bukan folder keluaran: pindahkan atau hapus, lalu "
                                   "jalankan lagi")
    stray.unlink()
    for place in (output / TABLE, output / TABLE / "periode=2026-10"):  # bandingkan's one table
        place.parent.mkdir(exist_ok=True)
        place.write_text("x")
        with pytest.raises(PublishedOutputError, match="adalah berkas, bukan folder keluaran"):
            storage.write_period(output, TABLE, "2026-10", pd.DataFrame(), "bandingkan_2026-10_x")
        assert place.read_text() == "x" and not list((output / "_kerja").glob("bandingkan*"))
        place.unlink()


@pytest.mark.parametrize("entry, step, nth, read_only, line", [
    ("publish", "stage_file", 6, False, "run berhenti oleh sinyal SIGKILL: periode 2026-10 tidak diterbitkan, keluaran "
                                        "sebelumnya utuh"),
    ("commit", "swap_period", 4, False, "run berhenti oleh sinyal SIGKILL setelah periode 2026-10 terbit utuh"),
    ("commit", "swap_period", 4, True, "run berhenti oleh sinyal SIGKILL: penerbitan periode 2026-10 terhenti di tengah "
                                       "(sistem berkasnya hanya-baca: {output}); perintah berikutnya pada folder "
                                       "keluaran menyelesaikannya"),
])
def test_the_command_of_a_killed_run_finishes_or_undoes_its_publication_and_says_which(
        staged, tmp_path, monkeypatch, capsys, entry, step, nth, read_only, line):
    """A run killed outright (its process in the background server: `flows.background._ended`) is finished or
    undone by its own command before it says so, as the next command would: the line then says what a reader of
    the folder finds (the run killed during its switch is published; it said only the signal, the switch half
    done until the next command). A switch the command cannot finish (a folder made read-only after the kill) is
    named as such: it was called unpublished, the previous outputs intact (hostile trial). The month published is
    summarised first (a backfill's copy prints its months' summaries at its end: killed, it printed none)."""
    from flows.commands import RunRequest, _ended_there, finish_switches
    from flows.config import run_started

    output = shutil.copytree(staged[entry], tmp_path / "out")
    started = run_started(staged["run_id"])  # the command's start: its run's, or before it
    killed_publication(entry, "storage", step, nth, output, staged["run_id"], staged["manifest"])
    assert (output / "_kerja").exists()
    if read_only:
        def refused(*args: object, **kwargs: object) -> None:
            raise OSError(errno.EROFS, "Read-only file system", str(output))

        monkeypatch.setattr(storage, "swap_period", refused)
    request = RunRequest("2026-10", None, None, None, output, (), None, None, 0.5, 0.5, None, None)
    capsys.readouterr()
    said = _ended_there(request, ["2026-10"], started)(signal.SIGKILL, "run berhenti oleh sinyal SIGKILL")
    assert said == line.format(output=output)
    summary = capsys.readouterr().out
    assert summary.startswith(f"run {staged['run_id']}  periode 2026-10\n") if "terbit utuh" in line else not summary
    if read_only:
        assert consistent_run(output) is None and (output / "_kerja").exists()  # half switched, as it said
        monkeypatch.undo()
        finish_switches(output)  # the next command
    assert consistent_run(output) == (staged["run_id"] if entry == "commit" else staged["first"])
    assert not (output / "_kerja").exists()


def test_without_documents_a_publication_writes_the_tables_and_takes_the_period_s_old_documents_away(
        staged, tmp_path, monkeypatch):
    monkeypatch.setenv("KOPERASI_SEHAT_DOCUMENTS", "false")
    settings.cache_clear()
    try:
        output = shutil.copytree(staged["publish"], tmp_path / "out")
        assert len(snapshot(output / DOCUMENTS)) == len(staged["documents"][staged["first"]]) > 3
        run_id = staged["run_id"]
        params = RunParameters(period="2026-10", input=DATA_DIR / "sample_dirty", output=output,
                               max_quarantine_share=0.5)
        publishing.publish(params, run_id, staged["manifest"])
    finally:
        settings.cache_clear()
    assert set(storage.read_table(output, "skor_koperasi", "2026-10")["run_id"]) == {run_id}
    assert (output / DOCUMENTS).is_dir() and snapshot(output / DOCUMENTS) == {}  # none that describe another run
    assert json.loads((output / "_runs" / f"{run_id}.json").read_text())["berkas_laporan"] == []
    assert config.published_run(output, "2026-10")["laporan"] == {"folder": DOCUMENTS.as_posix(), "berkas": 0}


def test_backfill_of_three_months_through_the_cli(tmp_path):
    done = subprocess.run([sys.executable, "-m", "flows.entry", "run", "--from", "2026-08", "--to", "2026-10",
                           "--output", str(tmp_path)], capture_output=True, text=True, cwd=tmp_path, timeout=600,
                          env={**__import__("os").environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert [line.split()[3] for line in done.stdout.splitlines() if line.startswith("run ")] == [
        "2026-08", "2026-09", "2026-10"]
    periods = storage.read_table(tmp_path, "status_koperasi")["periode"].value_counts().sort_index()
    assert periods.to_dict() == {"2026-08": 109, "2026-09": 109, "2026-10": 109}
    october = storage.read_table(tmp_path, "skor_koperasi", "2026-10")
    assert october["skor_total_sebelumnya"].notna().sum() >= 30  # September was published first


def _duplicate_first(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame, frame.iloc[:1]], ignore_index=True)


def _total_off(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(skor_total=frame["skor_total"].where(frame.index != 0, frame["skor_total"] + 1))


def _province_off(frame: pd.DataFrame) -> pd.DataFrame:
    province = frame["tingkat"] == "provinsi"
    return frame.assign(jumlah_aktif=frame["jumlah_aktif"].where(~province, frame["jumlah_aktif"] + 1))


@pytest.fixture(scope="module")
def scored_unchecked(october_alone, tmp_path_factory) -> tuple[Path, str, PrepareSummary]:
    """An output folder with 2026-10 published, and a second run of it prepared and scored, not yet checked."""
    output = shutil.copytree(october_alone[0], tmp_path_factory.mktemp("unchecked") / "out")
    params = RunParameters(period="2026-10", input=DATA_DIR / "sample", output=output)
    run_id = new_run_id("2026-10")
    prepared = prepare(params, run_id, STARTED)
    score_all(params, run_id, datetime.now(TIMEZONE))
    return output, run_id, prepared


@pytest.mark.parametrize("table, breakage, named", [
    ("skor_koperasi", _duplicate_first, "[skor_koperasi.unik_nik_periode]"),
    ("skor_koperasi", _total_off, "[skor_koperasi.skor_total_jumlah_aspek]"),
    ("skor_indikator", lambda f: f.iloc[1:], "[skor_indikator.jumlah_komponen_per_koperasi]"),
    ("status_koperasi", lambda f: f.iloc[1:], "[status_koperasi.semua_terdaftar]"),
    ("ringkasan_wilayah", _province_off, "[ringkasan_wilayah.jumlah_aktif_provinsi]"),
])
def test_a_hand_broken_output_stops_the_run_naming_the_expectation(scored_unchecked, tmp_path, table, breakage,
                                                                    named):
    import pyarrow.parquet as pq

    from schemas.outputs import to_arrow

    template, run_id, prepared = scored_unchecked
    output = shutil.copytree(template, tmp_path / "out")  # the scored run's work folder with it
    published = {t: (output / t / "periode=2026-10" / "part-0.parquet").read_bytes() for t in OUTPUT_TABLES}
    params = RunParameters(period="2026-10", input=DATA_DIR / "sample", output=output)
    run = params.folder(run_id)
    pq.write_table(to_arrow(table, breakage(run.read_table(table))).drop_columns(["periode"]),
                   run.kept(table, "2026-10"))
    with pytest.raises(QualityGateError, match="periode 2026-10 tidak diterbitkan") as error:
        monthly.check_quality(params, run_id, prepared)
    assert named in str(error.value)
    publishing.recover(output)  # what the flow does after a failed step
    assert {t: (output / t / "periode=2026-10" / "part-0.parquet").read_bytes() for t in OUTPUT_TABLES} == published


def test_an_area_run_s_examples_of_the_shared_inputs_are_the_folder_s_as_their_counts(tmp_path):
    """A Tarakan run of the dirty sample counted the registry row refused in Malinau ('koperasi.csv 1 dari 109', the
    folder's count) and showed no example of it (review): a shared input's example is the folder's, as its count;
    the reports' example, the questionnaire's (of the answers the area's share counts) and the karantina table stay
    the area's."""
    params = RunParameters(period="2026-10", input=DATA_DIR / "sample_dirty", output=tmp_path / "out",
                           kabupaten=("Tarakan",))
    run_id = new_run_id("2026-10", STARTED)
    prepared = prepare(params, run_id, STARTED)
    assert (prepared.koperasi_dikarantina, prepared.koperasi_dibaca) == (1, 109)
    assert prepared.contoh_karantina["koperasi"] == (
        "koperasi.csv baris 15 (nik 650161296575534): tanggal_badan_hukum: bukan tanggal YYYY-MM-DD (nilai: "
        "'13/03/2019')")
    karantina = params.folder(run_id).read("karantina")
    assert "koperasi.csv" not in set(karantina["sumber"].astype("str"))  # the refused row is Malinau's
    # the reports' example is a Tarakan row; no Tarakan cooperative lost its latest answers: no questionnaire example
    assert prepared.contoh_karantina["laporan"] == ("laporan/laporan_2026-10.csv baris 9 (nik 657129755719228): "
                                                    "duplikat persis dari laporan/laporan_2026-10.csv baris 8")
    assert (prepared.kuesioner_dikarantina, prepared.laporan_dikarantina) == (114, 2)
    assert "kuesioner" not in prepared.contoh_karantina
    # the rows of no area (the refused registry row's report, the mistyped nik's) are in the area run's no count:
    # counted apart (hostile trial), as the whole run quarantines them
    assert prepared.laporan_tanpa_wilayah == 2


def test_an_area_rerun_needs_the_registry_its_month_was_published_with(tmp_path):
    """A cooperative added, moved to another kabupaten/kota, or whose registry row is now refused, anywhere, broke an
    area rerun's quality gate in its own terms (`teramati 109`), or republished the old areas without a word
    (hostile trial): refused in one line saying what changed and what to run."""
    from scoring.errors import ParameterError

    landing = shutil.copytree(DATA_DIR / "sample", tmp_path / "landing")
    run_period(tmp_path / "out", input=landing)
    registry = landing / "koperasi.csv"
    published = registry.read_text(encoding="utf-8")
    tarakan = next(line for line in published.splitlines() if ",65.71,Tarakan," in line)
    nik = tarakan.split(",")[0]
    changes = {
        "a cooperative added": published + "650299999999991,KSP Baru,ksp,65.02,Bulungan,kabupaten_kota,2026-09-01,"
                                           "2026-09-15,\n",
        "one moved": published.replace(tarakan, tarakan.replace(",65.71,Tarakan,", ",65.02,Bulungan,")),
        "its row refused": published.replace(tarakan, re.sub(r",(\d{4})-(\d\d)-(\d\d),", r",\3/\2/\1,", tarakan, 1)),
    }
    said = {"a cooperative added": "koperasi 1 baru; mis. 650299999999991 baru (Bulungan)",
            "one moved": f"koperasi 1 berganti kabupaten/kota; mis. {nik}: Tarakan -> Bulungan",
            "its row refused": f"koperasi 1 tidak ada lagi atau barisnya ditolak; mis. {nik} (Tarakan) tidak ada lagi "
                               "atau barisnya ditolak"}
    params = RunParameters(period="2026-10", input=landing, output=tmp_path / "out", kabupaten=("Tarakan",))
    for case, text in changes.items():
        registry.write_text(text, encoding="utf-8")
        with pytest.raises(ParameterError) as refused:
            prepare(params, new_run_id("2026-10"), STARTED)
        assert str(refused.value) == (f"daftar koperasi berubah sejak periode 2026-10 terbit ({said[case]}): "
                                      "jalankan seluruh bulannya (tanpa --kabupaten)"), case
    registry.write_text(published, encoding="utf-8")
    assert prepare(params, new_run_id("2026-10"), STARTED).laporan_dibaca == 9  # the same registry: Tarakan's
    assert prepare(params, new_run_id("2026-10"), STARTED).registri_berubah_wilayah_lain == ""
    # another area's registry columns changed: republished as they were, and said (they went unsaid: review); the
    # area's own changes are scored
    rows = pd.read_csv(registry, dtype=str, keep_default_na=False)
    bulungan, nunukan = (rows.index[rows["kabupaten_kota"] == area][0] for area in ("Bulungan", "Nunukan"))
    own = rows.index[rows["kabupaten_kota"] == "Tarakan"][0]
    before = rows.loc[bulungan, "jenis"]
    rows.loc[bulungan, "jenis"] = "kspps" if before != "kspps" else "ksp"
    published_rat = rows.loc[nunukan, "tanggal_rat_terakhir"] or "-"
    rows.loc[nunukan, "tanggal_rat_terakhir"] = "2026-06-30"
    rows.loc[own, "pendamping"] = "Pendamping Baru"
    rows.to_csv(registry, index=False)
    examples = {rows.loc[bulungan, "nik"]: f"jenis: {before} -> {rows.loc[bulungan, 'jenis']}",
                rows.loc[nunukan, "nik"]: f"tanggal_rat_terakhir: {published_rat} -> 2026-06-30"}
    first = min(examples)  # in nik order
    assert prepare(params, new_run_id("2026-10"), STARTED).registri_berubah_wilayah_lain == (
        f"2 koperasi (mis. {first} {examples[first]})")


def test_the_months_of_a_backfill_check_the_shared_inputs_once_until_a_file_changes(tmp_path, monkeypatch):
    import shutil

    from schemas import inputs

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no entry of another test's run
    landing = shutil.copytree(DATA_DIR / "sample", tmp_path / "masuk")
    checked = []
    check = inputs.check_kuesioner
    monkeypatch.setattr(inputs, "check_kuesioner",
                        lambda raw, *others: checked.append(len(raw)) or check(raw, *others))

    def prepared(period: str) -> PrepareSummary:
        params = RunParameters(period=period, input=landing, output=tmp_path / "keluar")
        return prepare(params, new_run_id(period), STARTED)

    with keeping_common_inputs():
        assert [prepared(p).kuesioner_dikarantina for p in ("2026-08", "2026-09")] == [0, 0]
        assert checked == [4788]  # once for both months
        answers = landing / "kuesioner" / "kuesioner_2026.csv"
        answers.write_text(answers.read_text() + answers.read_text().splitlines()[1] + "\n")  # one answer twice
        assert prepared("2026-10").kuesioner_dikarantina == 39  # the set (38 questions) and its copied answer
        assert checked == [4788, 4789]
        before, text = answers.stat(), answers.read_text()  # the files are compared as they are, not read: the same
        answers.write_text(text[:-2] + text[-2:].upper())   # size and write time given back, its status time says
        os.utime(answers, ns=(before.st_atime_ns, before.st_mtime_ns))
        prepared("2026-10")
        assert checked == [4788, 4789, 4789]
    prepared("2026-10")  # outside a backfill (a served deployment) nothing is kept in memory; the check kept
    assert checked == [4788, 4789, 4789] and not _Kept.entry  # on disk answers a rerun on the same day


def test_a_shared_file_changed_while_it_is_read_is_not_kept_and_a_foreign_entry_is_a_miss(tmp_path, monkeypatch):
    import pickle
    from datetime import date

    from flows import common_cache
    from flows.prepare import _checked

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    landing = shutil.copytree(DATA_DIR / "sample", tmp_path / "masuk")
    answers = landing / "kuesioner" / "kuesioner_2026.csv"
    original, day = answers.read_text(), date(2026, 11, 29)

    def files(checked) -> dict[str, str]:
        return {f.sumber: f.sha256 for f in checked.rejected.berkas}

    def changed_while_read():
        answers.write_text(original + original.splitlines()[1] + "\n")  # after the key was made: one answer twice
        return _checked(landing, day)

    changed, kept_one = common_cache.checked_or_cached(landing, day, changed_while_read, files)
    assert not kept_one and changed.kuesioner.alasan.size > 0  # this run saw the copied answer
    assert not list(common_cache.cache_folder().glob("*.pickle"))  # and did not keep what no key describes
    answers.write_text(original)
    kept, kept_one = common_cache.checked_or_cached(landing, day, lambda: _checked(landing, day), files)
    assert not kept_one
    assert common_cache.checked_or_cached(landing, day, lambda: _checked(landing, day), files)[1]  # now kept
    (entry,) = common_cache.cache_folder().glob("*.pickle")
    assert kept.kuesioner.alasan.size == 0
    entry.write_bytes(pickle.dumps({"x": 1}))  # a readable entry of another kind
    calls = []
    again, kept_one = common_cache.checked_or_cached(landing, day, lambda: calls.append(1) or _checked(landing, day),
                                                     files)
    assert calls == [1] and not kept_one and files(again) == files(kept)  # checked again, not an error


def test_a_rerun_reuses_the_shared_inputs_checked_on_the_same_day_with_the_same_files_and_code(tmp_path,
                                                                                                monkeypatch):
    from dataclasses import asdict

    from flows import common_cache
    from schemas import inputs

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    landing = shutil.copytree(DATA_DIR / "sample", tmp_path / "masuk")
    checked = []
    check = inputs.check_kuesioner
    monkeypatch.setattr(inputs, "check_kuesioner",
                        lambda raw, *others: checked.append(len(raw)) or check(raw, *others))

    def prepared(started: datetime = STARTED, output: str = "keluar") -> dict:
        params = RunParameters(period="2026-10", input=landing, output=tmp_path / output)
        return asdict(prepare(params, new_run_id("2026-10"), started))

    first = prepared()
    entries = list(common_cache.cache_folder().glob("*.pickle"))
    assert len(entries) == 1 and checked == [4788] and not first["masukan_umum_dari_cache"]
    # kept: the same summary, counts and files, and it says so
    assert prepared(output="lain") == {**first, "masukan_umum_dari_cache": True} and checked == [4788]
    prepared(datetime(2026, 11, 30, 2, 0, tzinfo=TIMEZONE))  # another day: the dates are checked against it
    assert checked == [4788, 4788]
    entries[0].write_bytes(b"not a pickle")  # an entry cut short is a miss, not an error
    assert prepared() == first and checked == [4788, 4788, 4788]
    monkeypatch.setenv("KOPERASI_SEHAT_MAX_FILE_CELLS", "99999999")  # another setting: another entry
    settings.cache_clear()
    try:
        prepared()
    finally:
        settings.cache_clear()
    assert checked == [4788, 4788, 4788, 4788]
    (landing / "koperasi.csv").write_text((landing / "koperasi.csv").read_text() + "\n")  # a file changed
    monkeypatch.delenv("KOPERASI_SEHAT_MAX_FILE_CELLS")
    prepared()
    prepared(datetime(2026, 11, 28, 2, 0, tzinfo=TIMEZONE))  # a fifth entry: the oldest goes
    assert checked == [4788] * 6
    assert len(list(common_cache.cache_folder().glob("*.pickle"))) == common_cache.KEEP == 4
    assert prepared(datetime(2026, 11, 28, 2, 0, tzinfo=TIMEZONE))["kuesioner_dibaca"] == 4788 and len(checked) == 6
