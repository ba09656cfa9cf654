"""`koperasi-sehat jelaskan`: one cooperative from the published outputs (tests/published_sample.py), without
Prefect; the values are those of the committed sample, October 2026."""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from rich.console import Console

from flows import lookup, report, storage
from scoring.errors import ParameterError
from scoring.path_to_sehat import NOTE_COMBINATION, NOTE_SINGLE
from scoring.texts import row_ranges, rows_by_reason

DPK = "650274822002787"  # KSP Setia Bersama, Dalam Pengawasan at 51.80
QUARANTINED = "650276611812441"  # KSP Setia Nelayan: its October report quarantined
CONSUMER = "650210554010239"  # a consumer cooperative: registered, never scored
UNREGISTERED = "657145583934618"  # a report of a NIK the registry does not hold


JELASKAN = ("import sys; from flows.cli import main; code = main(sys.argv[1:]); "
            "assert 'prefect' not in sys.modules, 'prefect imported'; sys.exit(code)")


def _environment(columns: str | None) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "COLUMNS"} | ({"COLUMNS": columns} if columns else {})


def jelaskan(output, *args: str, columns: str | None = "400") -> subprocess.CompletedProcess:
    """The command in a fresh interpreter that must not import Prefect; wide enough for one line per row
    (`columns`: the COLUMNS it is given, None: none, as in a pipe)."""
    return subprocess.run([sys.executable, "-c", JELASKAN, "jelaskan", *args, "--output", str(output)],
                          capture_output=True, text=True, env=_environment(columns), timeout=60)


def in_a_terminal(output, *args: str, columns: str | None, size: tuple[int, int] = (40, 120)) -> tuple[int, str]:
    """The command on a terminal of `size` (lines, columns), COLUMNS set to `columns` (None: not set); its exit
    code and what the terminal shows, without colours."""
    import fcntl
    import struct
    import termios

    terminal, its_end = os.openpty()
    fcntl.ioctl(its_end, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    process = subprocess.Popen([sys.executable, "-c", JELASKAN, "jelaskan", *args, "--output", str(output)],
                               stdin=its_end, stdout=its_end, stderr=its_end, env=_environment(columns))
    os.close(its_end)
    shown = b""
    try:
        while chunk := os.read(terminal, 1 << 16):
            shown += chunk
    except OSError as error:  # EIO: the command closed its end; any other error is the test's
        if error.errno != errno.EIO:
            raise
    finally:
        os.close(terminal)
    return process.wait(timeout=60), re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode()).replace("\r\n", "\n")


def test_a_terminal_s_own_width_is_used_whatever_columns_and_term_say(published_sample, monkeypatch):
    """COLUMNS=0 on a terminal: rich took it as a width of none and printed nothing, exit 0; a terminal calling itself
    dumb (TERM=dumb) got 80 columns whatever its width (hostile trials). A COLUMNS that is no width is now left
    out, and a dumb terminal gets its own size: the terminal's own width, as without them."""
    monkeypatch.setenv("TERM", "xterm")
    own = in_a_terminal(published_sample[0], DPK, columns=None)
    assert own[0] == 0 and own[1].startswith(f"KSP Setia Bersama ({DPK})\n")
    assert " kelembagaan " in own[1] and max(map(len, own[1].splitlines())) == 120  # the terminal's 120 columns
    # and what is no size to rich either: a digit int() refuses (a traceback), beyond what it can hold (a traceback),
    # a billion (gigabytes of spaces; hostile trial)
    for columns in ("0", "lebar", "²", "99999999999999999999", "1000000000"):
        assert in_a_terminal(published_sample[0], DPK, columns=columns) == own, columns
    monkeypatch.setenv("TERM", "dumb")
    assert in_a_terminal(published_sample[0], DPK, columns=None) == own
    assert in_a_terminal(published_sample[0], DPK, columns=None, size=(0, 120)) == own  # one that gives no height
    # one that gives no size, its width in COLUMNS: rich took 80 columns (hostile trial)
    assert in_a_terminal(published_sample[0], DPK, columns="120", size=(0, 0)) == own


@pytest.mark.parametrize("colour", [None, "1", "1 dumb"])
def test_in_a_pipe_each_table_row_and_each_line_of_text_is_one_line(published_sample, monkeypatch, colour):
    """Without a terminal rich takes 80 columns, which folded the last column of the component table; FORCE_COLOR
    (colours in a pipe) made rich call the pipe a terminal, and with TERM=dumb a terminal of 80 columns whatever
    width it was given (hostile trial). A line of text was wrapped at the widest table's width, between "Rp" and
    its amount."""
    if colour:
        monkeypatch.setenv("FORCE_COLOR", colour.split()[0])
    if colour and colour.endswith("dumb"):
        monkeypatch.setenv("TERM", "dumb")
    done = jelaskan(published_sample[0], DPK, columns=None)
    assert done.returncode == 0, done.stderr
    plain = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
    assert " kelembagaan                   16,67   16,67   0,50    3,00     2,50   33,33 bila 2 dari 6 jawaban ya" \
        in plain
    lines = plain.splitlines()
    assert ("  - ms_pinjaman_berisiko: naikkan modal_sendiri sebesar Rp 23.743 (Rp 164.951.000,50 menjadi Rp "
            "164.974.743,50); rasio 79,99% menjadi lebih dari 80% (80 < x <= 90), nilai 70 menjadi 80, +0,60 poin"
            ) in lines
    assert lines[3].startswith("Dalam Pengawasan, skor 51,80") and lines[3].endswith("nilai 100 bila x > 100).")


def test_a_cooperative_below_sehat_is_explained_from_the_outputs(published_sample):
    output, _ = published_sample
    done = jelaskan(output, DPK)
    assert done.returncode == 0, done.stderr
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    assert lines[:5] == [
        f"KSP Setia Bersama ({DPK})",
        "Bulungan · ksp · periode Oktober 2026 · pendamping: Rahmat Hidayat",
        "aktif · RAT terakhir 2026-03-10 · melapor periode ini",
        "Dalam Pengawasan, skor 51,80 (ksp-2016). Poin terbanyak hilang: rasio_kas 24,38% (nilai 25, hilang 7,50 "
        "poin; nilai 50 bila 15 < x <= 20); ms_aset 12,78% (nilai 25, hilang 4,50 poin; nilai 50 bila 20 < x <= 40); "
        "kemandirian_operasional 41,80% (nilai 0, hilang 4,00 poin; nilai 100 bila x > 100).",
        "Periode sebelumnya: 55,05 Dalam Pengawasan",
    ]
    text = "\n".join(lines)
    # the component table: ratio, nilai, skor, bobot, points lost, the nearest better band
    assert " rasio_kas                     24,38      25   2,50   10,00     7,50   50 bila 15 < x <= 20" in text
    assert " kelembagaan                   16,67   16,67   0,50    3,00     2,50   33,33 bila 2 dari 6 jawaban ya" in text
    assert "Kombinasi termurah menuju Cukup Sehat (bersama-sama: skor 66,15):" in text
    assert ("  - rasio_kas: turunkan kas_dan_bank sebesar Rp 69.085.441 (Rp 179.539.551 menjadi Rp 110.454.110); "
            "rasio 24,38% menjadi 15,00% (10 < x <= 15), nilai 25 menjadi 100, +7,50 poin") in text
    assert "  ... 15 langkah lain di tabel jalan_menuju_sehat" in text
    # each simulation note under the list it holds for (both were printed together after the last list)
    combination, others = lines.index("Kombinasi termurah menuju Cukup Sehat (bersama-sama: skor 66,15):"), \
        lines.index("Langkah satu komponen lainnya (poin terbanyak dahulu):")
    assert [i for i, line in enumerate(lines) if line.startswith("Simulasi atas angka periode ini")] == [
        others - 1, lines.index("  ... 15 langkah lain di tabel jalan_menuju_sehat") + 1]
    assert lines[others - 1] == NOTE_COMBINATION and lines[others - 2].startswith("  - ") and combination < others
    assert lines[lines.index("  ... 15 langkah lain di tabel jalan_menuju_sehat") + 1] == NOTE_SINGLE
    # no column of notes none of its rows has; what a percentile ranks said under the table (a high one read as
    # healthy where a lower ratio scores better: fresh-clone trial)
    peers = lines.index("Persentil sejawat (ksp kelas aset I, provinsi: 21 koperasi)")
    assert lines[peers + 2] == " komponen                      rasio   persentil   median sejawat"
    assert " rasio_kas                     24,38          98            12,19" in lines
    assert lines[lines.index("", peers + 2) + 1] == lookup.PERCENTILE_NOTE
    assert "- komponen_turun_band: nilai komponen turun sejak 2026-09: pinjaman_berisiko" in text
    assert ("peringkat 4 di Bulungan, skor prioritas 2,04 (predikat 2,00 + penurunan 0,00 + tidak melapor 0,00 + "
            "anggota 0,04); pendamping Rahmat Hidayat, kunjungan ke-1 (dalam kapasitas)") in text
    assert ("nilai B: 12 dari 12 bulan wajib dilaporkan (sejak 2025-11), 10 tepat waktu, 2 terlambat, 0 kirim ulang, "
            "0 baris dikarantina") in text
    assert done.stderr == ""


def test_each_list_of_moves_is_cut_at_five_and_carries_its_note(published_sample):
    """A list of 23 single moves each reaching the next predicate was printed whole; the list of the other single
    moves had no note when that list came first (fresh-clone trial). A downgrade factor's words are in the notes."""
    done = jelaskan(published_sample[0], "650489257157232")  # 7 single moves reach Sehat, 6 others do not
    assert done.returncode == 0, done.stderr
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    # its rekayasa_pembukuan holds it at Dalam Pengawasan Khusus: the moves reach Sehat by the score only (the
    # heading read as its next predicate: fresh-clone trial)
    assert lines[lines.index("Satu komponen saja sudah mencapai Sehat menurut skor:") - 1] == (
        "Jalan menuju Sehat (predikat berikutnya menurut skor: Sehat; faktor pengurang tetap berlaku: predikat akhir "
        "Dalam Pengawasan Khusus)")
    first = lines.index("Satu komponen saja sudah mencapai Sehat menurut skor:")
    moves = [i for i, line in enumerate(lines) if line.startswith("  - ")]
    assert moves[:5] == list(range(first + 1, first + 6))
    assert lines[first + 6] == "  ... 2 langkah lain di tabel jalan_menuju_sehat"
    assert lines[first + 7].startswith(NOTE_SINGLE + " Faktor pengurang ")
    assert lines[first + 8] == "Kombinasi termurah menuju Sehat menurut skor (bersama-sama: skor 80,20):"  # 2 moves
    assert lines[first + 1].endswith(" (mencapai Sehat menurut skor)")
    assert lines[first + 11].startswith(NOTE_COMBINATION)
    assert lines[first + 12] == "Langkah satu komponen lainnya (poin terbanyak dahulu):"
    assert moves[5:] == [first + 9, first + 10, *range(first + 13, first + 18)]
    assert lines[first + 18] == "  ... 1 langkah lain di tabel jalan_menuju_sehat"
    assert lines[first + 19] == lines[first + 7]  # the same note under each list of single moves


def test_a_peer_group_too_small_for_a_percentile_says_so_in_its_notes_column(published_sample):
    done = jelaskan(published_sample[0], "650490583174240")
    assert done.returncode == 0, done.stderr
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    peers = [line.startswith("Persentil sejawat") for line in lines].index(True)
    assert lines[peers + 2].split() == ["komponen", "rasio", "persentil", "median", "sejawat", "keterangan"]
    assert lines[peers + 4].split(maxsplit=2)[0] == "ms_aset" and lines[peers + 4].endswith(
        "hanya 1 koperasi sejawat dengan rasio (minimal 5): persentil dan median tidak diberikan")
    assert lines[lines.index("", peers + 2) + 1] == lookup.PERCENTILE_NOTE


def test_a_combination_of_one_move_listed_above_is_not_listed_again(published_sample):
    """650285817105774's cheapest combination is its one move of rasio_kas, the first single move that reaches the
    next predicate: it was listed twice, the second time as a combination with its note (review)."""
    done = jelaskan(published_sample[0], "650285817105774")
    assert done.returncode == 0, done.stderr
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    first = lines.index("Satu komponen saja sudah mencapai Dalam Pengawasan:")
    assert lines[first + 1].startswith("  - rasio_kas: naikkan kas_dan_bank sebesar Rp 1.637.765 ")
    assert lines[first + 2] == NOTE_SINGLE
    assert lines[first + 3] == ("Kombinasi termurah menuju Dalam Pengawasan: langkah rasio_kas di atas itu saja "
                                "(skor 52,20).")
    assert lines[first + 4] == "Langkah satu komponen lainnya (poin terbanyak dahulu):"
    assert sum(line.startswith("  - rasio_kas: naikkan kas_dan_bank sebesar Rp 1.637.765 ") for line in lines) == 1
    assert NOTE_COMBINATION not in lines
    # the other single moves' note is the one two lines above them: said once (it was printed again under them)
    assert lines.count(NOTE_SINGLE) == 1
    assert lines[lines.index("  ... 14 langkah lain di tabel jalan_menuju_sehat") + 1] == ""


def test_a_quarantined_report_is_shown_with_its_reasons(published_sample):
    output, _ = published_sample
    done = jelaskan(output, "setia nelayan", "--period", "2026-10")  # a name fragment, any case
    assert done.returncode == 0, done.stderr
    text = "\n".join(line.rstrip() for line in done.stdout.splitlines())
    assert ("aktif · RAT terakhir 2025-06-10 · laporan periode ini dikarantina, tidak diterima (1 bulan "
            "berturut-turut tanpa laporan diterima)") in text  # was: "tidak melapor 1 bulan berturut-turut"
    assert "Tidak dinilai: laporan periode ini dikarantina: lihat tabel karantina" in text
    assert ("- laporan/laporan_2026-10.csv baris 4: pinjaman menurut kolektibilitas tidak sama dengan pinjaman "
            "diberikan: ") in text
    assert "Komponen" not in text and "Jalan menuju Sehat" not in text


def test_a_questionnaire_set_refused_whole_is_one_line_with_its_rows(published_sample):
    """A set refused whole printed its reason once per row, 37 lines alike (new-user trial): one line per file and
    reasons, the rows as ranges."""
    done = jelaskan(published_sample[0], "650113048542833", "--period", "2026-10")
    assert done.returncode == 0, done.stderr
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    start = lines.index("Karantina (baris masukan yang ditolak run periode ini)")
    assert [line for line in lines[start:] if "kuesioner" in line] == [
        "- kuesioner/kuesioner_2026.csv baris 2-38 (37 baris): set kuesioner 650113048542833 2026-02-06: "
        "manajemen_aktiva nomor 7 tidak dijawab"]
    assert row_ranges([9, 4, 10, 2, 3, 3]) == "2-4, 9-10" and row_ranges([7]) == "7"
    assert rows_by_reason(["a.csv", "b.csv", "a.csv", "a.csv"], [3, 2, 4, 9], [["x"], ["x"], ["x"], ["x", "y"]]) == [
        ("a.csv", "baris 3-4 (2 baris)", "x", 2), ("b.csv", "baris 2", "x", 1), ("a.csv", "baris 9", "x; y", 1)]


def test_a_questionnaire_in_karantina_is_said_beside_the_no_questionnaire_convention():
    """'tidak ada kuesioner manajemen ...' above the cooperative's set in karantina read as a questionnaire never
    filled in (new-user trial): a line says it is there, quarantined."""
    import io

    from rich.console import Console

    from scoring.components import NO_ANSWERS
    from scoring.explain import QUARANTINED_ANSWERS

    status = pd.Series({"nama": "KSP X", "nik": "1", "kabupaten_kota": "Tarakan", "jenis": "ksp", "pendamping": None,
                        "aktif": True, "tanggal_rat_terakhir": pd.Timestamp("2026-03-01"), "melapor": True,
                        "bulan_tidak_melapor_berturut": 0, "alasan_tidak_dinilai": None,
                        "penjelasan": f"Dalam Pengawasan, skor 60,00 (ksp-2016). Konvensi: {NO_ANSWERS['kuesioner']}"})
    karantina = pd.DataFrame({"sumber": ["kuesioner/k.csv"], "baris": [2], "alasan": [["set kuesioner 1: x"]],
                              "periode": ["2026-10"]})
    empty = pd.DataFrame({"skor_total_sebelumnya": []})

    def shown(tables: dict) -> list[str]:
        out = io.StringIO()
        Console(file=out, width=300).print(lookup._header(lookup.Cooperative("2026-10", status, tables)))
        return out.getvalue().splitlines()

    assert shown({"karantina": karantina, "skor_koperasi": empty})[4] == QUARANTINED_ANSWERS
    assert QUARANTINED_ANSWERS not in shown({"karantina": karantina.iloc[:0], "skor_koperasi": empty})


def test_a_nik_with_rows_only_in_karantina_is_told_why(published_sample, tmp_path):
    """A cooperative whose registry row was refused was 'tidak ada koperasi' (fresh-clone trial): the NIK's rows in
    karantina say why, its registry row first."""
    output, _ = published_sample
    done = jelaskan(output, UNREGISTERED)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"koperasi-sehat: NIK {UNREGISTERED} tidak ada di registri koperasi periode 2026-10; 1 "
                           f"baris dengan NIK ini dikarantina, mis. laporan/laporan_2026-10.csv baris 28: nik "
                           f"'{UNREGISTERED}' tidak terdaftar di koperasi.csv (maksud 657145583934681?) (tabel "
                           "karantina)\n")
    copy = shutil.copytree(output, tmp_path / "out")
    karantina = storage.read_table(copy, "karantina", "2026-10")
    registry = karantina[karantina["nik"] == UNREGISTERED].assign(
        sumber="koperasi.csv", baris=15, alasan=[["tanggal_badan_hukum: bukan tanggal YYYY-MM-DD (nilai: '13/03/2019')"]])
    storage.write_period(copy, "karantina", "2026-10", pd.concat([karantina, registry]), "tes")
    done = jelaskan(copy, UNREGISTERED)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"koperasi-sehat: koperasi {UNREGISTERED} tidak dinilai periode 2026-10: baris registrinya "
                           "ditolak (koperasi.csv baris 15: tanggal_badan_hukum: bukan tanggal YYYY-MM-DD (nilai: "
                           "'13/03/2019')); 1 baris lain dengan NIK ini dikarantina: perbaiki baris registri itu, lalu "
                           "jalankan lagi (tabel karantina)\n")


def test_a_quarantined_report_of_a_jenis_no_rulebook_scores_is_said_so(published_sample):
    """A kspps's quarantined report read 'belum pernah melapor': its alasan_tidak_dinilai is its jenis' (fresh-clone
    trial); karantina says a report was sent."""
    done = jelaskan(published_sample[0], "657188259639938")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2].rstrip() == ("aktif · RAT terakhir 2026-05-19 · laporan periode ini dikarantina, "
                                                    "tidak diterima (1 bulan berturut-turut tanpa laporan diterima)")


def test_a_suggested_pendamping_is_said_to_be_suggested(published_sample):
    """A cooperative without a pendamping read 'pendamping Andi Saputra' on the priority list, as if assigned,
    under 'pendamping: belum ada' (fresh-clone trial); the report and workbook say 'usulan'."""
    done = jelaskan(published_sample[0], "650489257157232")
    assert done.returncode == 0, done.stderr
    assert "pendamping: belum ada" in done.stdout
    assert "; pendamping usulan Andi Saputra, kunjungan ke-1 (dalam kapasitas)" in done.stdout


def test_a_nik_may_be_written_in_groups(published_sample):
    output, _ = published_sample
    grouped = jelaskan(output, "6502 1055 4010 239")
    assert grouped.returncode == 0 and grouped.stdout == jelaskan(output, CONSUMER).stdout
    pasted = jelaskan(output, f"\u200b{CONSUMER}\u00a0")  # invisible characters, as an input's cells lose them
    assert pasted.returncode == 0 and pasted.stdout == grouped.stdout
    marked = jelaskan(output, f"'{CONSUMER}")  # copied from an Excel cell typed as text: its mark is no part of it
    assert marked.returncode == 0 and marked.stdout == grouped.stdout  # (hostile trial)
    every_digit = jelaskan(output, f"{CONSUMER[0]}.{CONSUMER[1:]}E+14")  # scientific notation, no digit lost
    assert every_digit.returncode == 0 and every_digit.stdout == grouped.stdout  # (refused as lost: hostile trial)
    assert "tidak aktif · RAT belum tercatat · belum pernah melapor" in grouped.stdout
    assert "tidak masuk daftar prioritas periode ini" in grouped.stdout


def test_a_fragment_of_several_names_lists_them(published_sample):
    output, _ = published_sample
    done = jelaskan(output, "SETIA")
    assert done.returncode == 2
    assert done.stderr == "koperasi-sehat: 'SETIA' cocok dengan 14 koperasi periode 2026-10: sebutkan NIK-nya\n"
    rows = [line.split() for line in done.stdout.splitlines() if line.strip()[:1].isdigit()]
    # by name as a reader sorts, without regard to case ('KSP Setia Bersama' came before 'Koperasi Konsumen ...')
    assert len(rows) == 14 and [r[0] for r in rows][:3] == ["650210554010239", "650378500185504", "650439780953639"]
    assert " ".join(rows[0][1:5]) == "Koperasi Konsumen Cahaya Setia" and DPK in [r[0] for r in rows]
    piped = jelaskan(output, "SETIA", columns=None)  # without a terminal: one line per cooperative, none folded
    assert [line.split() for line in piped.stdout.splitlines() if line.strip()[:1].isdigit()] == rows
    assert len([line for line in piped.stdout.splitlines() if line.strip()]) == 14 + 3  # title, header, rule
    # on a terminal too narrow for the table (45 columns), a list: each cooperative an item, its NIK whole
    code, shown = in_a_terminal(output, "SETIA", columns=None, size=(40, 45))
    items = [line for line in shown.splitlines() if line.startswith("- ")]
    assert code == 2 and max(map(len, shown.splitlines()[:-1])) <= 45  # the last: the error's one line
    assert [item.split(":")[0] for item in items] == [f"- {r[0]}" for r in rows]
    at = shown.splitlines().index(f"- {DPK}: nama KSP Setia Bersama ·")
    assert shown.splitlines()[at + 1] == "  kabupaten/kota Bulungan · predikat Dalam"


def test_names_are_matched_without_regard_to_accents_their_encoding_or_the_kind_of_apostrophe():
    """A decomposed 'Café' (as some editors paste it) matched 'KSP Cafe Nusantara' alone, exit 0: the other
    cooperative explained; 'Mu’min' found no "KSP Mu'min Sejahtera" (hostile trial)."""
    status = pd.DataFrame({"nik": ["1", "2", "3"], "nama": ["KSP Café Ñusantara", "KSP Cafe Nusantara",
                                                           "KSP Mu'min  Sejahtera"]})
    for query in ("Cafe\u0301", "café", "CAFE", "nusantara", "ksp cafe ñusantara"):
        assert lookup.named(status, query)["nik"].tolist() == ["1", "2"], query
    for query in ("Mu’min", "MU`MIN sejahtera", "ksp mu'min sejahtera"):
        assert lookup.named(status, query)["nik"].tolist() == ["3"], query


def test_the_cooperative_a_mistyped_nik_meant_is_told_of_the_report(published_sample):
    """657145583934618's report (a typo of 657145583934681, CACAT.md) is quarantined as not registered; jelaskan of
    657145583934681 said only 'belum pernah melapor' (new-user trial)."""
    coop = lookup.cooperative(published_sample[0], "657145583934681", "2026-10")
    assert coop.typos.to_dict("records") == [{"teks": "laporan/laporan_2026-10.csv baris 28 (nik 657145583934618)",
                                              "tabel": {"laporan"}}]
    out = io.StringIO()
    Console(file=out, width=400).print(lookup._header(coop))
    assert (" · baris dengan NIK mirip dikarantina, mungkin salah ketik: laporan/laporan_2026-10.csv baris 28 (nik "
            "657145583934618)") in out.getvalue().splitlines()[2]
    assert lookup.cooperative(published_sample[0], DPK, "2026-10").typos.empty


def test_an_exact_name_wins_over_the_names_it_is_part_of(published_sample):
    output, _ = published_sample
    assert lookup.find(output, "ksp setia bersama", "2026-10")["nik"] == DPK
    with pytest.raises(ParameterError) as none:  # the name searched is the one quoted (a line break in what
        lookup.find(output, "zz\nz'", "2026-10")       # was typed is not: hostile trial)
    assert str(none.value).startswith("tidak ada koperasi \"zzz'\" di status_koperasi periode 2026-10")


@pytest.mark.parametrize("args, message", [
    (("zzz",), "tidak ada koperasi 'zzz' di status_koperasi periode 2026-10 ({output}): sebutkan NIK atau bagian "
               "nama yang lain"),
    ((DPK[:-2] + DPK[-1] + DPK[-2],), f"tidak ada koperasi '{DPK[:-2] + DPK[-1] + DPK[-2]}' di status_koperasi "
                                      f"periode 2026-10 ({{output}}): maksud {DPK}?"),  # as the inputs' reasons
    ((DPK, "--period", "2027-01"), "periode 2027-01 belum terbit di {output} (terbit: 2026-05 s.d. 2026-10, 6 "
                                   "periode)"),
    ((DPK, "--period", "2026-13"), "--period: periode '2026-13' bukan YYYY-MM (mis. 2026-10) (lihat --help)"),
    (("  ",), 'berikan NIK atau bagian nama koperasi (mis. 650274822002787 atau "setia bersama")'),
    (("KSP", "Setia", "Bersama"), 'argumen berlebih: Setia Bersama (nama dengan spasi: tulis dalam tanda kutip, '
                                  'mis. "KSP Setia Bersama") (lihat --help)'),  # jelaskan has no --kabupaten
    (("6.5021055401024E+14",), "NIK '6.5021055401024E+14' ditulis dalam notasi ilmiah spreadsheet (digit "
                               "terakhirnya hilang): salin NIK dari sel berformat Teks"),  # (hostile trial)
])
def test_a_wrong_question_is_one_line(published_sample, args, message):
    output, _ = published_sample
    done = jelaskan(output, *args)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"koperasi-sehat: {message.format(output=output)}\n")


def test_names_in_the_list_of_matches_are_shown_as_written_never_as_markup():
    import io

    from rich.console import Console

    matches = pd.DataFrame({"nik": ["1", "2"], "nama": ["KSP [/bold] Tutup", "KSP [link=http://x]Klik[/link]"],
                            "kabupaten_kota": ["Tarakan", "Tarakan"], "predikat": ["Sehat", None]})
    out = io.StringIO()
    Console(file=out, width=120).print(lookup.listing(matches))  # a closing tag alone raised MarkupError
    assert "KSP [/bold] Tutup" in out.getvalue() and "KSP [link=http://x]Klik[/link]" in out.getvalue()


def test_an_unreadable_table_or_a_missing_folder_is_one_line(published_sample, tmp_path):
    import shutil

    output, _ = published_sample
    broken = shutil.copytree(output / "status_koperasi", tmp_path / "out" / "status_koperasi")
    (broken / "periode=2026-10" / "part-0.parquet").write_bytes(b"PAR1x")  # a torn file
    done = jelaskan(tmp_path / "out", DPK)
    assert (done.returncode, done.stdout) == (1, "") and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"koperasi-sehat: status_koperasi periode 2026-10 di {tmp_path / 'out'} tidak "
                                  "terbaca (status_koperasi/periode=2026-10/part-0.parquet: bukan Parquet yang utuh "
                                  "(ArrowInvalid: ")
    assert done.stderr.endswith("terbitkan ulang dengan `koperasi-sehat run --period 2026-10 --input <folder landing> "
                                f"--output {tmp_path / 'out'}`\n")
    missing = jelaskan(tmp_path / "tidak-ada", DPK)
    assert (missing.returncode, missing.stderr) == (2, f"koperasi-sehat: folder keluaran {tmp_path / 'tidak-ada'} "
                                                       "tidak ada: berikan --output folder tempat run menerbitkan\n")
    (tmp_path / "berkas").write_text("x")  # a file was 'tidak ada' (hostile trial)
    a_file = jelaskan(tmp_path / "berkas", DPK)
    assert (a_file.returncode, a_file.stderr) == (2, f"koperasi-sehat: --output {tmp_path / 'berkas'} adalah berkas, "
                                                     "bukan folder: berikan folder tempat run menerbitkan\n")


@pytest.mark.parametrize("table", ["skor_koperasi", "status_koperasi", "persentil_sejawat"])
def test_a_published_partition_gone_is_named_not_read_as_no_rows(published_sample, tmp_path, table):
    """A deleted partition of a published period was read as no rows: jelaskan dropped the previous period or the
    peers without a word, or said no period was published (hostile trial). Its record names it: one line."""
    import shutil

    output = shutil.copytree(published_sample[0], tmp_path / "out")
    (output / "_terbit").mkdir()  # the sample's months are written without their records: one, as a run writes it
    (output / "_terbit" / "2026-10.json").write_text(json.dumps(
        {"periode": "2026-10", "tabel": {table: {"folder": f"{table}/periode=2026-10", "baris": 1}}}))
    shutil.rmtree(output / table / "periode=2026-10")
    done = jelaskan(output, DPK)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"koperasi-sehat: {table} periode 2026-10 di {output} tidak terbaca ({table}/"
                           "periode=2026-10: tidak ada, padahal _terbit/2026-10.json mencatatnya terbit): terbitkan "
                           f"ulang dengan `koperasi-sehat run --period 2026-10 --input <folder landing> --output "
                           f"{output}`\n")


def test_nothing_published_yet(tmp_path):
    with pytest.raises(ParameterError, match="^belum ada periode yang terbit di .*: jalankan `koperasi-sehat run` "
                                             "dahulu$"):
        lookup.cooperative(tmp_path, DPK)


def test_in_an_80_column_terminal_no_line_is_wider_than_the_terminal(published_sample):
    """A terminal keeps its width (rich folds cells); lines wider than it wrapped whole and broke every row."""
    from rich.console import Console

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def shown(width: int) -> list[str]:
        console = Console(file=Terminal(), width=width, record=True, color_system=None)
        lookup.show(lookup.cooperative(published_sample[0], DPK, None), console)
        return [line.rstrip() for line in console.export_text().splitlines()]

    lines = shown(80)
    assert len(lines) > 40 and max(len(line) for line in lines) <= 80
    # the last column's text on its own line: folded into 8 columns, a row took three to five lines
    at = lines.index(" kelembagaan                            16,67   16,67   0,50    3,00     2,50")
    assert lines[at + 1] == "   -> 33,33 bila 2 dari 6 jawaban ya"
    header = lines.index(" -> nilai lebih baik bila               rasio   nilai   skor   bobot   hilang")
    assert lines[header - 1] == " komponen"
    assert lines[header + 2] == " ms_aset                                12,78      25   1,50    6,00     4,50"
    # too narrow for that table, each row and each "better" text whole (below 78 columns): a list, one item a
    # component (rich folded the ids into pieces of two to eight letters, a row took up to five lines, and at 72
    # columns a "better" text went on in its column: '-> 50 bila 6 dari 12' / 'jawaban ya')
    assert " kelembagaan                            16,67   16,67   0,50    3,00     2,50" in shown(78)
    assert "- ms_aset: rasio 12,78 · nilai 25 · skor 1,50 · bobot 6,00 · hilang 4,50" in shown(77)
    listed = shown(60)
    at = listed.index("Komponen")
    assert listed[at + 1:at + 4] == ["- ms_aset: rasio 12,78 · nilai 25 · skor 1,50 · bobot 6,00 ·", "  hilang 4,50",
                                     "  -> 50 bila 20 < x <= 40"]
    at = listed.index("- kecukupan_modal: rasio 67,37 · persentil 12 ·")  # a header's words kept together
    assert listed[at + 1] == "  median sejawat 73,80"
    # a terminal wide enough keeps the one table
    assert " kelembagaan                   16,67   16,67   0,50    3,00     2,50   33,33 bila 2 dari 6 jawaban ya" \
        in shown(120)


def test_at_any_width_lines_fit_break_between_words_and_go_on_under_their_text(published_sample):
    """At 45 columns the component ids were folded into pieces of two letters; a line broke between "Rp" and its
    amount, or inside a range (20 < x <=\\n40), and went on at the line's start under its item's dash (review)."""
    from rich.console import Console

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    coop = lookup.cooperative(published_sample[0], DPK, None)
    ids = set(coop.tables["skor_indikator"]["komponen"].astype("str"))
    items = set()  # the moves listed, the same at every width
    for width in (40, 45, 52, 60, 66, 72, 80, 90, 100, 120, 160):
        console = Console(file=Terminal(), width=width, record=True, color_system=None)
        lookup.show(coop, console)
        lines = [line.rstrip() for line in console.export_text().splitlines()]
        words = {word.strip(":") for line in lines for word in line.split()}
        assert max(map(len, lines)) <= width and ids <= words, width  # every id whole, in the components and peers
        assert not [line for line in lines if re.search(r"\bRp$|[<>=]$|\bx$|^ *[<>]", line)], width
        moves = lines[[line.startswith("Jalan menuju Sehat") for line in lines].index(True):]
        moves = moves[:moves.index("")]
        items.add(sum(line.startswith("  - ") for line in moves))
        # an item's next lines go on under its text (4 spaces), a note or a title at the line's start
        assert all(re.match(r"  - |  \.\.\. |    \S|      \S|\S", line) for line in moves), width
        assert not [line for line in moves if line.startswith("jalan_menuju_sehat")], width  # '  ... 15 langkah'
        peers = lines[[line.startswith("Persentil sejawat") for line in lines].index(True):]
        assert not [line for line in peers[:peers.index("")] if "…" in line], width  # rich cut 12,78 to 12,…
    assert len(items) == 1 and items.pop() >= 6


def _one_row_table(headers: tuple[str, ...], row: tuple[str, ...]):
    from rich.table import Table

    table = Table(*headers)
    table.add_row(*row)
    return table


def test_a_line_is_wrapped_by_the_cells_it_takes_and_keeps_amounts_and_ranges_whole():
    from rich.cells import cell_len
    from rich.text import Text

    wide = report.wrapped("- Koperasi 合作社 Maju 🌾🌾 Jaya", 12, 2)  # a wide character takes two cells
    assert wide == ["- Koperasi", "  合作社", "  Maju 🌾🌾", "  Jaya"] and max(map(cell_len, wide)) <= 12
    shown = report.on_lines(Text("  - naikkan kas sebesar Rp 23.743 bila 20 < x <= 40"), 26).plain.splitlines()
    assert shown == ["  - naikkan kas sebesar", "    Rp 23.743 bila", "    20 < x <= 40"]
    assert report.wrapped("satu_kata_yang_sangat_panjang dua", 10, 0) == ["satu_kata_yang_sangat_panjang", "dua"]
    # a note's mark is told before the glue: '-> 66' is also a range's end, and the note went on at column 0
    note = report.on_lines(Text("  -> 66,67 bila 8 dari 12 jawaban ya"), 24).plain.splitlines()
    assert note == ["  -> 66,67 bila 8 dari", "     12 jawaban ya"]
    # a glued word that fits no line is broken at its glue ('  - ' was left alone, the id at column 0: trial); a
    # range's operator stays with the word before it; an indented line goes on under its start, 2 further in
    long = "  - rentabilitas_modal_sendiri: naikkan shu_bagian_anggota sebesar Rp 1.458.666"
    assert report.on_lines(Text(long), 30).plain.splitlines() == [
        "  -", "    rentabilitas_modal_sendiri:", "    naikkan shu_bagian_anggota", "    sebesar Rp 1.458.666"]
    assert report.on_lines(Text(long), 32).plain.splitlines()[0] == "  - rentabilitas_modal_sendiri:"
    assert report.on_lines(Text("Konvensi: risiko pinjaman bermasalah <= 0: tidak ada"), 40).plain.splitlines() == [
        "Konvensi: risiko pinjaman", "bermasalah <= 0: tidak ada"]
    assert report.on_lines(Text("  a -> b: 5 dari 9 koperasi berubah predikat"), 24).plain.splitlines() == [
        "  a -> b: 5 dari 9", "    koperasi berubah", "    predikat"]
    # a list's pair that fits no line is broken between its header and its value first, an amount kept whole
    # ('nilai Rp' / '5 ·' at 10 columns: third trial)
    pair = report.as_list(_one_row_table(("k", "nilai", "ket"), ("b c", "Rp 5", "x")))
    assert [report.on_lines(text, 10).plain for text in pair.renderables] == ["- b c:\n  nilai\n  Rp 5 ·\n  ket x"]
    # a name's line break (kept in free text) is a space: in a pipe the header was two lines (hostile trial)
    from rich.console import Console

    out = io.StringIO()
    report.print_parts(Console(file=out, width=40), Text("KSP ZZ line1\nline2\r\n\tend"))
    assert out.getvalue() == "KSP ZZ line1 line2 end\n"


def test_a_table_too_narrow_for_its_words_is_a_list_on_a_terminal_and_a_table_elsewhere():
    """`bandingkan`'s rulebook table at 50 columns showed 'ksp…', 'ber…' and a predicate count per line (review):
    the rule of `jelaskan`'s tables serves it too (`report.table_or_list`)."""
    from rich.console import Console
    from rich.table import Table

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def shown(file: io.StringIO, width: int) -> list[str]:
        table = Table("rulebook", "status", "dinilai", "predikat")
        table.add_row("kkpkk-2021-draft", "draft", "36", "Sehat 6; Cukup Sehat 1; Dalam Pengawasan 1")
        table.add_row("ksp-2016", "berlaku", "36", "Sehat 7")
        console = Console(file=file, width=width, record=True, color_system=None)
        report.print_parts(console, report.table_or_list(console, table))
        return [line.rstrip() for line in console.export_text().splitlines()]

    assert shown(Terminal(), 40) == ["- kkpkk-2021-draft: status draft ·", "  dinilai 36 · predikat Sehat 6; Cukup",
                                     "  Sehat 1; Dalam Pengawasan 1", "- ksp-2016: status berlaku ·",
                                     "  dinilai 36 · predikat Sehat 7"]
    assert shown(Terminal(), 90)[1].startswith("┃ rulebook ")  # each row on one line in 90 columns: the table
    piped = shown(io.StringIO(), 40)  # a pipe: the table, a row a line
    assert "│ kkpkk-2021-draft │ draft   │ 36      │ Sehat 6; Cukup Sehat 1; Dalam Pengawasan 1 │" in piped


def test_published_months_with_gaps_are_named_each_not_as_a_span():
    """'terbit: 2015-12 s.d. 2026-10, 3 periode' read as every month between (fresh-clone trial)."""
    from flows.lookup import _span

    assert _span(["2015-12", "2026-09", "2026-10"]) == "2015-12, 2026-09, 2026-10"
    assert _span(["2026-05", "2026-06", "2026-07"]) == "2026-05 s.d. 2026-07, 3 periode"
    assert _span(["2026-10"]) == "2026-10"
    gapped = [f"2025-{m:02d}" for m in (1, 3, 5, 7, 9, 11)] + ["2026-01"]
    assert _span(gapped) == "2025-01 s.d. 2026-01, 7 periode, tidak berurutan"


def test_no_combination_reaching_the_next_predicate_has_no_combination_note():
    """Its note ("perubahan-perubahan kombinasi dijumlahkan ...") was printed under the line saying there is no such
    combination (hostile trial)."""
    from types import SimpleNamespace

    from rich.console import Console

    none = "Tidak ada kombinasi perubahan rasio keuangan yang mencapai Cukup Sehat (jawaban kuesioner tidak dihitung)."
    rows = pd.DataFrame({
        "urutan": [1, 2], "predikat_berikutnya": "Cukup Sehat", "langkah": ["kombinasi", "satu_komponen"],
        "mencapai_predikat_berikutnya": [False, False], "mencapai_sehat": [False, False],
        "skor_total_baru": [float("nan"), 51.0], "uraian": [none, "kelembagaan: 1 jawaban ya lagi"],
        "predikat_skor_baru": [None, "Dalam Pengawasan"], "predikat_baru": [None, "Dalam Pengawasan"],
        "keterangan": [NOTE_COMBINATION, NOTE_SINGLE]})
    console = Console(width=200, record=True)
    console.print(lookup._moves(SimpleNamespace(tables={"jalan_menuju_sehat": rows})))
    assert console.export_text().splitlines() == [
        "Jalan menuju Sehat (predikat berikutnya: Cukup Sehat)", none,
        "Langkah satu komponen lainnya (poin terbanyak dahulu):", "  - kelembagaan: 1 jawaban ya lagi", NOTE_SINGLE]
