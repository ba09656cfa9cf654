"""The output contract (schemas/outputs.py) and the hive-partitioned Parquet storage (flows/storage.py)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from builders import frame, report, sehat
from flows import storage
from schemas.outputs import TABLES, arrow_schema, checked_arrow, empty_frame, to_arrow, validate_output
from schemas.tables import predikat_names
from scoring import KoperasiSehatError, score_reports
from scoring.early_warning import peringatan_dini
from scoring.explain import cooperative_columns, indicator_columns, status_columns
from scoring.path_to_sehat import jalan_menuju_sehat
from scoring.peers import persentil_sejawat
from scoring.reporting_quality import mutu_pelaporan
from scoring.worklist import daftar_prioritas
from scoring.status import predicate_columns, ringkasan_wilayah, status_koperasi
from scoring.errors import OutputContractError, PublishedOutputError

RUN = "2025-12_20260105T090000000000"
WHEN = pd.Timestamp("2026-01-05 09:00", tz="Asia/Makassar")
A, B = "6502000000000001", "6502000000000002"


def scored(periode: str = "2025-12", run_id: str = RUN):
    """Real engine output for two hand-made reports (one healthy, one nearly empty), explained, with run columns."""
    registry = {"nama": "KSP Maju", "jenis": "ksp", "kode_wilayah": "65.02", "kabupaten_kota": "Bulungan"}
    reports = frame(sehat(A, periode, **registry), report(B, periode, kas=5_000_000, **registry))
    result = score_reports(reports)
    indikator = indicator_columns(result.indikator, result.koperasi)
    koperasi = cooperative_columns(result.koperasi, indikator, reports,
                                   pd.DataFrame({"nik": [A, B], "pendamping": ["Budi", None]}))
    return koperasi.assign(run_id=run_id, dihitung_pada=WHEN), indikator.assign(run_id=run_id)


def status(periode: str = "2025-12") -> pd.DataFrame:
    """status_koperasi as pandas tends to hold it: object dates, Int32 with NA, "str" with NaN."""
    return pd.DataFrame({
        "nik": [A, B, "6502000000000003"], "nama": ["KSP Maju", "KSP Baru", "Kop. Jasa"],
        "jenis": ["ksp", "ksp", "jasa"], "kode_wilayah": ["65.02"] * 3, "kabupaten_kota": ["Bulungan"] * 3,
        "periode": periode, "aktif": [True, True, False],
        "tanggal_rat_terakhir": [dt.date(2025, 3, 1), dt.date(2024, 2, 29), None],
        "melapor": [True, True, False], "bulan_tidak_melapor_berturut": pd.array([0, 0, None], dtype="Int32"),
        "dinilai": [True, True, False], "alasan_tidak_dinilai": [None, None, "jenis jasa tidak dinilai"],
        "predikat": ["Sehat", "Dalam Pengawasan Khusus", None], "pendamping": ["Budi", None, None],
        "penjelasan": ["Sehat, skor ...", "Dalam Pengawasan Khusus, skor ...", "Tidak dinilai: jenis jasa tidak dinilai"],
        "run_id": RUN,
    })


def karantina(periode: str = "2025-12") -> pd.DataFrame:
    return pd.DataFrame({
        "sumber": ["laporan/2025-12.csv", "koperasi.csv"], "baris": [7, 2], "nik": ["65O2", None],
        "periode": periode, "alasan": [["nik tidak terdaftar"], ["nama kosong", "jenis tidak dikenal"]],
        "data": [json.dumps({"nik": "65O2"}), json.dumps({"nik": ""})], "run_id": RUN,
    })


def ringkasan(periode: str = "2025-12") -> pd.DataFrame:
    counts = {c: [0, 0] for c in predicate_columns().values()}
    counts["jumlah_sehat"] = [1, 1]
    counts["jumlah_dalam_pengawasan_khusus"] = [1, 1]
    return pd.DataFrame({
        "tingkat": ["kabupaten_kota", "provinsi"], "kode_wilayah": ["65.02", "65"],
        "kabupaten_kota": ["Bulungan", "Kalimantan Utara"], "periode": periode, "jumlah_koperasi": [3, 3],
        "jumlah_aktif": [2, 2], "jumlah_tidak_aktif": [1, 1], "jumlah_melapor": [2, 2], "jumlah_dinilai": [2, 2],
        **counts, "persen_sehat": [50.0, 50.0], "rata_rata_skor": [57.25, 57.25], "run_id": RUN,
    })


def categories_as_str(df: pd.DataFrame) -> pd.DataFrame:
    return df.astype({c: "str" for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})


def frames(periode: str = "2025-12") -> dict[str, pd.DataFrame]:
    koperasi, indikator = scored(periode)
    return {"skor_koperasi": koperasi, "skor_indikator": indikator, "karantina": karantina(periode),
            "status_koperasi": status(periode), "ringkasan_wilayah": ringkasan(periode),
            "laporan_terganti": pd.DataFrame({
                "sumber": ["laporan/a.csv"], "baris": [3], "nik": ["6502000000000001"], "periode": [periode],
                "tanggal_kirim": [f"{periode}-28T10:00:00"], "diganti_oleh": ["laporan/b.csv:2"],
                "data": ['{"nik": "6502000000000001"}'], "run_id": [RUN]}),
            **action_frames(periode)}


def action_frames(periode: str) -> dict[str, pd.DataFrame]:
    """skor_aspek and the five tables of "from scores to action", as scoring computes them for the two cooperatives
    of `scored` (A Sehat; B nearly empty, Dalam Pengawasan Khusus) and the three registered ones of `status`."""
    registry = {"nama": "KSP Maju", "jenis": "ksp", "kode_wilayah": "65.02", "kabupaten_kota": "Bulungan"}
    reports = frame(sehat(A, periode, **registry), report(B, periode, kas=5_000_000, **registry))
    result = score_reports(reports)
    koperasi = result.koperasi.assign(total_aset=reports["total_aset"], jumlah_anggota=reports["jumlah_anggota"])
    registered = status(periode).assign(pendamping=["Budi", None, None], bulan_tidak_melapor_berturut=pd.array(
        [0, 0, 2], dtype="Int32"))
    jalan = jalan_menuju_sehat(reports, koperasi, result.indikator)
    peringatan = peringatan_dini(periode, koperasi, result.indikator, registered, margin=2, falling_periods=3,
                                 silent_months=3, rat_months=3)
    submissions = pd.DataFrame({"nik": [A, B], "periode": periode, "terganti": False,
                                "tanggal_kirim": pd.to_datetime([f"{periode}-28T10:00:00"] * 2)})
    return {name: df.assign(run_id=RUN) for name, df in {
        "skor_aspek": result.aspek, "jalan_menuju_sehat": jalan, "peringatan_dini": peringatan,
        "persentil_sejawat": persentil_sejawat(koperasi, result.indikator, min_peers=2),
        "daftar_prioritas": daftar_prioritas(periode, koperasi, registered, jalan, peringatan, capacity=1,
                                             silent_months=3, members_per_step=10_000),
        "mutu_pelaporan": mutu_pelaporan(periode, registered, submissions, karantina(periode), deadline_day=10,
                                         months=12, timezone="Asia/Makassar"),
    }.items()}


# --- the contract ----------------------------------------------------------------------------------------------


def test_schemas_follow_the_books():
    koperasi = arrow_schema("skor_koperasi")
    assert koperasi.field("faktor_pengurang").type == pa.list_(pa.string())
    assert koperasi.field("dihitung_pada").type == pa.timestamp("us", tz="UTC")
    aspek = [n[len("skor_"):] for n in koperasi.names if n.startswith("skor_") and n not in
             ("skor_total", "skor_total_sebelumnya")]
    assert aspek == ["permodalan", "kualitas_aktiva_produktif", "manajemen", "efisiensi", "likuiditas",
                     "kemandirian_pertumbuhan", "jatidiri"]
    assert all(f"predikat_{a}" in koperasi.names for a in aspek)
    ringkasan_names = arrow_schema("ringkasan_wilayah").names
    assert {"jumlah_sehat", "jumlah_cukup_sehat", "jumlah_dalam_pengawasan", "jumlah_dalam_pengawasan_khusus",
            "jumlah_kurang_sehat", "jumlah_tidak_sehat", "jumlah_sangat_tidak_sehat"} <= set(ringkasan_names)
    assert len(predikat_names()) == 7
    status_schema = arrow_schema("status_koperasi")
    assert status_schema.field("tanggal_rat_terakhir").type == pa.date32()
    assert status_schema.field("bulan_tidak_melapor_berturut").type == pa.int32()
    assert arrow_schema("karantina").field("baris").type == pa.int64()


def test_every_column_is_described_in_both_schemas():
    for name, spec in TABLES.items():
        pandera = spec.pandera_schema
        assert list(pandera.columns) == arrow_schema(name).names
        for column in pandera.columns.values():
            assert column.description
        for f in arrow_schema(name):
            assert f.metadata[b"description"]


@pytest.mark.parametrize("table", list(TABLES))
def test_real_frames_validate_and_convert_to_the_exact_schema(table):
    df = frames()[table]
    valid = validate_output(table, df)
    assert list(valid.columns) == arrow_schema(table).names
    data = to_arrow(table, df)
    assert data.schema.equals(arrow_schema(table), check_metadata=True)
    assert to_arrow(table, valid).equals(data)


@pytest.mark.parametrize("table", ["skor_indikator", "jalan_menuju_sehat", "ringkasan_wilayah"])
def test_a_table_is_checked_without_a_whole_copy_of_its_frame(table, monkeypatch):
    """Pandera copied every output frame whole before checking it: the frame it checks is the check's own (built
    from the Arrow table written) and never coerced, so it is checked in place."""
    copies, original = [], pd.DataFrame.copy
    monkeypatch.setattr(pd.DataFrame, "copy", lambda self, *args, **kwargs: copies.append(self.shape) or original(
        self, *args, **kwargs))
    df = frames()[table]
    assert checked_arrow(table, df).num_rows == len(df) > 0
    assert df.shape not in copies


def test_conversion_ignores_how_pandas_holds_the_values():
    koperasi, _ = scored()
    as_strings = categories_as_str(koperasi)
    as_objects = as_strings.assign(faktor_pengurang=[np.array([], dtype=object), np.array(["F1"], dtype=object)],
                                   dihitung_pada=WHEN.tz_convert("UTC"))
    reordered = koperasi[koperasi.columns[::-1]]
    expected = to_arrow("skor_koperasi", koperasi.assign(faktor_pengurang=[[], ["F1"]]))
    assert to_arrow("skor_koperasi", as_objects).equals(expected)
    assert to_arrow("skor_koperasi", reordered.assign(faktor_pengurang=[[], ["F1"]])).equals(expected)
    # integral floats for an integer column, ints for a float column
    loose = status().assign(bulan_tidak_melapor_berturut=[0.0, 0.0, np.nan])
    assert to_arrow("status_koperasi", loose).equals(to_arrow("status_koperasi", status()))
    assert to_arrow("ringkasan_wilayah", ringkasan().assign(rata_rata_skor=[57, 57])).column("rata_rata_skor").type \
        == pa.float64()


def test_the_timestamp_is_stored_in_utc():
    koperasi, _ = scored()
    stored = to_arrow("skor_koperasi", koperasi).column("dihitung_pada")[0].as_py()
    assert stored == dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.timezone.utc)


def _break(table: str, **changes) -> pd.DataFrame:
    df = frames()[table].copy()
    for column, value in changes.items():
        df[column] = value
    return df


BREAKS = [  # table, frame, the column(s) and the check the message must name
    ("skor_koperasi", lambda: frames()["skor_koperasi"].drop(columns="skor_likuiditas"),
     ["skor_likuiditas", "missing"]),
    ("skor_koperasi", lambda: frames()["skor_koperasi"].assign(catatan="x"), ["catatan", "extra"]),
    ("skor_koperasi", lambda: _break("skor_koperasi", skor_total=["83.75", "30.00"]),
     ["skor_total", "double", "83.75"]),
    ("skor_koperasi", lambda: _break("skor_koperasi", dihitung_pada=pd.Timestamp("2026-01-05 09:00")),
     ["dihitung_pada", "timestamp"]),
    ("skor_koperasi", lambda: _break("skor_koperasi", nik=[A, None]), ["column nik", "not null"]),
    ("skor_koperasi", lambda: _break("skor_koperasi", skor_total=[101.0, 30.0]),
     ["skor_total", "in_range", "101.0"]),
    ("skor_koperasi", lambda: _break("skor_koperasi", skor_permodalan=[-1.0, 0.0]),
     ["skor_permodalan", "greater_than_or_equal_to(0)", "-1.0"]),
    ("skor_koperasi", lambda: _break("skor_koperasi", predikat=["Sehat", "Bagus"]), ["predikat", "isin", "'Bagus'"]),
    ("skor_koperasi", lambda: _break("skor_koperasi", mode_tabel=["table", "tabel"]), ["mode_tabel", "'tabel'"]),
    ("skor_koperasi", lambda: _break("skor_koperasi", periode=["2025-12", "12/2025"]),
     ["periode", "str_matches", "'12/2025'"]),
    ("skor_koperasi", lambda: _break("skor_koperasi", nik=[A, A]), ["nik, periode", "unique"]),
    ("skor_indikator", lambda: _break("skor_indikator", nilai=120.0), ["nilai", "in_range", "120.0"]),
    ("skor_indikator", lambda: _break("skor_indikator", bobot=0.0), ["bobot", "greater_than(0)"]),
    ("skor_indikator", lambda: _break("skor_indikator", terverifikasi="ya"), ["terverifikasi", "bool"]),
    ("karantina", lambda: _break("karantina", alasan=[["x"], []]), ["alasan", "non-empty"]),
    ("karantina", lambda: _break("karantina", alasan=[["x", None], ["y"]]), ["alasan", "null items"]),
    ("skor_koperasi", lambda: _break("skor_koperasi", faktor_pengurang=[["F1", None], []]),
     ["faktor_pengurang", "no null item", "['F1', None]"]),
    ("karantina", lambda: _break("karantina", baris=[7, 0]), ["baris", "greater_than_or_equal_to(1)", "0"]),
    ("karantina", lambda: _break("karantina", baris=[7.5, 2.0]), ["baris", "int64", "7.5"]),
    ("status_koperasi", lambda: _break("status_koperasi", predikat=["Sehat", "Bagus", None]), ["predikat", "'Bagus'"]),
    ("status_koperasi", lambda: _break("status_koperasi", alasan_tidak_dinilai=["x", None, "y"]),
     ["alasan_tidak_dinilai, dinilai", "null iff dinilai", "alasan_tidak_dinilai='x'"]),
    ("status_koperasi", lambda: _break("status_koperasi", tanggal_rat_terakhir=pd.to_datetime(
        ["2025-03-01 10:30", "2024-02-29 00:00", None])), ["tanggal_rat_terakhir", "time of day"]),
    ("status_koperasi", lambda: _break("status_koperasi", bulan_tidak_melapor_berturut=pd.array(
        [0, -2, None], dtype="Int32")), ["bulan_tidak_melapor_berturut", "-2"]),
    ("ringkasan_wilayah", lambda: _break("ringkasan_wilayah", tingkat=["kabupaten_kota", "negara"]),
     ["tingkat", "'negara'"]),
    ("ringkasan_wilayah", lambda: _break("ringkasan_wilayah", jumlah_sehat=[2, 1]),
     ["jumlah_dinilai", "add up", "jumlah_sehat=2"]),
    ("ringkasan_wilayah", lambda: _break("ringkasan_wilayah", persen_sehat=[50.0, np.nan]),
     ["persen_sehat, jumlah_dinilai", "null iff"]),
]


@pytest.mark.parametrize(("table", "make", "named"), BREAKS, ids=[f"{t}-{n[0]}-{n[1]}" for t, _, n in BREAKS])
def test_each_contract_break_names_table_column_check_and_values(table, make, named):
    df = make()
    with pytest.raises(OutputContractError) as caught:
        validate_output(table, df)
    message = str(caught.value)
    assert f"output table {table}" in message
    for part in named:
        assert part in message, message
    assert isinstance(caught.value, KoperasiSehatError)
    assert "\n" not in message


def test_every_problem_is_reported_at_once():
    df = _break("skor_koperasi", skor_total=[101.0, 30.0], predikat=["Sehat", "Bagus"], nik=[A, None])
    with pytest.raises(OutputContractError) as caught:
        validate_output("skor_koperasi", df)
    assert {p.columns[0] for p in caught.value.problems} >= {"skor_total", "predikat", "nik"}


def test_to_arrow_refuses_missing_extra_and_null():
    koperasi, _ = scored()
    with pytest.raises(OutputContractError, match="column nik: not null"):
        to_arrow("skor_koperasi", koperasi.assign(nik=[A, None]))
    with pytest.raises(OutputContractError, match="column run_id: column missing"):
        to_arrow("skor_koperasi", koperasi.drop(columns="run_id"))
    with pytest.raises(OutputContractError, match="column extra: column not in the contract"):
        to_arrow("skor_koperasi", koperasi.assign(extra=1))
    with pytest.raises(OutputContractError, match="unknown output table"):
        to_arrow("skor", koperasi)


# --- storage ---------------------------------------------------------------------------------------------------


def test_written_file_has_the_exact_schema(tmp_path):
    for table, df in frames().items():
        path = storage.write_period(tmp_path, table, "2025-12", df, RUN)
        assert path == tmp_path / table / "periode=2025-12"
        assert [p.name for p in path.iterdir()] == ["part-0.parquet"]
        written = pq.read_schema(path / "part-0.parquet")  # the period is the folder's key, not a column
        assert written.equals(storage.file_schema(table), check_metadata=True), table
        assert pq.ParquetFile(path / "part-0.parquet").metadata.row_group(0).column(0).compression == "SNAPPY"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TABLES)  # no work folder left
    assert [p.name for p in tmp_path.glob("*/*")] == ["periode=2025-12"] * len(TABLES)
    for table, df in frames().items():  # written again: the old partition set aside and removed, its folder too
        storage.write_period(tmp_path, table, "2025-12", df, RUN + "b")  # (bandingkan left one a time: hostile
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TABLES)  # trial)


@pytest.mark.parametrize("table", list(TABLES))
def test_values_round_trip(tmp_path, table):
    df = frames()[table]
    storage.write_period(tmp_path, table, "2025-12", df, RUN)
    back = storage.read_table(tmp_path, table, "2025-12")
    pd.testing.assert_frame_equal(back, validate_output(table, df))
    assert back["periode"].dtype == "str"


def test_round_trip_keeps_the_values_themselves(tmp_path):
    koperasi, indikator = scored()
    storage.write_period(tmp_path, "skor_koperasi", "2025-12", koperasi, RUN)
    back = storage.read_table(tmp_path, "skor_koperasi", "2025-12")
    assert back["skor_total"].tolist() == koperasi["skor_total"].tolist()
    assert back["predikat"].tolist() == koperasi["predikat"].astype("str").tolist()
    assert back["faktor_pengurang"].tolist() == [[], []]
    assert back["dihitung_pada"].tolist() == [WHEN, WHEN]
    assert back["skor_total_sebelumnya"].isna().all() and back["predikat_sebelumnya"].isna().all()
    storage.write_period(tmp_path, "status_koperasi", "2025-12", status(), RUN)
    back = storage.read_table(tmp_path, "status_koperasi", "2025-12")
    assert back["tanggal_rat_terakhir"].tolist()[:2] == [dt.date(2025, 3, 1), dt.date(2024, 2, 29)]
    assert back["bulan_tidak_melapor_berturut"].isna().tolist() == [False, False, True]
    assert back["alasan_tidak_dinilai"].tolist()[2] == "jenis jasa tidak dinilai"
    storage.write_period(tmp_path, "karantina", "2025-12", karantina(), RUN)
    assert storage.read_table(tmp_path, "karantina")["alasan"].tolist()[1] == ["nama kosong", "jenis tidak dikenal"]


def test_dataset_readers_see_periode_as_a_string(tmp_path):
    for periode in ("2025-11", "2025-12"):
        koperasi, _ = scored(periode)
        storage.write_period(tmp_path, "skor_koperasi", periode, koperasi, RUN)
    folder = tmp_path / "skor_koperasi"
    dataset = ds.dataset(folder, format="parquet", partitioning="hive")
    assert dataset.schema.field("periode").type == pa.string()
    assert dataset.to_table().num_rows == 4
    hive = ds.dataset(folder, format="parquet", partitioning=storage.PARTITIONING, schema=arrow_schema("skor_koperasi"))
    assert hive.to_table(filter=ds.field("periode") == "2025-11").column("periode").to_pylist() == ["2025-11"] * 2
    assert hive.schema.equals(arrow_schema("skor_koperasi"), check_metadata=True)
    whole = pd.read_parquet(folder)
    assert whole["periode"].dtype == "category" and sorted(whole["periode"]) == ["2025-11"] * 2 + ["2025-12"] * 2
    every = storage.read_table(tmp_path, "skor_koperasi")
    assert every["periode"].tolist() == ["2025-11", "2025-11", "2025-12", "2025-12"]
    assert every["periode"].dtype == "str"


def test_some_columns_are_read_alone_in_the_schemas_order(tmp_path):
    koperasi = scored()[0]
    storage.write_period(tmp_path, "skor_koperasi", "2025-12", koperasi, RUN)
    some = storage.read_table(tmp_path, "skor_koperasi", "2025-12", columns=("skor_total", "nik", "faktor_pengurang"))
    assert list(some.columns) == ["nik", "skor_total", "faktor_pengurang"]
    whole = storage.read_table(tmp_path, "skor_koperasi", "2025-12")
    pd.testing.assert_frame_equal(some, whole[["nik", "skor_total", "faktor_pengurang"]])
    for periode in ("2025-11", None):  # a period or a table not written: no rows, the same columns
        none = storage.read_table(tmp_path / ("x" if periode is None else ""), "skor_koperasi", periode,
                                  columns=("periode", "nik"))
        assert none.empty and list(none.columns) == ["nik", "periode"] and none["periode"].dtype == "str"
    every = storage.read_table(tmp_path, "skor_koperasi", columns=("periode", "skor_total"))
    assert list(every.columns) == ["periode", "skor_total"] and len(every) == len(koperasi)


@pytest.mark.parametrize("damage, file, why", [
    ("truncated", "part-0.parquet", "bukan Parquet yang utuh (ArrowInvalid: "),
    ("note", "catatan.txt", "bukan keluaran run (partisi hanya memuat part-0.parquet)): "),
    ("copy", "part-0-salinan.parquet", "bukan keluaran run (partisi hanya memuat part-0.parquet)): "),
    ("nested", "lama/part-0.parquet", "bukan keluaran run (partisi hanya memuat part-0.parquet)): "),
    ("column", "part-0.parquet", "kolom skor_total tidak ada): "),
])
def test_a_damaged_published_partition_is_named_not_read(tmp_path, damage, file, why):
    """A published partition holding anything but the file a run wrote, whole, is named in one Indonesian line
    (read with the contract's schema, a file without a column read as nulls before); the other periods read."""
    koperasi = scored()[0]
    for periode in ("2025-11", "2025-12"):
        storage.write_period(tmp_path, "skor_koperasi", periode, koperasi.assign(periode=periode), RUN)
    partition = tmp_path / "skor_koperasi" / "periode=2025-11"
    part = partition / "part-0.parquet"
    if damage == "truncated":
        part.write_bytes(part.read_bytes()[:-100])
    elif damage == "note":
        (partition / file).write_text("dicek manual\n")
    elif damage in ("copy", "nested"):
        (partition / file).parent.mkdir(exist_ok=True)
        (partition / file).write_bytes(part.read_bytes())
    else:
        pq.write_table(pq.read_table(part).drop_columns(["skor_total"]), part)
    for read in (lambda: storage.read_table(tmp_path, "skor_koperasi", "2025-11"),
                 lambda: storage.read_table(tmp_path, "skor_koperasi"),
                 lambda: storage.read_table(tmp_path, "skor_koperasi", "2025-11", columns=("nik",))):
        with pytest.raises(PublishedOutputError) as raised:
            read()
        assert str(raised.value).startswith(f"skor_koperasi periode 2025-11 di {tmp_path} tidak terbaca "
                                            f"(skor_koperasi/periode=2025-11/{file}: {why}")
        assert str(raised.value).endswith("): terbitkan ulang dengan `koperasi-sehat run --period 2025-11 --input "
                                          f"<folder landing> --output {tmp_path}`")
        assert "\n" not in str(raised.value)
    assert len(storage.read_table(tmp_path, "skor_koperasi", "2025-12")) == len(koperasi)


def test_a_published_file_broken_behind_a_whole_footer_is_named_when_read(tmp_path):
    """Its footer whole, its pages not: found only when the rows are read, named by its partition."""
    koperasi = scored()[0]
    storage.write_period(tmp_path, "skor_koperasi", "2025-11", koperasi.assign(periode="2025-11"), RUN)
    part = tmp_path / "skor_koperasi" / "periode=2025-11" / "part-0.parquet"
    data = bytearray(part.read_bytes())
    data[4:1500] = b"\xff" * 1496  # the first pages, not the footer at the end
    part.write_bytes(bytes(data))
    with pytest.raises(PublishedOutputError) as raised:
        storage.read_table(tmp_path, "skor_koperasi", "2025-11")
    assert str(raised.value).startswith(f"skor_koperasi periode 2025-11 di {tmp_path} tidak terbaca "
                                        "(skor_koperasi/periode=2025-11: bukan Parquet yang utuh (")
    assert str(raised.value).endswith("): terbitkan ulang dengan `koperasi-sehat run --period 2025-11 --input "
                                      f"<folder landing> --output {tmp_path}`")


def test_rewriting_a_period_replaces_its_partition_whole(tmp_path):
    for periode in ("2025-11", "2025-12"):
        storage.write_period(tmp_path, "status_koperasi", periode, status(periode), RUN)
    other = (tmp_path / "status_koperasi" / "periode=2025-11" / "part-0.parquet").read_bytes()
    rerun = "2025-12_20260110T120000000000"
    smaller = status().iloc[[0]].assign(run_id=rerun)
    storage.write_period(tmp_path, "status_koperasi", "2025-12", smaller, rerun)
    assert storage.read_table(tmp_path, "status_koperasi", "2025-12")["nik"].tolist() == [A]
    assert storage.read_table(tmp_path, "status_koperasi", "2025-12")["run_id"].tolist() == [rerun]
    assert (tmp_path / "status_koperasi" / "periode=2025-11" / "part-0.parquet").read_bytes() == other
    assert len(storage.read_table(tmp_path, "status_koperasi")) == 4
    assert sorted(p.name for p in (tmp_path / "status_koperasi").iterdir()) == ["periode=2025-11", "periode=2025-12"]


def test_an_empty_frame_empties_the_partition(tmp_path):
    storage.write_period(tmp_path, "karantina", "2025-12", karantina(), RUN)
    storage.write_period(tmp_path, "karantina", "2025-12", empty_frame("karantina"), RUN)
    back = storage.read_table(tmp_path, "karantina", "2025-12")
    assert back.empty and list(back.columns) == arrow_schema("karantina").names


def test_a_rejected_frame_leaves_the_published_partition_alone(tmp_path):
    storage.write_period(tmp_path, "ringkasan_wilayah", "2025-12", ringkasan(), RUN)
    before = (tmp_path / "ringkasan_wilayah" / "periode=2025-12" / "part-0.parquet").read_bytes()
    with pytest.raises(OutputContractError, match="rata_rata_skor"):
        storage.write_period(tmp_path, "ringkasan_wilayah", "2025-12", ringkasan().assign(rata_rata_skor=[120.0, 1.0]),
                             "other-run")
    with pytest.raises(OutputContractError, match="another period"):
        storage.write_period(tmp_path, "ringkasan_wilayah", "2025-12", ringkasan("2025-11"), "other-run")
    with pytest.raises(OutputContractError, match="another period"):
        storage.write_period(tmp_path, "karantina", "2025-12", karantina().assign(periode=["2025-12", None]), "x")
    with pytest.raises(OutputContractError, match="not a YYYY-MM period"):
        storage.write_period(tmp_path, "ringkasan_wilayah", "2025-13", ringkasan(), "other-run")
    assert (tmp_path / "ringkasan_wilayah" / "periode=2025-12" / "part-0.parquet").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "ringkasan_wilayah").iterdir()) == ["periode=2025-12"]


def test_same_frame_same_bytes(tmp_path):
    koperasi, indikator = scored()
    first = storage.write_period(tmp_path / "a", "skor_koperasi", "2025-12", koperasi, RUN) / "part-0.parquet"
    second = storage.write_period(tmp_path / "b", "skor_koperasi", "2025-12", koperasi, RUN) / "part-0.parquet"
    assert first.read_bytes() == second.read_bytes()
    # and the same values held differently by pandas make the same file too
    plain = categories_as_str(koperasi)
    third = storage.write_period(tmp_path / "c", "skor_koperasi", "2025-12", plain, RUN) / "part-0.parquet"
    assert third.read_bytes() == first.read_bytes()
    again = storage.write_period(tmp_path / "a", "skor_koperasi", "2025-12", koperasi, "rerun") / "part-0.parquet"
    assert again.read_bytes() == second.read_bytes()


def test_missing_table_or_period_reads_empty(tmp_path):
    for periode in (None, "2025-12"):
        empty = storage.read_table(tmp_path, "skor_koperasi", periode)
        assert empty.empty and list(empty.columns) == arrow_schema("skor_koperasi").names
        assert empty["periode"].dtype == "str"
        assert empty["faktor_pengurang"].dtype == object
    # some columns, in the schema's order whatever the order asked; each read its own frame (built once)
    some = storage.read_table(tmp_path, "skor_koperasi", "2025-12", columns=["skor_total", "nik", "predikat"])
    assert list(some.columns) == ["nik", "skor_total", "predikat"] and some.empty
    assert some.dtypes.astype(str).tolist() == ["str", "float64", "str"]
    some["tambahan"] = []
    some.loc[0] = ["6502", 1.0, None, 1]
    again = storage.read_table(tmp_path, "skor_koperasi", "2025-12", columns=["skor_total", "nik", "predikat"])
    assert list(again.columns) == ["nik", "skor_total", "predikat"] and again.empty


def test_staging_of_an_interrupted_run_is_invisible_to_readers(tmp_path):
    storage.write_period(tmp_path, "karantina", "2025-12", karantina(), RUN)
    stale = tmp_path / "karantina" / ".staging-crashed" / "periode=2025-11"
    stale.mkdir(parents=True)
    pq.write_table(to_arrow("karantina", karantina("2025-11")), stale / "part-0.parquet")
    assert storage.read_table(tmp_path, "karantina")["periode"].tolist() == ["2025-12", "2025-12"]
    assert len(pd.read_parquet(tmp_path / "karantina", partitioning=None)) == 2


def test_what_scoring_status_builds_meets_the_contract(tmp_path):
    koperasi, _ = scored()
    registry = pd.DataFrame({
        "nik": [A, B, "6502000000000003"], "nama": ["KSP Maju", "KSP Baru", "Kop. Jasa"],
        "jenis": ["ksp", "ksp", "jasa"], "kode_wilayah": ["65.02", "65.71", "65.02"],
        "kabupaten_kota": ["Bulungan", "Tarakan", "Bulungan"],
        "tanggal_rat_terakhir": ["2025-03-01", None, "2020-01-01"], "pendamping": ["Budi", None, None]})
    computed = status_columns(status_koperasi(
        registry, "2025-12", koperasi, pd.DataFrame({"nik": ["X"], "alasan": ["-"]}), accepted=[A, B],
        quarantined=[], last_report=pd.Series({B: "2025-10"}), scored_jenis=["ksp", "usp"]), registry, koperasi
    ).assign(run_id=RUN)
    summary = ringkasan_wilayah(computed, koperasi, "2025-12").assign(run_id=RUN)
    for table, df in (("status_koperasi", computed), ("ringkasan_wilayah", summary)):
        storage.write_period(tmp_path, table, "2025-12", df, RUN)
        pd.testing.assert_frame_equal(storage.read_table(tmp_path, table, "2025-12"), validate_output(table, df))
    assert storage.read_table(tmp_path, "ringkasan_wilayah")["tingkat"].tolist() == [
        "kabupaten_kota", "kabupaten_kota", "provinsi"]


@pytest.mark.parametrize("table", list(TABLES))
def test_frames_from_here_survive_pandas_own_parquet_round_trip(tmp_path, table):
    """List columns come back as plain lists: pandas cannot re-read list ArrowDtype columns it wrote itself."""
    for i, valid in enumerate((validate_output(table, frames()[table]), empty_frame(table))):
        valid.to_parquet(tmp_path / f"{i}.parquet")
        pd.testing.assert_frame_equal(validate_output(table, pd.read_parquet(tmp_path / f"{i}.parquet")), valid)


def test_the_checked_arrow_table_is_the_table_of_the_checked_frame_and_a_broken_frame_is_refused():
    from schemas.outputs import checked_arrow

    koperasi, indikator = scored()
    for name, df in (("skor_koperasi", koperasi), ("skor_indikator", indikator), ("status_koperasi", status())):
        written = checked_arrow(name, df)
        assert written.schema == arrow_schema(name)
        assert written.equals(to_arrow(name, validate_output(name, df)))  # the same values, converted once
    broken = status().assign(bulan_tidak_melapor_berturut=pd.array([0, -3, None], dtype="Int32"))
    with pytest.raises(KoperasiSehatError, match="status_koperasi") as refused:
        checked_arrow("status_koperasi", broken)
    with pytest.raises(KoperasiSehatError) as validated:
        validate_output("status_koperasi", broken)
    assert str(refused.value) == str(validated.value)  # the same check, the same words


def test_a_text_column_s_type_check_answers_once_and_a_value_that_is_not_text_still_fails():
    """Pandera's text dtype answered its check with one True per row, then formatted the rows failing it (none) into
    a table and a message, for every text column of every table checked (about 1 ms a column): the contract's
    answers once for the column. A value that is not text among the texts still fails, quoted as before."""
    import pandera.pandas as pdr
    from pandera.engines.pandas_engine import Engine

    schema = TABLES["karantina"].pandera_schema
    text = pd.Series(["laporan.csv", np.nan], dtype="str")
    assert schema.columns["sumber"].dtype.check(Engine.dtype(text.dtype), text) is True
    mixed = pd.Series([1, "laporan.csv"], dtype=object)
    assert schema.columns["sumber"].dtype.check(Engine.dtype(mixed.dtype), mixed) is False
    rows = empty_frame("karantina").reindex(range(2))
    rows = rows.assign(sumber=mixed, baris=[1, 2], nik="6501", periode="2026-10", alasan=[["a"], ["b"]], data="{}",
                       run_id="r")
    with pytest.raises(pdr.errors.SchemaErrors) as failed:
        schema.validate(rows, lazy=True)
    cases = failed.value.failure_cases
    assert cases[cases["check"] == "dtype('string[pyarrow]')"][["column", "failure_case"]].values.tolist() == [
        ["sumber", 1]]
