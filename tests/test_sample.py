"""The seeded sample generator: determinism, counts, the contract's columns, the real input checks (no row of the
clean sample rejected, exactly the rows CACAT.md names in the dirty drop), and the dirty drop's named defects."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from openpyxl import load_workbook

from flows import cli
from flows.config import TIMEZONE
from flows.ingest.landing import Landing, read_landing
from sample import SCALES, build_registry, write_sample
from sample.scales import Months
from schemas import input_models, inputs
from schemas.resubmission import resolve_submissions
from schemas.rules import KOLEKTIBILITAS, PINJAMAN_DIBERIKAN, TOTAL_KEWAJIBAN
from scoring.columns import EKUITAS, LAPORAN
from scoring.rulebook import book_for
from scoring.status import aktif

ROOT = Path(__file__).resolve().parents[1]
REPORT_COLUMNS = list(LAPORAN)
BOOK = book_for("2026-10", "ksp")  # the book in force for the sample's last period
STARTED = datetime(2027, 1, 1, tzinfo=TIMEZONE)  # a run's start after every submission of the sample
# the report defects the report check rejects (registri_ditolak: the row's registry row is rejected); the others are
# accepted, or resolved as resubmissions (duplikat_persis rejected, pengiriman_ulang and the UTC correction supersede)
REJECTED_BY_CHECK = {"neraca_tidak_seimbang", "kolektibilitas_tidak_sesuai", "nik_salah_ketik",
                     "periode_garis_miring", "periode_nama_bulan", "nilai_negatif", "volume_anggota_melebihi",
                     "periode_tahun_salah", "notasi_ganda", "registri_ditolak", "rumus_tanpa_nilai",
                     "tanggal_kirim_masa_depan"}


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


def _columns(model: type[pa.DataFrameModel]) -> list[str]:
    """An input model's columns as a file carries them (the reader adds sumber and baris)."""
    return [c for c in model.to_schema().columns if c not in ("sumber", "baris")]


@dataclass(frozen=True)
class _Checked:
    """A landing folder through the real input checks, as `flows.prepare` calls them."""

    landing: Landing
    koperasi: inputs.Checked
    kuesioner: inputs.Checked
    faktor: inputs.Checked
    laporan: inputs.Checked

    def rejected(self, table: str) -> set[tuple[str, int]]:
        """(sumber, spreadsheet row) of each rejected row of a table."""
        raw = getattr(self.landing, table)
        rows = raw.loc[getattr(self, table).alasan.index]
        return set(zip(rows["sumber"], rows["baris"].astype(int)))


def _checked(folder: Path, started: datetime = STARTED) -> _Checked:
    landing = read_landing(folder)
    koperasi = inputs.check_koperasi(landing.koperasi, started.date(), landing.catatan)
    registry = inputs.registry_of(landing.koperasi, koperasi)
    return _Checked(landing, koperasi, inputs.check_kuesioner(landing.kuesioner, registry, landing.catatan),
                    inputs.check_faktor(landing.faktor, registry, landing.catatan),
                    inputs.check_laporan(landing.laporan, registry, started, landing.catatan))


@pytest.fixture(scope="module")
def clean_checked(clean: tuple[Path, dict[str, int]]) -> _Checked:
    return _checked(clean[0])


@pytest.fixture(scope="module")
def clean_reports(clean_checked: _Checked) -> pd.DataFrame:
    """The accepted report rows of the clean sample, typed, with the month of their file (`berkas`)."""
    valid = clean_checked.laporan.valid
    return valid.assign(berkas=valid["sumber"].str.extract(r"laporan_(\d{4}-\d{2})", expand=False))


def test_another_seed_gives_other_data(clean: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    write_sample(tmp_path, seed=7)
    assert (tmp_path / "koperasi.csv").read_bytes() != (clean[0] / "koperasi.csv").read_bytes()


@pytest.mark.parametrize(("folder", "fixture"), [("sample", "clean"), ("sample_dirty", "dirty")])
def test_committed_samples_match_the_generator(folder: str, fixture: str, request: pytest.FixtureRequest
                                               ) -> None:
    """The same seed gives identical bytes: those committed."""
    assert _files(ROOT / "data" / folder) == _files(request.getfixturevalue(fixture)[0])


def test_registry_counts(clean: tuple[Path, dict[str, int]]) -> None:
    registry = pd.read_csv(clean[0] / "koperasi.csv", dtype=str)
    rat = pd.to_datetime(registry["tanggal_rat_terakhir"])
    active = aktif(registry["tanggal_rat_terakhir"], "2026-10")  # the status rule
    assert len(registry) == 109 and registry["nik"].is_unique
    assert registry["nik"].str.fullmatch(r"65\d{13}").all()
    assert (int(active.sum()), int((~active).sum())) == (68, 41)
    assert set(registry["jenis"]) == set(SCALES["kaltara"].jenis_counts)
    assert registry["jenis"].isin(["ksp", "usp"]).sum() == 40
    assert registry["jenis"].isin(["kspps", "uspps"]).sum() == 6
    assert set(registry["kode_wilayah"]) == {"65.01", "65.02", "65.03", "65.04", "65.71"}
    assert (rat.isna() | (pd.to_datetime(registry["tanggal_badan_hukum"]) < rat)).all()
    assert (rat.dropna() <= "2026-10-31").all()
    assert clean[1]["koperasi"] == 109 and (clean[1]["aktif"], clean[1]["tidak_aktif"]) == (68, 41)


def test_national_registry_scale() -> None:
    registry = build_registry(SCALES["national"], Months.ending("2026-10"), np.random.default_rng(2026))
    assert len(registry) == 130_000 and registry["nik"].is_unique
    assert registry["kode_wilayah"].str[:2].nunique() == 38
    assert registry["jenis"].isin(["ksp", "usp", "kspps", "uspps"]).sum() == pytest.approx(18_000, rel=0.01)


def test_files_have_the_contract_columns(clean: tuple[Path, dict[str, int]]) -> None:
    files = sorted((clean[0] / "laporan").glob("*.csv"))
    assert len(files) == 34
    assert set(REPORT_COLUMNS) == set(_columns(input_models.Laporan))
    for path in files:
        assert path.read_text(encoding="utf-8").splitlines()[0].split(",") == REPORT_COLUMNS
    for name, model in (("koperasi.csv", input_models.Koperasi), ("faktor_pengurang.csv", input_models.FaktorPengurang),
                        ("kuesioner/kuesioner_2026.csv", input_models.Kuesioner)):
        assert (clean[0] / name).read_text(encoding="utf-8").splitlines()[0].split(",") == _columns(model)


def test_the_clean_sample_passes_every_input_check(clean: tuple[Path, dict[str, int]], clean_checked: _Checked,
                                                   clean_reports: pd.DataFrame) -> None:
    checked = clean_checked
    for table in ("koperasi", "kuesioner", "faktor", "laporan"):
        assert checked.rejected(table) == set(), table
    assert (len(checked.koperasi.valid), len(checked.kuesioner.valid), len(checked.faktor.valid),
            len(checked.laporan.valid)) == (109, clean[1]["kuesioner"], 4, clean[1]["laporan"])
    submissions = resolve_submissions(checked.laporan.valid)
    assert len(submissions.alasan) == 0 and len(submissions.superseded) == clean[1]["laporan_koreksi"]
    r = clean_reports  # what the contract leaves open, the sample keeps tight
    assert r["periode"].between("2024-01", "2026-10").all()
    assert (r["tanggal_kirim"] >= pd.PeriodIndex(r["periode"], freq="M").end_time).all()
    assert (r["periode"] <= r["berkas"]).all()
    assert r["total_aset"].between(40_000_000, 60_000_000_000).all()


def test_income_statement_is_year_to_date(clean_reports: pd.DataFrame) -> None:
    first = clean_reports.sort_values("tanggal_kirim").drop_duplicates(["nik", "periode"])
    first = first.sort_values(["nik", "periode"]).assign(tahun=lambda f: f["periode"].str[:4])
    growth = first.groupby(["nik", "tahun"])["partisipasi_bruto"].diff().dropna()
    assert (growth >= 0).all()
    january = first[first["periode"].str.endswith("-01")]
    december = first[first["periode"].str.endswith("-12")]
    december = december.assign(tahun=(december["tahun"].astype(int) + 1).astype(str))
    both = january.merge(december, on=["nik", "tahun"], suffixes=("_jan", "_des"))
    assert len(both) > 0 and (both["partisipasi_bruto_jan"] < both["partisipasi_bruto_des"]).all()


def test_late_corrections(clean: tuple[Path, dict[str, int]], clean_reports: pd.DataFrame) -> None:
    r = clean_reports
    repeated = r[r.duplicated(["nik", "periode"], keep=False)].sort_values("tanggal_kirim")
    later = repeated[repeated.duplicated(["nik", "periode"], keep="first")]
    assert len(later) == clean[1]["laporan_koreksi"] == 5
    assert ((later["berkas"] == "2026-10") & (later["periode"] == "2026-10")).sum() >= 2
    assert ((later["berkas"] == "2026-10") & (later["periode"] == "2026-09")).sum() >= 1
    assert (later["berkas"] > later["periode"]).sum() >= 3


def test_reporting_gaps_and_stops(clean_reports: pd.DataFrame) -> None:
    r = clean_reports.drop_duplicates(["nik", "periode"])
    months = pd.PeriodIndex(r["periode"], freq="M")
    r = r.assign(t=(months.year - 2024) * 12 + months.month - 1).sort_values(["nik", "t"])
    last = r.groupby("nik")["t"].max()
    assert (last < 33).sum() >= 4
    assert (r.groupby("nik")["t"].diff() >= 4).any()


def test_questionnaire_sets(clean: tuple[Path, dict[str, int]]) -> None:
    """Whole sets of the book's questions (the check above); one a year, in February."""
    q = pd.concat([pd.read_csv(f, dtype=str) for f in sorted((clean[0] / "kuesioner").glob("*.csv"))])
    registry = pd.read_csv(clean[0] / "koperasi.csv", dtype=str)
    questions = sum(k.pertanyaan for k in BOOK.komponen if k.kuesioner)
    assert (q.groupby(["nik", "tanggal"]).size() == questions).all()
    assert set(q["jawaban"]) == {"ya", "tidak"}
    assert set(q["tanggal"].str[:7]) == {"2024-02", "2025-02", "2026-02"}
    assert q.groupby(["nik", q["tanggal"].str[:4]])["tanggal"].nunique().eq(1).all()
    savings = registry.loc[registry["jenis"].isin(["ksp", "usp", "kspps", "uspps"]), "nik"]
    assert 0 < (~savings.isin(q["nik"])).sum() <= 5


def test_supervisors_findings(clean: tuple[Path, dict[str, int]]) -> None:
    f = pd.read_csv(clean[0] / "faktor_pengurang.csv", dtype=str)
    registry = pd.read_csv(clean[0] / "koperasi.csv", dtype=str).set_index("nik")
    assert len(f) == 4 and f["kode"].is_unique and set(f["kode"]) <= set(BOOK.faktor_kode)
    assert registry.loc[f["nik"], "jenis"].isin(BOOK.jenis).all()
    closed = f.dropna(subset=["berlaku_sampai"])
    assert f["berlaku_sampai"].isna().any() and (closed["berlaku_sampai"] >= closed["berlaku_mulai"]).all()


def test_cacat_rows_exist_at_the_stated_row_numbers(dirty: tuple[Path, dict[str, int]]) -> None:
    cacat = _cacat(dirty[0])
    for row in cacat[cacat["baris"] > 0].itertuples():  # baris 0: the file as a whole
        rows = _data_rows(dirty[0] / row.sumber)  # CACAT's baris is a run's: a header is row 1, Parquet's first 1
        assert rows[row.baris - (1 if row.sumber.endswith(".parquet") else 2)][0] == row.nik, row


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
        return r.iloc[int(cacat.loc[code, "baris"]) - 2]  # the header is row 1

    def gap(x: pd.Series) -> int:
        return int(x["total_aset"] - x[list(TOTAL_KEWAJIBAN + EKUITAS)].sum())

    unbalanced = row("neraca_tidak_seimbang")
    assert abs(gap(unbalanced)) > max(1_000, 0.0001 * unbalanced["total_aset"])
    assert gap(row("pembulatan_dalam_toleransi")) == 500
    x = row("kolektibilitas_tidak_sesuai")
    assert x[list(PINJAMAN_DIBERIKAN)].sum() - x[list(KOLEKTIBILITAS)].sum() > 1_000
    registry = pd.read_csv(out / "koperasi.csv", dtype=str)
    assert row("nik_salah_ketik")["nik"] not in set(registry["nik"])
    assert row("periode_garis_miring")["periode"] == "10/2026"
    assert row("periode_nama_bulan")["periode"] == "Oktober 2026"
    assert row("nilai_negatif")["beban_lain"] < 0
    volume = row("volume_anggota_melebihi")
    assert volume["volume_pinjaman_anggota"] > volume["volume_pinjaman"]
    for baris in cacat.loc[["duplikat_persis"], "baris"]:
        copy = r.iloc[baris - 2]
        assert ((r == copy).all(axis=1).sum()) == 2
    resent = row("pengiriman_ulang")
    same = r[(r["nik"] == resent["nik"]) & (r["periode"] == resent["periode"])]
    assert len(same) == 2 and same["tanggal_kirim"].idxmax() == resent.name


def test_the_input_checks_reject_exactly_the_defects_cacat_names(dirty: tuple[Path, dict[str, int]]) -> None:
    checked, cacat = _checked(dirty[0]), _cacat(dirty[0])

    def rows(codes: set[str]) -> set[tuple[str, int]]:  # CACAT's baris is the run's (one numbering: trial)
        named = cacat[cacat["cacat"].isin(codes)]
        return set(zip(named["sumber"], named["baris"]))

    assert checked.rejected("laporan") == rows(REJECTED_BY_CHECK)
    assert checked.rejected("koperasi") == rows({"tanggal_registri_salah"})
    assert checked.rejected("faktor") == set()
    per_set = checked.landing.kuesioner.loc[checked.kuesioner.alasan.index].groupby("nik").size().to_dict()
    named = cacat.set_index("cacat")["nik"]
    assert per_set == {named["pertanyaan_hilang"]: 37, named["jawaban_ganda"]: 39, named["registri_ditolak"]: 38}
    submissions = resolve_submissions(checked.laporan.valid)
    resolved = checked.landing.laporan.loc[submissions.alasan.index]
    assert set(zip(resolved["sumber"], resolved["baris"])) == rows({"duplikat_persis"})
    assert set(submissions.superseded["nik"]) == {named["pengiriman_ulang"], named["koreksi_zona_waktu"]}


def test_semicolon_export(dirty: tuple[Path, dict[str, int]]) -> None:
    """Read as an Indonesian spreadsheet export (and accepted by the checks, above)."""
    raw = (dirty[0] / "laporan" / "laporan_2026-10_semicolon.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b",") == raw.count(b",00")
    table = pd.read_csv(dirty[0] / "laporan" / "laporan_2026-10_semicolon.csv", sep=";", thousands=".",
                        decimal=",", dtype={"nik": str}, encoding="utf-8-sig")
    assert list(table.columns) == REPORT_COLUMNS and len(table) == dirty[1]["laporan_semicolon"] == 5


def test_dirty_questionnaire_defects(dirty: tuple[Path, dict[str, int]]) -> None:
    q = pd.read_csv(dirty[0] / "kuesioner" / "kuesioner_2026.csv", dtype=str)
    cacat = _cacat(dirty[0]).set_index("cacat")
    sizes = q.groupby("nik").size()
    assert sizes[cacat.loc["pertanyaan_hilang", "nik"]] == 37
    assert sizes[cacat.loc["jawaban_ganda", "nik"]] == 39
    defective = [cacat.loc["pertanyaan_hilang", "nik"], cacat.loc["jawaban_ganda", "nik"]]
    assert (sizes.drop(defective) == 38).all()


def test_unknown_scale_and_malformed_last_period_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="kaltara, national"):
        write_sample(tmp_path, scale="jawa")
    with pytest.raises(ValueError, match="not YYYY-MM"):
        write_sample(tmp_path, last_period="2026-13")


def test_another_last_period_moves_every_month(tmp_path: Path) -> None:
    counts = write_sample(tmp_path, last_period="2027-03")
    checked = _checked(tmp_path, datetime(2027, 6, 1, tzinfo=TIMEZONE))
    assert all(checked.rejected(table) == set() for table in ("koperasi", "kuesioner", "faktor", "laporan"))
    periods = checked.laporan.valid["periode"]
    assert (periods.min(), periods.max(), periods.nunique()) == ("2024-06", "2027-03", 34)
    active = aktif(checked.koperasi.valid["tanggal_rat_terakhir"], "2027-03")
    assert (int(active.sum()), counts["aktif"]) == (68, 68)
    assert set(checked.kuesioner.valid["tanggal"].dt.strftime("%Y-%m")) == {"2025-02", "2026-02", "2027-02"}
    assert checked.faktor.valid["berlaku_mulai"].max() == "2027-02"  # as 2026-09 is for 2026-10
    assert sorted(p.name for p in (tmp_path / "laporan").iterdir())[-1] == "laporan_2027-03.csv"


def test_the_cli_default_last_period_is_the_generator_s() -> None:
    assert cli.SAMPLE_LAST_PERIOD == inspect.signature(write_sample).parameters["last_period"].default


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


def test_a_dirty_drop_of_a_scale_whose_reports_are_parquet_writes_its_reports_as_csv(
        dirty: tuple[Path, dict[str, int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The national scale's reports are Parquet; its dirty drop's defects are typed text, so they go in a CSV (this
    raised ArrowInvalid on '928.000')."""
    from dataclasses import replace

    monkeypatch.setitem(SCALES, "kaltara_parquet", replace(SCALES["kaltara"], format_laporan="parquet"))
    assert write_sample(tmp_path, scale="kaltara_parquet", dirty=True) == dirty[1]
    assert sorted(p.name for p in (tmp_path / "laporan").iterdir()) == sorted(
        p.name for p in (dirty[0] / "laporan").iterdir())
    assert (tmp_path / "laporan" / "laporan_2026-10.csv").read_bytes() == \
        (dirty[0] / "laporan" / "laporan_2026-10.csv").read_bytes()
