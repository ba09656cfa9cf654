"""`koperasi-sehat bandingkan`: one month of the landing folder under several rulebooks, side by side.

The landing folder is read and checked exactly as a monthly run reads it (`flows.prepare`: the registry,
questionnaires, findings and examiners' checklists, then the period's reports, resubmissions resolved); the same
accepted reports are scored with each book, forced (`scoring.comparison` compares the results). The table
`perbandingan_rulebook` of the period is swapped in whole under `<output>/perbandingan_rulebook/periode=P/`: it is
written on request, beside the monthly tables, and never published with them (no `_terbit` record names it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from flows import storage
from flows.config import TIMEZONE
from flows.locks import period_lock
from flows.preflight import ParameterError, published_input
from flows.report import print_parts, table_or_list
from flows.prepare import accepted_reports, answers_of, checked_common, with_registry
from flows.runs import new_run_id
from scoring import score_reports
from scoring.comparison import changes, per_book, perbandingan
from scoring.derived_factors import derived_factors
from scoring.periods import shift_period
from scoring.rulebook import Rulebook, load_rulebook
from scoring.texts import number

TABLE = "perbandingan_rulebook"
DEFAULT_BOOKS = ("ksp-2009", "ksp-2016", "kkpkk-2021-draft")
SHOWN_QUARANTINE = 5  # quarantined checklist rows named in the summary


@dataclass(frozen=True)
class Comparison:
    """What `bandingkan` computed and wrote."""

    periode: str
    run_id: str
    table: pd.DataFrame  # perbandingan_rulebook, as written
    changes: pd.DataFrame  # per pair of books (`scoring.comparison.changes`)
    books: pd.DataFrame  # per book (`scoring.comparison.per_book`)
    laporan_diterima: int
    laporan_dikarantina: int
    laporan_tahun_lalu: int | None  # accepted reports of the same month a year earlier; None: no book reads them
    pemeriksaan_dibaca: int
    pemeriksaan_dikarantina: list[str]  # "sumber:baris: reasons" of each quarantined checklist row
    berkas_ditolak: list[str]
    path: Path
    masukan: Path  # the landing folder read
    masukan_terbit: Path | None = None  # the landing folder the month was published from, when it is another one


def compare(landing: Path, output: Path, period: str, book_ids: Sequence[str],
            started: datetime | None = None) -> Comparison:
    """Score the period's accepted reports with each book, write `perbandingan_rulebook` of the period and return
    it with the summaries. Raises ParameterError when the landing folder has no accepted report of the period."""
    started = started or datetime.now(TIMEZONE)
    books = {b: load_rulebook(b) for b in dict.fromkeys(book_ids)}
    common = checked_common(landing, started.astimezone(TIMEZONE).date())
    month = accepted_reports(landing, common, period, started)
    if month.current.empty:
        raise ParameterError(f"tidak ada laporan periode {period} yang diterima di {landing}: tidak ada yang "
                             "dibandingkan")
    growth = any(k.pertumbuhan for book in books.values() for k in book.komponen)
    last_year = accepted_reports(landing, common, shift_period(period, -12), started).current if growth else None
    reports = with_registry(month.current, common)
    others = month.landing.laporan_lain
    history = others[others["periode"].lt(period)].groupby("nik")["periode"].max()
    answers = answers_of(common, reports["nik"])
    results = {book_id: _scored(reports, book, answers, common.faktor.valid, common.pemeriksaan.valid, last_year,
                                history) for book_id, book in books.items()}
    run_id = f"bandingkan_{new_run_id(period, started)}"
    table = perbandingan(results, books).assign(run_id=run_id)
    with period_lock(output, f"{TABLE}_{period}", run_id):
        path = storage.write_period(output, TABLE, period, table, run_id)
    rejected = common.rejected.pemeriksaan.loc[common.pemeriksaan.alasan.index]  # the raw rows, as read
    published = published_input(output, period)  # another folder's scores beside it in the output: said (trial)
    return Comparison(
        periode=period, run_id=run_id, table=table, changes=changes(table, results, books),
        books=per_book(table, books), laporan_diterima=len(month.current), laporan_dikarantina=month.dikarantina,
        laporan_tahun_lalu=None if last_year is None else len(last_year),
        pemeriksaan_dibaca=common.dibaca["pemeriksaan"],
        pemeriksaan_dikarantina=[f"{sumber}:{baris}: {'; '.join(reasons)}" for sumber, baris, reasons in
                                 zip(rejected["sumber"], rejected["baris"], common.pemeriksaan.alasan)],
        berkas_ditolak=month.landing.galat, path=path, masukan=landing,
        masukan_terbit=None if published in (None, Path(landing).resolve()) else published)


def _scored(reports: pd.DataFrame, book: Rulebook, answers: pd.DataFrame, findings: pd.DataFrame,
            checklists: pd.DataFrame, last_year: pd.DataFrame | None, history: pd.Series):
    """The reports scored with one book, forced: its own derived downgrade factors besides the supervisors'."""
    factors = pd.concat([findings, derived_factors(reports, history, book)], ignore_index=True)
    return score_reports(reports, questionnaires=answers, factors=factors, rulebook=book, checklists=checklists,
                         earlier=last_year)


def _last_year(result: Comparison) -> str:
    """The reports of the same month a year earlier, or that no book compared reads them (a 0 read as none there
    when only ksp-2016 was compared: new-user trial)."""
    if result.laporan_tahun_lalu is None:
        return "laporan bulan yang sama tahun lalu tidak dibaca (tak satu rulebook menilai pertumbuhan)"
    return f"laporan bulan yang sama tahun lalu {_count(result.laporan_tahun_lalu)}"


def _count(value: int) -> str:
    """A count as the office writes it: 1.234 ("1,234" reads as a decimal in Indonesian)."""
    return number(value, 0)


def print_summary(result: Comparison, console: Console) -> None:
    """How many cooperatives each book scores and with which predicates, how many change predicate between each
    pair of books and what drives it, and where the table is; in a terminal each line wrapped between words, the
    rulebooks a list when their table is wider (`report.print_parts`: the terminal broke the lines inside ids)."""
    head = [f"bandingkan {result.periode}: laporan diterima {_count(result.laporan_diterima)} (dikarantina "
            f"{_count(result.laporan_dikarantina)}), sama untuk setiap rulebook; {_last_year(result)}; hasil "
            f"pemeriksaan {_count(result.pemeriksaan_dibaca)} baris "
            f"(dikarantina {_count(len(result.pemeriksaan_dikarantina))})",
            *([f"  FOLDER LAIN  periode {result.periode} terbit dari folder masukan {result.masukan_terbit}; "
               f"perbandingan ini membaca {result.masukan}"] if result.masukan_terbit else []),
            *(f"  BERKAS DITOLAK  {problem}" for problem in result.berkas_ditolak),
            *(f"  DIKARANTINA  {line}" for line in result.pemeriksaan_dikarantina[:SHOWN_QUARANTINE])]
    if len(result.pemeriksaan_dikarantina) > SHOWN_QUARANTINE:
        head.append(f"  ... dan {_count(len(result.pemeriksaan_dikarantina) - SHOWN_QUARANTINE)} baris pemeriksaan "
                    "lain (tabel karantina sebuah run)")
    books = Table("rulebook", "status", "dinilai", "dengan total", "sebagian", "tidak dinilai", "predikat")
    for row in result.books.itertuples():
        books.add_row(row.rulebook, row.status_rulebook, _count(row.dinilai), _count(row.dengan_total),
                      _count(row.sebagian), _count(row.tidak_dinilai), row.predikat or "-")
    shown = table_or_list(console, books)  # in a file or a pipe, no cell cut; a narrow terminal: a list
    tail = [""] if isinstance(shown, Group) else []  # the lines below read as the list's last item (trial)
    for row in result.changes.itertuples():
        if not row.dibandingkan:
            tail.append(f"  {row.rulebook_a} -> {row.rulebook_b}: tidak ada koperasi dengan predikat di keduanya")
            continue
        tail.append(f"  {row.rulebook_a} -> {row.rulebook_b}: {_count(row.berubah)} dari {_count(row.dibandingkan)} "
                    f"koperasi berubah predikat ({_count(row.berubah_skor_sama)} dengan skor sama)")
        tail += [f"    {move}" for move in filter(None, row.perpindahan.split("; "))]
        tail += [f"    pendorong: {row.pendorong}"] if row.pendorong else []
    drafts = result.books[result.books["status_rulebook"] == "draft"]
    tail += [f"  {row.rulebook} adalah draf, skor dan predikatnya belum terverifikasi: {_count(row.dengan_total)} "
             f"koperasi dengan skor total (ada hasil pemeriksaan), {_count(row.sebagian)} hanya dinilai sebagian, "
             "tanpa skor total dan predikat" for row in drafts.itertuples()]
    tail.append(f"  tabel: {result.path}")
    print_parts(console, *map(Text, head), shown, *map(Text, tail))
