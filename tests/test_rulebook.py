"""The rulebook files: their content as rulebook.md states it, sharing, and clear failures on malformed books."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import tomli_w

from builders import frame, sehat
from scoring import RulebookError, load_rulebook, load_rulebook_file, rulebooks, score_reports
from scoring.rulebook import RULEBOOK_DIR, book_for, published_books

ASPEK = {"permodalan": 15, "kualitas_aktiva_produktif": 25, "manajemen": 15, "efisiensi": 10, "likuiditas": 15,
         "kemandirian_pertumbuhan": 10, "jatidiri": 10}
# rulebook.md §3 (revised 2026-11-30): the C tables; every other table is V
UNVERIFIED = {"beban_operasi_anggota", "beban_usaha_shu_kotor", "efisiensi_pelayanan"}


def test_both_books_load_with_the_aspects_weights_and_flags_of_the_spec():
    assert sorted(rulebooks()) == ["kkpkk-2021-draft", "ksp-2009", "ksp-2016"]
    assert sorted(published_books()) == ["ksp-2009", "ksp-2016"]  # a draft is never a month's score
    for book in published_books().values():
        assert {a.id: a.bobot for a in book.aspek} == ASPEK
        assert len(book.komponen) == 22
        assert {k.id for k in book.komponen if not k.terverifikasi} == UNVERIFIED
        assert {k.id: k.pertanyaan for k in book.komponen if k.kuesioner} == {
            "manajemen_umum": 12, "kelembagaan": 6, "manajemen_permodalan": 5, "manajemen_aktiva": 10,
            "manajemen_likuiditas": 5}
        assert {k.id for k in book.komponen if k.linear} == {"ms_pinjaman_berisiko", "risiko_pinjaman_bermasalah",
                                                               "cadangan_risiko"}
        assert book.mode == "table"
        assert book.versi == "2026-11-30"
        assert all(k.sumber.strip() for k in book.komponen)
        sumber = {k.id: k.sumber for k in book.komponen}
        assert sumber["pinjaman_dana_diterima"].startswith("Permen KUKM 14/2009, Tabel 18")
        assert sumber["rentabilitas_aset"] == "Permen KUKM 14/2009, Tabel 19"
        assert sumber["promosi_ekonomi_anggota"].startswith("Permen KUKM 14/2009, Tabel 23")
        assert all("not read" in sumber[k] for k in UNVERIFIED)


def test_ksp_2016_shares_the_tables_of_ksp_2009_without_a_copy():
    old, new = load_rulebook("ksp-2009"), load_rulebook("ksp-2016")
    assert new.aspek == old.aspek and new.besaran == old.besaran
    assert "[[aspek" not in (RULEBOOK_DIR / "ksp-2016.toml").read_text()
    assert new.predikat_names == ["Sehat", "Cukup Sehat", "Dalam Pengawasan", "Dalam Pengawasan Khusus"]
    assert old.predikat_names == ["Sehat", "Cukup Sehat", "Kurang Sehat", "Tidak Sehat", "Sangat Tidak Sehat"]
    assert old.faktor_pengurang is None
    assert new.faktor_pengurang.paksa == ["perselisihan_intern", "campur_tangan_pihak_luar", "rekayasa_pembukuan",
                                          "usaha_tidak_dibukukan"]
    assert len(new.faktor_pengurang.turun_satu_tingkat) == 6


def test_derived_quantities_expand_to_report_lines():
    book = load_rulebook("ksp-2016")
    assert book.lines("dana_diterima")["shu_belum_dibagi"] == 0
    assert book.lines("shu_sebelum_pajak") == {"partisipasi_bruto": 100, "pendapatan_non_anggota": 100,
                                               "beban_pokok": -100, "beban_usaha": -100,
                                               "beban_perkoperasian": -100, "pendapatan_lain": 100,
                                               "beban_lain": -100}
    assert book.lines("atmr")["aset_tetap"] == 70


def copy_books(tmp_path: Path) -> Path:
    for path in RULEBOOK_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def edited(tmp_path: Path, book: str, change: Callable[[dict], object]) -> Path:
    """The shipped books copied, `book`'s data changed by `change` (parsed TOML, written back as TOML): its path."""
    path = copy_books(tmp_path) / f"{book}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def komponen(data: dict, komponen_id: str) -> dict:
    """The component of a book's data (exactly one has the id)."""
    (found,) = [k for a in data["aspek"] for k in a["komponen"] if k["id"] == komponen_id]
    return found


def band(data: dict, komponen_id: str, index: int) -> dict:
    return komponen(data, komponen_id)["tabel"][index]


def test_the_rules_are_read_from_the_files(tmp_path):
    # a supervisor's edit of the file (rasio kas weight 10 -> 5, pinjaman/dana diterima 5 -> 10 and its top band
    # 100 -> 50) changes the score
    def change(data: dict) -> None:
        komponen(data, "rasio_kas")["bobot"] = 5
        komponen(data, "pinjaman_dana_diterima")["bobot"] = 10
        assert band(data, "pinjaman_dana_diterima", -1) == {"ge": 80, "nilai": 100}
        band(data, "pinjaman_dana_diterima", -1)["nilai"] = 50

    edited(tmp_path, "ksp-2009", change)
    result = score_reports(frame(sehat()), rulebook=load_rulebook_file(tmp_path / "ksp-2016.toml"))
    # rasio kas 100 x 5 + pinjaman/dana diterima (87.80% -> top band) 50 x 10 -> 5 + 5 (was 10 + 5)
    assert result.koperasi.loc[0, "skor_likuiditas"] == 10.0
    assert result.koperasi.loc[0, "skor_total"] == 80.0


def _set(path: Callable[[dict], dict], key: str, value: object) -> Callable[[dict], None]:
    return lambda data: path(data).__setitem__(key, value)


MS_ASET = lambda index: lambda data: band(data, "ms_aset", index)  # noqa: E731 - a band of ms_aset by index


@pytest.mark.parametrize("change, message", [
    (lambda d: MS_ASET(2)(d).update(ge=MS_ASET(2)(d).pop("gt")), "leave a gap or overlap"),  # { gt = 20 } -> ge
    (lambda d: MS_ASET(2)(d).update({"gt": 21}), "leave a gap or overlap"),
    # neighbours that meet, around a band whose edges go down: 0 <= x <= 50 | 50 < x <= 40 | x > 40
    (lambda d: (MS_ASET(1)(d).update(le=50), MS_ASET(2)(d).update(gt=50)),
     "band 'x > 50 and x <= 40' holds no number"),
    (_set(MS_ASET(-1), "le", 200), "must be open above"),
    (lambda d: komponen(d, "ms_aset")["tabel"].pop(0), "must be open below"),
    (_set(MS_ASET(2), "nilai", 150), "less than or equal to 100"),
    (_set(lambda d: komponen(d, "ms_aset"), "bobot", 7), "add up to 16, not the aspect's 15"),
    (_set(lambda d: komponen(d, "kecukupan_modal"), "pembilang", "modal_sendiri_tertimbang_x"),
     "'modal_sendiri_tertimbang_x' is neither a report column nor a besaran"),
    (_set(lambda d: d["besaran"]["kas_dan_bank"], "kas_dan_bank", 100), "refers to itself"),
    (_set(lambda d: d["besaran"]["kas_dan_bank"], "bank", 33.3), "not whole percents"),
    (_set(lambda d: komponen(d, "kecukupan_modal"), "warna", "merah"), "Extra inputs"),
    (_set(lambda d: d, "mode", "steps"), "mode"),
    (_set(lambda d: komponen(d, "manajemen_umum"), "pembilang", "kas"), "no ratio fields"),
    (_set(lambda d: komponen(d, "kecukupan_modal"), "sumber", "  "), "aspek.0.komponen.2.sumber"),
    (lambda d: komponen(d, "kecukupan_modal").pop("sumber"), "aspek.0.komponen.2.sumber: Field required"),
    (_set(lambda d: d, "versi", "30/11/2026"), "versi: String should match pattern"),
])
def test_a_malformed_book_fails_clearly(tmp_path, change, message):
    with pytest.raises(RulebookError, match="ksp-2009.toml") as error:
        load_rulebook_file(edited(tmp_path, "ksp-2009", change))
    assert message in str(error.value)


def test_a_file_that_is_not_toml_fails_clearly(tmp_path):
    path = copy_books(tmp_path) / "ksp-2009.toml"
    path.write_text(path.read_text() + "[oops\n")
    with pytest.raises(RulebookError, match="ksp-2009.toml is not valid TOML"):
        load_rulebook_file(path)


def test_predicates_of_a_child_book_are_checked_too(tmp_path):
    def lower_edge(data: dict) -> None:
        assert data["predikat"][2] == {"ge": 51, "lt": 66, "nama": "Dalam Pengawasan"}
        data["predikat"][2]["ge"] = 50

    with pytest.raises(RulebookError, match="ksp-2016.toml.*predikat.*gap or overlap"):
        load_rulebook_file(edited(tmp_path, "ksp-2016", lower_edge))
    with pytest.raises(RulebookError, match="predikat_paksa 'Tidak Sehat' is not a predikat"):
        load_rulebook_file(edited(tmp_path, "ksp-2016", _set(lambda d: d["faktor_pengurang"], "predikat_paksa",
                                                              "Tidak Sehat")))


def test_a_child_book_is_never_older_than_its_base(tmp_path):
    with pytest.raises(RulebookError, match="ksp-2016.toml: versi '2026-01-15' is older than the versi "
                                            "'2026-11-30' of its dasar ksp-2009"):
        load_rulebook_file(edited(tmp_path, "ksp-2016", _set(lambda d: d, "versi", "2026-01-15")))
    later = edited(tmp_path, "ksp-2016", _set(lambda d: d, "versi", date(2026, 12, 1)))  # a TOML date, unquoted
    assert "versi = 2026-12-01\n" in later.read_text() and load_rulebook_file(later).versi == "2026-12-01"


def test_unknown_book_and_file_name_mismatch(tmp_path):
    with pytest.raises(RulebookError,
                       match="unknown rulebook .ksp-2030.; available: kkpkk-2021-draft, ksp-2009, ksp-2016"):
        load_rulebook("ksp-2030")
    books = copy_books(tmp_path)
    (books / "ksp-2009.toml").rename(books / "lama.toml")
    with pytest.raises(RulebookError, match="declares id 'ksp-2009'; the file must be named ksp-2009.toml"):
        load_rulebook_file(books / "lama.toml")
    with pytest.raises(RulebookError, match="does not exist"):
        load_rulebook_file(books / "ksp-2016.toml")


@pytest.mark.parametrize("periode", ["2021-01", "2026-10"])
def test_a_draft_is_never_chosen_by_period_only_on_request(periode):
    assert book_for(periode, "ksp").id == "ksp-2016"
    draft = load_rulebook("kkpkk-2021-draft")
    assert draft.status == "draft" and book_for(periode, "ksp", forced=draft) is draft
