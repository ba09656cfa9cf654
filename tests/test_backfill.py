"""A local backfill (`flows.pipeline.backfill_scoring` on the default runner): each later month is read, checked and
scored in a forked copy of the process while the month before it is finished, then published in order."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from flows import config, storage
from flows.config import DATA_DIR
from flows.monthly import OUTPUT_TABLES

pytestmark = pytest.mark.usefixtures("prefect_server")

MONTHS = ["2026-08", "2026-09", "2026-10"]


@pytest.fixture(scope="module")
def one_after_another(tmp_path_factory) -> Path:
    """The three months run one after another, each a monthly flow of its own."""
    from flows.pipeline import monthly_scoring

    output = tmp_path_factory.mktemp("urut")
    for month in MONTHS:
        assert monthly_scoring(period=month, input=str(DATA_DIR / "sample"), output=str(output),
                               return_state=True).is_completed()
    return output


def _backfill(output: Path, monkeypatch, refused_in_copy: str | None = None, landing: Path = DATA_DIR / "sample"):
    """The backfill of MONTHS through the real flow, locally; its final state and the (month, where) of every
    month read and checked ('here' or 'copy'). `refused_in_copy`: a month whose reading raises in the copy."""
    from flows import prepare
    from flows.pipeline import with_runner

    here, record, real = os.getpid(), output.parent / f"{output.name}.dibaca", prepare.prepare

    def recorded(params, run_id, started, previous_published=None):
        where = "here" if os.getpid() == here else "copy"
        with record.open("a") as lines:
            lines.write(f"{params.period} {where}\n")
        if where == "copy" and params.period == refused_in_copy:
            raise RuntimeError("refused in the copy")
        return real(params, run_id, started, previous_published)

    monkeypatch.setattr(prepare, "prepare", recorded)
    state = with_runner(backfill=True)(periods=MONTHS, input=str(landing), output=str(output), return_state=True)
    read = [tuple(line.split()) for line in record.read_text().splitlines()] if record.exists() else []
    return state, read


def _same_months(output: Path, expected: Path) -> None:
    for month in MONTHS:
        for table in OUTPUT_TABLES:
            found, wanted = (storage.read_table(folder, table, month).drop(columns=["run_id", "dihitung_pada"],
                                                                          errors="ignore")
                             for folder in (output, expected))
            pd.testing.assert_frame_equal(found, wanted, obj=f"{table} {month}")


def test_the_later_months_are_read_and_scored_in_a_copy_and_the_outputs_are_those_of_one_month_after_another(
        tmp_path, monkeypatch, one_after_another):
    from flows import forked

    state, read = _backfill(tmp_path / "backfill", monkeypatch)
    assert state.is_completed(), state.message
    assert [summary["periode"] for summary in state.result()] == MONTHS
    assert forked.supported() and read == [("2026-08", "here"), ("2026-09", "copy"), ("2026-10", "copy")]
    _same_months(tmp_path / "backfill", one_after_another)
    october = storage.read_table(tmp_path / "backfill", "skor_koperasi", "2026-10")
    assert october["asal_sebelumnya"].eq("terbit").sum() > 30  # September, published before October's assembly
    assert not (tmp_path / "backfill" / "_kerja").exists()


@pytest.mark.parametrize("cores", [2, 4])
def test_the_copy_that_scores_a_month_ahead_makes_a_copy_of_its_own_only_where_a_core_is_free_for_it(
        tmp_path, monkeypatch, one_after_another, cores):
    """Five parts a month (part_size 10). The first month's parts are scored before the copy that reads the next
    month starts: the flow's tasks score the first half here, a part each, and a copy the later half, together (one
    call: its fixed cost once). On 2 cores that copy reading a month ahead then scores all its parts itself,
    together, while this process finishes the month before: each has a core, and a copy of either would only take
    turns with them (a 12-month national backfill: 14% less CPU, 11% less time). With 4 cores, the later half of a
    later month's parts is scored in a copy of that copy. The outputs are those of the months one after another."""
    from flows import forked, score_parts

    monkeypatch.setattr(forked, "_cores", lambda: cores)  # the machine's cores as the test says
    monkeypatch.setenv("KOPERASI_SEHAT_PART_SIZE", "10")
    config.settings.cache_clear()
    here, record, real = os.getpid(), tmp_path / "bagian", score_parts.score_together

    def recorded(params, run_id, parts, computed_at):
        where = "here" if os.getpid() == here else "copy" if os.getppid() == here else "copy's copy"
        with record.open("a") as lines:
            lines.write(f"{params.period}|{' '.join(map(str, parts))}|{where}\n")
        return real(params, run_id, parts, computed_at)

    monkeypatch.setattr(score_parts, "score_together", recorded)
    try:
        state, read = _backfill(tmp_path / "backfill", monkeypatch)
    finally:
        config.settings.cache_clear()
    assert state.is_completed(), state.message
    calls = {tuple(line.split("|")) for line in record.read_text().splitlines()}  # period, parts, where
    first = {("2026-08", "0", "here"), ("2026-08", "1", "here"), ("2026-08", "2", "here"), ("2026-08", "3 4", "copy")}
    if cores == 2:
        assert calls == first | {(month, "0 1 2 3 4", "copy") for month in MONTHS[1:]}
    else:
        assert calls == first | {
            call for month in MONTHS[1:] for call in ((month, "0 1 2", "copy"), (month, "3 4", "copy's copy"))}
    _same_months(tmp_path / "backfill", one_after_another)


def test_a_month_the_copy_cannot_give_is_read_and_scored_here(tmp_path, monkeypatch, one_after_another):
    """September's reading raises in the copy: the copy gives nothing, September is read and scored here, and
    October (the next copy's) is read in a copy again; the months are the same."""
    state, read = _backfill(tmp_path / "backfill", monkeypatch, refused_in_copy="2026-09")
    assert state.is_completed(), state.message
    assert read == [("2026-08", "here"), ("2026-09", "copy"), ("2026-09", "here"), ("2026-10", "copy")]
    _same_months(tmp_path / "backfill", one_after_another)


def test_without_a_copy_every_month_is_read_here_with_the_same_outputs(tmp_path, monkeypatch, one_after_another):
    from flows import forked

    monkeypatch.setattr(forked, "supported", lambda: False)
    state, read = _backfill(tmp_path / "backfill", monkeypatch)
    assert state.is_completed(), state.message
    assert read == [(month, "here") for month in MONTHS]
    _same_months(tmp_path / "backfill", one_after_another)


def test_a_month_that_fails_stops_the_backfill_there_with_the_months_before_it_published(tmp_path, monkeypatch):
    """September's every report has a negative `kas` (all quarantined, over the share allowed): August is
    published, September and October are not (October was read and scored ahead in a copy: its work folder goes),
    and the error names September."""
    from flows.pipeline import BackfillStopped

    landing = shutil.copytree(DATA_DIR / "sample", tmp_path / "landing")
    september = landing / "laporan" / "laporan_2026-09.csv"
    reports = pd.read_csv(september, dtype=str, keep_default_na=False)
    reports.assign(kas="-5").to_csv(september, index=False)
    output = tmp_path / "backfill"
    state, read = _backfill(output, monkeypatch, landing=landing)
    assert state.is_failed()
    stopped = state.result(raise_on_failure=False)
    assert isinstance(stopped, BackfillStopped) and stopped.periode == "2026-09"
    assert [summary["periode"] for summary in stopped.summaries] == ["2026-08"]
    words = str(stopped.error)
    assert words.startswith("periode 2026-09 tidak diterbitkan: 2 pemeriksaan mutu gagal: "), words
    assert "[antar_periode.porsi_karantina]: teramati 97,6%" in words  # 41 of the 42 rows read
    assert f"karantina dan ringkasan run ini: {output / '_ditolak' / '2026-09_'}" in words
    assert read == [("2026-08", "here"), ("2026-09", "copy"), ("2026-10", "copy")]
    assert config.published_run(output, "2026-08")
    assert [config.published_run(output, month) for month in ("2026-09", "2026-10")] == [{}, {}]
    assert not (output / "_kerja").exists()


def test_a_later_month_being_written_stops_the_backfill_before_any_month_and_names_the_backfill(tmp_path):
    """October held by another run: the backfill takes every month's lock first, so none is published, and the
    failure is the backfill's (it said "run 2026-08 gagal", naming a month that was never at fault)."""
    from flows import locks
    from flows.pipeline import BackfillStopped, with_runner

    with locks.period_lock(tmp_path, "2026-10", "2026-10_running"):
        state = with_runner(backfill=True)(periods=MONTHS, input=str(DATA_DIR / "sample"), output=str(tmp_path),
                                           return_state=True)
    stopped = state.result(raise_on_failure=False)
    assert isinstance(stopped, BackfillStopped) and (stopped.periode, stopped.summaries) == ("2026-08 s.d. 2026-10", [])
    assert str(stopped.error) == (f"periode 2026-10 di {tmp_path} sedang ditulis oleh run 2026-10_running (pid "
                                  f"{os.getpid()}); tunggu sampai selesai, lalu jalankan lagi")
    assert [month for month in MONTHS if config.published_run(tmp_path, month)] == []
