"""One book chooser for a (period, jenis): a book with other aspects is a rulebook file, scored beside the others."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from builders import frame, report, sehat
from scoring import RulebookError, score_reports
from scoring.rulebook import RULEBOOK_DIR, book_for, load_rulebook_file, rulebooks

# A made-up sharia book (the real one is not verified, rulebook.md §1): the eight aspects of Perdep 07/2016 with
# their weights, one component each. Each scores kas / total aset (100 from 50%), except kepatuhan prinsip syariah,
# which scores bank / total aset.
ASPEK = {"permodalan": 10, "kualitas_aktiva_produktif": 20, "manajemen": 15, "efisiensi": 10, "likuiditas": 15,
         "kemandirian_pertumbuhan": 10, "jatidiri": 10, "kepatuhan_prinsip_syariah": 10}


def _sharia_book(questions: int = 0) -> str:
    """The book's TOML; with `questions`, its manajemen component is a questionnaire of that many questions."""
    parts = ['id = "kspps-contoh"', 'regulasi = "made up for a test"', 'versi = "2026-11-30"', 'jenis = ["kspps"]',
             'berlaku = { mulai = "2016-04" }', 'mode = "table"', 'desimal_skor = 2',
             'predikat = [{ ge = 80, nama = "Sehat" }, { ge = 66, lt = 80, nama = "Cukup Sehat" },',
             '  { ge = 51, lt = 66, nama = "Dalam Pengawasan" }, { lt = 51, nama = "Dalam Pengawasan Khusus" }]',
             "[besaran]", "kas_saja = { kas = 100 }"]
    for aspek, bobot in ASPEK.items():
        if aspek == "manajemen" and questions:
            parts += ["[[aspek]]", 'id = "manajemen"', 'nama = "manajemen"', f"bobot = {bobot}",
                      "[[aspek.komponen]]", 'id = "kelembagaan"', 'nama = "kelembagaan (syariah)"',
                      f"pertanyaan = {questions}", f"bobot = {bobot}", "terverifikasi = false", 'sumber = "made up"']
            continue
        line = "bank" if aspek == "kepatuhan_prinsip_syariah" else "kas"
        parts += ["[[aspek]]", f'id = "{aspek}"', f'nama = "{aspek}"', f"bobot = {bobot}",
                  "[[aspek.komponen]]", f'id = "{aspek}_syariah"', f'nama = "{aspek}"', f'pembilang = "{line}"',
                  'penyebut = "total_aset"', f"bobot = {bobot}", "terverifikasi = false", 'sumber = "made up"',
                  'penyebut_nol = { nilai = 0, catatan = "total aset <= 0" }',
                  "tabel = [{ lt = 50, nilai = 0 }, { ge = 50, nilai = 100 }]"]
    return "\n".join(parts) + "\n"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    for path in RULEBOOK_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "kspps-contoh.toml").write_text(_sharia_book())
    return tmp_path


def test_a_book_with_other_aspects_scores_beside_the_ksp_books(library):
    books = rulebooks(library)
    assert book_for("2026-10", "kspps", books=books).id == "kspps-contoh"
    assert book_for("2026-10", "ksp", books=books).id == "ksp-2016"
    rows = frame(sehat("ksp-1", "2025-12", jenis="ksp"),
                 report("syariah-1", "2025-12", jenis="kspps", kas=60, bank=10, total_aset=100),  # 60% kas, 10% bank
                 report("syariah-2", "2025-12", jenis="kspps", kas=20, bank=80, total_aset=100),
                 report("konsumen-1", "2025-12", jenis="konsumen"))
    result = score_reports(rows, books=books)
    k = result.koperasi.set_index("nik")
    assert k.loc["ksp-1", "rulebook"] == "ksp-2016" and k.loc["ksp-1", "skor_total"] == 85.0  # builders: sehat
    # syariah-1: every component 100 but kepatuhan (10% < 50%): 100 - 10 = 90; syariah-2: only kepatuhan: 10
    assert (k.loc["syariah-1", "rulebook"], k.loc["syariah-1", "skor_total"]) == ("kspps-contoh", 90.0)
    assert (k.loc["syariah-2", "skor_total"], k.loc["syariah-2", "predikat"]) == (10.0, "Dalam Pengawasan Khusus")
    assert k.loc["syariah-1", "skor_kepatuhan_prinsip_syariah"] == 0.0
    assert np.isnan(k.loc["ksp-1", "skor_kepatuhan_prinsip_syariah"])  # an aspect of the other book
    assert result.tidak_dinilai["nik"].tolist() == ["konsumen-1"]
    aspek = result.aspek[result.aspek["nik"] == "syariah-1"].set_index("aspek")
    assert aspek["bobot"].to_dict() == {a: float(b) for a, b in ASPEK.items()}
    assert aspek["skor"].sum() == 90.0 and aspek.loc["kepatuhan_prinsip_syariah", "persen"] == 0.0
    assert len(result.aspek[result.aspek["nik"] == "ksp-1"]) == 7
    indikator = result.indikator
    assert len(indikator[indikator["nik"] == "syariah-1"]) == 8 and len(indikator[indikator["nik"] == "ksp-1"]) == 22


def test_two_books_for_the_same_jenis_and_period_contradict_each_other(library):
    text = _sharia_book().replace('jenis = ["kspps"]', 'jenis = ["kspps", "ksp"]')
    (library / "kspps-contoh.toml").write_text(text)
    books = {p.stem: load_rulebook_file(p, library) for p in library.glob("k*.toml")}
    with pytest.raises(RulebookError, match="period 2026-10, jenis ksp: expected exactly one rulebook in force, "
                                            "found kspps-contoh, ksp-2016"):
        book_for("2026-10", "ksp", books=books)
    assert book_for("2015-10", "ksp", books=books).id == "ksp-2009"  # before the sharia book's berlaku


def test_a_child_book_restates_only_the_component_it_changes(library):
    # a 2016 variant that changes one band of one component (merge by component id)
    (library / "ksp-varian.toml").write_text(
        (library / "ksp-2016.toml").read_text().replace('id = "ksp-2016"', 'id = "ksp-varian"')
        + '\n[[aspek]]\nid = "likuiditas"\n[[aspek.komponen]]\nid = "rasio_kas"\ntabel = [\n'
          '  { le = 10, nilai = 25 },\n  { gt = 10, le = 15, nilai = 100 },\n  { gt = 15, le = 20, nilai = 75 },\n'
          '  { gt = 20, nilai = 25 },\n]\n')
    book, base = load_rulebook_file(library / "ksp-varian.toml"), load_rulebook_file(library / "ksp-2016.toml")
    changed = {k.id: k for k in book.komponen}["rasio_kas"]
    assert [b.nilai for b in changed.tabel] == [25, 100, 75, 25]
    assert changed.bobot == 10 and changed.sumber == "Permen KUKM 14/2009, Tabel 17"  # the rest is the base's
    assert [k.id for k in book.komponen] == [k.id for k in base.komponen]
    assert [k for k in book.komponen if k.id != "rasio_kas"] == [k for k in base.komponen if k.id != "rasio_kas"]


@pytest.fixture
def sharia_in_force(library, monkeypatch):
    """The shipped books and a sharia book whose manajemen is a questionnaire of 3 questions (komponen kelembagaan,
    6 questions in the ksp books), as the books a questionnaire is checked against (the module caches are emptied
    before and after)."""
    from schemas import kuesioner
    from scoring import rulebook

    (library / "kspps-contoh.toml").write_text(_sharia_book(questions=3))
    books = {i: b for i, b in rulebooks(library).items() if b.status != "draft"}
    caches = (kuesioner._questions, kuesioner._questionnaire_book, kuesioner._questionnaire_sizes)
    for cached in caches:
        cached.cache_clear()
    monkeypatch.setattr(rulebook, "published_books", lambda: books)
    monkeypatch.setattr(kuesioner, "published_books", lambda: books)
    yield books
    monkeypatch.undo()
    for cached in caches:
        cached.cache_clear()


def test_a_questionnaire_set_answers_the_book_of_its_cooperatives_jenis(sharia_in_force):
    import pandas as pd

    from schemas.inputs import Registry, check_kuesioner

    ksp = {k.id: k.pertanyaan for k in sharia_in_force["ksp-2016"].komponen if k.kuesioner}
    registry = Registry(pd.Series(["ksp-1", "syariah-1", "syariah-2"], dtype="str"),
                        jenis=pd.Series(["ksp", "kspps", "kspps"], index=["ksp-1", "syariah-1", "syariah-2"]))

    def answers(nik: str, sizes: dict[str, int]) -> list[dict]:
        return [{"nik": nik, "tanggal": "2026-02-10", "komponen": k, "nomor": str(i), "jawaban": "ya"}
                for k, n in sizes.items() for i in range(1, n + 1)]

    rows = [*answers("ksp-1", ksp), *answers("syariah-1", {"kelembagaan": 3}), *answers("syariah-2", ksp)]
    raw = pd.DataFrame(rows).astype("str").assign(sumber="kuesioner/k.csv", baris=range(2, len(rows) + 2))
    result = check_kuesioner(raw, registry)
    # ksp-1 answers ksp-2016's 38 questions, syariah-1 the sharia book's 3 (kelembagaan 1..3): whole sets, each
    # checked against the book of its jenis (two books in force)
    assert sum(ksp.values()) == 38
    valid = result.valid.groupby("nik").size().to_dict()
    # syariah-2 answered ksp-2016's 38 questions: its book's 3 are there (kelembagaan 1..3, accepted); the other 35
    # rows answer nothing of its book: kelembagaan 4..6 beyond its 3, and 32 of komponen its book does not have
    assert valid == {"ksp-1": 38, "syariah-1": 3, "syariah-2": 3}
    reasons = result.alasan.map(lambda r: r[0]).value_counts().to_dict()
    assert reasons == {"komponen: manajemen_umum bukan komponen kuesioner rulebook kspps-contoh (jenis kspps)": 12,
                       "komponen: manajemen_aktiva bukan komponen kuesioner rulebook kspps-contoh (jenis kspps)": 10,
                       "komponen: manajemen_permodalan bukan komponen kuesioner rulebook kspps-contoh (jenis kspps)": 5,
                       "komponen: manajemen_likuiditas bukan komponen kuesioner rulebook kspps-contoh (jenis kspps)": 5,
                       "nomor: harus 1 sampai 3 untuk kelembagaan (nilai: 4)": 1,
                       "nomor: harus 1 sampai 3 untuk kelembagaan (nilai: 5)": 1,
                       "nomor: harus 1 sampai 3 untuk kelembagaan (nilai: 6)": 1}
