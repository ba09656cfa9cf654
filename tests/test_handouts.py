"""The documents of a period (flows/handouts): the workbook read back with pandas and opened by LibreOffice, the
report, the cards and the feedback, on the committed sample published for six months; the same tables give the
same bytes; the pieces (palette, numbers, sheet names, chart frames, advice) by hand."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w
from markupsafe import escape
from matplotlib.figure import Figure
from openpyxl import load_workbook

from flows.handouts import load_tables, write_reports
from flows.handouts.cards import MOVES_SHOWN, WARNINGS_ABOVE, after_label, listed_above, priority_reason
from flows.handouts import charts
from flows.handouts.charts import CardCharts, Frame, _drawing, svg
from flows.handouts.feedback import advice, advice_table
from flows.handouts.sheets import (CELL_MAKS, COLUMNS_FILE, Column, add_sheet, column_table, columns, new_workbook,
                                   save, sheet_names)
from flows.handouts.style import PREDICATE_COLOURS, css_class, in_words, ink, number, percent, rupiah, signed
from flows.handouts.tables import Published
from published_sample import PERIODE, SETTINGS
from scoring.errors import RulebookError
from scoring.rulebook import books_in_force as rulebooks_in
from scoring.rulebook import rulebooks
from scoring.status import predicate_columns
from scoring.texts import format_nilai, format_number, format_rupiah

AREAS = ["Malinau", "Bulungan", "Tana Tidung", "Nunukan", "Tarakan"]
SHEETS = ["Ringkasan", *AREAS, "Daftar Prioritas", "Peringatan Dini", "Tidak Melapor", "Karantina", "Laporan Terganti",
          "Keterangan"]


def files(paths: list[Path]) -> dict[str, Path]:
    return {f"{p.parent.name}/{p.name}" if p.parent.name in ("kartu", "umpan_balik") else p.name: p for p in paths}


UNSCORED_CARDS = 15  # the sample's month: on the worklist or graded, not scored


def test_every_document_of_the_period_is_written(handouts, published_sample):
    folder, paths = handouts
    names = files(paths)
    assert {f"ringkasan_{PERIODE}.xlsx", f"laporan_{PERIODE}.html"} <= set(names)
    status = published_sample[1]["status_koperasi"]
    cards = [n for n in names if n.startswith("kartu/")]
    scored = status.loc[status["dinilai"], "nik"]
    listed = set(published_sample[1]["daftar_prioritas"]["nik"]) | set(published_sample[1]["mutu_pelaporan"]["nik"])
    unscored = listed - set(scored)  # a card for each cooperative scored, on the worklist or graded for reporting
    assert set(cards) == {f"kartu/{nik}.html" for nik in set(scored) | listed} and len(unscored) == UNSCORED_CARDS
    karantina = published_sample[1]["karantina"]
    registered = set(karantina["nik"].dropna()) & set(status["nik"])
    # a nik typo (657145583934618, two digits swapped) goes to the cooperative it likely meant (it went to no one)
    assert "657145583934618" not in registered and "657145583934681" in set(status["nik"])
    assert {n for n in names if n.startswith("umpan_balik/")} == {
        f"umpan_balik/{nik}.xlsx" for nik in registered | {"657145583934681"}}
    meant = pd.read_excel(names["umpan_balik/657145583934681.xlsx"], sheet_name="Umpan Balik")
    typo = meant[(meant["Berkas"] == "laporan/laporan_2026-10.csv") & (meant["Baris"] == 28)]
    assert typo["Alasan"].tolist() == [
        "nik '657145583934618' tidak terdaftar di koperasi.csv (maksud 657145583934681?)"]
    assert typo["Perbaikan"].str.startswith("Tulis NIK persis seperti di registri dinas").all()
    assert all(p.is_file() and p.is_relative_to(folder) for p in paths)


def test_the_workbook_reads_back_with_pandas(handouts, published_sample):
    tables = published_sample[1]
    book = pd.read_excel(files(handouts[1])[f"ringkasan_{PERIODE}.xlsx"], sheet_name=None, dtype={"NIK": str})
    assert list(book) == SHEETS
    ringkasan = book["Ringkasan"]
    assert list(ringkasan.columns[:8]) == ["Kode wilayah", "Wilayah", "Tingkat", "Koperasi terdaftar", "Aktif",
                                           "Tidak aktif", "Melapor", "Dinilai"]
    assert {"Sehat", "Cukup Sehat", "Dalam Pengawasan", "Dalam Pengawasan Khusus", "% Sehat",
            "% Sehat bulan lalu", "Target % Sehat"} <= set(ringkasan.columns)
    assert ringkasan["Wilayah"].tolist() == ["Kalimantan Utara", *AREAS]
    province = ringkasan.iloc[0]
    now = tables["ringkasan_wilayah"].query("periode == @PERIODE and tingkat == 'provinsi'").iloc[0]
    assert province["Koperasi terdaftar"] == 109 == now["jumlah_koperasi"]
    assert province["% Sehat"] == pytest.approx(now["persen_sehat"] / 100)  # a fraction, shown as a percent
    # a difference of two percents as written, not 0.5199999999999996 (trial)
    changes = pd.concat([ringkasan["Perubahan % Sehat"], *(book[a]["Perubahan skor"] for a in AREAS)]).dropna()
    assert len(changes) and (changes == changes.round(2)).all()
    assert book["Keterangan"].set_index("Hal").loc["% Sehat", "Isi"].endswith("predikat sehat: Sehat")  # its name
    status = tables["status_koperasi"]
    for area in AREAS:
        assert len(book[area]) == (status["kabupaten_kota"] == area).sum()
    bulungan = book["Bulungan"].set_index("NIK")
    scored = tables["skor_koperasi"].query("periode == @PERIODE and kabupaten_kota == 'Bulungan'").iloc[0]
    assert bulungan.loc[scored["nik"], "Skor total"] == pytest.approx(scored["skor_total"])
    assert bulungan.loc[scored["nik"], "Predikat"] == scored["predikat"]
    assert list(book["Bulungan"].columns[:4]) == ["NIK", "Nama", "Jenis", "Pendamping"]
    assert len(book["Daftar Prioritas"]) == len(tables["daftar_prioritas"])
    assert len(book["Peringatan Dini"]) == len(tables["peringatan_dini"])
    assert len(book["Karantina"]) == len(tables["karantina"])
    first = tables["karantina"].sort_values(["sumber", "baris"]).iloc[0]
    row = book["Karantina"].set_index(["Berkas", "Baris"]).loc[(first["sumber"], first["baris"])]
    assert row["Alasan"] == "; ".join(first["alasan"])  # a list as text
    silent = book["Tidak Melapor"]
    assert (silent["Laporan terakhir"] != PERIODE).all() and len(silent) > 0
    assert "belum pernah" not in set(silent["Laporan terakhir"])  # "belum pernah diterima": a report may be quarantined
    # why on the list: no accepted report, said first for a jenis no book scores (a sharia cooperative's row read
    # "rulebook ... belum tersedia": new-user trial)
    sharia = silent[silent["Jenis"] == "kspps"]
    reports = tables["karantina"][tables["karantina"]["sumber"].str.startswith("laporan/")]
    first = np.where(sharia["NIK"].isin(reports["nik"]), "laporan periode ini dikarantina: lihat tabel karantina",
                     "tidak ada laporan untuk periode ini")  # its report quarantined: said (new-user trial)
    assert len(sharia) and all(text.startswith(f"{why} (koperasi simpan pinjam syariah: ")
                               for text, why in zip(sharia["Keterangan"], first))
    # the cooperative a report's mistyped nik meant: said beside its reason (staff chased one that did report:
    # new-user trial; CACAT.md's 657145583934618 for 657145583934681)
    typo = "; baris dengan NIK mirip dikarantina, mungkin salah ketik: laporan/laporan_2026-10.csv baris 28 (nik " \
           "657145583934618)"
    meant = silent.set_index("NIK").loc["657145583934681", "Keterangan"]
    assert meant == "tidak ada laporan untuk periode ini" + typo
    assert silent.loc[silent["Jenis"] == "ksp", "Keterangan"].str.replace(typo, "", regex=False).isin(
        ["tidak ada laporan untuk periode ini", "laporan periode ini dikarantina: lihat tabel karantina"]).all()
    assert book["Keterangan"].set_index("Hal").loc["Dihitung pada (WITA)", "Isi"] == "2026-12-01 02:00"
    # the colours of the period's book's predicates (both books' seven were listed: fresh-clone trial)
    assert [h for h in book["Keterangan"]["Hal"] if h.startswith("Warna: ")] == [
        "Warna: Sehat", "Warna: Cukup Sehat", "Warna: Dalam Pengawasan", "Warna: Dalam Pengawasan Khusus"]
    colours = book["Keterangan"][book["Keterangan"]["Hal"].str.startswith("Warna: ")]
    assert colours["Contoh"].tolist() == ["Sehat", "Cukup Sehat", "Dalam Pengawasan", "Dalam Pengawasan Khusus"]
    assert book["Keterangan"]["Contoh"].notna().sum() == 4  # a sample only where a colour is meant


def test_the_workbook_has_formats_frozen_headers_and_filters(handouts):
    from openpyxl import load_workbook

    book = load_workbook(files(handouts[1])[f"ringkasan_{PERIODE}.xlsx"])
    area = book["Bulungan"]
    assert area.freeze_panes == "C2" and area.auto_filter.ref == f"A1:{area.cell(1, area.max_column).column_letter}" \
        f"{area.max_row}"
    header = {c.value: c for c in area[1]}
    column = {name: header[name].column for name in header}
    row = next(r for r in range(2, area.max_row + 1) if area.cell(r, column["Skor total"]).value is not None)
    assert area.cell(row, column["Total aset"]).number_format == '"Rp "#,##0'
    assert area.cell(row, column["Skor total"]).number_format == "0.00"
    predikat = area.cell(row, column["Predikat"])
    assert predikat.fill.fgColor.rgb[-6:].upper() == PREDICATE_COLOURS[predikat.value][1:].upper()
    assert book["Ringkasan"].cell(2, 1 + [c.value for c in book["Ringkasan"][1]].index("% Sehat")).number_format \
        == "0.0%"
    rat = next(c for c in book["Tidak Melapor"][2] if isinstance(c.value, date))
    assert rat.value.tzinfo is None  # a date without a time zone
    assert header["NIK"].font.b and header["NIK"].fill.fgColor.rgb.upper().endswith("1F3A5F")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (apt-get install "
                    "libreoffice-calc-nogui): the workbook is not opened in LibreOffice")
def test_the_workbook_opens_in_libreoffice(handouts, tmp_path):
    workbook = files(handouts[1])[f"ringkasan_{PERIODE}.xlsx"]
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profil", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(workbook)],
                          capture_output=True, text=True, timeout=180)
    pdf = tmp_path / workbook.with_suffix(".pdf").name
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", content)) >= len(SHEETS)


def test_the_same_tables_give_the_same_bytes(handouts, published_sample, tmp_path):
    again = write_reports(published_sample[1], PERIODE, tmp_path / "lagi", SETTINGS)
    first, second = files(handouts[1]), files(again)
    assert first.keys() == second.keys()
    assert [n for n in first if first[n].read_bytes() != second[n].read_bytes()] == []
    with zipfile.ZipFile(first[f"ringkasan_{PERIODE}.xlsx"]) as archive:
        core = archive.read("docProps/core.xml").decode()
        assert {info.date_time for info in archive.infolist()} == {(2026, 12, 1, 2, 0, 0)}
    assert "2026-12-01T02:00:00Z" in core  # the run's time, not the clock's


def test_load_tables_reads_what_write_reports_takes(published_sample):
    output, tables = published_sample
    loaded = load_tables(output, PERIODE, SETTINGS)
    assert set(loaded) == set(tables)
    assert sorted(loaded["ringkasan_wilayah"]["periode"].unique()) == sorted(tables["ringkasan_wilayah"]["periode"]
                                                                             .unique())
    assert len(loaded["jalan_menuju_sehat"]) == len(tables["jalan_menuju_sehat"])
    assert loaded["skor_koperasi"]["penjelasan"].notna().all()  # every scored cooperative is explained
    Published(PERIODE, loaded, SETTINGS).now("skor_koperasi")


def test_the_report_holds_every_section_and_fetches_nothing(handouts):
    html = files(handouts[1])[f"laporan_{PERIODE}.html"].read_text(encoding="utf-8")
    for section in ("Sekilas", "Predikat per kabupaten/kota", "Sebaran skor total", "Naik dan turun",
                    "Daftar prioritas kunjungan", "Cakupan dan mutu pelaporan", "Mutu data bulan ini"):
        assert section in html, section
    assert html.count("<svg") == 3 and "Oktober 2026" in html and "target 50,0%" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html) and "@import" not in html
    assert "<script" not in html and "<link" not in html
    # a first move cut for the table says where it is whole (a combination cut after its first move: trial)
    assert html.count(" … (selengkapnya di kartu koperasi)</td>") >= 1
    legend = re.findall(r'<span class="lencana [^"]*">([^<]*)</span>', html.split("Predikat: ")[-1])
    assert legend == ["Sehat", "Cukup Sehat", "Dalam Pengawasan", "Dalam Pengawasan Khusus"]  # ksp-2016's only
    # who gets feedback, as the folder holds it (every cooperative was said to: fresh-clone trial)
    sent = len([p for p in handouts[1] if p.parent.name == "umpan_balik"])
    assert f"termasuk baris yang dikirim dengan NIK salah ketik, menerima umpan balik (folder umpan_balik: {sent} " \
        "koperasi)." in html  # the nik typo's rows with the cooperative it meant
    # the grades count whoever owed a month of the window, the inactive too (19 graded beside 15 aktif read as a
    # fault: new-user trial)
    assert "juga yang kini tidak aktif: jumlahnya dapat melebihi kolom Aktif wajib lapor." in html
    # one label, one meaning: the coverage table counts the active that owe a report and reported, the area table
    # every reporter (two columns 'Melapor', 6 and 5 for Malinau: fresh-clone trial)
    assert html.count('<th class="angka">Melapor</th>') == 1 and html.count(">Wajib lapor yang melapor</th>") == 1


def test_the_report_counts_quarantined_rows_without_a_nik_apart(published_sample, tmp_path):
    """A quarantined row without a nik (a report row whose nik cell was empty) reaches no cooperative's feedback,
    and the report counted it nowhere (review): it is counted apart, and not as a cooperative."""
    from flows.handouts.report import _quarantine, write_report

    tables = dict(published_sample[1])
    karantina = tables["karantina"]
    now = karantina[karantina["periode"] == PERIODE]
    before = _quarantine(Published(PERIODE, tables, SETTINGS))
    assert before["without_nik"] == 0 and before["without_feedback"] == 0  # the typo's rows reach whom it meant
    blank = now.iloc[:2].assign(nik=pd.Series(["", None], index=now.index[:2], dtype=karantina["nik"].dtype),
                                baris=[9001, 9002])
    stranger = "659999999999999"  # not registered, and like no registered nik: nobody's feedback
    unknown = now.iloc[:1].assign(nik=pd.Series([stranger], index=now.index[:1], dtype=karantina["nik"].dtype),
                                  baris=[9003], alasan=[[f"nik '{stranger}' tidak terdaftar di koperasi.csv"]])
    tables["karantina"] = pd.concat([karantina, blank, unknown], ignore_index=True)
    after = _quarantine(Published(PERIODE, tables, SETTINGS))
    assert (after["rows"], after["cooperatives"], after["with_feedback"], after["without_feedback"],
            after["without_nik"]) == (before["rows"] + 3, before["cooperatives"] + 1, before["with_feedback"], 1, 2)
    html = write_report(Published(PERIODE, tables, SETTINGS), tmp_path / "laporan.html").read_text(encoding="utf-8")
    assert ("karena baris registrinya ditolak atau tidak terdaftar: perbaiki daftar koperasi (tabel karantina); 2 "
            "baris tanpa NIK tidak sampai ke koperasi mana pun: perbaiki berkas masukannya (tabel karantina).") in html


def test_a_card_says_what_a_pendamping_needs(handouts, published_sample):
    tables = published_sample[1]
    prioritas = tables["daftar_prioritas"].iloc[0]
    html = files(handouts[1])[f"kartu/{prioritas['nik']}.html"].read_text(encoding="utf-8")
    for part in ("Riwayat skor", "Aspek terhadap nilai maksimum", "Mengapa", "Jalan menuju Sehat", "Komponen",
                 "Mutu pelaporan", "Alasan prioritas"):
        assert part in html, part
    assert html.count("<svg") == 2 and prioritas["nama"] in html
    # a percentile with its group's size ('73 dari 24' read as a rank of 73 among 24: fresh-clone trial)
    assert re.search(r'\d+ <span class="kecil">\(\d+ sejawat\)</span>', html) and " dari 24</span>" not in html


def test_a_card_writes_a_component_s_nilai_as_its_moves_do(handouts):
    """KSP Setia Bersama's kelembagaan is 1 'ya' of 6 questions: nilai 100/6, 33,33 with one more. The card wrote
    17 and 'nilai 33' beside moves and an explanation writing 16,67 and 33,33 (review)."""
    html = files(handouts[1])["kartu/650274822002787.html"].read_text(encoding="utf-8")
    row = re.search(r"<tr><td>Kelembagaan</td>.*?</tr>", html).group(0)
    assert ('<td class="angka">16,67</td>' in row and "(nilai 33,33)" in row and ">17<" not in row
            and "(nilai 33)" not in row), row


def test_a_combination_s_result_spans_its_rows_and_a_move_alone_its_own():
    from flows.handouts.cards import result_rows

    def move(langkah: str, total: float) -> dict:
        return {"langkah": langkah, "skor_total_baru": total}

    moves = [move("kombinasi", 66.0), move("kombinasi", 66.0), move("kombinasi", 66.0), move("kombinasi", 80.2),
             move("kombinasi", 80.2), move("satu_komponen", 61.25), move("satu_komponen", 61.25)]
    assert result_rows(moves) == [3, 0, 0, 2, 0, 1, 1]  # two combinations (to the next predicate, then to Sehat)
    assert result_rows([]) == [] and result_rows(moves[5:]) == [1, 1]


def test_a_card_shows_a_combination_whole_or_not_at_all(handouts, published_sample):
    """A card showed the first 6 moves, cutting a combination of 8 after 6, each row saying the result of all 8
    together (fresh-clone trial: 5 cards of October). The rest of a combination begun is shown, then how many more
    moves the table has."""
    jalan = published_sample[1]["jalan_menuju_sehat"].sort_values(["nik", "urutan"], kind="stable")
    cards = files(handouts[1])
    longer = repeats = 0
    for nik, moves in jalan.groupby("nik"):
        html = cards[f"kartu/{nik}.html"].read_text(encoding="utf-8")
        kinds, words = moves["langkah"].tolist(), moves["uraian"].tolist()
        start, combination = kinds.index("kombinasi"), kinds.count("kombinasi")
        shown = html.count("<tr><td>Kombinasi: ")
        # a combination of one move shown above it as a single move is not shown again (it was: review)
        repeat = combination == 1 and start < MOVES_SHOWN and words[start] in words[:start]
        repeats += repeat
        if repeat:
            assert html.count(f"<tr><td>{escape(in_words(words[start]))}</td>") == 1 and shown == 0, nik
            continue
        # the combination's result is of all its moves together (each row read as its own: trial), said once over
        # all its rows (it was repeated on each: trial)
        assert html.count('<span class="kecil">bersama-sama:</span>') == (shown > 0), nik
        assert (f'<td rowspan="{shown}"><span class="kecil">bersama-sama:</span>' in html) == (shown > 1), nik
        assert shown == (combination if start < MOVES_SHOWN else 0), nik
        rows = max(MOVES_SHOWN, start + combination) if start < MOVES_SHOWN else MOVES_SHOWN
        hidden = len(kinds) - min(rows, len(kinds))
        # a table a pendamping cannot open was all it said: where it is, and whom to ask (documents trial)
        assert (f"{hidden} langkah lain tidak muat di kartu ini: ada di tabel jalan_menuju_sehat di dinas (minta ke "
                "analis)." in html) == (hidden > 0), nik
        longer += start + combination > MOVES_SHOWN > start
    assert longer == 5 and repeats == 1  # the cards that cut their combination; that left out a repeated move


def test_the_documents_name_components_and_write_ids_in_words_where_the_tables_keep_ids(handouts, published_sample):
    """A pendamping's card read "ms_pinjaman_berisiko: naikkan modal_sendiri ..." (trial): a component where a move
    or a change names it is named as the rulebook names it, every other id is written in words; a quantity of the
    same id as a component stays a quantity."""
    assert in_words("beban_operasi_anggota: turunkan beban_operasi_anggota sebesar Rp 3.655.685") == (
        "Beban operasi anggota / Partisipasi bruto: turunkan beban operasi anggota sebesar Rp 3.655.685")
    assert in_words("kombinasi menuju Cukup Sehat: ms_pinjaman_berisiko: naikkan modal_sendiri sebesar Rp 23.743; "
                    "manajemen_umum: 2 jawaban ya lagi") == (
        "kombinasi menuju Cukup Sehat: Modal sendiri / Pinjaman diberikan yang berisiko: naikkan modal sendiri "
        "sebesar Rp 23.743; Manajemen umum: 2 jawaban ya lagi")
    assert in_words("faktor pengurang rekayasa_pembukuan menahan predikat; nilai komponen turun sejak 2026-09: "
                    "rasio_kas 10,92% menjadi 9,29% (nilai 100 menjadi 25)") == (
        "faktor pengurang rekayasa pembukuan menahan predikat; nilai komponen turun sejak 2026-09: "
        "(Kas + bank) / Kewajiban lancar 10,92% menjadi 9,29% (nilai 100 menjadi 25)")
    assert in_words("rentabilitas_modal_sendiri: naikkan shu_bagian_anggota sebesar Rp 1; turunkan atmr") == (
        "SHU bagian anggota (disetahunkan) / Modal sendiri: naikkan SHU bagian anggota sebesar Rp 1; turunkan ATMR")
    # a supervisor's own words in a finding, as the penjelasan quotes them, stay as written (hostile trial)
    finding = ("Faktor pengurang: rekayasa_pembukuan (kas_dan_bank & rasio_kas 5% (lihat temuan_2026_09.pdf);\nroa: "
               "turun; berlaku sejak 2026-09), pelanggaran_ketentuan (berlaku 2026-10): predikat Sehat menurut skor "
               "diturunkan menjadi Dalam Pengawasan Khusus. Poin terbanyak hilang: rasio_kas 20,88% (nilai 25)")
    assert in_words(finding) == (
        "Faktor pengurang: rekayasa pembukuan (kas_dan_bank & rasio_kas 5% (lihat temuan_2026_09.pdf);\nroa: turun; "
        "berlaku sejak 2026-09), pelanggaran ketentuan (berlaku 2026-10): predikat Sehat menurut skor diturunkan "
        "menjadi Dalam Pengawasan Khusus. Poin terbanyak hilang: (Kas + bank) / Kewajiban lancar 20,88% (nilai 25)")
    # words that themselves hold "; berlaku sejak YYYY-MM" stay whole: the finding's own time closes it (last note)
    assert in_words("Faktor pengurang: rekayasa_pembukuan (catatan lama; berlaku sejak 2025-01 rasio_kas naik; "
                    "berlaku 2026-09 s.d. 2026-12): predikat tetap Sehat. rasio_kas") == (
        "Faktor pengurang: rekayasa pembukuan (catatan lama; berlaku sejak 2025-01 rasio_kas naik; berlaku 2026-09 "
        "s.d. 2026-12): predikat tetap Sehat. (Kas + bank) / Kewajiban lancar")
    assert in_words("Faktor pengurang: pelanggaran_ketentuan (Rapat (ulang; berlaku 2026-09), lalu kas_dan_bank "
                    "x <= 5; berlaku 2026-09): predikat tetap Sehat") == (  # as a hostile trial wrote it
        "Faktor pengurang: pelanggaran ketentuan (Rapat (ulang; berlaku 2026-09), lalu kas_dan_bank x <= 5; berlaku "
        "2026-09): predikat tetap Sehat")
    assert in_words("ms_pinjaman_berisiko tidak dapat dihitung") == (  # a component named without a value after it
        "Modal sendiri / Pinjaman diberikan yang berisiko tidak dapat dihitung")
    assert in_words("nilai 50 bila 15 < x <= 20; nilai 100 bila x > 100; 95 <= x < 100; x >= 5; maks 3") == (
        "nilai 50 bila 15 < rasio \u2264 20; nilai 100 bila rasio > 100; 95 \u2264 rasio < 100; rasio \u2265 5; "
        "maks 3")  # a band as field staff read it (x and <= were not: new-user trial)
    assert in_words(None) is None
    ids, seen = re.compile(r"\b[a-z]+_[a-z_]+\b"), 0  # no id left in a card's moves and reasons, nor the report's
    report = files(handouts[1])[f"laporan_{PERIODE}.html"].read_text(encoding="utf-8")
    cards = [p.read_text(encoding="utf-8") for n, p in files(handouts[1]).items() if n.startswith("kartu/")]
    for page in [report, *cards]:
        moves = re.findall(r">([^<]* menjadi [^<]*)<", page)  # moves, reasons, the report's langkah utama
        for cell in moves:  # (a card's quarantined cells name the input's columns, as its feedback does)
            assert not ids.search(cell), cell
        seen += len(moves)
        for reason in re.findall(r"<b>Alasan prioritas:</b> ([^<]*)", page):
            assert not ids.search(reason), reason
    assert seen > 100
    assert not any(re.search(r" x <|<= | x >|>= ", page) for page in [report, *cards])  # bands in words too
    worklist = published_sample[1]["daftar_prioritas"]
    assert worklist["langkah_utama"].str.contains("_").any()  # the table keeps them



def test_a_cooperative_a_mistyped_nik_likely_meant_gets_a_card_to_say_so(published_sample):
    """The cooperative a report sent under a mistyped nik likely meant, with no score, no place on the list and no
    reporting grade, had no card, so its 'Periksa NIK' line was never seen (new-user trial)."""
    from flows.handouts.cards import _Cards, card_niks, environment

    tables = dict(published_sample[1])
    published = Published(PERIODE, tables, SETTINGS)
    status = tables["status_koperasi"]
    carded = set(card_niks(published))
    nik = next(n for n in status.loc[status["periode"] == PERIODE, "nik"] if n not in carded)
    typo = nik[:-2] + nik[-1] + nik[-2]
    why = f"nik '{typo}' tidak terdaftar di koperasi.csv (maksud {nik}?)"
    tables["karantina"] = pd.concat([tables["karantina"], pd.DataFrame({
        "nik": [typo], "periode": PERIODE, "sumber": ["laporan/laporan_2026-10.csv"], "baris": [99],
        "alasan": [[why]], "data": None})], ignore_index=True)
    published = Published(PERIODE, tables, SETTINGS)
    assert set(card_niks(published)) == carded | {nik}
    card = environment().get_template("kartu.html.j2").render(**_Cards(published, [nik]).context(nik))
    assert (f"<b>Periksa NIK:</b> baris dengan NIK mirip dikarantina, mungkin salah ketik: laporan/laporan_2026-10.csv "
            f"baris 99 (nik {typo}) (barisnya, alasannya dan perbaikannya: umpan balik untuk koperasi, "
            f"umpan_balik/{nik}.xlsx).") in card


def test_a_cards_priority_reason_does_not_repeat_the_warnings_listed_above_it(handouts):
    """The card listed a cooperative's early warnings, then repeated them under "Alasan prioritas" (the list's reason
    joins them, and says a fall of the predicate and months without a report in its own words): they are pointed to
    instead, whole parts only, in one order whatever the process (a set's order varied: hostile trial)."""
    listed = ["nilai komponen turun sejak 2026-09: rasio_kas 12,50% menjadi 8,00%", "rasio_kas di bawah 10%; naik"]
    assert priority_reason("predikat turun dari Sehat menjadi Cukup Sehat; " + "; ".join(listed), listed) == (
        "predikat turun dari Sehat menjadi Cukup Sehat; peringatan dini di atas")
    assert priority_reason("; ".join(reversed(listed)), listed) == WARNINGS_ABOVE  # only warnings, in any order
    assert priority_reason("Dalam Pengawasan Khusus (skor 40,00)", listed) == "Dalam Pengawasan Khusus (skor 40,00)"
    assert priority_reason("tidak melapor 3 bulan berturut-turut", []) == "tidak melapor 3 bulan berturut-turut"
    assert priority_reason(f"{listed[0]}; Dalam Pengawasan (skor 55,00)", listed) == (  # first: left out too
        "Dalam Pengawasan (skor 55,00); peringatan dini di atas")
    assert priority_reason("skor turun; B; A", ["A", "B; A"]) == "skor turun; peringatan dini di atas"
    assert priority_reason("kas turun; nilai naik", ["kas", "naik"]) == "kas turun; nilai naik"  # whole parts only
    assert priority_reason("x; y\n", ["y"]) == "x; y\n"  # a part ends where the text ends, not before its newline
    # a warning's reason shown after its label without the label's words again (said twice: new-user trial)
    assert after_label("nilai komponen turun sejak 2026-09: rasio_kas 12,50% menjadi 8,00%", "Nilai komponen turun") \
        == "sejak 2026-09: rasio_kas 12,50% menjadi 8,00%"
    assert after_label("predikat turun dari Sehat (2026-09, skor 81,00) menjadi Cukup Sehat", "Predikat turun") == (
        "dari Sehat (2026-09, skor 81,00) menjadi Cukup Sehat")
    assert after_label("predikat turun", "Predikat turun") == "predikat turun"  # nothing after it: kept whole
    assert after_label("predikat turunan", "Predikat turun") == "predikat turunan"  # not its words: kept
    warnings = [{"kode": "predikat_turun", "alasan": "predikat turun dari Sehat (2026-09, skor 81,00) menjadi ..."},
                {"kode": "tidak_melapor_3_bulan_atau_lebih", "alasan": "tidak ada laporan diterima dalam 3 bulan"}]
    said = listed_above(warnings, {"predikat_sebelumnya": "Sehat", "predikat": "Cukup Sehat"},
                        {"bulan_tidak_melapor": 3})
    assert priority_reason("Dalam Pengawasan Khusus (skor 40,00); predikat turun dari Sehat menjadi Cukup Sehat; "
                           "tidak melapor 3 bulan berturut-turut", said) == (
        "Dalam Pengawasan Khusus (skor 40,00); peringatan dini di atas")
    pointed = 0
    for name, path in files(handouts[1]).items():
        if not name.startswith("kartu/"):
            continue
        page = path.read_text(encoding="utf-8")
        reason = re.search(r"<b>Alasan prioritas:</b> ([^<]*)", page)
        warnings = re.findall(r"<li><b>([^<]*)</b>: ([^<]*)</li>", page)
        if reason and warnings:
            assert not any(w in reason[1] for _, w in warnings), (name, reason[1])
            labels = [label for label, _ in warnings]
            assert "Predikat turun" not in labels or "predikat turun dari" not in reason[1], (name, reason[1])
            assert not any(label.endswith("bulan atau lebih") for label in labels) or (
                "bulan berturut-turut" not in reason[1]), (name, reason[1])
            pointed += reason[1].endswith(WARNINGS_ABOVE)
    assert pointed > 0


def test_a_card_shows_its_quarantined_rows_one_line_per_file_and_reasons(handouts, published_sample):
    """The card of a cooperative whose questionnaire set was refused whole listed five lines that differed only in
    their row, then "Dan 35 baris lain", hiding its report's own reason (new-user trial): one line per file and
    reasons, the rows as ranges, as `jelaskan` shows them."""
    karantina = published_sample[1]["karantina"]
    nik = "650423110186759"  # the dirty drop's question answered twice (CACAT.md), and a report sent in 2099
    mine = karantina[karantina["nik"] == nik].sort_values(["sumber", "baris"])
    html = files(handouts[1])[f"kartu/{nik}.html"].read_text(encoding="utf-8")
    shown = re.findall(r"<li>((?:kuesioner|laporan)/[^<]*)</li>", html)
    answers = mine[mine["sumber"].str.startswith("kuesioner/")]
    report = mine[mine["sumber"].str.startswith("laporan/")].iloc[0]
    lines = answers["baris"].tolist()
    assert lines == list(range(lines[0], lines[0] + len(lines)))  # one run of rows: the set
    assert shown == [
        str(escape(f"kuesioner/kuesioner_2026.csv baris {lines[0]}-{lines[-1]} ({len(lines)} baris): "
                   + "; ".join(answers["alasan"].iloc[0]))),
        str(escape(f"{report['sumber']} baris {report['baris']}: " + "; ".join(report["alasan"])))]
    assert "baris lain" not in html


def test_a_card_says_a_questionnaire_is_quarantined_beside_the_no_questionnaire_convention(published_sample,
                                                                                            tmp_path):
    """The dirty drop's cooperative with its only set quarantined: the card said only 'Konvensi: tidak ada kuesioner
    manajemen ...', read as never filled in (new-user trial). It says the set is in karantina, as jelaskan does."""
    from flows.handouts.cards import _Cards, environment
    from scoring.components import NO_ANSWERS
    from scoring.explain import QUARANTINED_ANSWERS, answers_quarantined

    tables = dict(published_sample[1])
    nik, other = "650423110186759", "650274822002787"  # its set quarantined (CACAT.md); one with none quarantined
    convention = f"Cukup Sehat, skor 76,75 (ksp-2016). Konvensi: {NO_ANSWERS['kuesioner']} (manajemen_umum)."
    scores = tables["skor_koperasi"]
    tables["skor_koperasi"] = scores.assign(penjelasan=scores["penjelasan"].where(
        ~scores["nik"].isin([nik, other]) | (scores["periode"] != PERIODE), convention))
    cards = _Cards(Published(PERIODE, tables, SETTINGS), [nik, other])
    template = environment().get_template("kartu.html.j2")
    assert template.render(**cards.context(nik)).count(QUARANTINED_ANSWERS) == 1
    assert QUARANTINED_ANSWERS not in template.render(**cards.context(other))
    # a questionnaire set and a factor sent under a mistyped nik: the card of the cooperative they likely meant names
    # them and counts the set (a score fell and the card said only 'tidak ada kuesioner': hostile trial)
    why = "nik '650274822002778' tidak terdaftar di koperasi.csv (maksud 650274822002787?)"
    typo = pd.DataFrame({"nik": ["650274822002778", "650274822002778"], "periode": PERIODE,
                         "sumber": ["kuesioner/k.csv", "faktor_pengurang.csv"], "baris": [2, 3],
                         "alasan": [[why], [why]], "data": None})
    tables["karantina"] = pd.concat([tables["karantina"], typo], ignore_index=True)
    cards = _Cards(Published(PERIODE, tables, SETTINGS), [nik, other])
    html = template.render(**cards.context(other))
    assert html.count(QUARANTINED_ANSWERS) == 1
    assert ("<b>Periksa NIK:</b> baris dengan NIK mirip dikarantina, mungkin salah ketik: faktor_pengurang.csv baris 3 "
            "(nik 650274822002778) dan 1 baris lain") in html
    assert answers_quarantined(convention, ["laporan", "kuesioner"]) == QUARANTINED_ANSWERS
    assert answers_quarantined(convention, ["laporan"]) is None and answers_quarantined("Sehat", ["kuesioner"]) is None


def test_the_report_s_movers_say_when_a_factor_holds_the_predicate(handouts, published_sample):
    """'KSP Harapan Sembakung 92,40 -> 94,15 Cukup Sehat' read as a fault: a downgrade factor held it (new-user
    trial). A mover whose predicate is not its score's says so, with the score's."""
    from flows.handouts.report import _movers

    scores = published_sample[1]["skor_koperasi"].query("periode == @PERIODE")
    shown = [row for _, rows in _movers(scores, SETTINGS.movers) for row in rows]
    held = [row for row in shown if row["predicate_by_score"] != row["predicate"]]
    html = files(handouts[1])[f"laporan_{PERIODE}.html"].read_text(encoding="utf-8")
    assert len(held) and html.count("ditahan faktor pengurang; menurut skor: ") == len(held)
    for row in held:
        assert f"ditahan faktor pengurang; menurut skor: {row['predicate_by_score']}</span>" in html
    # the histogram is coloured by the score's band, and its caption says how many a factor holds lower (its
    # colours were unexplained: fresh-clone trial)
    lower = int((scores["predikat"].astype("str") != scores["predikat_skor"].astype("str")).sum())
    assert lower > 0 and (f"Warna batang: predikat menurut skor saja; {lower} koperasi berpredikat akhir lebih "
                          "rendah karena faktor pengurang.") in html


# --- the pieces -----------------------------------------------------------------------------------------------


def test_a_legend_at_a_rulebook_change_lists_the_previous_books_predicates_too():
    """The report of 2016-04 (ksp-2016) showed ksp-2009's 'Kurang Sehat' as the previous predicate, not in its legend
    (review)."""
    published = Published.__new__(Published)
    published.__dict__.update(periode="2016-04", books=rulebooks_in("2016-04"))
    assert published.predicate_names == ["Sehat", "Cukup Sehat", "Kurang Sehat", "Dalam Pengawasan", "Tidak Sehat",
                                         "Dalam Pengawasan Khusus", "Sangat Tidak Sehat"]
    published.__dict__.update(periode="2026-10", books=rulebooks_in("2026-10"))
    del published.__dict__["predicate_names"]
    assert published.predicate_names == ["Sehat", "Cukup Sehat", "Dalam Pengawasan", "Dalam Pengawasan Khusus"]


def test_every_predicate_has_one_colour_and_readable_text():
    assert set(predicate_columns()) <= set(PREDICATE_COLOURS)
    assert {ink(c) for c in PREDICATE_COLOURS.values()} == {"#1b1b1b", "#ffffff"}
    assert ink(PREDICATE_COLOURS["Dalam Pengawasan Khusus"]) == "#ffffff" and ink(PREDICATE_COLOURS["Kurang Sehat"]) == "#1b1b1b"
    assert css_class("Dalam Pengawasan Khusus") == "p-dalam-pengawasan-khusus" and css_class(None) == "p-tidak-dinilai"


def test_numbers_are_written_as_scoring_writes_them():
    values = np.array([0, 0.005, 1.005, 78.5, -8.28, 1234567.891, 999.995, -0.004, 12.345])
    assert [number(v) for v in values] == format_number(values).tolist()
    assert [number(v, 0) for v in values] == format_number(values, 0).tolist()
    assert (rupiah(1_234_567), percent(12.5), signed(1.25), signed(-0.5), signed(0), number(None)) == (
        "Rp 1.234.567", "12,5%", "+1,25", "-0,50", "0,00", "-")
    # a move's amount keeps its sen in two decimals ("Rp 9.405.090,75 menjadi Rp 9.385.074,5" read as two kinds of
    # number: new-user trial); a nilai drops its trailing zeros
    amounts = np.array([164_951_000.5, 9_405_090.75, 25, 0.25, -3.5, 1.004])
    assert format_rupiah(amounts, sen=True).tolist() == [
        "Rp 164.951.000,50", "Rp 9.405.090,75", "Rp 25", "Rp 0,25", "Rp -3,50", "Rp 1"]
    assert format_nilai(amounts).tolist() == ["164.951.000,5", "9.405.090,75", "25", "0,25", "-3,5", "1"]


def test_a_warning_s_code_is_in_indonesian_words():
    """'Komponen turun band' stood in the workbook, the report and the cards (new-user trial)."""
    from flows.handouts.workbook import warning_label

    assert warning_label(pd.Series(["komponen_turun_band", "tidak_melapor_3_bulan_atau_lebih"])).tolist() == [
        "Nilai komponen turun", "Tidak melapor 3 bulan atau lebih"]


def test_sheet_names_are_valid_and_unique():
    assert sheet_names(["Kabupaten Kepulauan Siau Tagulandang Biaro", "Kota Bima/Kab. [x]", "ringkasan",
                        "Kabupaten Kepulauan Siau Tagulandang Biaro"], ["Ringkasan"]) == [
        "Kabupaten Kepulauan Siau Tagula", "Kota Bima Kab. x", "ringkasan (2)", "Kabupaten Kepulauan Siau Ta (2)"]


def test_a_text_longer_than_a_cell_holds_says_it_was_cut_and_how_long_it_was(tmp_path):
    """openpyxl cut a quarantined row's text of 88,979 characters at 32,767 without a word (hostile trial): the cell
    now ends saying so; a text that fits, and a list, are written whole."""
    long, fits = "9x" * 44_000 + "123", "a" * CELL_MAKS
    book = new_workbook()
    add_sheet(book, "Isi", [Column("Isi", "isi", wrap=True), Column("Daftar", "daftar", "list")],
              pd.DataFrame({"isi": pd.Series([long, fits, None], dtype="str"),
                            "daftar": [["a" * 20_000, "b" * 20_000], ["c"], None]}))
    path = save(book, tmp_path / "isi.xlsx", datetime(2026, 11, 5, 8, 0))
    rows = list(load_workbook(path, read_only=True)["Isi"].iter_rows(min_row=2, values_only=True))
    note = "… (dipotong: 88.003 karakter; satu sel Excel memuat 32.767)"
    assert rows[0][0] == long[:CELL_MAKS - len(note)] + note and len(rows[0][0]) == CELL_MAKS
    assert rows[0][1].startswith("a" * 20_000 + "; b") and len(rows[0][1]) == CELL_MAKS
    assert rows[0][1].endswith("b… (dipotong: 40.002 karakter; satu sel Excel memuat 32.767)")
    assert rows[1] == (fits, "c") and not any(rows[2])  # an empty row reads as ()


def test_a_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    """A cooperative named '=HYPERLINK("http://evil.example","klik")', a pendamping the same, a nik '=1+2': openpyxl
    wrote them as formulas, live in the workbook (hostile trial). Every text is a text, in a styled cell or not."""
    link = '=HYPERLINK("http://evil.example","klik")'
    book = new_workbook()
    add_sheet(book, "Isi", [Column("Nama", "nama"), Column("Isi", "isi", wrap=True),
                            Column("Daftar", "daftar", "list")],
              pd.DataFrame({"nama": pd.Series([link, "+1", "biasa"], dtype="str"),
                            "isi": pd.Series(["=1+2", "@a", None], dtype="str"), "daftar": [["=x", "y"], None, None]}))
    path = save(book, tmp_path / "isi.xlsx", datetime(2026, 11, 5, 8, 0))
    sheet = load_workbook(path)["Isi"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert [(c.value, c.data_type) for c in cells] == [(link, "s"), ("=1+2", "s"), ("=x; y", "s"), ("+1", "s"),
                                                       ("@a", "s"), ("biasa", "s")]


def test_the_columns_of_a_sheet_are_data_with_its_runs_expanded(tmp_path):
    assert columns("keterangan") == [Column("Hal", "hal", width=28), Column("Contoh", "contoh", "predicate", 24),
                                     Column("Isi", "isi", width=100)]
    runs = columns("ringkasan", predikat=[("Sehat", "jumlah_sehat"), ("Cukup Sehat", "jumlah_cukup_sehat")])
    assert [(c.label, c.field, c.kind, c.width) for c in runs[7:10]] == [
        ("Dinilai", "jumlah_dinilai", "int", 9), ("Sehat", "jumlah_sehat", "int", 11),
        ("Cukup Sehat", "jumlah_cukup_sehat", "int", 11)]
    with pytest.raises(ValueError, match="runs"):
        columns("ringkasan")  # a run the caller does not give
    tables = tomllib.loads(COLUMNS_FILE.read_text(encoding="utf-8"))
    tables["karantina"][0]["lebar"] = 34
    tables["karantina"][1]["kind"] = "angka"
    path = tmp_path / "kolom.toml"
    path.write_text(tomli_w.dumps(tables), encoding="utf-8")
    with pytest.raises(RulebookError, match=r"karantina\.0\.lebar: Extra inputs.*karantina\.1\.kind: Value error"):
        column_table(path)


def test_a_card_chart_places_its_points_where_matplotlib_draws_them():
    values = [70.0, 72.5, 51.0]
    with _drawing("uji"):
        figure = Figure(figsize=(3.7, 1.9), dpi=72, layout="constrained")
        axes = figure.add_subplot()
        axes.set_xlim(-0.5, 2.5), axes.set_ylim(0, 100)
        axes.plot([0, 1, 2], values, gid="garis")
        frame = Frame.of(figure, axes, "uji")
    drawn = re.search(r'<g id="garis">.*?d="M ([^"]+)"', frame.head, re.S).group(1)
    points = [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+) (-?[\d.]+)", drawn)]
    assert points == [pytest.approx((frame.x(i), frame.y(v)), abs=0.01) for i, v in enumerate(values)]


def test_chart_axes_write_numbers_as_the_office_does():
    """An empty month's histogram had ticks −0.04 to 0.04 (review); matplotlib writes 0.5 and, past 10^5, 1e5."""
    def ticks(chart: str) -> list[str]:
        return re.findall(r"<text[^>]*>([^<]*)</text>", chart)

    book = rulebooks()["ksp-2016"]
    assert ticks(charts.score_distribution([], book)) == ["0", "20", "40", "60", "80", "100", "skor total", "0", "1",
                                                            "koperasi"]
    counts = pd.DataFrame({"Sehat": [120_000.0, 0.0], "Cukup Sehat": [30_000.0, 2.0]})
    large = ticks(charts.predicates_by_area(["Jawa Barat", "Papua"], counts))
    assert large[:large.index("koperasi yang dinilai")] == ["0", "20.000", "40.000", "60.000", "80.000", "100.000",
                                                           "120.000", "140.000"]
    assert "120.000" in large[large.index("Papua"):] and "30.000" in large  # the bars' counts too (were 120000)
    with _drawing("uji"):
        figure = Figure(figsize=(3, 2), dpi=72)
        figure.add_subplot().plot([0, 1], [0.25, 1.75])
        small = ticks(svg(figure, "uji"))
    assert small == ["0,0", "0,2", "0,4", "0,6", "0,8", "1,0", "0,5", "1,0", "1,5"]  # one decimal: as few as tell


def test_each_bar_of_the_score_histogram_holds_one_predicate():
    """The 65-70 bar was drawn Cukup Sehat and held 65,05, Dalam Pengawasan (fresh-clone trial): the bins split at
    each band's edge, whether the band holds it (ksp-2016: >= 66) or not (ksp-2009: > 50, say)."""
    edges, counts, names = charts.score_bins([65.05, 66.0, 67.5, 50.99, 51.0, 80.0, 79.99, 0.0, 100.0],
                                             rulebooks()["ksp-2016"])
    bins = {(float(low), float(high)): (int(n), name) for low, high, n, name in zip(edges, edges[1:], counts, names)
            if n}
    assert bins == {(0.0, 5.0): (1, "Dalam Pengawasan Khusus"), (50.0, 51.0): (1, "Dalam Pengawasan Khusus"),
                    (51.0, 55.0): (1, "Dalam Pengawasan"), (65.0, 66.0): (1, "Dalam Pengawasan"),
                    (66.0, 70.0): (2, "Cukup Sehat"), (75.0, 80.0): (1, "Cukup Sehat"), (80.0, 85.0): (1, "Sehat"),
                    (95.0, 100.0): (1, "Sehat")}
    for name, book in rulebooks().items():  # every bin of every book within one band
        edges, _, names = charts.score_bins([], book)
        for low, high, bin_name in zip(edges, edges[1:], names):
            assert {charts._band_of(book, low + 1e-6), charts._band_of(book, high - 1e-6)} == {bin_name}, (name, low)


def test_a_card_history_breaks_where_a_month_has_no_score():
    charts = CardCharts(["2026-08", "2026-09", "2026-10"], rulebooks())
    chart = charts.history("ksp-2016", [70.0, None, 66.0], ["Cukup Sehat", None, "Cukup Sehat"])
    assert chart.count("<circle") == 2 and "<polyline" not in chart  # two lone points, no line across the gap
    assert charts.history("ksp-2016", [70.0, 71.0, None], ["Cukup Sehat"] * 3).count("<polyline") == 1


def test_every_reason_of_the_sample_gets_its_own_advice(published_sample):
    reasons = published_sample[1]["karantina"]["alasan"].explode().dropna()
    assert len(reasons) > 20
    generic = [r for r in reasons if advice(r) == advice_table().lainnya]
    assert generic == []
    assert advice("periode: ditulis '10/2026', harus YYYY-MM (maksud 2026-10?)") == "Tulis periode 2026-10 " \
        "(tahun-bulan, YYYY-MM)."
    registered = advice("nik '6571' tidak terdaftar di koperasi.csv (maksud 6517?)")
    assert registered.startswith("Tulis NIK persis seperti di registri dinas") and registered == advice(
        'nik "65\'71" tidak terdaftar di koperasi.csv')  # a nik quoted in double quotes: the same advice
    assert advice("hibah: '925.000' dapat berarti 925 atau 925.000 (titik sebagai pemisah ribuan); tulis tanpa "
                  "pemisah: 925000") == "Tulis 925000, tanpa titik atau koma pemisah ribuan."
    assert advice("volume_pinjaman_anggota lebih dari volume_pinjaman: volume_pinjaman_anggota 1 > volume_pinjaman "
                  "0") == ("volume_pinjaman_anggota adalah bagian dari volume_pinjaman: tulis paling banyak sebesar "
                           "volume_pinjaman.")


def test_feedback_lists_every_reason_with_its_fix(handouts, published_sample):
    nik = "650447612162443"  # its balance sheet does not balance
    rows = pd.read_excel(files(handouts[1])[f"umpan_balik/{nik}.xlsx"], sheet_name=None)
    assert list(rows) == ["Umpan Balik", "Keterangan"]
    sheet = rows["Umpan Balik"]
    assert list(sheet.columns) == ["Berkas", "Baris", "Periode", "Alasan", "Perbaikan", "Isi baris"]
    assert sheet["Alasan"].str.startswith("neraca tidak seimbang").any()
    assert sheet["Perbaikan"].str.startswith("Samakan total_aset").any()
    assert sheet["Isi baris"].iloc[0].startswith(f"nik: {nik}; periode: {PERIODE}")


def test_long_texts_fold_in_their_columns_with_the_rows_tall_enough(handouts):
    """A feedback workbook cut its reason and fix at the next column's edge, and LibreOffice showed two lines of a
    folded cell whose row had no height (trials): a reason, its fix and the row's content fold, the row as tall as
    its longest folded text."""
    from openpyxl import load_workbook

    sheet = load_workbook(files(handouts[1])["umpan_balik/650447612162443.xlsx"])["Umpan Balik"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        folded = [row[header.index(name)] for name in ("Alasan", "Perbaikan", "Isi baris")]
        assert all(cell.alignment.wrap_text for cell in folded)
        width = {cell: sheet.column_dimensions[cell.column_letter].width for cell in folded}
        lines = max(-(-len(cell.value) // int(width[cell])) for cell in folded)
        assert lines > 1 and sheet.row_dimensions[row[0].row].height == min(15 * lines, 409)
    assert not sheet["B2"].alignment.wrap_text  # a number stays as it is


def test_a_card_names_the_quarantined_rows_and_the_feedback_file(handouts):
    """A quarantined cooperative's card said 'lihat tabel karantina', a table a pendamping cannot open (trial): it
    names the rows and their reasons, and the feedback workbook that has them all."""
    nik = "650276611812441"  # KSP Setia Nelayan: its October report quarantined
    html = files(handouts[1])[f"kartu/{nik}.html"].read_text(encoding="utf-8")
    assert "<h2>Baris dikarantina bulan ini</h2>" in html
    assert "<li>laporan/laporan_2026-10.csv baris 4: pinjaman menurut kolektibilitas tidak sama dengan pinjaman " \
           "diberikan: " in html
    assert f"umpan balik untuk koperasi, umpan_balik/{nik}.xlsx" in html and f"umpan_balik/{nik}.xlsx" in files(
        handouts[1])
    scored = "650274822002787"  # nothing of it quarantined: no such section
    assert "Baris dikarantina" not in files(handouts[1])[f"kartu/{scored}.html"].read_text(encoding="utf-8")


def test_tidak_melapor_lists_whoever_owes_the_month_as_mutu_pelaporan_counts_it():
    """A sharia cooperative whose first report was quarantined was left off Tidak Melapor, while mutu_pelaporan
    counted the month as owed (review). Owed: reported before, sent any report row (mutu_pelaporan lists it), or
    of a jenis a book scores."""
    from flows.handouts.workbook import silent
    from scoring.status import LAPORAN_DIKARANTINA, TANPA_LAPORAN

    sharia = "koperasi simpan pinjam syariah: rulebook belum tersedia"
    status = pd.DataFrame({
        "nik": ["1", "2", "3", "4", "5"], "nama": ["A", "B", "C", "D", "E"],
        "jenis": ["ksp", "kspps", "kspps", "kspps", "ksp"], "kabupaten_kota": "Tarakan", "periode": PERIODE,
        "melapor": [False, False, False, False, True],
        "bulan_tidak_melapor_berturut": pd.array([None, None, None, 2, 0], dtype="Int32"),
        "alasan_tidak_dinilai": ["tidak ada laporan untuk periode ini", sharia, sharia, sharia, None]})
    quality = pd.DataFrame({"nik": ["2", "4", "5"], "periode": PERIODE})
    karantina = pd.DataFrame({"nik": ["2", "4"], "periode": PERIODE, "sumber": ["laporan/l.csv", "kuesioner/k.csv"],
                              "baris": [2, 3], "alasan": [["kas: kosong"], ["set kuesioner 4 2026-02-01: x"]]})
    rows = silent(Published(PERIODE, {"status_koperasi": status, "mutu_pelaporan": quality, "karantina": karantina},
                            SETTINGS))
    two_before = f"{PERIODE[:5]}{int(PERIODE[5:]) - 2:02d}"
    assert rows[["nik", "laporan_terakhir", "keterangan"]].values.tolist() == [
        ["1", "belum pernah diterima", "tidak ada laporan untuk periode ini"],
        ["2", "belum pernah diterima", f"{LAPORAN_DIKARANTINA} ({sharia})"],  # its report quarantined: said
        ["4", two_before, f"{TANPA_LAPORAN} ({sharia})"]]  # as a cooperative of a scored jenis reads


def test_the_report_s_coverage_counts_the_cooperatives_that_owe_a_report(handouts, published_sample):
    """'% aktif yang melapor' divided by every aktif cooperative, konsumen and jasa too: Malinau read 41,7% while all
    its savings-and-loan cooperatives reported (new-user trial). The coverage is of those who owe a report, as Tidak
    Melapor lists them."""
    from flows.handouts.report import _reporting

    published = Published(PERIODE, published_sample[1], SETTINGS)
    status = published.now("status_koperasi")
    owing = status[status["aktif"].to_numpy(bool) & published.owes_report]
    rows = {row["name"]: row for row in _reporting(published)}
    long_silent = owing["bulan_tidak_melapor_berturut"].fillna(0) >= SETTINGS.silent_months
    for area, mine in owing.groupby("kabupaten_kota"):
        assert (rows[area]["aktif"], rows[area]["reporting"], rows[area]["silent"]) == (
            len(mine), int(mine["melapor"].sum()), int(long_silent[mine.index].sum())), area
    # the silent are of the same cooperatives: an inactive one counted beside 'Aktif wajib lapor 2, melapor 2' read
    # as a fault (new-user trial)
    inactive = status[~status["aktif"].to_numpy(bool)]
    assert (inactive["bulan_tidak_melapor_berturut"].fillna(0) >= SETTINGS.silent_months).any()
    assert sum(r["aktif"] for r in rows.values()) < int(status["aktif"].sum())  # konsumen, jasa ... never reported
    silent = owing[~owing["melapor"]]
    book = pd.read_excel(files(handouts[1])[f"ringkasan_{PERIODE}.xlsx"], sheet_name="Tidak Melapor",
                         dtype={"NIK": str})
    assert set(silent["nik"]) <= set(book["NIK"])  # every owing aktif one not reporting is on Tidak Melapor


def test_a_card_points_to_its_own_quarantined_rows_and_the_report_says_when_there_is_no_last_month(
        handouts, published_sample, tmp_path):
    """A card said 'lihat tabel karantina', a table a pendamping does not have, above the rows it lists; the report's
    risers and fallers said 'Tidak ada.' with no month before to compare (new-user trial)."""
    from flows.handouts.cards import CARD_QUARANTINED
    from flows.handouts.report import write_report
    from scoring.status import LAPORAN_DIKARANTINA

    status = published_sample[1]["status_koperasi"].query("periode == @PERIODE")
    cards = files(handouts[1])
    unscored = [nik for nik in status.loc[status["alasan_tidak_dinilai"] == LAPORAN_DIKARANTINA, "nik"]
                if f"kartu/{nik}.html" in cards]
    assert unscored
    for nik in unscored:
        html = cards[f"kartu/{nik}.html"].read_text(encoding="utf-8")
        assert CARD_QUARANTINED in html and "lihat tabel karantina" not in html, nik
    report = cards[f"laporan_{PERIODE}.html"].read_text(encoding="utf-8")
    assert "Belum ada skor bulan lalu untuk dibandingkan." not in report
    tables = dict(published_sample[1])
    tables["skor_koperasi"] = tables["skor_koperasi"].assign(skor_total_sebelumnya=float("nan"))
    first = write_report(Published(PERIODE, tables, SETTINGS), tmp_path / "l.html").read_text(encoding="utf-8")
    assert first.count("Belum ada skor bulan lalu untuk dibandingkan.") == 2  # risers and fallers
