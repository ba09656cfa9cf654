"""A run's scoring parts and the command line's runs: however many tasks score a month, it writes the same
tables, row for row; a run from the command line sends no Prefect heartbeats."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from published_sample import publish_month

from flows import storage
from flows.config import DATA_DIR, TIMEZONE, settings
from flows.monthly import OUTPUT_TABLES
from flows.runs import RunParameters
from flows.score_parts import partitions

STARTED = datetime(2026, 12, 1, 2, 0, tzinfo=TIMEZONE)


def _published(output, monkeypatch, part_size: int) -> tuple[int, dict[str, pd.DataFrame]]:
    monkeypatch.setenv("KOPERASI_SEHAT_PART_SIZE", str(part_size))
    settings.cache_clear()
    params = RunParameters(period="2026-10", input=DATA_DIR / "sample", output=output, max_quarantine_share=1)
    run = publish_month(params, STARTED)
    parts = len(partitions(params, run.path.name))
    tables = {name: storage.read_table(output, name, "2026-10").drop(columns=["run_id", "dihitung_pada"],
                                                                      errors="ignore") for name in OUTPUT_TABLES}
    settings.cache_clear()
    return parts, tables


def test_one_part_and_five_parts_write_the_same_rows_in_the_same_order(tmp_path, monkeypatch):
    """The committed sample (109 cooperatives, 5 kabupaten/kota, max_parts 8: 5 groups) in one task (part_size
    20,000) and in five (part_size 10): the engine's long tables are component-major within a task, so without
    `in_group_order` skor_indikator and skor_aspek came in another order."""
    one, whole = _published(tmp_path / "satu", monkeypatch, 20_000)
    five, split = _published(tmp_path / "lima", monkeypatch, 10)
    assert (one, five) == (1, 5)
    for name in OUTPUT_TABLES:
        pd.testing.assert_frame_equal(whole[name], split[name], obj=name)


def test_command_line_runs_send_no_heartbeats_unless_the_user_sets_them(monkeypatch):
    """Prefect waits up to a second for its heartbeat thread at the end of a run: the CLI's runs send none (the
    command sees its run end); a frequency the user set is kept."""
    from prefect.settings import get_current_settings

    from flows.server import without_heartbeats

    for name in ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY"):
        monkeypatch.delenv(name, raising=False)
    before = get_current_settings().flows.heartbeat_frequency
    with without_heartbeats():
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == before == 180
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "60")
    with without_heartbeats():
        assert get_current_settings().flows.heartbeat_frequency == before  # not switched off
