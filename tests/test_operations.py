"""Operations: schedule, reruns, backfills, safe writes under kill -9, the period lock, prefect.yaml."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
import yaml

from flows import monthly, publishing, storage
from flows.config import DATA_DIR, PROJECT_ROOT, TIMEZONE, settings
from flows.monthly import OUTPUT_TABLES, RunParameters
from flows.pipeline import monthly_scoring, scheduled_period
from flows.publishing import PeriodLockedError
from schemas.outputs import validate_output

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


def run_period(output: Path, period: str = "2026-10", input: Path = DATA_DIR / "sample", **extra) -> str:
    """The flow's steps without Prefect: lock, recover, prepare, score, publish, clean up."""
    params = RunParameters(period=period, input=input, output=output, **extra)
    started = datetime.now(TIMEZONE)
    run_id = monthly.new_run_id(period, started)
    with publishing.period_lock(params, run_id):
        publishing.recover(params)
        monthly.prepare(params, run_id, STARTED)
        monthly.score(params, run_id, started)
        publishing.publish(params, run_id)
        publishing.recover(params)
    return run_id


def content(output: Path, period: str = "2026-10") -> dict[str, pd.DataFrame]:
    return {t: storage.read_table(output, t, period).drop(columns=RUN_FIELDS, errors="ignore") for t in OUTPUT_TABLES}


def test_a_rerun_with_the_same_inputs_gives_the_same_content(tmp_path):
    run_period(tmp_path)
    first = content(tmp_path)
    run_period(tmp_path)
    for table, frame in content(tmp_path).items():
        pd.testing.assert_frame_equal(frame, first[table], obj=table)


def test_previous_period_fields_come_from_the_previous_output(tmp_path):
    run_period(tmp_path, "2026-09")
    run_period(tmp_path, "2026-10")
    september = storage.read_table(tmp_path, "skor_koperasi", "2026-09").set_index("nik")
    october = storage.read_table(tmp_path, "skor_koperasi", "2026-10").set_index("nik")
    both = october.index.intersection(september.index)
    assert len(both) > 30
    assert (october.loc[both, "skor_total_sebelumnya"] == september.loc[both, "skor_total"]).all()
    assert (october.loc[both, "predikat_sebelumnya"] == september.loc[both, "predikat"]).all()


def test_a_second_run_of_the_same_period_is_refused(tmp_path):
    params = RunParameters(period="2026-10", output=tmp_path)
    held = tmp_path / "_kunci" / "2026-10.lock"
    with publishing.period_lock(params, "2026-10_first"):
        with pytest.raises(PeriodLockedError, match="period 2026-10 of .* is being written by run 2026-10_first"):
            with publishing.period_lock(params, "2026-10_second"):
                entered = True
        assert "entered" not in locals()
        other = RunParameters(period="2026-09", output=tmp_path)
        with publishing.period_lock(other, "2026-09_third"):  # another period may run
            assert (tmp_path / "_kunci" / "2026-09.lock").read_text().startswith("run 2026-09_third")
    with publishing.period_lock(params, "2026-10_after"):  # released
        assert held.read_text().startswith("run 2026-10_after (pid ")


KILLED_RUN = textwrap.dedent("""
    import os, signal, sys
    from datetime import datetime
    from pathlib import Path
    from flows import monthly, publishing, storage
    from flows.config import TIMEZONE
    step, nth, output = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    original, calls = getattr(storage, step), []
    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)
    setattr(storage, step, dying)
    params = monthly.RunParameters(period="2026-10", input=Path(sys.argv[4]), output=output,
                                   max_quarantine_share=0.5)
    run_id = monthly.new_run_id("2026-10")
    with publishing.period_lock(params, run_id):
        monthly.prepare(params, run_id, datetime(2026, 11, 29, 2, 0, tzinfo=TIMEZONE))
        monthly.score(params, run_id, datetime.now(TIMEZONE))
        publishing.publish(params, run_id)
""")


@pytest.mark.parametrize("step, nth, committed", [
    ("stage_period", 1, False), ("stage_period", 3, False), ("stage_period", 5, False),
    ("swap_period", 1, True), ("swap_period", 3, True), ("swap_period", 5, True),
])
def test_a_run_killed_while_writing_leaves_a_readable_period_and_the_next_run_succeeds(tmp_path, step, nth,
                                                                                       committed):
    first = run_period(tmp_path)
    killed = subprocess.run([sys.executable, "-c", KILLED_RUN, step, str(nth), str(tmp_path),
                             str(DATA_DIR / "sample_dirty")], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr
    for table in OUTPUT_TABLES:  # readable and valid right after the kill, before any cleanup
        validate_output(table, storage.read_table(tmp_path, table, "2026-10"))
    params = RunParameters(period="2026-10", output=tmp_path)
    with publishing.period_lock(params, "recovery"):
        (left,) = publishing.recover(params)
    run_ids = {t: set(storage.read_table(tmp_path, t, "2026-10")["run_id"]) for t in OUTPUT_TABLES}
    # one whole version: the old run's if the kill came before the commit mark, else the killed run's
    expected = {left} if committed else {first}
    assert run_ids["skor_koperasi"] == expected and all(ids <= expected for ids in run_ids.values()), run_ids
    assert bool(run_ids["karantina"]) == committed  # the dirty run quarantines rows, the clean one none
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith((".staging-", ".old-"))]
    assert not list((tmp_path / "_kerja").iterdir())
    run_period(tmp_path)
    for table in OUTPUT_TABLES:
        validate_output(table, storage.read_table(tmp_path, table, "2026-10"))


def test_backfill_of_three_months_through_the_cli(tmp_path):
    done = subprocess.run([sys.executable, "-m", "flows.cli", "run", "--from", "2026-08", "--to", "2026-10",
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


@pytest.mark.parametrize("table, breakage, named", [
    ("skor_koperasi", _duplicate_first, "[skor_koperasi.unik_nik_periode]"),
    ("skor_koperasi", _total_off, "[skor_koperasi.skor_total_jumlah_aspek]"),
    ("skor_indikator", lambda f: f.iloc[1:], "[skor_indikator.jumlah_komponen_per_koperasi]"),
    ("status_koperasi", lambda f: f.iloc[1:], "[status_koperasi.semua_terdaftar]"),
    ("ringkasan_wilayah", _province_off, "[ringkasan_wilayah.jumlah_aktif_provinsi]"),
])
def test_a_hand_broken_output_stops_the_run_naming_the_expectation(tmp_path, table, breakage, named):
    import pyarrow.parquet as pq

    from flows.monthly import QualityGateError
    from schemas.outputs import to_arrow, to_pandas

    run_period(tmp_path)
    published = {t: (tmp_path / t / "periode=2026-10" / "part-0.parquet").read_bytes() for t in OUTPUT_TABLES}
    params = RunParameters(period="2026-10", input=DATA_DIR / "sample", output=tmp_path)
    run_id = monthly.new_run_id("2026-10")
    prepared = monthly.prepare(params, run_id, STARTED)
    monthly.score(params, run_id, datetime.now(TIMEZONE))
    path = monthly.work_folder(params, run_id) / "keluaran" / f"{table}.parquet"
    pq.write_table(to_arrow(table, breakage(to_pandas(table, pq.read_table(path)))), path)
    with pytest.raises(QualityGateError, match="period 2026-10 not published") as error:
        monthly.check_quality(params, run_id, prepared)
    assert named in str(error.value)
    publishing.recover(params)  # what the flow does after a failed step
    assert {t: (tmp_path / t / "periode=2026-10" / "part-0.parquet").read_bytes() for t in OUTPUT_TABLES} == published


def test_the_months_of_a_backfill_check_the_shared_inputs_once_until_a_file_changes(tmp_path, monkeypatch):
    import shutil

    from schemas import inputs

    landing = shutil.copytree(DATA_DIR / "sample", tmp_path / "masuk")
    checked = []
    check = inputs.check_kuesioner
    monkeypatch.setattr(inputs, "check_kuesioner",
                        lambda raw, *others: checked.append(len(raw)) or check(raw, *others))

    def prepare(period: str) -> monthly.PrepareSummary:
        params = RunParameters(period=period, input=landing, output=tmp_path / "keluar")
        return monthly.prepare(params, monthly.new_run_id(period), STARTED)

    with monthly.keeping_common_inputs():
        assert [prepare(p).kuesioner_dikarantina for p in ("2026-08", "2026-09")] == [0, 0]
        assert checked == [4788]  # once for both months
        answers = landing / "kuesioner" / "kuesioner_2026.csv"
        answers.write_text(answers.read_text() + answers.read_text().splitlines()[1] + "\n")  # one answer twice
        assert prepare("2026-10").kuesioner_dikarantina == 39  # the set (38 questions) and its copied answer
        assert checked == [4788, 4789]
    prepare("2026-10")
    prepare("2026-10")  # outside a backfill (a served deployment) nothing is kept between runs
    assert checked == [4788, 4789, 4789, 4789] and not monthly._Kept.entry
