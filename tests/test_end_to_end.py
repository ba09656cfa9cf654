"""End to end through the real Prefect flow and the CLI, on the committed clean and dirty samples."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from flows import storage
from flows.config import DATA_DIR
from flows.monthly import OUTPUT_TABLES
from schemas.outputs import arrow_schema, validate_output
from scoring.columns import LAPORAN
from test_operations import snapshot
from test_scoring_cooperatives import KSP_A, NIK_A, QUESTIONNAIRES

pytestmark = pytest.mark.usefixtures("prefect_server")


def run_flow(**parameters) -> dict:
    from flows.pipeline import monthly_scoring

    state = monthly_scoring(**parameters, return_state=True)
    assert state.is_completed(), state.message
    return state.result()


STAGES: list[str] = []  # the steps the clean run named as they started (`report.stage`), in order


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[dict, Path]:
    from flows import report

    output = tmp_path_factory.mktemp("clean")
    with pytest.MonkeyPatch.context() as patch:  # the labels a terminal's progress line shows
        patch.setattr(report, "stage", lambda description, total=None: STAGES.append(f"{description} ({total})"))
        return run_flow(period="2026-10", input=str(DATA_DIR / "sample"), output=str(output)), output


def test_each_step_of_a_run_is_named_as_it_starts(clean):
    assert STAGES == ["membaca dan memvalidasi masukan 2026-10 (None)", "menilai koperasi per bagian 2026-10 (1)",
                      "menggabungkan bagian 2026-10 (None)", "memeriksa mutu (Great Expectations) (None)",
                      "menerbitkan tabel dan dokumen (None)"]


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> tuple[dict, Path]:
    output = tmp_path_factory.mktemp("dirty")
    # the dirty drop is a fifth defects by design: allow it past the quarantine-share gate
    return run_flow(period="2026-10", input=str(DATA_DIR / "sample_dirty"), output=str(output),
                    max_quarantine_share=0.5), output


def test_clean_sample_counts(clean):
    summary, output = clean
    assert (summary["laporan_dibaca"], summary["dinilai"], summary["tidak_dinilai"],
            summary["laporan_dikarantina"], summary["laporan_terganti"]) == (43, 36, 5, 0, 2)
    assert summary["laporan_dibaca"] == (summary["dinilai"] + summary["tidak_dinilai"]
                                         + summary["laporan_dikarantina"] + summary["laporan_terganti"])
    assert summary["laporan_periode_lain"] == 1425 and summary["berkas_ditolak"] == []
    status = storage.read_table(output, "status_koperasi", "2026-10")
    assert len(status) == 109 and status["aktif"].sum() == 68
    assert status["dinilai"].sum() == 36
    ringkasan = storage.read_table(output, "ringkasan_wilayah", "2026-10").set_index("kabupaten_kota")
    assert ringkasan.loc["Kalimantan Utara", ["jumlah_sehat", "jumlah_cukup_sehat", "jumlah_dalam_pengawasan",
                                              "jumlah_dalam_pengawasan_khusus"]].tolist() == [7, 9, 10, 10]


def test_dirty_sample_quarantines_each_defect_with_its_reason(dirty):
    summary, output = dirty
    # 39 + 5 semicolon + 2 xlsx + 1 CR-only + 1 UTF-16 + 1 Parquet correction + 1 future-dated; the file whose
    # header differs in case is not read
    assert (summary["laporan_dibaca"], summary["laporan_diterima"], summary["laporan_dikarantina"],
            summary["laporan_terganti"]) == (50, 34, 14, 2)
    assert summary["laporan_dibaca"] == (summary["dinilai"] + summary["tidak_dinilai"]
                                         + summary["laporan_dikarantina"] + summary["laporan_terganti"])
    # two incomplete sets (37 + 39 rows) and the set of the cooperative whose registry row was rejected (38)
    assert summary["kuesioner_dikarantina"] == 76 + 38
    # of them only 650423110186759 reports: its 2026 set of 39 answers (a question answered twice) is quarantined,
    # so its management aspect is its 2025 set's; 1 of the 30 scored (34 reporting, 4 sharia), under the gate's share
    assert (summary["koperasi_kuesioner_dinilai"], summary["koperasi_kuesioner_dikarantina"]) == (30, 1)
    assert (summary["koperasi_dikarantina"], summary["koperasi_terdaftar"]) == (1, 108)
    karantina = storage.read_table(output, "karantina", "2026-10").set_index(["sumber", "baris"])
    reasons = karantina["alasan"].map(list)
    report = "laporan/laporan_2026-10.csv"
    # `baris` is the spreadsheet row (header = 1), as CACAT.md names it
    assert reasons[(report, 26)] == ["neraca tidak seimbang: total_aset 44.798.726 != kewajiban + ekuitas "
                                     "47.038.662 (selisih 2.239.936; toleransi 4.479)"]
    assert reasons[(report, 28)] == ["nik '657145583934618' tidak terdaftar di koperasi.csv (maksud 657145583934681?)"]
    assert reasons[(report, 17)] == ["periode: ditulis '10/2026', harus YYYY-MM (maksud 2026-10?)"]
    assert reasons[(report, 15)] == ["periode: ditulis 'Oktober 2026', harus YYYY-MM (maksud 2026-10?)"]
    assert reasons[(report, 33)] == ["beban_lain: tidak boleh negatif (nilai: -246.223)"]
    assert reasons[(report, 9)] == ["duplikat persis dari laporan/laporan_2026-10.csv baris 8"]
    assert reasons[(report, 4)][0].startswith("pinjaman menurut kolektibilitas tidak sama dengan pinjaman diberikan")
    assert reasons[(report, 27)][0].startswith("volume_pinjaman_anggota lebih dari volume_pinjaman")
    assert (report, 12) not in reasons.index  # Rp 500 rounding is within the tolerance
    assert not karantina.index.get_level_values("sumber").str.endswith("semicolon.csv").any()
    # the defect kinds of real landing folders (CACAT.md)
    assert reasons[(report, 21)] == ["hibah: '925.000' dapat berarti 925 atau 925.000 (titik sebagai pemisah "
                                     "ribuan); tulis tanpa pemisah: 925000"]
    started = f"{summary['run_id'][8:12]}-{summary['run_id'][12:14]}"  # the run's month in WITA (its id's time)
    assert reasons[(report, 37)] == [f"periode: tidak boleh sesudah bulan berjalan {started} (nilai: '2027-10')",
                                     "periode 2027-10 sesudah bulan tanggal_kirim 2026-11 (laporan suatu bulan tidak "
                                     "dapat dikirim sebelum bulan itu)"]
    assert reasons[(report, 3)] == ["baris registri koperasi.csv:15 (nik 650161296575534) ditolak: "
                                    "tanggal_badan_hukum: bukan tanggal YYYY-MM-DD (nilai: '13/03/2019')"]
    assert reasons[("koperasi.csv", 15)] == ["tanggal_badan_hukum: bukan tanggal YYYY-MM-DD (nilai: '13/03/2019')"]
    assert reasons[("laporan/laporan_2026-10_kantor.xlsx", 3)] == [
        "kas: sel E3 berisi rumus tanpa nilai tersimpan; buka dan simpan ulang berkas di Excel"]
    assert reasons[("laporan/laporan_2026-10_susulan.csv", 2)][0].startswith(
        "tanggal_kirim: tidak boleh sesudah waktu mulai proses ")
    assert reasons[("laporan/laporan_2026-10_susulan.csv", 2)][0].endswith(" WITA (nilai: 2099-10-05T08:00:00)")
    assert summary["berkas_ditolak"] == ["laporan/laporan_2026-10_judul.csv: kolom 'Kas' harus ditulis 'kas'; "
                                         "kolom 'Total Aset' harus ditulis 'total_aset'"]
    assert [e["sumber"] for e in summary["berkas_tidak_dibaca"]] == [
        "CACAT.md", "laporan/.DS_Store", "laporan/catatan_kiriman.txt", "laporan/~$laporan_2026-10_kantor.xlsx"]
    assert summary["catatan_berkas"] == ["laporan/laporan_2026-10.csv: karakter tak terlihat (spasi lebar-nol, "
                                         "spasi tak-putus, BOM, kendali) dihapus dari: nik baris 6"]
    manifest = json.loads(Path(summary["manifest"]).read_text())
    assert manifest["berkas_tidak_dibaca"][0] == {
        "sumber": "CACAT.md", "alasan": "bukan berkas masukan: di akar folder landing hanya koperasi dan "
                                        "faktor_pengurang (.csv, .parquet, .xlsx) yang dibaca"}
    files = {f["sumber"]: f for f in manifest["berkas_masukan"]}
    assert (files["laporan/laporan_2026-10_unicode.csv"]["format"], files["laporan/laporan_2026-10_unicode.csv"][
        "encoding"]) == ("csv-tab", "utf-16-le")
    terganti = storage.read_table(output, "laporan_terganti", "2026-10").set_index(["sumber", "baris"])
    assert terganti.loc[(report, 19), "diganti_oleh"] == "laporan/laporan_2026-10_koreksi.parquet:1"  # UTC stamp
    status = storage.read_table(output, "status_koperasi", "2026-10").set_index("nik")
    office = ["650280692318107", "650439798431245", "650485587919679"]  # the xlsx, CR-only and UTF-16 files
    assert status.loc[office, "melapor"].all()
    assert not status.loc["650113048542833", "melapor"]  # its only report says 2027-10: quarantined, not set aside
    assert "650161296575534" not in status.index  # its registry row was rejected
    semicolon = ["657142359150665", "650137137826180", "650464801702956", "650452509903254", "650247039876433"]
    assert status.loc[semicolon, "melapor"].all()  # the Indonesian-format rows are accepted
    assert status.loc["650464801702956", "alasan_tidak_dinilai"].startswith("unit simpan pinjam syariah")


def test_the_run_publishes_the_documents_and_laporan_rebuilds_the_same_bytes(dirty, tmp_path, capsys, monkeypatch):
    from flows.cli import main

    summary, published = dirty
    output = tmp_path / "out"
    shutil.copytree(published, output, ignore=shutil.ignore_patterns("_gx"))
    documents = output / "laporan" / "periode=2026-10"
    status = storage.read_table(output, "status_koperasi", "2026-10")
    meant = {"657145583934681"}  # the nik a report row's typo likely meant (CACAT.md): its card and its feedback
    on_a_card = status["dinilai"] | status["nik"].isin(
        set(storage.read_table(output, "daftar_prioritas", "2026-10")["nik"])
        | set(storage.read_table(output, "mutu_pelaporan", "2026-10")["nik"]) | meant)
    quarantined = set(storage.read_table(output, "karantina", "2026-10")["nik"].dropna()) & set(status["nik"]) | meant
    expected = sorted(["ringkasan_2026-10.xlsx", "laporan_2026-10.html", *(f"kartu/{n}.html" for n in
                       status.loc[on_a_card, "nik"]), *(f"umpan_balik/{n}.xlsx" for n in quarantined)])
    written = snapshot(documents)
    assert list(written) == expected == json.loads(Path(summary["manifest"]).read_text())["berkas_laporan"]
    assert len(quarantined) == 13 and on_a_card.sum() == 44
    (documents / "kartu" / expected[1].split("/")[1]).write_text("diubah")  # a card changed by hand
    (documents / "catatan.txt").write_text("bukan dokumen periode ini")
    monkeypatch.chdir(output.parent)  # the folder given relative: where they are, absolute (new-user trial)
    assert main(["laporan", "--period", "2026-10", "--output", output.name]) == 0
    assert capsys.readouterr().out == f"dokumen periode 2026-10 ditulis ulang: {len(expected)} berkas di {documents}\n"
    assert snapshot(documents) == written  # the run's time, never the clock's: the same bytes, the folder whole
    assert sorted(p.name for p in output.iterdir()) == sorted(p.name for p in published.iterdir() if p.name != "_gx")


def test_every_output_validates_and_plain_readers_read_every_table_folder(clean, dirty):
    """pandas, pyarrow.dataset, DuckDB and Polars read each table folder verbatim, as a dashboard would."""
    import duckdb
    import polars as pl

    for _, output in (clean, dirty):
        for table in OUTPUT_TABLES:
            frame = validate_output(table, storage.read_table(output, table, "2026-10"))
            folder = output / table
            columns = set(arrow_schema(table).names)
            with_pandas = pd.read_parquet(folder)
            assert set(with_pandas.columns) == columns and len(with_pandas) == len(frame)
            assert with_pandas["periode"].dtype == "category" and set(with_pandas["periode"]) <= {"2026-10"}
            with_arrow = ds.dataset(folder, partitioning="hive").to_table()
            assert with_arrow.num_rows == len(frame) and with_arrow.schema.field("periode").type == pa.string()
            with_duckdb = duckdb.sql(f"SELECT periode, typeof(periode), count(*) FROM read_parquet('{folder}/*/*.parquet')"
                                     " GROUP BY ALL").fetchall()
            assert with_duckdb == ([("2026-10", "VARCHAR", len(frame))] if len(frame) else [])
            with_polars = pl.read_parquet(folder)
            assert set(with_polars.columns) == columns and with_polars.height == len(frame)
            assert with_polars.schema["periode"] == pl.String
        assert not (output / "_kerja").exists()  # the run's scratch folder is gone


@pytest.fixture
def landing_with_ksp_a(tmp_path) -> Path:
    """The clean sample plus the hand-computed KSP Sejahtera Bersama of test_scoring_cooperatives (2025-09)."""
    landing = tmp_path / "landing"
    shutil.copytree(DATA_DIR / "sample", landing)
    with (landing / "koperasi.csv").open("a", newline="") as handle:
        csv.writer(handle).writerow([NIK_A, KSP_A["nama"], "ksp", "65.71", "Tarakan", "provinsi", "2012-05-01",
                                     "2025-03-15", ""])
    pd.DataFrame([KSP_A])[list(LAPORAN)].to_csv(landing / "laporan" / "ksp_sejahtera_2025-09.csv", index=False)
    QUESTIONNAIRES[QUESTIONNAIRES["nik"] == NIK_A].to_csv(landing / "kuesioner" / "ksp_sejahtera.csv", index=False)
    return landing


def test_a_known_cooperative_scores_as_hand_computed(landing_with_ksp_a, tmp_path):
    run_flow(period="2025-09", input=str(landing_with_ksp_a), output=str(tmp_path / "out"))
    scored = storage.read_table(tmp_path / "out", "skor_koperasi", "2025-09").set_index("nik")
    assert scored.loc[NIK_A, "skor_total"] == 90.10
    assert (scored.loc[NIK_A, "predikat_skor"], scored.loc[NIK_A, "predikat"]) == ("Sehat", "Sehat")
    assert scored.loc[NIK_A, "kabupaten_kota"] == "Tarakan"
    assert scored.loc[NIK_A, "versi_rulebook"] == "2026-11-30"
    indikator = storage.read_table(tmp_path / "out", "skor_indikator", "2025-09")
    ldr = indikator[(indikator["nik"] == NIK_A) & (indikator["komponen"] == "pinjaman_dana_diterima")].iloc[0]
    assert (ldr["nilai"], ldr["skor"], bool(ldr["terverifikasi"])) == (100, 5.0, True)
    assert ldr["sumber"].startswith("Permen KUKM 14/2009, Tabel 18")


def test_a_kabupaten_rerun_on_the_same_inputs_republishes_every_table_whole(tmp_path):
    """mutu_pelaporan kept only the area's rows (10 of 46 for Tarakan, hostile trial): every table of the month,
    the other areas' rows included, is what the whole month's run published, apart from the run's fields."""
    output = tmp_path / "out"
    run_flow(period="2026-10", input=str(DATA_DIR / "sample"), output=str(output))
    before = {t: storage.read_table(output, t, "2026-10") for t in OUTPUT_TABLES}
    run_flow(period="2026-10", kabupaten=["Tarakan"], input=str(DATA_DIR / "sample"), output=str(output))
    for table, old in before.items():
        new = storage.read_table(output, table, "2026-10")
        assert new["run_id"].nunique() == min(len(new), 1) and set(new["run_id"]).isdisjoint(old["run_id"]), table
        same = [c for c in old.columns if c not in ("run_id", "dihitung_pada")]
        old, new = (frame[same].astype("str").sort_values(same).reset_index(drop=True) for frame in (old, new))
        pd.testing.assert_frame_equal(new, old, obj=table)


def test_a_kabupaten_rerun_of_a_month_never_published_is_refused_by_the_flow(tmp_path):
    from flows.pipeline import monthly_scoring

    state = monthly_scoring(period="2026-09", kabupaten=["Tarakan"], input=str(DATA_DIR / "sample"),
                            output=str(tmp_path), return_state=True)
    assert state.is_failed()
    assert state.message == (f"periode 2026-09 belum pernah terbit utuh di {tmp_path}: jalankan dulu seluruh "
                             "bulannya (tanpa --kabupaten), lalu ulangi per kabupaten/kota")
    assert not (tmp_path / "skor_koperasi").exists()


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.entry", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


@pytest.mark.parametrize("args, message", [
    (["run", "--period", "10/2026"], "--period: periode '10/2026' bukan YYYY-MM (mis. 2026-10) (lihat --help)"),
    (["run", "--period", "2026-10", "--input", "/nowhere"], "folder masukan '/nowhere' tidak ada"),
    (["run", "--period", "2026-10", "--mode", "steps"],
     "--mode: 'steps' tidak dikenal: pilih salah satu dari table, linear (lihat --help)"),
    (["run"], "berikan --period YYYY-MM, atau --from YYYY-MM dan --to YYYY-MM"),
    (["run", "--from", "2026-09", "--to", "2026-01"], "--from 2026-09 sesudah --to 2026-01"),
    (["run", "--period", "2026-10", "--kabupaten", "Bulungan", "Tarakan"],
     "argumen berlebih: Tarakan (nama dengan spasi: tulis dalam tanda kutip, mis. \"KSP Setia Bersama\"; "
     "beberapa kabupaten/kota: ulangi --kabupaten untuk setiap nama) (lihat --help)"),
    (["run", "--period", "2026-10", "--frm", "2026-01"],
     "opsi tidak dikenal: --frm; maksud Anda --from? (lihat --help)"),
    (["run", "--period", "2026-10", "-x"], "opsi tidak dikenal: -x (lihat --help)"),
    (["sample"], "--output wajib diberikan (lihat --help)"),
    # typer's own English, each in Indonesian: was "No such command 'laporanx'.", "koperasi wajib diberikan" (the
    # parameter's name), "Option '--period' requires an argument.", "Option '--verbose' does not take a value.",
    # "Missing command."
    (["laporanx"], "perintah tidak dikenal: laporanx; maksud Anda laporan? (lihat --help)"),
    (["hitung"], "perintah tidak dikenal: hitung (lihat --help)"),
    (["server", "statu"], "perintah tidak dikenal: statu; maksud Anda status? (lihat --help)"),  # of its group
    (["server", "run"], "perintah tidak dikenal: run (lihat --help)"),
    (["Jelaskn", "KSP Maju"], "perintah tidak dikenal: Jelaskn; maksud Anda jelaskan? (lihat --help)"),
    (["jelaskan"], "argumen NIK|NAMA wajib diberikan (lihat --help)"),
    (["run", "--period"], "--period perlu nilai (tulis --period YYYY-MM) (lihat --help)"),
    (["run", "--period", "2026-10", "--verbose=ya"],
     "--verbose tidak memakai nilai: tulis --verbose saja (lihat --help)"),
    (["--"], "perintah belum diberikan: run, serve, sample, template, jelaskan, bandingkan, laporan atau server (lihat --help)"),
    # an empty folder is the current folder to a path: a run read or wrote wherever it was started
    (["run", "--period", "2026-10", "--input", ""], "--input kosong: berikan sebuah folder (folder ini ditulis '.')"),
    (["template", "--output="], "--output kosong: berikan sebuah folder (folder ini ditulis '.')"),
])
def test_cli_bad_arguments_one_line_exit_2(args, message, tmp_path):
    done = cli(*args, cwd=tmp_path)
    assert (done.returncode, done.stderr, done.stdout) == (2, f"koperasi-sehat: {message}\n", "")


def test_a_failed_expectation_stops_publication_and_keeps_the_previous_outputs(tmp_path):
    from flows.pipeline import monthly_scoring

    output = tmp_path / "out"
    first = run_flow(period="2026-10", input=str(DATA_DIR / "sample"), output=str(output))
    before = {t: (output / t / "periode=2026-10" / "part-0.parquet").read_bytes() for t in OUTPUT_TABLES}
    documents = snapshot(output / "laporan" / "periode=2026-10")
    assert len(documents) > 40
    # the dirty drop quarantines 14 of 50 report rows: over the default 10% ceiling
    state = monthly_scoring(period="2026-10", input=str(DATA_DIR / "sample_dirty"), output=str(output),
                            return_state=True)
    assert state.is_failed()
    # the file refused whole first, the likeliest cause (fresh-clone trial: it came after the gate's failures)
    assert state.message.startswith("periode 2026-10 tidak diterbitkan: berkas ditolak (1): "
                                    "laporan/laporan_2026-10_judul.csv: kolom 'Kas' ")
    assert state.message.count("; 1 pemeriksaan mutu gagal: ") == 1
    # the share with its counts and its first quarantined row, and what to do (a share alone: fresh-clone trial)
    # (a row with a reason of its own: the first, refused for its registry row, was to be fixed in koperasi.csv)
    assert state.message.count(
        "[antar_periode.porsi_karantina]: teramati 28,0% (14 dari 50 baris laporan), mis. laporan/laporan_2026-10.csv "
        "baris 4 (nik 650276611812441): pinjaman menurut kolektibilitas tidak sama dengan pinjaman diberikan: ") == 1
    assert state.message.count("(selisih 34.768.789;…: perbaiki baris seperti ini, lalu jalankan lagi (Data Docs: ") == 1
    assert {t: (output / t / "periode=2026-10" / "part-0.parquet").read_bytes() for t in OUTPUT_TABLES} == before
    assert snapshot(output / "laporan" / "periode=2026-10") == documents  # the documents too
    assert [p.stem for p in (output / "_runs").glob("*.json")] == [first["run_id"]]  # no manifest: not complete
    # the blocked month still shows its problems: its karantina and summary, where the message says
    (rejected,) = (output / "_ditolak").iterdir()
    assert state.message.endswith(f"; karantina dan ringkasan run ini: {rejected}")
    assert len(pd.read_parquet(rejected / "karantina.parquet")) == 14 + 114 + 1  # reports, answers, registry
    summary = json.loads((rejected / "ringkasan.json").read_text())
    assert summary["jumlah"]["laporan_dikarantina"] == 14 and "porsi_karantina" in summary["alasan"]
    site = output / "_gx" / "uncommitted" / "data_docs" / "local_site"
    assert (site / "index.html").exists()
    failed_run = max((site / "validations" / "antar_periode").iterdir(), key=lambda p: p.name)
    assert sorted(p.parts[-4] for p in site.glob(f"validations/*/{failed_run.name}/*/*.html")) == [
        "antar_periode", "daftar_prioritas", "jalan_menuju_sehat", "mutu_pelaporan", "peringatan_dini",
        "persentil_sejawat", "ringkasan_wilayah", "skor_aspek", "skor_indikator", "skor_koperasi",
        "status_koperasi"]  # a page each


TITLED = "baris 1 ('Laporan Bulanan KSP') bukan baris judul kolom: judul kolom ada di baris 2; hapus baris di atasnya"


@pytest.mark.parametrize(("months", "folder"), [(("2026-10",), "laporan"), (("2026-09", "2026-10"), "Laporan")])
def test_a_report_file_refused_whole_in_a_first_run_stops_the_month_naming_the_file(tmp_path, months, folder):
    """A title line above the month's only report file refused it whole, and a first run (the previous month not
    published) published a month of no reports, exit 0: the drop in reporting had no baseline (fresh-clone trial).
    The previous month's reports in the landing folder are the baseline; with the previous month's file refused
    too (the same export tool) there is none, and a month of which no report row was read while a report file was
    refused stops on its own (review; the folder's name in any case, as the landing reader takes it: hostile
    trial). The line names the refused files, those naming the period first."""
    from flows.pipeline import monthly_scoring

    landing = shutil.copytree(DATA_DIR / "sample", tmp_path / "landing")
    (landing / "laporan").rename(landing / folder)
    for month in months:
        reports = landing / folder / f"laporan_{month}.csv"
        reports.write_bytes(b"Laporan Bulanan KSP\n" + reports.read_bytes())
    output = tmp_path / "out"
    state = monthly_scoring(period="2026-10", input=str(landing), output=str(output), return_state=True)
    assert state.is_failed()
    refused = "; ".join(f"{folder}/laporan_{month}.csv: {TITLED}" for month in reversed(months))
    failed = [f"laporan: tidak ada baris laporan periode 2026-10 yang terbaca, dan {len(months)} berkas laporan "
              "ditolak utuh: perbaiki yang memuat laporan periode ini, lalu jalankan lagi"]
    if len(months) == 1:  # 2026-09's reports in the landing folder: 41 reporting, the baseline
        failed.insert(0, "antar_periode: jumlah koperasi yang melapor (status_koperasi.melapor) turun tidak lebih dari "
                         "20% dari 41 pada periode sebelumnya (paling sedikit 33) [antar_periode.penurunan_melapor]: "
                         "teramati 0")
    assert state.message.startswith(f"periode 2026-10 tidak diterbitkan: berkas ditolak ({len(months)}): {refused}; "
                                    f"{len(failed)} pemeriksaan mutu gagal: {'; '.join(failed)} (Data Docs: ")
    assert not list((output / "skor_koperasi").glob("periode=*")) and not list((output / "_runs").glob("*.json"))


def test_a_month_of_no_report_rows_names_the_files_that_could_have_held_them_and_stops_without_report_files():
    """A rerun without laporan/ (or with a file named so) replaced a published month by one of no reports, exit 0;
    a month failing on the drop in reporting did not say that its file was not read (an .xls) or held only its
    header (hostile trial). A month whose report files were all read and hold no row of it is published (the
    quick start's 2015-12) unless another check fails; an area may have no report in a month, not no report file."""
    from flows.monthly import _unread
    from flows.runs import PrepareSummary, RunParameters

    def prepared(berkas=(), tidak_dibaca=(), lain=0, dibaca=0):
        return PrepareSummary([f["galat"] for f in berkas if f.get("galat")], list(tidak_dibaca), dibaca, 0, 0, 0,
                              lain, 0, 0, 0, 0, 0, 0, 109, berkas=list(berkas))

    month, area = RunParameters(period="2026-10"), RunParameters(period="2026-10", kabupaten=("Tarakan",))
    start = "laporan: tidak ada baris laporan periode 2026-10 yang terbaca ("
    end = "): letakkan laporan periode ini di folder laporan/ masukan, lalu jalankan lagi"
    none = "tidak ada berkas laporan di folder laporan/ masukan"
    root = {"sumber": "laporan", "alasan": "bukan berkas masukan"}
    assert _unread(month, prepared(), False) == [start + none + end]
    assert _unread(month, prepared(tidak_dibaca=[root]), False) == [
        start + "berkas tidak dibaca: laporan (bukan berkas masukan); " + none + end]
    moved = {"sumber": "Laporan_2026-10.csv", "alasan": "bukan berkas masukan: laporan dibaca dari folder laporan/"}
    assert _unread(month, prepared(tidak_dibaca=[moved]), False) == [  # a report file at the root was not named
        start + "berkas tidak dibaca: Laporan_2026-10.csv (bukan berkas masukan: laporan dibaca dari folder "
        "laporan/); " + none + end]                                     # (hostile trial)
    assert _unread(area, prepared(), False) == [start + none + end]  # an area run without a report file (hostile
    assert _unread(month, prepared(dibaca=1), True) == []              # trial: it published its area of none)
    other = {"sumber": "laporan/laporan_2026-09.csv", "baris": 41, "galat": None}
    xls = {"sumber": "Laporan/laporan_2026-10.xls", "alasan": "jenis berkas tidak dikenal (.xls)"}
    header = {"sumber": "laporan/laporan_2026-10.csv", "baris": 0, "galat": None}
    read = prepared([other, header], [xls], lain=1424)
    assert _unread(month, read, False) == [] == _unread(area, read, True)  # all read: published, as 2015-12; an
                                                                             # area may have no report in a month
    assert _unread(month, read, True) == [  # failing anyway: why it has no report
        start + "berkas tidak dibaca: Laporan/laporan_2026-10.xls (jenis berkas tidak dikenal (.xls)); berkas tanpa "
        "baris data: laporan/laporan_2026-10.csv; 1.424 baris laporan periode lain" + end]


def test_the_first_quarantined_row_of_an_input_is_the_failed_share_s_example():
    from schemas.landing_paths import FOLDER_TABLES, ROOT_TABLES
    from flows.prepare import QUARANTINE_EXAMPLES, first_quarantined
    from schemas import outputs

    assert first_quarantined(outputs.empty_frame("karantina"), "laporan") is None  # a month without any (was KeyError)
    rows = pd.DataFrame({"sumber": ["kuesioner/k_2024.csv", "kuesioner/k_2026.csv", "laporan/a.csv", "laporan/a.csv"],
                         "baris": [2, 2, 5, 7], "nik": ["1", "1", "2", "3"], "alasan": [["x"], ["v"], ["y", "z"], ["w"]]})
    assert first_quarantined(rows, "laporan") == "laporan/a.csv baris 5 (nik 2): y; z"
    # the row the share counted (its 2026 set), not the cooperative's older quarantined set first in file order
    counted = pd.DataFrame({"sumber": ["kuesioner/k_2026.csv"], "baris": [2]})
    assert first_quarantined(rows, "kuesioner", counted) == "kuesioner/k_2026.csv baris 2 (nik 1): v"
    assert first_quarantined(rows, "kuesioner", counted.iloc[:0]) is None
    # a row with a reason of its own before the rows of its set refused for its sake (fresh-clone trial)
    checklist = pd.DataFrame({"sumber": ["pemeriksaan/p.csv"] * 3, "baris": [2, 3, 4], "nik": ["1"] * 3,
                              "alasan": [["set pemeriksaan 1 2026-05-17: baris 3 ditolak"],
                                         ["terpenuhi: bukan ya atau tidak (nilai: 'mungkin')",
                                          "set pemeriksaan 1 2026-05-17: baris 3 ditolak"],
                                         ["set pemeriksaan 1 2026-05-17: baris 3 ditolak"]]})
    assert first_quarantined(checklist, "pemeriksaan") == ("pemeriksaan/p.csv baris 3 (nik 1): terpenuhi: bukan ya "
                                                           "atau tidak (nilai: 'mungkin'); set pemeriksaan 1 "
                                                           "2026-05-17: baris 3 ditolak")
    assert first_quarantined(checklist.drop(index=1), "pemeriksaan").startswith("pemeriksaan/p.csv baris 2 ")
    # every input table has its example, under the name `input_table` gives its files ('faktor' had none: trial)
    factor = pd.DataFrame({"sumber": ["faktor_pengurang.csv"], "baris": [6], "nik": ["4"], "alasan": [["kode: u"]]})
    assert sorted(QUARANTINE_EXAMPLES) == sorted((*ROOT_TABLES, *FOLDER_TABLES))
    assert first_quarantined(factor, "faktor_pengurang") == "faktor_pengurang.csv baris 6 (nik 4): kode: u"
    # one line of 92,672 characters: 44 cells of 2,000 quoted (hostile trial)
    long = factor.assign(alasan=[[f"kas: bukan angka (nilai: '{'9x' * 999}')"] * 44])
    cut = first_quarantined(long, "faktor_pengurang")
    assert len(cut) == 300 and cut.startswith("faktor_pengurang.csv baris 6 (nik 4): kas: bukan angka") and \
        cut.endswith("9…")


@pytest.mark.parametrize("case", ["dates written dd/mm/yyyy", "the latest year's file refused whole"])
def test_a_month_whose_latest_questionnaires_are_lost_is_not_published(tmp_path, case):
    """The 2026 questionnaires with every date written 10/02/2026 were all quarantined, and the month was published
    with each management aspect from the 2025 sets, exit 0 (review); so was the 2026 file refused whole for a title
    line, beside the 2024 and 2025 files (hostile trial). The first fails the questionnaire share: 34 of the 36
    reporting cooperatives a book scores (25 ksp, 11 usp; the 5 sharia ones are not scored) have a 2026 set; the
    second, a questionnaire file refused whole."""
    from flows.pipeline import monthly_scoring

    landing = shutil.copytree(DATA_DIR / "sample", tmp_path / "landing")
    answers = landing / "kuesioner" / "kuesioner_2026.csv"
    if case == "dates written dd/mm/yyyy":
        answers.write_text(re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3/\2/\1", answers.read_text()))
        failed = ("1 pemeriksaan mutu gagal: antar_periode: porsi koperasi yang melapor dan dinilai dengan kuesioner, "
                  "yang kuesioner terbarunya (sampai akhir periode) dikarantina sehingga aspek manajemennya dinilai "
                  "dari kuesioner lebih lama atau 0, paling banyak 10% [antar_periode.porsi_kuesioner_karantina]: "
                  "teramati 94,4% (34 dari 36 koperasi), mis. kuesioner/kuesioner_2026.csv baris 2 (nik "
                  "650113048542833): tanggal: bukan tanggal YYYY-MM-DD (nilai: '06/02/2026'): perbaiki baris seperti "
                  "ini, lalu jalankan lagi")
    else:
        answers.write_bytes(b"Kuesioner KSP\n" + answers.read_bytes())
        failed = ("berkas ditolak (1): kuesioner/kuesioner_2026.csv: baris 1 ('Kuesioner KSP') bukan baris judul "
                  "kolom: judul kolom ada di baris 2; hapus baris di atasnya; 1 pemeriksaan mutu gagal: kuesioner: 1 "
                  "berkas kuesioner ditolak utuh, dan jawabannya bisa jadi kuesioner terbaru koperasi (aspek manajemen "
                  "dinilai dari kuesioner lebih lama, atau 0): perbaiki berkasnya, atau keluarkan dari folder "
                  "kuesioner/ bila tidak dipakai, lalu jalankan lagi")
    output = tmp_path / "out"
    state = monthly_scoring(period="2026-10", input=str(landing), output=str(output), return_state=True)
    assert state.is_failed()
    assert state.message.startswith(f"periode 2026-10 tidak diterbitkan: {failed} (Data Docs: "), state.message
    assert not list((output / "skor_koperasi").glob("periode=*")) and not list((output / "_runs").glob("*.json"))
    (rejected,) = (output / "_ditolak").iterdir()
    counts = json.loads((rejected / "ringkasan.json").read_text())["jumlah"]
    assert (counts["koperasi_kuesioner_dinilai"], counts["koperasi_kuesioner_dikarantina"]) == (
        (36, 34) if case == "dates written dd/mm/yyyy" else (36, 0))


def test_a_month_before_the_first_questionnaire_says_whose_answers_were_accepted(tmp_path):
    """The sample's January 2024: its first answers are dated 2024-02-02, so none of the 38 cooperatives scored has a
    set by the period's end and every management aspect is 0; the month is published and its summary says why, in
    counts of the sample's files (4,066 answers of those 38 cooperatives, 722 of the others; counted by hand with
    the csv module): it said 'bertanggal sesudah akhir periode atau milik koperasi lain' of all 4,788."""
    from flows import report
    from flows.pipeline import monthly_scoring

    month = monthly_scoring(period="2024-01", input=str(DATA_DIR / "sample"), output=str(tmp_path / "out"))
    assert (month["koperasi_kuesioner_dinilai"], month["koperasi_tanpa_kuesioner"],
            month["kuesioner_sesudah_periode"]) == (38, 38, 4066)
    assert report.no_questionnaire(month) == [
        "TANPA KUESIONER  tidak ada kuesioner diterima sampai akhir periode untuk 38 koperasi yang dinilai (4.788 "
        "jawaban yang diterima di folder kuesioner/: 4.066 milik koperasi itu, bertanggal sesudah akhir periode; 722 "
        "milik koperasi lain): aspek manajemen semuanya 0"]


def test_the_questionnaire_share_of_an_area_run_is_of_its_area(tmp_path):
    """An area run counted its area's lost sets against the whole province's reporting cooperatives (hostile trial:
    4 of Bulungan's 9 read as 4 of 41). One Bulungan cooperative's 2026 set quarantined (an answer 'mungkin') is 1 of
    the 36 scored with a questionnaire in the month (2,8%: published) and 1 of Bulungan's 7 (14,3%: refused)."""
    from flows.pipeline import monthly_scoring

    landing = shutil.copytree(DATA_DIR / "sample", tmp_path / "landing")
    answers = landing / "kuesioner" / "kuesioner_2026.csv"
    lines = answers.read_text().splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.startswith("650229276094694,"))
    lines[first] = re.sub(r",(ya|tidak)$", ",mungkin", lines[first].rstrip("\n")) + "\n"
    answers.write_text("".join(lines))
    output = tmp_path / "out"
    month = monthly_scoring(period="2026-10", input=str(landing), output=str(output))
    assert (month["koperasi_kuesioner_dinilai"], month["koperasi_kuesioner_dikarantina"]) == (36, 1)
    state = monthly_scoring(period="2026-10", kabupaten=["Bulungan"], input=str(landing), output=str(output),
                            return_state=True)
    assert state.is_failed()
    assert ("[antar_periode.porsi_kuesioner_karantina]: teramati 14,3% (1 dari 7 koperasi), mis. "
            "kuesioner/kuesioner_2026.csv baris " in state.message), state.message


def test_warnings_compare_with_the_previous_month_from_the_landing_folder_when_never_published(clean):
    # 2026-09 was never published: skor_total_sebelumnya and the warnings both come from its reports in the
    # landing folder, so a predicate that fell there is a warning here (it was none: the two tables disagreed)
    _, output = clean
    skor = storage.read_table(output, "skor_koperasi", "2026-10").set_index("nik")
    assert (skor.loc["650229276094694", ["predikat_sebelumnya", "predikat", "asal_sebelumnya"]].tolist()
            == ["Dalam Pengawasan", "Dalam Pengawasan Khusus", "landing"])
    warnings = storage.read_table(output, "peringatan_dini", "2026-10")
    assert warnings["kode"].value_counts().to_dict() == {
        "komponen_turun_band": 13, "tidak_melapor_3_bulan_atau_lebih": 4, "predikat_turun": 1,
        "tidak_melapor_1_bulan": 1}
    assert warnings.loc[warnings["kode"] == "predikat_turun", "nik"].tolist() == ["650229276094694"]


def test_the_run_shows_the_top_of_the_worklist_in_prefect(clean):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.report import WORKLIST_ARTIFACT

    summary, output = clean
    worklist = storage.read_table(output, "daftar_prioritas", "2026-10")
    top = worklist[worklist["peringkat"] <= 10]  # worklist_top_n; 25 on the list, none beyond 10 in an area
    with get_client(sync_client=True) as client:
        found = {key: [a.data for a in client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[key])))] for key in (WORKLIST_ARTIFACT, "koperasi-sehat-ringkasan")}
    tables = [json.loads(data) for data in found[WORKLIST_ARTIFACT]]
    table = next(t for t in tables if {r["nik"] for r in t} == set(top["nik"]))  # this run's (others ran too)
    assert len(table) == len(top) == 25 and [r["peringkat"] for r in table[:2]] == [1, 2]
    markdown = next(m for m in found["koperasi-sehat-ringkasan"] if summary["run_id"][:7] in m
                    and "## Daftar prioritas: 3 teratas per kabupaten/kota" in m)
    first = top.sort_values(["kabupaten_kota", "peringkat"]).iloc[0]
    assert f"| {first['kabupaten_kota']} | 1 | {first['nama']} ({first['nik']}) |" in markdown


def test_the_manifest_records_the_run(clean):
    summary, output = clean
    manifest = json.loads(Path(summary["manifest"]).read_text())
    assert manifest["run_id"] == summary["run_id"] and manifest["periode"] == "2026-10"
    assert manifest["parameter"]["period"] == "2026-10"
    assert manifest["jumlah"]["laporan_dibaca"] == 43 and manifest["jumlah"]["dinilai"] == 36
    files = {f["sumber"]: f for f in manifest["berkas_masukan"]}
    # registry, 34 report files, 3 questionnaire files, the findings and the examiners' checklists
    assert len(files) == 1 + 34 + 3 + 1 + 1 and files["koperasi.csv"]["baris"] == 109
    assert files["koperasi.csv"]["encoding"] == "utf-8" and manifest["berkas_tidak_dibaca"] == []
    assert files["koperasi.csv"]["sha256"] == hashlib.sha256((DATA_DIR / "sample" / "koperasi.csv").read_bytes()
                                                             ).hexdigest()
    assert manifest["great_expectations"]["sukses"] is True and manifest["great_expectations"]["failed"] == 0
    assert set(manifest["keluaran"]) == {*OUTPUT_TABLES, "laporan"}
    documents = output / "laporan" / "periode=2026-10"
    assert manifest["keluaran"]["laporan"] == str(documents)
    assert manifest["berkas_laporan"] == list(snapshot(documents))  # every document, by its path in the folder
    record = json.loads((output / "_terbit" / "2026-10.json").read_text())
    assert record["laporan"] == {"folder": "laporan/periode=2026-10", "berkas": len(manifest["berkas_laporan"])}
    assert set(manifest["versi"]["rulebook"]) == {"_koperasi.toml", "kkpkk-2021-draft.toml", "ksp-2009.toml",
                                                  "ksp-2016.toml"}
    assert manifest["versi"]["versi_rulebook"] == {"kkpkk-2021-draft": "2026-11-30", "ksp-2009": "2026-11-30",
                                                   "ksp-2016": "2026-11-30"}  # a rerun after a correction says so
    assert manifest["versi"]["paket"]["prefect"].startswith("3.")


def test_a_second_run_of_a_period_being_written_is_refused(tmp_path):
    from flows import locks
    from flows.pipeline import monthly_scoring

    with locks.period_lock(tmp_path, "2026-10", "2026-10_running"):
        state = monthly_scoring(period="2026-10", input=str(DATA_DIR / "sample"), output=str(tmp_path),
                                return_state=True)
    assert state.is_failed()
    assert state.message == (f"periode 2026-10 di {tmp_path} sedang ditulis oleh run 2026-10_running "
                             f"(pid {__import__('os').getpid()}); tunggu sampai selesai, lalu jalankan lagi")
    assert not (tmp_path / "skor_koperasi").exists()


def test_a_run_on_a_local_dask_cluster_equals_the_local_run(clean, tmp_path):
    from flows.pipeline import with_runner

    _, local = clean
    state = with_runner(dask_local=2)(period="2026-10", input=str(DATA_DIR / "sample"), output=str(tmp_path),
                                      return_state=True)
    assert state.is_completed(), state.message
    for table in OUTPUT_TABLES:
        expected = storage.read_table(local, table, "2026-10").drop(columns=["run_id", "dihitung_pada"],
                                                                    errors="ignore")
        found = storage.read_table(tmp_path, table, "2026-10").drop(columns=["run_id", "dihitung_pada"],
                                                                   errors="ignore")
        pd.testing.assert_frame_equal(found, expected, obj=table)


def test_a_backfill_on_a_local_dask_cluster_equals_the_months_run_one_after_another(tmp_path):
    """The months are read and scored ahead on the workers, then published in order: the history of each month (the
    previous month's scores, the action tables' earlier months) is what the months run one after another give."""
    from flows.pipeline import monthly_scoring, with_runner

    months = ["2026-08", "2026-09", "2026-10"]
    for month in months:
        assert monthly_scoring(period=month, input=str(DATA_DIR / "sample"), output=str(tmp_path / "urut"),
                               return_state=True).is_completed()
    state = with_runner(dask_local=2, backfill=True)(periods=months, input=str(DATA_DIR / "sample"),
                                                     output=str(tmp_path / "dask"), return_state=True)
    assert state.is_completed(), state.message
    assert [summary["periode"] for summary in state.result()] == months
    for month in months:
        for table in OUTPUT_TABLES:
            expected, found = (storage.read_table(tmp_path / folder, table, month).drop(
                columns=["run_id", "dihitung_pada"], errors="ignore") for folder in ("urut", "dask"))
            pd.testing.assert_frame_equal(found, expected, obj=f"{table} {month}")
    assert storage.read_table(tmp_path / "dask", "skor_koperasi", "2026-10")["asal_sebelumnya"].eq("terbit").sum() > 30
