"""The tables of issue 14, "From scores to action", one definition each: computed for a period by
scoring.path_to_sehat, early_warning, peers, worklist and reporting_quality, published with the period's tables."""

from __future__ import annotations

import pandera.pandas as pdr

from schemas.contract import (BOOL, COUNT, FLOAT, INT32, INT64, NOT_BLANK, PERIODE_CHECK, SCORE, STRING, Column,
                              OutputTable, iff, nik_column, pendamping_column, periode_column, points_column, rule,
                              run_id_column, set_apart, set_together, text_column)
from schemas.tables import komponen_ids, predikat_check
from scoring.early_warning import CODE_PATTERN


STEP_KINDS = ("satu_komponen", "kombinasi")


def _jalan_menuju_sehat() -> OutputTable:
    rupiah_move = "a ratio move, null for a questionnaire move"
    return OutputTable("jalan_menuju_sehat", "for every scored cooperative below Sehat: moves of one component at a time "
                 "(the others unchanged) toward the next predicate and Sehat, then the cheapest combination of ratio "
                 "moves reaching the next predicate; a simulation on the period's figures", (
        nik_column(), periode_column(),
        Column("urutan", INT32, "order of the rows of a cooperative, from 1: single moves that reach the next "
              "predicate, the combination, the other single moves", nullable=False, checks=(pdr.Check.ge(1),)),
        Column("langkah", STRING, "satu_komponen (one component alone) or kombinasi (part of the cheapest "
              "combination)", nullable=False, checks=(pdr.Check.isin(STEP_KINDS),)),
        Column("predikat_berikutnya", STRING, "the predicate above the cooperative's predicate by score",
              nullable=False, checks=(predikat_check(),)),
        Column("komponen", STRING, "component moved (null: the row saying no combination reaches the next "
              "predicate)", checks=(pdr.Check.isin(komponen_ids()),)),
        Column("rasio_sekarang", FLOAT, "ratio now, percent (questionnaire: percent of answers 'ya')"),
        Column("rasio_target", FLOAT, "ratio after the move, percent: the nearest whole-Rupiah value inside the band"),
        text_column("rentang_target", "the band moved into, as a range of the ratio (questionnaire: 'k dari n jawaban "
              "ya')", nullable=True),
        Column("nilai_sekarang", FLOAT, "nilai now", checks=(SCORE,)),
        Column("nilai_target", FLOAT, "nilai after the move", checks=(SCORE,)),
        Column("sisi", STRING, f"pembilang or penyebut: which quantity moves ({rupiah_move})",
              checks=(pdr.Check.isin(("pembilang", "penyebut")),)),
        Column("pos", STRING, f"the report line or derived quantity (rulebook besaran) that moves ({rupiah_move})"),
        Column("pos_sekarang", FLOAT, "its value now, Rupiah (year to date for an annualised ratio's numerator)"),
        Column("perubahan_rupiah", FLOAT, "its change in Rupiah, signed (year to date for an annualised numerator): "
              "whole Rupiah; a derived quantity that holds sen now moves in its smallest coefficient (Rp 0.25 for "
              "risiko_pinjaman_bermasalah), so a target on an edge (0) is met exactly"),
        Column("persen_aset", FLOAT, "the change's size as percent of total aset (null: a questionnaire move, or "
              "total aset <= 0)", checks=(COUNT,)),
        Column("tambahan_ya", INT32, "more answers 'ya' needed (a questionnaire move, else null)",
              checks=(pdr.Check.ge(1),)),
        Column("poin_tambahan", FLOAT, "points the move gains", checks=(pdr.Check.gt(0),)),
        Column("skor_total_baru", FLOAT, "total after the move (kombinasi: after the whole combination)",
              checks=(SCORE,)),
        Column("predikat_skor_baru", STRING, "predicate of skor_total_baru", checks=(predikat_check(),)),
        Column("predikat_baru", STRING, "predicate after the downgrade factors in force: a score does not lift a "
              "factor", checks=(predikat_check(),)),
        Column("mencapai_predikat_berikutnya", BOOL, "skor_total_baru reaches predikat_berikutnya", nullable=False),
        Column("mencapai_sehat", BOOL, "skor_total_baru reaches Sehat (the book's best predicate)", nullable=False),
        text_column("uraian", "the move in words"),
        text_column("keterangan", "what the simulation holds fixed, and the downgrade factors that stay"),
        run_id_column(),
    ), key=("nik", "periode", "urutan"), rules=(
        set_together("sisi", "perubahan_rupiah"), set_together("komponen", "poin_tambahan"),
        rule(("nilai_target", "nilai_sekarang"), "nilai_target is above nilai_sekarang",
               lambda df: df["komponen"].isna() | (df["nilai_target"] > df["nilai_sekarang"])),
        rule(("mencapai_sehat", "mencapai_predikat_berikutnya"), "mencapai_sehat implies "
               "mencapai_predikat_berikutnya", lambda df: ~df["mencapai_sehat"] | df["mencapai_predikat_berikutnya"]),
    ))


def _peringatan_dini() -> OutputTable:
    return OutputTable("peringatan_dini", "early warnings: one row per cooperative and warning of the period", (
        nik_column(), Column("nama", STRING, "cooperative's name, from the registry"),
        Column("kabupaten_kota", STRING, "name of the kabupaten/kota"), periode_column(),
        Column("kode", STRING, "predikat_turun, mendekati_batas_bawah, komponen_turun_band, tidak_melapor_<m>_bulan "
              "(m below the silent months), tidak_melapor_<m>_bulan_atau_lebih, karantina_dua_periode, "
              "segera_tidak_aktif", nullable=False, checks=(pdr.Check.str_matches(CODE_PATTERN),)),
        text_column("alasan", "the reason in words, with the figures"),
        run_id_column(),
    ), key=("nik", "periode", "kode"))


def _persentil_sejawat() -> OutputTable:
    return OutputTable("persentil_sejawat", "each scored cooperative's ratio among its peers (same jenis and asset class), "
                 "per ratio component, in its province and nationally", (
        nik_column(), periode_column(),
        Column("komponen", STRING, "ratio component", nullable=False, checks=(pdr.Check.isin(komponen_ids()),)),
        Column("cakupan", STRING, "provinsi or nasional (when the run covers several provinces)", nullable=False,
              checks=(pdr.Check.isin(("provinsi", "nasional")),)),
        text_column("wilayah", "BPS code of the province, or nasional"),
        text_column("jenis", "jenis koperasi"),
        Column("kelas_aset", STRING, "asset class of Permenkop 8/2023 Pasal 49 (I up to Rp 15 billion, II to 100, "
              "III to 500, IV above)", nullable=False, checks=(NOT_BLANK,)),
        Column("rasio", FLOAT, "the cooperative's ratio, percent (null: denominator <= 0)"),
        Column("persentil", FLOAT, "100 x (peers below + peers equal / 2) / peers, itself included; null below the "
              "minimum group size or without a ratio", checks=(SCORE,)),
        Column("median_sejawat", FLOAT, "median ratio of the peers (null below the minimum group size)"),
        Column("jumlah_sejawat", INT64, "peers with a ratio in the group, itself included", nullable=False,
              checks=(COUNT,)),
        text_column("keterangan", "why there is no percentile (null when there is one)", nullable=True),
        run_id_column(),
    ), key=("nik", "periode", "komponen", "cakupan"), rules=(
        set_apart("persentil", "keterangan"),
    ))


def _daftar_prioritas() -> OutputTable:
    parts = ("poin_predikat", "poin_penurunan", "poin_tidak_melapor", "poin_anggota")
    return OutputTable("daftar_prioritas", "the cooperatives to visit, per kabupaten/kota and pendamping, in order of "
                 "priority", (
        periode_column(), Column("kode_wilayah", STRING, "BPS code of the kabupaten/kota"),
        Column("kabupaten_kota", STRING, "name of the kabupaten/kota"),
        Column("peringkat", INT32, "rank within the kabupaten/kota, from 1", nullable=False, checks=(pdr.Check.ge(1),)),
        nik_column(), Column("nama", STRING, "cooperative's name, from the registry"), pendamping_column(),
        Column("pendamping_usulan", STRING, "suggested pendamping of the same kabupaten/kota, for a cooperative with "
              "none (null: assigned, or no capacity left)"),
        Column("kunjungan_ke", INT32, "the visit's number in its pendamping's list this month", checks=(
            pdr.Check.ge(1),)),
        Column("dalam_kapasitas", BOOL, "the visit fits the pendamping's monthly capacity", nullable=False),
        Column("predikat", STRING, "predicate of the period (null: not scored)", checks=(predikat_check(),)),
        Column("skor_total", FLOAT, "total score of the period (null: not scored)", checks=(SCORE,)),
        Column("bulan_tidak_melapor", INT32, "consecutive months without a report (null: never reported)",
              checks=(COUNT,)),
        Column("jumlah_anggota", INT64, "members, from the latest report", checks=(COUNT,)),
        points_column("poin_predikat", "predicate steps below the book's best (Sehat 0 .. Dalam Pengawasan Khusus 3)"),
        points_column("poin_penurunan", "predicate steps fallen since the previous period"),
        points_column("poin_tidak_melapor", "months without a report, at most the silent months setting"),
        points_column("poin_anggota", "members / the members-per-step setting, at most 1"),
        points_column("skor_prioritas", "the sum of the four parts: the order of the list"),
        text_column("alasan", "why the cooperative is on the list"),
        text_column("langkah_utama", "the top of its jalan_menuju_sehat (null: none)", nullable=True),
        text_column("keterangan_pendamping", "suggestion, or capacity exceeded, in words", nullable=True),
        run_id_column(),
    ), key=("periode", "nik"), rules=(
        rule(("skor_prioritas", *parts), "skor_prioritas is the sum of its parts",
               lambda df: (df["skor_prioritas"] - df[list(parts)].sum(axis=1)).abs() < 1e-6),
        rule(("pendamping", "pendamping_usulan"), "a suggestion only for a cooperative without pendamping",
               lambda df: df["pendamping"].isna() | df["pendamping_usulan"].isna()),
    ))


def _mutu_pelaporan() -> OutputTable:
    def count(name: str, description: str) -> Column:
        return Column(name, INT32, description, nullable=False, checks=(COUNT,))

    return OutputTable("mutu_pelaporan", "how well each cooperative reports over the last months of the landing folder", (
        nik_column(), Column("nama", STRING, "cooperative's name, from the registry"),
        Column("kabupaten_kota", STRING, "name of the kabupaten/kota"), periode_column(),
        Column("bulan_awal", STRING, "first month owed in the window (its first report, or the window's start)",
              nullable=False, checks=(PERIODE_CHECK,)),
        Column("bulan_wajib", INT32, "months owed in the window", nullable=False, checks=(pdr.Check.ge(1),)),
        count("bulan_melapor", "months with an accepted report"),
        count("bulan_tepat_waktu", "months first sent by the deadline day of the next month (WITA)"),
        count("bulan_terlambat", "months reported after the deadline"),
        count("kirim_ulang", "submissions replaced by a later one"),
        count("baris_karantina", "quarantined report rows, a row of a file (its content) in the latest run that "
                                 "quarantined it only"),
        text_column("alasan_karantina_terbanyak", "most frequent kind of quarantine reason (null: none)", nullable=True),
        Column("persen_melapor", FLOAT, "bulan_melapor / bulan_wajib x 100", nullable=False, checks=(SCORE,)),
        Column("persen_tepat_waktu", FLOAT, "bulan_tepat_waktu / bulan_wajib x 100", nullable=False, checks=(SCORE,)),
        Column("nilai_mutu", STRING, "grade A-D: the first row of scoring/mutu_pelaporan.toml met", nullable=False,
              checks=(pdr.Check.str_matches(r"^[A-Z]$"),)),
        run_id_column(),
    ), key=("nik", "periode"), rules=(
        rule(("bulan_tepat_waktu", "bulan_terlambat", "bulan_melapor", "bulan_wajib"),
               "bulan_tepat_waktu + bulan_terlambat = bulan_melapor <= bulan_wajib",
               lambda df: (df["bulan_tepat_waktu"] + df["bulan_terlambat"] == df["bulan_melapor"])
               & (df["bulan_melapor"] <= df["bulan_wajib"])),
        iff("alasan_karantina_terbanyak", "baris_karantina", "alasan_karantina_terbanyak is null iff baris_karantina "
             "= 0", lambda df: df["alasan_karantina_terbanyak"].isna(), lambda df: df["baris_karantina"] == 0),
    ))


def action_tables() -> tuple[OutputTable, ...]:
    """The five tables, in publication order."""
    return (_jalan_menuju_sehat(), _peringatan_dini(), _persentil_sejawat(), _daftar_prioritas(), _mutu_pelaporan())
