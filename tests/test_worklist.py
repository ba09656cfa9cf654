"""daftar_prioritas (scoring.worklist): the order of a hand-made kabupaten, its reasons, and who visits."""

from __future__ import annotations

import pandas as pd

from schemas.outputs import validate_output
from scoring.worklist import daftar_prioritas

PERIODE = "2026-10"
S, CS, DP, DPK = "Sehat", "Cukup Sehat", "Dalam Pengawasan", "Dalam Pengawasan Khusus"
# Bulungan (65.02): K1..K8; Tarakan (65.71): K9. (nik, predikat, before, skor_total, members, pendamping)
COOPERATIVES = [
    ("K1", DPK, DPK, 40.0, 5_000, "Budi"),
    ("K2", DP, CS, 60.0, 300, None),
    ("K3", S, S, 85.0, 200, None),
    ("K5", CS, CS, 70.0, 100, "Sari"),
    ("K6", DPK, DPK, 45.0, 12_000, "Sari"),
    ("K7", CS, S, 72.0, 2_500, "Budi"),
    ("K8", DP, DP, 55.0, 400, "Dewi"),
    ("K9", DPK, DPK, 78.45, 50, None),  # Cukup Sehat by its score, held at the bottom by rekayasa_pembukuan
]


def skor() -> pd.DataFrame:
    rows = pd.DataFrame(COOPERATIVES, columns=["nik", "predikat", "predikat_sebelumnya", "skor_total",
                                               "jumlah_anggota", "pendamping"]).drop(columns="pendamping")
    # K4 last reported in 2026-06 (800 members), silent since
    silent = pd.DataFrame({"nik": ["K4"], "predikat": [CS], "predikat_sebelumnya": [CS], "skor_total": [70.0],
                           "jumlah_anggota": [800], "periode": ["2026-06"]})
    rows = pd.concat([rows.assign(periode=PERIODE), silent], ignore_index=True).assign(rulebook="ksp-2016")
    held = rows["nik"] == "K9"
    return rows.assign(predikat_skor=rows["predikat"].where(~held, CS),
                       faktor_pengurang=[["rekayasa_pembukuan"] if h else [] for h in held])


def status() -> pd.DataFrame:
    pendamping = {nik: who for nik, *_, who in COOPERATIVES}
    nik = ["K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K9"]
    return pd.DataFrame({
        "nik": nik, "nama": [f"KSP {n}" for n in nik], "kode_wilayah": ["65.02"] * 8 + ["65.71"],
        "kabupaten_kota": ["Bulungan"] * 8 + ["Tarakan"], "melapor": [n != "K4" for n in nik],
        "bulan_tidak_melapor_berturut": pd.array([0, 0, 0, 4, 0, 0, 0, 0, 0], dtype="Int32"),
        "pendamping": [pendamping.get(n) for n in nik]})


JALAN = pd.DataFrame({
    "nik": ["K1", "K1", "K2", "K2", "K6", "K6"], "urutan": [1, 2, 1, 2, 1, 2],
    "langkah": ["satu_komponen", "satu_komponen", "kombinasi", "kombinasi", "kombinasi", "satu_komponen"],
    "komponen": ["rasio_kas", "ms_aset", "rasio_kas", "ms_aset", None, "manajemen_umum"],
    "predikat_berikutnya": [DP, DP, CS, CS, DP, DP],
    "uraian": ["rasio_kas: naikkan ...", "ms_aset: ...", "rasio_kas: a", "ms_aset: b", "Tidak ada kombinasi ...",
               "manajemen_umum: 12 jawaban ya lagi ..."]})
PERINGATAN = pd.DataFrame({
    "nik": ["K5", "K7", "K7"], "kode": ["mendekati_batas_bawah", "komponen_turun_band", "predikat_turun"],
    "alasan": ["skor turun 3 periode berturut-turut (...)", "nilai komponen turun sejak 2026-09: ...",
               "predikat turun dari Sehat ..."]})


def worklist(capacity: int) -> pd.DataFrame:
    found = daftar_prioritas(PERIODE, skor(), status(), JALAN, PERINGATAN, capacity=capacity, silent_months=3,
                             members_per_step=10_000)
    validate_output("daftar_prioritas", found.assign(run_id="r"))
    return found


def test_the_order_of_a_hand_made_kabupaten_and_its_parts():
    found = worklist(capacity=2)
    parts = ["nik", "peringkat", "poin_predikat", "poin_penurunan", "poin_tidak_melapor", "poin_anggota",
             "skor_prioritas"]
    assert list(found[parts].itertuples(index=False, name=None)) == [
        # steps below Sehat + steps fallen + months silent (at most 3) + members / 10,000 (at most 1)
        ("K6", 1, 3, 0, 0, 1.0, 4.0),      # Dalam Pengawasan Khusus, 12,000 members
        ("K1", 2, 3, 0, 0, 0.5, 3.5),      # Dalam Pengawasan Khusus, 5,000 members
        ("K4", 3, 0, 0, 3, 0.08, 3.08),    # silent 4 months, 800 members at its last report
        ("K2", 4, 2, 1, 0, 0.03, 3.03),    # Dalam Pengawasan, fell one step from Cukup Sehat
        ("K7", 5, 1, 1, 0, 0.25, 2.25),    # Cukup Sehat, fell one step from Sehat
        ("K5", 6, 1, 0, 0, 0.01, 1.01),    # on the list by its early warning only
        ("K9", 1, 3, 0, 0, 0.005, 3.005),  # Tarakan: its own ranking
    ]
    # K3 (Sehat) and K8 (Dalam Pengawasan, steady, no warning) are not on the list
    by_nik = found.set_index("nik")
    assert by_nik.loc["K6", "alasan"] == "Dalam Pengawasan Khusus (skor 45,00)"
    assert by_nik.loc["K4", "alasan"] == "tidak melapor 4 bulan berturut-turut"
    assert by_nik.loc["K7", "alasan"] == ("predikat turun dari Sehat menjadi Cukup Sehat; nilai komponen turun "
                                          "sejak 2026-09: ...")
    assert by_nik.loc["K5", "alasan"] == "skor turun 3 periode berturut-turut (...)"
    assert by_nik.loc["K9", "alasan"] == (
        "Dalam Pengawasan Khusus (skor 78,45); faktor pengurang rekayasa_pembukuan menahan predikat di Dalam "
        "Pengawasan Khusus (menurut skor saja: Cukup Sehat); kenaikan skor tidak menghapusnya")
    # the top of jalan_menuju_sehat: a single move, a whole combination, the first move when none combines
    assert by_nik.loc["K1", "langkah_utama"] == "rasio_kas: naikkan ..."
    assert by_nik.loc["K2", "langkah_utama"] == "kombinasi menuju Cukup Sehat: rasio_kas: a; ms_aset: b"
    assert by_nik.loc["K6", "langkah_utama"] == "manajemen_umum: 12 jawaban ya lagi ..."
    assert pd.isna(by_nik.loc["K4", "langkah_utama"])


def test_the_top_move_is_found_in_urutan_order_however_the_rows_come():
    """The worklist reads each cooperative's first move (by `urutan`) and its combination's moves in order, not the
    table's first rows: the same words from the rows reversed and with a later single move of K2 listed first."""
    jalan = pd.concat([JALAN, pd.DataFrame({
        "nik": ["K2"], "urutan": [3], "langkah": ["satu_komponen"], "komponen": ["rasio_kas"],
        "predikat_berikutnya": [CS], "uraian": ["rasio_kas: sendiri"]})], ignore_index=True).iloc[::-1]
    found = daftar_prioritas(PERIODE, skor(), status(), jalan, PERINGATAN, capacity=2, silent_months=3,
                             members_per_step=10_000).set_index("nik")["langkah_utama"]
    assert found[["K1", "K2", "K6"]].tolist() == [
        "rasio_kas: naikkan ...", "kombinasi menuju Cukup Sehat: rasio_kas: a; ms_aset: b",
        "manajemen_umum: 12 jawaban ya lagi ..."]


def test_pendamping_within_capacity_and_suggestions():
    # capacity 2: Sari visits K6 and K5, Budi K1 and K7 (their registry assignments, in priority order); the pool
    # of Bulungan is Budi, Dewi, Sari: Dewi has no visit yet, so K4 and then K2 go to her
    found = worklist(capacity=2).set_index("nik")
    for nik, who, visit in [("K6", "Sari", 1), ("K5", "Sari", 2), ("K1", "Budi", 1), ("K7", "Budi", 2)]:
        assert (found.loc[nik, "pendamping"], found.loc[nik, "kunjungan_ke"]) == (who, visit)
        assert found.loc[nik, "dalam_kapasitas"] and pd.isna(found.loc[nik, "pendamping_usulan"])
    assert found.loc[["K4", "K2"], ["pendamping_usulan", "kunjungan_ke"]].values.tolist() == [["Dewi", 1], ["Dewi", 2]]
    assert found.loc["K4", "keterangan_pendamping"] == "usulan: pendamping Bulungan dengan kunjungan paling sedikit " \
                                                       "bulan ini"
    assert pd.isna(found.loc["K9", "pendamping_usulan"]) and not found.loc["K9", "dalam_kapasitas"]
    assert found.loc["K9", "keterangan_pendamping"] == "tidak ada pendamping di Tarakan"


def test_capacity_short():
    # capacity 1: Sari's second visit (K5) and Budi's (K7) are outside it; Dewi takes K4; K2 finds no one
    found = worklist(capacity=1).set_index("nik")
    assert not found.loc["K5", "dalam_kapasitas"] and found.loc["K5", "kunjungan_ke"] == 2
    assert found.loc["K5", "keterangan_pendamping"] == ("di luar kapasitas Sari bulan ini (kunjungan ke-2, "
                                                        "kapasitas 1): jadwalkan bulan berikutnya atau alihkan")
    assert found.loc["K4", "pendamping_usulan"] == "Dewi"
    assert pd.isna(found.loc["K2", "pendamping_usulan"]) and not found.loc["K2", "dalam_kapasitas"]
    assert found.loc["K2", "keterangan_pendamping"] == (
        "kapasitas pendamping Bulungan penuh (3 pendamping x 1 kunjungan per bulan): perlu pendamping tambahan "
        "atau kunjungan bulan berikutnya")
    assert len(found) == 7  # nothing dropped


def test_a_pendamping_of_two_areas_is_suggested_in_the_area_of_most_of_his_cooperatives():
    # Budi also has K10 in Tarakan (Sehat, not listed); his cooperatives: 2 in Bulungan, 1 in Tarakan: he belongs
    # to Bulungan, so K9 in Tarakan still gets no suggestion, and in Bulungan he is full (capacity 2: K1, K7)
    registered = pd.concat([status(), pd.DataFrame({
        "nik": ["K10"], "nama": ["KSP K10"], "kode_wilayah": ["65.71"], "kabupaten_kota": ["Tarakan"],
        "melapor": [True], "bulan_tidak_melapor_berturut": pd.array([0], dtype="Int32"), "pendamping": ["Budi"]})],
        ignore_index=True)
    found = daftar_prioritas(PERIODE, skor(), registered, JALAN, PERINGATAN, capacity=2, silent_months=3,
                             members_per_step=10_000).set_index("nik")
    assert pd.isna(found.loc["K9", "pendamping_usulan"])
    assert found.loc["K9", "keterangan_pendamping"] == "tidak ada pendamping di Tarakan"
    assert found.loc[["K4", "K2"], "pendamping_usulan"].tolist() == ["Dewi", "Dewi"]


def test_silence_below_the_threshold_does_not_list():
    found = daftar_prioritas(PERIODE, skor(), status(), JALAN, None, capacity=2, silent_months=5,
                             members_per_step=10_000)
    assert "K4" not in set(found["nik"]) and "K5" not in set(found["nik"])  # 4 < 5 months; no warnings given


def test_a_registry_without_any_pendamping_suggests_no_one_and_lists_everyone():
    """No cooperative with a pendamping (a column the registry may leave empty) crashed the run: the pool of
    pendamping was empty and its load a text column (hostile trial)."""
    nobody = status().assign(pendamping=pd.Series([None] * 9, dtype="str"))
    found = daftar_prioritas(PERIODE, skor(), nobody, JALAN, PERINGATAN, capacity=2, silent_months=3,
                             members_per_step=10_000)
    validate_output("daftar_prioritas", found.assign(run_id="r"))
    assert len(found) == 7 and found["pendamping_usulan"].isna().all() and not found["dalam_kapasitas"].any()
    assert found.set_index("nik")["keterangan_pendamping"].to_dict() == {
        **dict.fromkeys(["K6", "K1", "K4", "K2", "K7", "K5"], "tidak ada pendamping di Bulungan"),
        "K9": "tidak ada pendamping di Tarakan"}


def test_rows_of_gives_each_key_its_row_as_reindex_does():
    """`scoring.inputs.rows_of`, the one lookup the worklist, the warnings and the previous scores use: each key's
    row on the keys' own index; a key not in the table, or missing, gets missing values; keys as categories too."""
    from scoring.inputs import rows_of

    table = pd.DataFrame({"predikat": pd.Series([S, DP, None], dtype="str"), "skor_total": [85.0, 55.5, 60.0],
                          "jumlah_anggota": pd.Series([10, None, 30], dtype="Int64")}
                         ).set_axis(pd.Index(["K1", "K2", "K3"], dtype="str", name="nik"))
    keys = pd.Series(["K2", "K9", None, "K1", "K2", "K3"], index=[10, 11, 12, 13, 14, 15], dtype="str")
    for given in (keys, keys.astype("category")):
        found = rows_of(given, table)
        assert list(found.index) == [10, 11, 12, 13, 14, 15]
        assert found["predikat"].fillna("-").tolist() == [DP, "-", "-", S, DP, "-"]
        assert found["skor_total"].fillna(-1).tolist() == [55.5, -1, -1, 85.0, 55.5, 60.0]
        assert found["jumlah_anggota"].astype("float64").fillna(-1).tolist() == [-1, -1, -1, 10, -1, 30]
        assert found.dtypes.tolist() == table.dtypes.tolist()
        pd.testing.assert_frame_equal(found, table.reindex(given.astype("str")).set_axis(given.index),
                                      check_names=False)
    assert rows_of(keys, table["skor_total"]).fillna(-1).tolist() == [55.5, -1, -1, 85.0, 55.5, 60.0]
    assert rows_of(keys, table.iloc[:0])["skor_total"].isna().all()
    # a dictionary's lookup, as the GX batches, the worklist and the area summary use it in place of pandas' `map`
    sizes = pd.Series({"ksp-2016": 22, "kspps-2016": 23}, dtype="float64")
    books = pd.Series(["kspps-2016", "buku-lain", None, "ksp-2016"], index=[3, 1, 2, 0], dtype="str")
    assert rows_of(books, sizes).fillna(-1).to_dict() == {3: 23.0, 1: -1, 2: -1, 0: 22.0}
    pd.testing.assert_series_equal(rows_of(books, sizes), books.map(sizes.to_dict()).astype("float64"))
    assert rows_of(books.iloc[:0], sizes).dtype == "float64"  # numeric with no rows too
