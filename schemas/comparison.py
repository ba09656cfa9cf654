"""The table of `koperasi-sehat bandingkan` (issue 17): one month under several rulebooks side by side. Written on
request, beside the monthly tables and never with them: it is not part of a month's publication."""

from __future__ import annotations

import pandera.pandas as pdr

from schemas.contract import (BOOL, COUNT, FLOAT, INT64, NOT_BLANK, SCORE, STRING, Column, OutputTable, nik_column,
                              periode_column, rule, run_id_column, set_apart, set_together)
from scoring.rulebook import rulebooks

STATUS = ("berlaku", "draft")


def _predikat_check() -> pdr.Check:
    """A predicate of any book, the drafts' included."""
    return pdr.Check.isin(list(dict.fromkeys(p for book in rulebooks().values() for p in book.predikat_names)))


NO_TOTAL = "null when the book could not assess every aspect or does not score the cooperative"
MEANING = ("one row per cooperative with an accepted report of the period and rulebook compared (`koperasi-sehat "
           "bandingkan`): the same validated reports under each book; not part of the monthly publication")


def _perbandingan_rulebook() -> OutputTable:
    return OutputTable("perbandingan_rulebook", MEANING, (
        nik_column(), periode_column(),
        Column("rulebook", STRING, "id of the rulebook, e.g. ksp-2009, ksp-2016, kkpkk-2021-draft", nullable=False,
               checks=(NOT_BLANK,)),
        Column("status_rulebook", STRING, "berlaku (a book in force for some periods) or draft (never a month's "
               "score: kkpkk-2021-draft)", nullable=False, checks=(pdr.Check.isin(STATUS),)),
        Column("dinilai", BOOL, "the book scores the cooperative's jenis", nullable=False),
        Column("skor_total", FLOAT, f"total score 0..100 under the book ({NO_TOTAL})", checks=(SCORE,)),
        Column("predikat_skor", STRING, "predicate of skor_total by the book's bands (null iff skor_total is null)",
               checks=(_predikat_check(),)),
        Column("predikat", STRING, "predikat_skor after the book's downgrade factors, as a monthly run publishes it "
               "(ksp-2016 only has them; null iff skor_total is null)", checks=(_predikat_check(),)),
        Column("aspek_dinilai", INT64, "aspects the book could score", nullable=False, checks=(COUNT,)),
        Column("jumlah_aspek", INT64, "aspects of the book", nullable=False, checks=(pdr.Check.gt(0),)),
        Column("sebagian", BOOL, "a partial view: the book scores the cooperative but not every aspect (the draft "
               "without an examiner's checklist), so there is no total and no predicate", nullable=False),
        Column("alasan_tanpa_total", STRING, "why there is no total: the aspects not assessed and the notes of their "
               "indicators, or why the book does not score the cooperative (null iff skor_total is set)"),
        Column("komponen_tidak_dinilai", INT64, "the book's indicators not assessed (no checklist, no report of the "
               "same month a year earlier, a denominator <= 0): left out of their aspect's average", nullable=False,
               checks=(COUNT,)),
        Column("komponen_tidak_terverifikasi", INT64, "indicators assessed whose table is not read in a regulation "
               "text (terverifikasi = false in skor_indikator)", nullable=False, checks=(COUNT,)),
        Column("terverifikasi", BOOL, "the book's predicate bands and way of adding up are read in the regulation; "
               "false for the draft: its total and predicate are unverified until the Juknis is read",
               nullable=False),
        run_id_column(),
    ), key=("nik", "periode", "rulebook"), rules=(
        set_together("predikat_skor", "skor_total"), set_together("predikat", "skor_total"),
        set_apart("alasan_tanpa_total", "skor_total"),
        rule(("sebagian", "dinilai", "aspek_dinilai", "jumlah_aspek"),
             "sebagian iff dinilai and aspek_dinilai < jumlah_aspek",
             lambda df: df["sebagian"] == (df["dinilai"] & (df["aspek_dinilai"] < df["jumlah_aspek"]))),
        rule(("skor_total", "dinilai", "aspek_dinilai", "jumlah_aspek"),
             "skor_total is set iff dinilai and every aspect is scored",
             lambda df: df["skor_total"].notna() == (df["dinilai"] & (df["aspek_dinilai"] == df["jumlah_aspek"]))),
        rule(("terverifikasi", "status_rulebook"), "terverifikasi iff the book is not a draft",
             lambda df: df["terverifikasi"] == (df["status_rulebook"] != "draft")),
    ))


def comparison_tables() -> tuple[OutputTable, ...]:
    """The tables written on request (`koperasi-sehat bandingkan`), not by a monthly run."""
    return (_perbandingan_rulebook(),)
