"""`koperasi-sehat bandingkan` through the command line: the committed sample's October 2026 under the three books,
and the mistakes a user can make (one line, exit code 2)."""

from __future__ import annotations

import re

import pandas as pd
from landings import NIK, NOW, landing, report, write_reports

from flows import storage
from flows.cli import main
from flows.config import DATA_DIR, PUBLISHED_DIR
from flows.prepare import prepare
from flows.runs import RunParameters, new_run_id
from schemas.outputs import validate_output

SAMPLE = DATA_DIR / "sample"


def test_one_month_under_every_rulebook_on_the_committed_sample(tmp_path, capsys):
    output = tmp_path / "keluaran"
    assert main(["bandingkan", "--period", "2026-10", "--input", str(SAMPLE), "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    table = storage.read_table(output, "perbandingan_rulebook", "2026-10")
    validate_output("perbandingan_rulebook", table)  # the contract, checked again on what was read back
    # 41 accepted reports of 2026-10 (the monthly run's 36 scored + 5 sharia), each under the three books
    assert len(table) == 41 * 3 and table["run_id"].nunique() == 1
    books = table.groupby("rulebook")
    assert books["dinilai"].sum().to_dict() == {"kkpkk-2021-draft": 36, "ksp-2009": 36, "ksp-2016": 36}
    assert books["skor_total"].count().to_dict() == {"kkpkk-2021-draft": 9, "ksp-2009": 36, "ksp-2016": 36}
    # the draft: the 9 cooperatives of the sample's examiners' checklists have a total, the other 27 a partial view
    assert books["sebagian"].sum().to_dict() == {"kkpkk-2021-draft": 27, "ksp-2009": 0, "ksp-2016": 0}
    draft = table[table["rulebook"] == "kkpkk-2021-draft"]
    assert not draft["terverifikasi"].any() and draft["status_rulebook"].eq("draft").all()
    assert draft[draft["sebagian"]]["alasan_tanpa_total"].str.startswith(
        "tidak ada skor total dan predikat: aspek tata_kelola tidak dapat dinilai (tidak ada hasil pemeriksaan").all()
    sharia = table[~table["dinilai"]]
    assert len(sharia) == 5 * 3 and sharia["alasan_tanpa_total"].str.contains("syariah").all()
    counts = table.groupby(["rulebook", "predikat"]).size().to_dict()
    assert {p: n for (b, p), n in counts.items() if b == "ksp-2016"} == {
        "Sehat": 7, "Cukup Sehat": 9, "Dalam Pengawasan": 10, "Dalam Pengawasan Khusus": 10}
    assert {p: n for (b, p), n in counts.items() if b == "kkpkk-2021-draft"} == {
        "Sehat": 6, "Cukup Sehat": 1, "Dalam Pengawasan": 1, "Dalam Pengawasan Khusus": 1}
    lines = printed.splitlines()
    assert lines[0] == ("bandingkan 2026-10: laporan diterima 41 (dikarantina 0), sama untuk setiap rulebook; laporan "
                        "bulan yang sama tahun lalu 42; hasil pemeriksaan 513 baris (dikarantina 0)")
    assert "  ksp-2009 -> ksp-2016: 22 dari 36 koperasi berubah predikat (22 dengan skor sama)" in lines
    assert "    pendorong: batas_predikat (19), faktor_pengurang (3)" in lines
    assert "  kkpkk-2021-draft -> ksp-2016: 4 dari 9 koperasi berubah predikat (0 dengan skor sama)" in lines
    assert lines[-1] == f"  tabel: {output / 'perbandingan_rulebook' / 'periode=2026-10'}"
    # beside the monthly tables, never published with a month
    assert sorted(p.name for p in output.iterdir()) == ["_kunci", "perbandingan_rulebook"]
    assert not (output / PUBLISHED_DIR).exists()


def test_in_a_pipe_of_a_dumb_terminal_each_rulebook_is_one_row_uncut(tmp_path, capsys, monkeypatch):
    """FORCE_COLOR=1 with TERM=dumb made rich call the pipe a terminal of 80 columns whatever width it was given:
    the rulebooks' table came folded over lines, 'kkpkk-20…' cut (hostile trial of `jelaskan`, the same rule)."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    assert main(["bandingkan", "--period", "2026-10", "--input", str(SAMPLE), "--output", str(tmp_path / "out")]) == 0
    lines = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out).splitlines()
    assert ("│ ksp-2016         │ berlaku │ 36      │ 36           │ 0        │ 5             │ Sehat 7; Cukup Sehat 9; "
            "Dalam Pengawasan 10; Dalam Pengawasan Khusus 10 │") in lines


def test_on_a_narrow_terminal_every_line_breaks_between_words_under_its_start(tmp_path):
    """The summary's lines were written whole and the terminal broke them at its edge, inside ids and '->'; the
    rulebooks' table showed 'ksp…' and 'ber…' at 50 columns (trial of the narrow terminal)."""
    import io

    from rich.console import Console

    from flows import comparison

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    result = comparison.compare(SAMPLE, tmp_path / "out", "2026-10", comparison.DEFAULT_BOOKS)
    console = Console(file=Terminal(), width=40, record=True, color_system=None)
    comparison.print_summary(result, console)
    lines = [line.rstrip() for line in console.export_text().splitlines()]
    path = f"    {result.path}"  # wider than the terminal: whole on its line, for the terminal to wrap (it was cut
    assert lines[-2:] == ["  tabel:", path] and len(path) > 40  # with a line break: new-user trial)
    assert max(map(len, lines[:-1])) <= 40 and "…" not in "".join(lines)
    assert lines[:3] == ["bandingkan 2026-10: laporan diterima 41", "(dikarantina 0), sama untuk setiap",
                         "rulebook; laporan bulan yang sama tahun"]
    assert lines[5:8] == ["- kkpkk-2021-draft: status draft ·", "  dinilai 36 · dengan total 9 ·",
                          "  sebagian 27 · tidak dinilai 5 ·"]
    at = lines.index("  ksp-2009 -> ksp-2016: 22 dari 36")
    assert lines[at + 1:at + 3] == ["    koperasi berubah predikat (22 dengan", "    skor sama)"]
    first = [line.startswith("  kkpkk-2021-draft -> ksp-2009") for line in lines].index(True)
    assert lines[first - 1] == ""  # after the list, not read as its last item's lines
    at = lines.index("    pendorong: batas_predikat (19),")
    assert lines[at + 1] == "      faktor_pengurang (3)"


def test_mistakes_are_one_line_with_exit_code_2(tmp_path, capsys):
    root = landing(tmp_path / "landing")
    write_reports(root / "laporan" / "a.csv", report())
    output = tmp_path / "keluaran"
    assert main(["bandingkan", "--period", "2026-09", "--input", str(root), "--output", str(output)]) == 2
    assert capsys.readouterr().err == (f"koperasi-sehat: tidak ada laporan periode 2026-09 yang diterima di {root}: "
                                       "tidak ada yang dibandingkan\n")
    assert main(["bandingkan", "--period", "2026-10", "--rulebook", "kspps-2016", "--input", str(root)]) == 2
    assert capsys.readouterr().err == ("koperasi-sehat: --rulebook: 'kspps-2016' tidak dikenal: pilih salah satu "
                                       "dari kkpkk-2021-draft, ksp-2009, ksp-2016 (lihat --help)\n")
    assert main(["bandingkan", "--input", str(root)]) == 2
    assert capsys.readouterr().err == "koperasi-sehat: --period wajib diberikan (lihat --help)\n"
    assert main(["bandingkan", "--period", "2026-10", "--input", str(root), "--output", str(root / "x")]) == 2
    assert "ada di dalam folder masukan" in capsys.readouterr().err


def test_an_examiners_checklist_is_read_checked_and_quarantined_like_the_questionnaires(tmp_path):
    root = landing(tmp_path / "landing")
    write_reports(root / "laporan" / "a.csv", report())
    (root / "pemeriksaan").mkdir()
    items = [{"nik": NIK, "tanggal": "2026-08-20", "indikator": "prinsip_koperasi", "butir": b, "terpenuhi": "ya"}
             for b in (1, 2, 3, 4, 5, 6, 6)]  # butir 7 missing, butir 6 twice
    items += [{"nik": NIK, "tanggal": "2026-08-21", "indikator": "kpmr", "butir": b, "terpenuhi": t}
              for b, t in zip(range(1, 11), ["ya"] * 8 + ["tidak", "mungkin"])]  # one answer not ya/tidak
    items += [{"nik": NIK, "tanggal": "2026-08-22", "indikator": "manajemen_koperasi", "butir": b,
               "terpenuhi": "tidak"} for b in range(1, 11)]  # complete: accepted
    pd.DataFrame(items).to_csv(root / "pemeriksaan" / "periksa.csv", index=False)
    # a monthly run reads and checks it (it never scores with it) and quarantines its rejected rows
    params = RunParameters(period="2026-10", input=root, output=tmp_path / "keluaran")
    run_id = new_run_id("2026-10", NOW)
    prepared = prepare(params, run_id, NOW)
    assert (prepared.pemeriksaan_dibaca, prepared.pemeriksaan_dikarantina) == (27, 17)
    karantina = params.folder(run_id).read("karantina").set_index(["sumber", "baris"])["alasan"]
    assert set(karantina.index.get_level_values("sumber")) == {"pemeriksaan/periksa.csv"}
    reasons = {baris: list(alasan) for (_, baris), alasan in karantina.items()}
    assert reasons[2] == [f"set pemeriksaan {NIK} 2026-08-20: prinsip_koperasi butir 6 diisi 2 kali (baris 7-8); "
                          "prinsip_koperasi butir 7 tidak diisi"]  # the rows given twice named (review)
    assert reasons[18] == ["terpenuhi: bukan ya atau tidak (nilai: 'mungkin')",
                           f"set pemeriksaan {NIK} 2026-08-21: baris 18 ditolak"]
    assert reasons[9] == [f"set pemeriksaan {NIK} 2026-08-21: baris 18 ditolak"]
    assert len(reasons) == 17 and 20 not in reasons  # the manajemen_koperasi set (rows 20..29) is accepted
    # the run summary's example: the row with a reason of its own, not the first row of a set refused whole
    assert prepared.contoh_karantina["pemeriksaan"] == (
        f"pemeriksaan/periksa.csv baris 18 (nik {NIK}): terpenuhi: bukan ya atau tidak (nilai: 'mungkin'); "
        f"set pemeriksaan {NIK} 2026-08-21: baris 18 ditolak")
