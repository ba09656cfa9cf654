"""The seeded sample generator: determinism, counts, row rules, and the dirty drop's named defects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openpyxl import load_workbook

from sample import SCALES, build_registry, write_sample
from sample.scales import Months
from scoring.columns import LAPORAN

ROOT = Path(__file__).resolve().parents[1]
REPORT_COLUMNS = list(LAPORAN)
ASSETS = ["kas", "bank", "simpanan_di_lembaga_lain", "surat_berharga", "pinjaman_anggota",
          "pinjaman_non_anggota", "pendapatan_yang_masih_harus_diterima", "penyertaan", "aset_tetap",
          "aset_lain"]
LIABILITIES = ["simpanan_sukarela", "simpanan_berjangka", "hutang_pihak_lain",
               "beban_yang_masih_harus_dibayar", "kewajiban_lain"]
EQUITY = ["simpanan_pokok", "simpanan_wajib", "modal_penyetaraan", "modal_penyertaan", "hibah",
          "cadangan_umum", "cadangan_tujuan_risiko", "shu_belum_dibagi"]
BUCKETS = ["pinjaman_lancar", "pinjaman_kurang_lancar", "pinjaman_diragukan", "pinjaman_macet"]
FACTOR_CODES = {"pelanggaran_ketentuan", "pembukuan_bermasalah", "pinjaman_tidak_sesuai_prosedur",
                "tidak_melapor_3_kali", "volume_pinjaman_tidak_diaudit", "manajer_tanpa_wewenang",
                "perselisihan_intern", "campur_tangan_pihak_luar", "rekayasa_pembukuan",
                "usaha_tidak_dibukukan"}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("clean")
    return out, write_sample(out)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("dirty")
    return out, write_sample(out, dirty=True)


def _files(folder: Path) -> dict[str, bytes]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def _reports(folder: Path) -> pd.DataFrame:
    frames = [pd.read_csv(f, dtype={"nik": str, "periode": str, "diaudit": str}).assign(berkas=f.stem[-7:])
              for f in sorted((folder / "laporan").glob("laporan_*.csv"))]
    return pd.concat(frames, ignore_index=True)


def _cacat(folder: Path) -> pd.DataFrame:
    lines = [line for line in (folder / "CACAT.md").read_text(encoding="utf-8").splitlines()
             if line.startswith("| ") and not line.startswith("| sumber")]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    table = pd.DataFrame(cells, columns=["sumber", "baris", "nik", "cacat", "keterangan"])
    return table.astype({"baris": int})


def _data_rows(path: Path) -> list[list[str]]:
    """The data rows of a file of the dirty drop, each cell as text (CSV in any of its encodings, xlsx, Parquet)."""
    if path.suffix == ".xlsx":
        return [[str(c) for c in row] for row in load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
    if path.suffix == ".parquet":
        return pd.read_parquet(path).astype(str).values.tolist()
    data = path.read_bytes()
    text = (data.decode("utf-16") if data[:2] == b"\xff\xfe" else data.decode("utf-8-sig")).splitlines()
    sep = max((",", ";", "\t"), key=text[0].count)
    return [line.split(sep) for line in text[1:]]


def test_same_seed_gives_identical_bytes(clean: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    assert write_sample(tmp_path) == clean[1]
    assert _files(tmp_path) == _files(clean[0])


def test_another_seed_gives_other_data(clean: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    write_sample(tmp_path, seed=7)
    assert (tmp_path / "koperasi.csv").read_bytes() != (clean[0] / "koperasi.csv").read_bytes()


@pytest.mark.parametrize(("folder", "fixture"), [("sample", "clean"), ("sample_dirty", "dirty")])
def test_committed_samples_match_the_generator(folder: str, fixture: str, request: pytest.FixtureRequest
                                               ) -> None:
    assert _files(ROOT / "data" / folder) == _files(request.getfixturevalue(fixture)[0])


def test_registry_counts(clean: tuple[Path, dict[str, int]]) -> None:
    registry = pd.read_csv(clean[0] / "koperasi.csv", dtype=str)
    rat = pd.to_datetime(registry["tanggal_rat_terakhir"])
    aktif = (rat > "2023-10-31") & (rat <= "2026-10-31")
    assert len(registry) == 109 and registry["nik"].is_unique
    assert registry["nik"].str.fullmatch(r"65\d{13}").all()
    assert (int(aktif.sum()), int((~aktif).sum())) == (68, 41)
    assert set(registry["jenis"]) == set(SCALES["kaltara"].jenis_counts)
    assert registry["jenis"].isin(["ksp", "usp"]).sum() == 40
    assert registry["jenis"].isin(["kspps", "uspps"]).sum() == 6
    assert set(registry["kode_wilayah"]) == {"65.01", "65.02", "65.03", "65.04", "65.71"}
    assert (rat.isna() | (pd.to_datetime(registry["tanggal_badan_hukum"]) < rat)).all()
    assert clean[1]["koperasi"] == 109 and (clean[1]["aktif"], clean[1]["tidak_aktif"]) == (68, 41)


def test_national_registry_scale() -> None:
    registry = build_registry(SCALES["national"], Months.ending("2026-10"), np.random.default_rng(2026))
    assert len(registry) == 130_000 and registry["nik"].is_unique
    assert registry["kode_wilayah"].str[:2].nunique() == 38
    assert registry["jenis"].isin(["ksp", "usp", "kspps", "uspps"]).sum() == pytest.approx(18_000, rel=0.01)


def test_report_files_have_contract_columns(clean: tuple[Path, dict[str, int]]) -> None:
    files = sorted((clean[0] / "laporan").glob("*.csv"))
    assert len(files) == 34
    for path in files:
        assert path.read_text(encoding="utf-8").splitlines()[0].split(",") == REPORT_COLUMNS


def test_every_clean_report_row_satisfies_the_row_rules(clean: tuple[Path, dict[str, int]]) -> None:
    r = _reports(clean[0])
    registry = pd.read_csv(clean[0] / "koperasi.csv", dtype=str)
    money = r[REPORT_COLUMNS[4:-1]]
    loans = r["pinjaman_anggota"] + r["pinjaman_non_anggota"]
    liabilities = r[LIABILITIES].sum(axis=1)
    assert (money.dtypes == "int64").all()
    assert (r[ASSETS].sum(axis=1) - r["penyisihan_penghapusan_pinjaman"] == r["total_aset"]).all()
    assert (liabilities + r[EQUITY].sum(axis=1) == r["total_aset"]).all()
    assert (r[BUCKETS].sum(axis=1) == loans).all()
    assert (r["pinjaman_berisiko"] <= loans).all()
    assert (r["volume_pinjaman_anggota"] <= r["volume_pinjaman"]).all()
    assert (r["biaya_karyawan"] <= r["beban_usaha"]).all()
    assert (r["kewajiban_lancar"] <= liabilities).all()
    assert (money.drop(columns="shu_belum_dibagi") >= 0).all().all()
    assert (r["jumlah_anggota"] > 0).all()
    assert r["nik"].isin(registry["nik"]).all()
    assert r["periode"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert r["periode"].between("2024-01", "2026-10").all()
    assert r["diaudit"].isin(["true", "false"]).all()
    kirim = pd.to_datetime(r["tanggal_kirim"], format="%Y-%m-%dT%H:%M:%S")
    assert (kirim >= pd.PeriodIndex(r["periode"], freq="M").end_time).all()
    assert (r["periode"] <= r["berkas"]).all()
    assert r["total_aset"].between(40_000_000, 60_000_000_000).all()


def test_income_statement_is_year_to_date(clean: tuple[Path, dict[str, int]]) -> None:
    first = _reports(clean[0]).sort_values("tanggal_kirim").drop_duplicates(["nik", "periode"])
    first = first.sort_values(["nik", "periode"]).assign(tahun=lambda f: f["periode"].str[:4])
    growth = first.groupby(["nik", "tahun"])["partisipasi_bruto"].diff().dropna()
    assert (growth >= 0).all()
    january = first[first["periode"].str.endswith("-01")]
    december = first[first["periode"].str.endswith("-12")]
    december = december.assign(tahun=(december["tahun"].astype(int) + 1).astype(str))
    both = january.merge(december, on=["nik", "tahun"], suffixes=("_jan", "_des"))
    assert len(both) > 0 and (both["partisipasi_bruto_jan"] < both["partisipasi_bruto_des"]).all()


def test_late_corrections(clean: tuple[Path, dict[str, int]]) -> None:
    r = _reports(clean[0])
    repeated = r[r.duplicated(["nik", "periode"], keep=False)].sort_values("tanggal_kirim")
    later = repeated[repeated.duplicated(["nik", "periode"], keep="first")]
    assert len(later) == clean[1]["laporan_koreksi"] == 5
    assert ((later["berkas"] == "2026-10") & (later["periode"] == "2026-10")).sum() >= 2
    assert ((later["berkas"] == "2026-10") & (later["periode"] == "2026-09")).sum() >= 1
    assert (later["berkas"] > later["periode"]).sum() >= 3


def test_reporting_gaps_and_stops(clean: tuple[Path, dict[str, int]]) -> None:
    r = _reports(clean[0]).drop_duplicates(["nik", "periode"])
    months = pd.PeriodIndex(r["periode"], freq="M")
    r = r.assign(t=(months.year - 2024) * 12 + months.month - 1).sort_values(["nik", "t"])
    last = r.groupby("nik")["t"].max()
    assert (last < 33).sum() >= 4
    assert (r.groupby("nik")["t"].diff() >= 4).any()


def test_questionnaire_sets_are_complete(clean: tuple[Path, dict[str, int]]) -> None:
    q = pd.concat([pd.read_csv(f, dtype=str) for f in sorted((clean[0] / "kuesioner").glob("*.csv"))])
    registry = pd.read_csv(clean[0] / "koperasi.csv", dtype=str)
    expected = {("manajemen_umum", 12), ("kelembagaan", 6), ("manajemen_permodalan", 5),
                ("manajemen_aktiva", 10), ("manajemen_likuiditas", 5)}
    for _, answers in q.groupby(["nik", "tanggal"]):
        assert len(answers) == 38 and not answers.duplicated(["komponen", "nomor"]).any()
        numbers = answers.assign(nomor=answers["nomor"].astype(int)).groupby("komponen")["nomor"].max()
        assert set(numbers.items()) == expected
    assert set(q["jawaban"]) == {"ya", "tidak"}
    assert set(q["tanggal"].str[:7]) == {"2024-02", "2025-02", "2026-02"}
    savings = registry.loc[registry["jenis"].isin(["ksp", "usp", "kspps", "uspps"]), "nik"]
    assert 0 < (~savings.isin(q["nik"])).sum() <= 5


def test_supervisors_findings(clean: tuple[Path, dict[str, int]]) -> None:
    f = pd.read_csv(clean[0] / "faktor_pengurang.csv", dtype=str)
    registry = pd.read_csv(clean[0] / "koperasi.csv", dtype=str).set_index("nik")
    assert list(f.columns) == ["nik", "kode", "berlaku_mulai", "berlaku_sampai", "keterangan"]
    assert len(f) == 4 and set(f["kode"]) <= FACTOR_CODES
    assert registry.loc[f["nik"], "jenis"].isin(["ksp", "usp"]).all()
    closed = f.dropna(subset=["berlaku_sampai"])
    assert f["berlaku_sampai"].isna().any() and (closed["berlaku_sampai"] >= closed["berlaku_mulai"]).all()


def test_cacat_rows_exist_at_the_stated_row_numbers(dirty: tuple[Path, dict[str, int]]) -> None:
    cacat = _cacat(dirty[0])
    for row in cacat[cacat["baris"] > 0].itertuples():  # baris 0: the file as a whole
        rows = _data_rows(dirty[0] / row.sumber)
        assert rows[row.baris - 1][0] == row.nik, row


def test_cacat_counts_match_returned_counts(dirty: tuple[Path, dict[str, int]]) -> None:
    counts = _cacat(dirty[0])["cacat"].value_counts()
    assert {f"cacat_{k}": int(v) for k, v in counts.items()} == {
        k: v for k, v in dirty[1].items() if k.startswith("cacat_")}
    assert set(counts.index) == {
        "duplikat_persis", "pengiriman_ulang", "neraca_tidak_seimbang", "pembulatan_dalam_toleransi",
        "kolektibilitas_tidak_sesuai", "nik_salah_ketik", "periode_garis_miring", "periode_nama_bulan",
        "nilai_negatif", "volume_anggota_melebihi", "format_spreadsheet_indonesia", "pertanyaan_hilang",
        "jawaban_ganda", "periode_tahun_salah", "notasi_ganda", "karakter_tak_terlihat", "registri_ditolak",
        "tanggal_registri_salah", "excel", "rumus_tanpa_nilai", "akhir_baris_cr", "utf16_tab", "koreksi_zona_waktu",
        "tanggal_kirim_masa_depan", "judul_beda_huruf", "berkas_kunci", "berkas_tersembunyi", "jenis_tidak_dikenal",
        "berkas_lain"}


def test_dirty_defects_are_what_cacat_says(dirty: tuple[Path, dict[str, int]]) -> None:
    out, cacat = dirty[0], _cacat(dirty[0]).set_index("cacat")
    main = cacat.loc["neraca_tidak_seimbang", "sumber"]
    r = pd.read_csv(out / main, dtype={"nik": str, "periode": str})

    def row(code: str) -> pd.Series:
        return r.iloc[int(cacat.loc[code, "baris"]) - 1]

    def gap(x: pd.Series) -> int:
        return int(x["total_aset"] - x[LIABILITIES].sum() - x[EQUITY].sum())

    unbalanced = row("neraca_tidak_seimbang")
    assert abs(gap(unbalanced)) > max(1_000, 0.0001 * unbalanced["total_aset"])
    assert gap(row("pembulatan_dalam_toleransi")) == 500
    x = row("kolektibilitas_tidak_sesuai")
    assert x["pinjaman_anggota"] + x["pinjaman_non_anggota"] - x[BUCKETS].sum() > 1_000
    registry = pd.read_csv(out / "koperasi.csv", dtype=str)
    assert row("nik_salah_ketik")["nik"] not in set(registry["nik"])
    assert row("periode_garis_miring")["periode"] == "10/2026"
    assert row("periode_nama_bulan")["periode"] == "Oktober 2026"
    assert row("nilai_negatif")["beban_lain"] < 0
    volume = row("volume_anggota_melebihi")
    assert volume["volume_pinjaman_anggota"] > volume["volume_pinjaman"]
    for baris in cacat.loc[["duplikat_persis"], "baris"]:
        copy = r.iloc[baris - 1]
        assert ((r == copy).all(axis=1).sum()) == 2
    resent = row("pengiriman_ulang")
    same = r[(r["nik"] == resent["nik"]) & (r["periode"] == resent["periode"])]
    assert len(same) == 2 and same["tanggal_kirim"].idxmax() == resent.name


def test_dirty_rows_not_in_cacat_break_no_rule(dirty: tuple[Path, dict[str, int]]) -> None:
    r = pd.read_csv(dirty[0] / "laporan" / "laporan_2026-10.csv", dtype={"nik": str, "periode": str})
    registry = pd.read_csv(dirty[0] / "koperasi.csv", dtype=str)
    cacat = _cacat(dirty[0])
    accepted = {"pembulatan_dalam_toleransi", "pengiriman_ulang", "duplikat_persis", "karakter_tak_terlihat"}
    rejected = (cacat["sumber"] == "laporan/laporan_2026-10.csv") & ~cacat["cacat"].isin(accepted)
    ok = r.drop(index=cacat.loc[rejected, "baris"] - 1)
    loans = ok["pinjaman_anggota"] + ok["pinjaman_non_anggota"]
    gap = ok["total_aset"] - ok[LIABILITIES].sum(axis=1) - ok[EQUITY].sum(axis=1)
    assert (ok[ASSETS].sum(axis=1) - ok["penyisihan_penghapusan_pinjaman"] == ok["total_aset"]).all()
    assert (gap.abs() <= (0.0001 * ok["total_aset"]).clip(lower=1_000)).all()
    assert (ok[BUCKETS].sum(axis=1) == loans).all()
    assert (ok["volume_pinjaman_anggota"] <= ok["volume_pinjaman"]).all()
    assert (ok[REPORT_COLUMNS[4:-1]].drop(columns="shu_belum_dibagi") >= 0).all().all()
    assert ok["nik"].str.rstrip("\u200b").isin(registry["nik"]).all() and (ok["periode"] == "2026-10").all()


def test_semicolon_export(dirty: tuple[Path, dict[str, int]]) -> None:
    raw = (dirty[0] / "laporan" / "laporan_2026-10_semicolon.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b",") == raw.count(b",00")
    table = pd.read_csv(dirty[0] / "laporan" / "laporan_2026-10_semicolon.csv", sep=";", thousands=".",
                        decimal=",", dtype={"nik": str}, encoding="utf-8-sig")
    assert list(table.columns) == REPORT_COLUMNS and len(table) == dirty[1]["laporan_semicolon"] == 5
    assets = table[ASSETS].sum(axis=1) - table["penyisihan_penghapusan_pinjaman"]
    assert (assets == table["total_aset"]).all()


def test_dirty_questionnaire_defects(dirty: tuple[Path, dict[str, int]]) -> None:
    q = pd.read_csv(dirty[0] / "kuesioner" / "kuesioner_2026.csv", dtype=str)
    cacat = _cacat(dirty[0]).set_index("cacat")
    sizes = q.groupby("nik").size()
    assert sizes[cacat.loc["pertanyaan_hilang", "nik"]] == 37
    assert sizes[cacat.loc["jawaban_ganda", "nik"]] == 39
    defective = [cacat.loc["pertanyaan_hilang", "nik"], cacat.loc["jawaban_ganda", "nik"]]
    assert (sizes.drop(defective) == 38).all()


def test_unknown_scale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="kaltara, national"):
        write_sample(tmp_path, scale="jawa")


def test_the_office_files_of_the_dirty_drop(dirty: tuple[Path, dict[str, int]]) -> None:
    laporan = dirty[0] / "laporan"
    assert b"\n" not in (laporan / "laporan_2026-10_mac.csv").read_bytes()  # CR alone
    assert (laporan / "laporan_2026-10_unicode.csv").read_bytes()[:2] == b"\xff\xfe"
    kantor = load_workbook(laporan / "laporan_2026-10_kantor.xlsx")
    assert kantor.sheetnames == ["laporan"] and kantor["laporan"]["E3"].value.startswith("=")
    stamp = pd.read_parquet(laporan / "laporan_2026-10_koreksi.parquet")["tanggal_kirim"]
    assert str(stamp.dt.tz) == "UTC"
    registry = pd.read_csv(dirty[0] / "koperasi.csv", dtype=str)
    assert registry["tanggal_badan_hukum"].str.fullmatch(r"\d{2}/\d{2}/\d{4}").sum() == 1
    main = pd.read_csv(laporan / "laporan_2026-10.csv", dtype=str)
    assert main["nik"].str.endswith("\u200b").sum() == 1 and main["periode"].eq("2027-10").sum() == 1
