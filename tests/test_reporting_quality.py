"""mutu_pelaporan (scoring.reporting_quality): a hand-made landing folder's 12 months, the deadline to the
minute in WITA, and the grade rule of scoring/mutu_pelaporan.toml."""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.outputs import validate_output
from scoring.errors import RulebookError
from scoring.reporting_quality import GradeTable, grade_table, mutu_pelaporan
from scoring.rulebook import load_data_file
from scoring.periods import month_number, shift_period

PERIODE = "2026-10"
REGISTRY = pd.DataFrame({"nik": ["A", "B", "C", "D", "Z"], "nama": ["KSP A", "KSP B", "KSP C", "KSP D", "KSP Z"],
                         "kabupaten_kota": "Tarakan"})
MONTHS = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]  # the 12 of the window


def times(*texts: str) -> pd.Series:
    return pd.to_datetime(pd.Series(texts), format="ISO8601")


def quality(submissions: pd.DataFrame, quarantined: pd.DataFrame | None = None, **settings) -> pd.DataFrame:
    quarantined = quarantined if quarantined is not None else pd.DataFrame(
        {"sumber": [], "data": [], "nik": [], "periode": [], "alasan": []})
    found = mutu_pelaporan(PERIODE, REGISTRY, submissions, quarantined, **({"deadline_day": 10, "months": 12,
                                                                            "timezone": "Asia/Makassar"} | settings))
    validate_output("mutu_pelaporan", found.assign(run_id="r"))
    return found.set_index("nik")


def a_year(sent: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"nik": "A", "periode": MONTHS, "tanggal_kirim": times(*sent), "terganti": False})


def test_every_month_but_one_on_time_is_grade_a():
    # the report of 2025-12 sent 2026-01-10 23:59 WITA: on time (by the end of the 10th of the next month);
    # 2026-01 sent 2026-02-11 00:00: late. 11 of 12 on time = 91.67% >= 90, every month reported, no quarantine
    sent = ["2025-12-05T09:00", "2026-01-10T23:59:59", "2026-02-11T00:00"] + [f"2026-{m:02d}-03" for m in range(3, 12)]
    row = quality(a_year(sent)).loc["A"]
    assert (row["bulan_awal"], row["bulan_wajib"], row["bulan_melapor"], row["bulan_tepat_waktu"],
            row["bulan_terlambat"], row["kirim_ulang"], row["baris_karantina"]) == ("2025-11", 12, 12, 11, 1, 0, 0)
    assert (row["persen_melapor"], row["persen_tepat_waktu"], row["nilai_mutu"]) == (100.0, 91.67, "A")
    assert pd.isna(row["alasan_karantina_terbanyak"])


def test_times_with_a_zone_are_converted_to_wita():
    # 2026-01-10 15:59 UTC is 23:59 WITA (on time); 2026-02-10 16:00 UTC is 2026-02-11 00:00 WITA (late)
    sent = a_year(["2025-12-05T09:00"] * 12)
    sent["tanggal_kirim"] = times(*(["2025-12-05T01:00Z", "2026-01-10T15:59Z", "2026-02-10T16:00Z"]
                                    + [f"2026-{m:02d}-03T00:00Z" for m in range(3, 12)]))
    assert quality(sent).loc["A", "bulan_tepat_waktu"] == 11


def test_late_resubmitted_and_quarantined():
    # B first reported 2026-08 (owes 08, 09, 10): 08 sent 09-20 (late); 09 sent 10-02 (on time) and corrected
    # 10-09 (one resubmission); 10 only quarantined (two rows, "neraca tidak seimbang" twice, "nik ..." once).
    # 2 of 3 months reported = 66.67% (C: at least 50); 1 of 3 on time = 33.33%
    submissions = pd.DataFrame({"nik": "B", "periode": ["2026-08", "2026-09", "2026-09"],
                                "tanggal_kirim": times("2026-09-20", "2026-10-02", "2026-10-09"),
                                "terganti": [False, True, False]})
    quarantined = pd.DataFrame({"sumber": "laporan/b.csv", "data": ['{"kas": "1"}', '{"kas": "2"}'], "nik": ["B", "B"],
                                "periode": ["2026-10", "2026-10"], "alasan": [
        ["neraca tidak seimbang: total_aset 44.798.726 != kewajiban + ekuitas 47.038.662"],
        ["neraca tidak seimbang: total_aset 1 != 2", "nik tidak terdaftar: 65O2"]]})
    row = quality(submissions, quarantined).loc["B"]
    assert (row["bulan_awal"], row["bulan_wajib"], row["bulan_melapor"], row["bulan_tepat_waktu"],
            row["bulan_terlambat"], row["kirim_ulang"], row["baris_karantina"]) == ("2026-08", 3, 2, 1, 1, 1, 2)
    assert (row["alasan_karantina_terbanyak"], row["persen_melapor"], row["persen_tepat_waktu"], row["nilai_mutu"]) == (
        "neraca tidak seimbang", 66.67, 33.33, "C")



def test_a_row_every_run_quarantines_counts_once():
    """A report row of October sent 'in the future' is quarantined by every run until its date passes, so a backfill
    of July to October quarantined it four times and the card read '4 baris laporan dikarantina' (new-user trial):
    a row of a file (its content, wherever its line moved: hostile trial) counts in the latest run only; another
    row of the same file counts too, and two rows alike of one run both."""
    submissions = pd.DataFrame({"nik": "B", "periode": ["2026-06"], "tanggal_kirim": times("2026-07-02"),
                                "terganti": False})
    future, empty = '{"nik": "B", "tanggal_kirim": "2099-01-01"}', '{"nik": "B", "kas": ""}'
    quarantined = pd.DataFrame({"sumber": "laporan/laporan_2026-10.csv", "data": [future] * 4 + [empty, empty],
                                "nik": "B",
                                "periode": ["2026-07", "2026-08", "2026-09", "2026-10", "2026-09", "2026-09"],
                                "alasan": [["tanggal_kirim: tidak boleh sesudah waktu mulai proses"]] * 4
                                + [["kas: kosong"]] * 2})
    row = quality(submissions, quarantined).loc["B"]
    assert (row["bulan_awal"], row["bulan_wajib"], row["baris_karantina"]) == ("2026-06", 5, 3)
    alone = quality(submissions.iloc[:0], quarantined).loc["B"]  # seen first in July, as before: owes four months
    assert (alone["bulan_awal"], alone["bulan_wajib"], alone["baris_karantina"]) == ("2026-07", 4, 3)
    without = quarantined.assign(data=None)  # no content known: each run's rows count, as before
    assert quality(submissions, without).loc["B", "baris_karantina"] == 6


@pytest.mark.parametrize(("reported", "on_time", "quarantine", "grade"), [
    (12, 11, 0, "A"),
    (12, 11, 1, "B"),   # a quarantined row keeps it from A
    (12, 10, 0, "B"),   # 83.33% on time: not A; 100% reported and >= 60% on time
    (11, 8, 0, "B"),    # 91.67% reported, 66.67% on time
    (11, 7, 0, "C"),    # 58.33% on time: not B; >= 50% reported
    (10, 10, 0, "C"),   # 83.33% reported: not B
    (6, 6, 0, "C"),     # 50% reported
    (5, 5, 0, "D"),
])
def test_the_grade_rule(reported, on_time, quarantine, grade):
    # the last `reported` months of the window, the first `on_time` of them sent on the 5th of the next month,
    # the others on the 20th; D first reported in 2024, so it owes all 12
    periods = MONTHS[12 - reported:]
    sent = [f"{shift_period(p, 1)}-{'05' if i < on_time else '20'}" for i, p in enumerate(periods)]
    submissions = pd.DataFrame({"nik": "D", "periode": ["2024-05", *periods],
                                "tanggal_kirim": times("2024-06-01", *sent), "terganti": False})
    quarantined = pd.DataFrame({"sumber": "laporan/d.csv", "data": [f'{{"baris": {i}}}' for i in range(quarantine)],
                                "nik": ["D"] * quarantine,
                                "periode": ["2026-10"] * quarantine, "alasan": [["x: y"]] * quarantine})
    row = quality(submissions, quarantined).loc["D"]
    assert (row["bulan_wajib"], row["bulan_melapor"], row["bulan_tepat_waktu"], row["nilai_mutu"]) == (
        12, reported, on_time, grade)


def test_who_is_listed():
    # C reported only in 2024: it owes the whole window and reported none of it (D); Z never reported: not listed;
    # a nik outside the registry is not listed either
    submissions = pd.DataFrame({"nik": ["C", "X"], "periode": ["2024-03", "2026-05"],
                                "tanggal_kirim": times("2024-04-02", "2026-06-02"), "terganti": False})
    found = quality(submissions)
    assert list(found.index) == ["C"]
    assert (found.loc["C", "bulan_wajib"], found.loc["C", "bulan_melapor"], found.loc["C", "nilai_mutu"]) == (12, 0, "D")


def test_the_grade_table_must_end_with_a_catch_all(tmp_path):
    assert [g.huruf for g in grade_table().nilai] == ["A", "B", "C", "D"]
    path = tmp_path / "nilai.toml"
    path.write_text('[[nilai]]\nhuruf = "A"\npersen_melapor_min = 100\n', encoding="utf-8")
    with pytest.raises(RulebookError, match="the last grade must have no condition"):
        load_data_file(path, GradeTable)


def test_send_times_written_with_a_zone_are_read_as_wita_beside_those_without(tmp_path):
    # one other month's row sent with +07:00, one with Z, one without a zone: pandas refuses to mix zones
    # ("Mixed timezones detected") and stopped the month; each is converted to WITA (UTC+8)
    from flows.assemble import _submissions
    from flows.catalog import RunFolder

    run = RunFolder(tmp_path)
    run.write("laporan", pd.DataFrame({"nik": ["A"], "periode": [PERIODE],
                                       "tanggal_kirim": times("2026-11-05T08:00:00")}))
    run.write("kiriman", pd.DataFrame({"nik": ["A", "A", "B"], "periode": ["2026-08", "2026-09", "2026-09"],
                                       "tanggal_kirim": ["2026-09-01T09:49:45+07:00", "2026-10-01T07:55:00Z",
                                                         "2026-10-09 23:00"]}))
    replaced = pd.DataFrame({"nik": ["A"], "periode": [PERIODE], "tanggal_kirim": ["2026-11-01T00:30:00+00:00"]})
    found = _submissions(run, {"laporan_terganti": replaced}).sort_values(["nik", "periode", "terganti"])
    assert found.astype({"tanggal_kirim": "str"}).values.tolist() == [
        ["A", "2026-08", "2026-09-01 10:49:45", False], ["A", "2026-09", "2026-10-01 15:55:00", False],
        ["A", PERIODE, "2026-11-05 08:00:00", False], ["A", PERIODE, "2026-11-01 08:30:00", True],
        ["B", "2026-09", "2026-10-09 23:00:00", False]]


def test_month_numbers_of_a_series_keep_its_index_and_each_period_counts_from_year_zero():
    periods = pd.Series(["2026-10", "2025-01", "2026-10", "2024-12"], index=[5, 7, 9, 2]).astype("category")
    numbers = month_number(periods)
    assert numbers.tolist() == [2026 * 12 + 10, 2025 * 12 + 1, 2026 * 12 + 10, 2024 * 12 + 12]
    assert numbers.index.tolist() == [5, 7, 9, 2] and numbers.dtype == "int64"
    assert numbers[9] - numbers[2] == 22 and month_number("2026-10") == numbers[5]
    assert month_number(periods.iloc[:0]).dtype == "int64"
    with pytest.raises(ValueError):
        month_number(pd.Series(["2026-10", None]))


def test_a_reason_kind_keeps_the_first_problem_of_a_set_or_a_refused_registry_row():
    """Every questionnaire set's problems were one kind, 'set kuesioner … …', in the report's table of reasons and
    the summary's (new-user trial): a reason that names its set or row by values keeps its first problem."""
    from scoring.reporting_quality import reason_kinds

    assert reason_kinds(pd.Series([
        "set kuesioner 650423110186759 2026-02-26: manajemen_likuiditas nomor 3 dijawab 2 kali (baris 758-759)",
        "set kuesioner 6501 2026-02-06: manajemen_aktiva nomor 7, 8 tidak dijawab; dan 2 masalah lain",
        "periode: ditulis '10/2026', harus YYYY-MM (maksud 2026-10?)", "nik '650' tidak terdaftar di koperasi.csv",
        "baris registri koperasi.csv:15 (nik 650) ditolak: tanggal_badan_hukum: bukan tanggal (nilai: '13/03/2019')",
        'kas: bukan bilangan bulat Rupiah (nilai: "12\'5")',
        "set kuesioner 6501 2026-02-10: manajemen_umum nomor 3 dijawab 2 kali (kuesioner/b_1.csv baris 22; "
        "kuesioner/m.xlsx[Lembar 'satu'] baris 2-3); manajemen_umum nomor 5 tidak dijawab",
        "set pemeriksaan 6501 2026-08-20: pemeriksaan/tambahan.xlsx baris 4 ditolak",
        "nik '6517' tidak terdaftar di koperasi.csv (maksud 6571?)",
        "kas: bukan bilangan bulat Rupiah (nilai: \u201c1'2\"3\u201d)",
        "nik \u201c6'5\"1\u201d tidak terdaftar di x.csv",
        "tanggal_kirim: tidak boleh sesudah waktu mulai proses 2026-11-05 02:00:00 WITA (nilai: 2099-10-05T08:00:00)"
    ])).tolist() == [
        "set kuesioner … …: manajemen_likuiditas nomor … dijawab … kali (baris …)",
        "set kuesioner … …: manajemen_aktiva nomor …, … tidak dijawab", "periode: ditulis …, harus YYYY-MM",
        "nik … tidak terdaftar di koperasi.csv", "baris registri koperasi.csv:… (nik …) ditolak: tanggal_badan_hukum",
        "kas: bukan bilangan bulat Rupiah",  # a column's problem without its value ('kas' alone: new-user trial)
        "set kuesioner … …: manajemen_umum nomor … dijawab … kali (baris …)",  # one kind, whichever files (trial)
        "set pemeriksaan … …: baris … ditolak",
        "nik … tidak terdaftar di koperasi.csv",  # with the nik it likely meant or not: one kind
        "kas: bukan bilangan bulat Rupiah", "nik … tidak terdaftar di x.csv",  # a value in typographic quotes
        "tanggal_kirim: tidak boleh sesudah waktu mulai proses … WITA"]  # a time one value ('… … WITA': trial)
