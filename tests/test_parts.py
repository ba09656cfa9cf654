"""A run's scoring parts and the command line's runs: however many tasks score a month, it writes the same
tables, row for row; a run from the command line sends no Prefect heartbeats."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from published_sample import publish_month

from flows import assemble, catalog, storage
from flows.catalog import RunFolder
from flows.config import DATA_DIR, TIMEZONE, settings
from flows.monthly import OUTPUT_TABLES
from flows.runs import RunParameters
from flows.score_parts import partitions

STARTED = datetime(2026, 12, 1, 2, 0, tzinfo=TIMEZONE)
# as the assembly makes them (tests below break them)
MADE = {"ringkasan_wilayah": assemble.ringkasan_wilayah, "warning_tables": assemble.warning_tables,
        "peer_table": assemble.peer_table, "reporting_table": assemble.reporting_table}


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


def test_a_dataset_written_again_leaves_the_table_read_before_whole(tmp_path):
    """Intermediate files are mapped when read: a file rewritten in place would change (or, shorter, crash with
    SIGBUS) a table read from it before; it is written aside and put in place instead."""
    run = RunFolder(tmp_path / "run")
    run.write("nik_dikarantina", pd.DataFrame({"nik": [f"65{i:013d}" for i in range(100_000)]}))
    before = catalog._Read.table(run.file("nik_dikarantina"))
    run.write("nik_dikarantina", pd.DataFrame({"nik": ["650000000000001"]}))
    assert before.num_rows == 100_000 and before.column("nik")[99_999].as_py() == "650000000099999"
    assert run.read("nik_dikarantina")["nik"].tolist() == ["650000000000001"]
    assert sorted(p.name for p in run.path.iterdir()) == ["nik_dikarantina.arrow"]  # nothing left aside


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


def _assembled(output, monkeypatch, in_a_copy: bool, breaks: dict[str, str] | None = None,
               ahead: tuple[str, ...] = ()) -> dict[str, bytes]:
    """The sample's month assembled (in a copy of the process or not): its kept tables' bytes, or the contract
    error; `breaks`: tables (ringkasan_wilayah, or an action table) given a column they must not have; `ahead`: the
    tables kept before the assembly, as a backfill's copy keeps them (`keep_ahead`, told that its maker waits
    once it has kept these)."""
    from flows import forked
    from flows.prepare import prepare
    from flows.runs import new_run_id
    from flows.score_parts import score_parts

    if not in_a_copy:
        monkeypatch.setattr(forked, "supported", lambda: False)
    breaks = breaks or {}
    monkeypatch.setattr(assemble, "ringkasan_wilayah",
                        lambda *a, **k: _broken(MADE["ringkasan_wilayah"](*a, **k), "ringkasan_wilayah", breaks))
    for name in ("warning_tables", "peer_table", "reporting_table"):
        monkeypatch.setattr(assemble, name, lambda *a, made=MADE[name], **k: {
            table: _broken(frame, table, breaks) for table, frame in made(*a, **k).items()})
    params = RunParameters(period="2026-10", input=DATA_DIR / "sample", output=output, max_quarantine_share=1)
    run_id = new_run_id(params.period, STARTED)
    prepare(params, run_id, STARTED)
    parts = score_parts(params, run_id, partitions(params, run_id), STARTED)
    done = ()
    if ahead:  # the maker waits once the copy has kept as many tables as `ahead` has (a folder each)
        folder = params.folder(run_id).path / "keluaran"
        monkeypatch.setattr(forked, "awaited", lambda: folder.exists() and len(list(folder.iterdir())) >= len(ahead))
        done = assemble.keep_ahead(params, run_id)
        assert done == ahead
    early = {f: f.stat().st_mtime_ns for f in (params.folder(run_id).path / "keluaran").rglob("*.parquet")}
    assemble.assemble(params, run_id, list(parts.values()), done)
    assert {f: f.stat().st_mtime_ns for f in early} == early  # the assembly left what was kept ahead
    kept = params.folder(run_id).path / "keluaran"
    return {f.relative_to(kept).as_posix(): f.read_bytes() for f in sorted(kept.rglob("*.parquet"))}


def _broken(frame: pd.DataFrame, name: str, breaks: dict[str, str]) -> pd.DataFrame:
    return frame.assign(**{breaks[name]: 1}) if name in breaks else frame


def test_the_tables_kept_in_a_copy_of_the_process_are_those_kept_in_one(tmp_path, monkeypatch):
    """The assembly checks and keeps the month's tables, and makes and keeps persentil_sejawat, in a copy of the
    process while it makes and keeps the warnings, the worklist and the reporting quality (`flows.forked`): the
    same files, byte for byte."""
    from flows import forked

    in_a_copy = _assembled(tmp_path / "salinan", monkeypatch, True)
    assert len(in_a_copy) == 12 and forked.supported()
    assert _assembled(tmp_path / "satu", monkeypatch, False) == in_a_copy


@pytest.mark.parametrize("count", [1, 4, 6])
def test_the_tables_kept_ahead_of_the_assembly_are_those_it_keeps_itself(tmp_path, monkeypatch, count):
    """A backfill's copy keeps the month's tables that need no other month (from the parts as written, as Arrow;
    karantina and laporan_terganti from the run's datasets), one after another until its maker waits for it (here
    after 1, 4 or all 6); the assembly keeps the rest: every kept table the same, byte for byte, as the assembly
    keeping all twelve."""
    ahead = _assembled(tmp_path / "dulu", monkeypatch, False, ahead=assemble.AHEAD[:count])
    assert len(ahead) == 12
    assert ahead == _assembled(tmp_path / "satu", monkeypatch, False)


def test_a_table_of_the_period_breaking_its_contract_is_named_first_as_in_one_process(tmp_path, monkeypatch):
    """ringkasan_wilayah (kept in the copy) and daftar_prioritas (kept here) both break their contract: the error
    names ringkasan_wilayah, as when one process kept them in order; so is persentil_sejawat (made in the copy)
    before peringatan_dini (made here); daftar_prioritas alone is named too."""
    from scoring.errors import OutputContractError

    for in_a_copy in (True, False):
        with pytest.raises(OutputContractError, match="^output table ringkasan_wilayah "):
            _assembled(tmp_path / f"dua{in_a_copy}", monkeypatch, in_a_copy,
                       {"ringkasan_wilayah": "kolom_asing", "daftar_prioritas": "kolom_lain"})
        with pytest.raises(OutputContractError, match="^output table persentil_sejawat "):
            _assembled(tmp_path / f"tiga{in_a_copy}", monkeypatch, in_a_copy,
                       {"persentil_sejawat": "kolom_asing", "peringatan_dini": "kolom_lain"})
        with pytest.raises(OutputContractError, match="^output table daftar_prioritas "):
            _assembled(tmp_path / f"satu{in_a_copy}", monkeypatch, in_a_copy, {"daftar_prioritas": "kolom_lain"})


def _flow_run(output, monkeypatch, copies: bool, refused_in_copy: int | None = None) -> tuple[set, dict]:
    """The sample's month through the real flow in five parts (part_size 10), the copy of the process allowed or
    not; (parts, where) of every call that scored parts ('here' or 'copy'), and the part tables without the run's
    fields. `refused_in_copy`: a part whose call raises in the copy once it has written the rows (scored here
    then)."""
    import os

    from flows import forked, score_parts
    from flows.catalog import PART_TABLES
    from test_end_to_end import run_flow

    if not copies:
        monkeypatch.setattr(forked, "supported", lambda: False)
    monkeypatch.setenv("KOPERASI_SEHAT_PART_SIZE", "10")
    settings.cache_clear()
    here, record, real = os.getpid(), output.parent / f"{output.name}.bagian", score_parts.score_together

    def recorded(params, run_id, parts, computed_at):
        where = "here" if os.getpid() == here else "copy"
        with record.open("a") as lines:
            lines.write(f"{' '.join(map(str, parts))} {where}\n")
        summaries = real(params, run_id, parts, computed_at)
        if where == "copy" and refused_in_copy in parts:
            raise RuntimeError("refused in the copy")
        return summaries

    monkeypatch.setattr(score_parts, "score_together", recorded)
    run_flow(period="2026-10", input=str(DATA_DIR / "sample"), output=str(output), max_quarantine_share=1)
    settings.cache_clear()
    calls = (line.split() for line in record.read_text().splitlines())
    scored = {(tuple(int(part) for part in parts), where) for *parts, where in calls}
    return scored, {name: storage.read_table(output, name, "2026-10").drop(columns=["run_id", "dihitung_pada"],
                                                                           errors="ignore") for name in PART_TABLES}


@pytest.mark.usefixtures("prefect_server")
def test_the_later_half_of_the_parts_is_scored_in_a_copy_of_the_process_with_the_same_rows(tmp_path, monkeypatch):
    """Locally, parts 3 and 4 of five are scored in a forked copy, together (one call: its fixed cost once), while
    the flow's tasks score parts 0-2: the same rows, in the same order, as the five scored in one process."""
    from flows import forked

    scored, tables = _flow_run(tmp_path / "salinan", monkeypatch, True)
    assert forked.supported() and scored == {((0,), "here"), ((1,), "here"), ((2,), "here"), ((3, 4), "copy")}
    alone, one_process = _flow_run(tmp_path / "satu", monkeypatch, False)
    assert alone == {((part,), "here") for part in range(5)}
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, one_process[name], obj=name)


@pytest.mark.usefixtures("prefect_server")
def test_the_parts_a_copy_cannot_give_are_scored_here(tmp_path, monkeypatch):
    """The copy scores parts 3 and 4 together, writes their rows as part 3's, then raises: it gives nothing, so parts
    3 and 4 are scored here, one by one (part 3's rows written again, without part 4's), and the month is the same
    as one process's."""
    scored, tables = _flow_run(tmp_path / "gagal", monkeypatch, True, refused_in_copy=4)
    assert scored == {((0,), "here"), ((1,), "here"), ((2,), "here"), ((3, 4), "copy"), ((3,), "here"), ((4,), "here")}
    _, one_process = _flow_run(tmp_path / "satu", monkeypatch, False)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, one_process[name], obj=name)


@pytest.mark.usefixtures("prefect_server")
def test_a_full_disk_during_the_parts_is_said_in_indonesian_and_leaves_no_half_written_rejected_folder(
        tmp_path, monkeypatch):
    """A part's write and then the rejected run's karantina meet a full disk (Arrow's error: errno only in its
    text): the run failed with Prefect's English "Flow run encountered an exception: OSError: ..." and left an empty
    `_ditolak/<run_id>/` (hostile trial); now one line in Indonesian, and no folder."""
    import errno

    from flows import monthly, score_parts
    from flows.pipeline import monthly_scoring

    written = tmp_path / "keluaran" / "_kerja" / "bagian" / "skor_koperasi.arrow"

    def arrow_full(*args, **kwargs):
        raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")

    def full(*args, **kwargs):
        monkeypatch.setattr(monthly.pq, "write_table", arrow_full)  # from now on the disk is full
        raise OSError(errno.ENOSPC, "No space left on device", str(written))

    monkeypatch.setattr(score_parts, "score_together", full)
    output = tmp_path / "keluaran"
    state = monthly_scoring(period="2026-10", input=str(DATA_DIR / "sample"), output=str(output), return_state=True)
    assert state.is_failed()
    assert state.message == (f"galat berkas: disk penuh: {written}; karantina dan ringkasan run ini tidak tersimpan: "
                             "disk penuh")
    assert list((output / "_ditolak").glob("*")) == []


def test_parts_scored_together_give_each_part_the_summary_it_has_scored_alone(tmp_path, monkeypatch):
    """Five parts (part_size 10) scored in one call: each part's summary (its cooperatives scored, its reports no
    book scores, its kabupaten/kota) is the one it gets scored alone, and together they count the month's."""
    from flows.prepare import prepare
    from flows.runs import new_run_id
    from flows.score_parts import score_parts, score_together

    monkeypatch.setenv("KOPERASI_SEHAT_PART_SIZE", "10")
    settings.cache_clear()
    try:
        params = RunParameters(period="2026-10", input=DATA_DIR / "sample", output=tmp_path, max_quarantine_share=1)
        run_id = new_run_id(params.period, STARTED)
        prepare(params, run_id, STARTED)
        plan = partitions(params, run_id)
        together = score_parts(params, run_id, plan, STARTED)
        alone = {i: score_together(params, run_id, {i: names}, STARTED)[i] for i, names in enumerate(plan)}
    finally:
        settings.cache_clear()
    assert len(plan) == 5 and together == alone
    assert sum(s.dinilai for s in alone.values()) == 36 and sum(s.tidak_dinilai for s in alone.values()) == 5
    assert [len(s.per_kabupaten) for s in alone.values()] == [1, 1, 1, 1, 1]


def test_the_parts_read_the_answers_of_the_cooperatives_that_reported_in_the_engines_columns(tmp_path):
    """The work folder keeps the accepted questionnaire answers of the reporting cooperatives with the columns the
    engine reads, not the file and row each came from (a national month: about 190 MiB less in the preparation)."""
    from flows.prepare import checked_common
    from scoring.inputs import KUESIONER

    params = RunParameters(period="2026-10", input=DATA_DIR / "sample", output=tmp_path, max_quarantine_share=1)
    run = publish_month(params, STARTED)
    kept = run.read("kuesioner")
    assert list(kept.columns) == list(KUESIONER)
    answers = checked_common(params.input, STARTED.date()).kuesioner.valid
    reported = set(run.read("laporan")["nik"])
    mine = answers[answers["nik"].isin(reported)]
    assert len(kept) == len(mine) > 0 and set(kept["nik"]) == set(mine["nik"]) < set(answers["nik"])



def _prepared(folder, monkeypatch, copy: str) -> tuple[object, dict[str, bytes]]:
    """The sample's month 2026-10 prepared into a new output folder (2026-09 unpublished: scored from the landing
    folder), its previous month in a copy of the process (`copy` "yes"), here ("no": no copy), or here after the
    copy failed ("fails"); the summary and the bytes of the files kept for the scoring."""
    import os
    from dataclasses import replace

    from flows import forked, prepare
    from flows.runs import new_run_id

    parent, scored = os.getpid(), prepare.previous_from_landing

    def previous_from_landing(*args):
        if copy == "fails" and os.getpid() != parent:
            raise OSError("gagal di salinan")
        return scored(*args)

    monkeypatch.setattr(forked, "supported", lambda: copy != "no")
    monkeypatch.setattr(prepare, "previous_from_landing", previous_from_landing)
    params = RunParameters(period="2026-10", input=DATA_DIR / "sample", output=folder, max_quarantine_share=1)
    run_id = new_run_id(params.period, STARTED)
    summary = replace(prepare.prepare(params, run_id, STARTED), masukan_umum_dari_cache=None)  # a later run: cached
    kept = params.folder(run_id)
    return summary, {name: kept.file(name).read_bytes() for name in ("sebelumnya", "sebelumnya_indikator", "laporan",
                                                                      "karantina", "terganti", "riwayat")}


def test_the_previous_month_is_scored_in_a_copy_while_the_period_is_checked_with_the_same_files(tmp_path,
                                                                                                 monkeypatch):
    """A month whose previous month is not published scores that month from the landing folder; a copy of the
    process (`flows.forked`) does it while the process checks the period's reports: the same summary and files
    as in one process, and as when the copy fails and the process does it after all."""
    import io

    import pyarrow.feather as feather

    from flows import forked

    copies, start = [], forked.Forked.start  # the copies made (by fork)

    def started(self: forked.Forked) -> forked.Forked:
        copies.extend([self.pid] if start(self).pid is not None else [])
        return self

    monkeypatch.setattr(forked.Forked, "start", started)
    in_a_copy = _prepared(tmp_path / "salinan", monkeypatch, "yes")
    assert len(copies) == 1
    previous = feather.read_table(io.BytesIO(in_a_copy[1]["sebelumnya"]))
    # 2026-09 of the sample: 42 report rows of 41 cooperatives (one resubmitted), 38 of them ksp/usp (37 cooperatives;
    # kspps and uspps have no rulebook), none quarantined
    assert previous.num_rows == 37 and set(previous.column("periode").to_pylist()) == {"2026-09"}
    # the worklist's member count of a cooperative silent in 2026-10 (KSP Intan Makmur: 83 members in its 2026-09
    # report): it was missing when 2026-09 was not published, there when it was (fresh-clone trial)
    members = dict(zip(previous.column("nik").to_pylist(), previous.column("jumlah_anggota").to_pylist()))
    assert members["650485587919679"] == 83
    assert _prepared(tmp_path / "satu", monkeypatch, "no") == in_a_copy and len(copies) == 1
    assert _prepared(tmp_path / "gagal", monkeypatch, "fails") == in_a_copy and len(copies) == 2


def test_rows_are_put_in_group_order_by_nik_text_or_category_and_a_nik_of_no_group_is_refused():
    from flows.score_parts import in_group_order

    group = pd.Series([1, 0, 2], index=["650201", "650202", "650203"], dtype="int16")
    for dtype in ("str", "category"):
        frame = pd.DataFrame({"nik": pd.Series(["650203", "650201", "650202", "650201", "650203"], dtype=dtype),
                              "urutan": range(5)})
        assert in_group_order(frame, group)["urutan"].tolist() == [2, 1, 3, 0, 4]  # group 0, 1, 2; stable within
    in_order = pd.DataFrame({"nik": pd.Series(["650202", "650201"], dtype="str"), "urutan": [0, 1]})
    assert in_group_order(in_order, group) is in_order  # already in order: the frame itself
    with pytest.raises(KeyError, match="'650299'"):
        in_group_order(pd.DataFrame({"nik": pd.Series(["650201", "650299"], dtype="str")}), group)
