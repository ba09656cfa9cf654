"""The management questionnaire (data-contract §1.3): the questions of every book laid out as a grid, the rule that
a nomor is one of its komponen's, and the set check: a set (nik, tanggal) answers every question of the book that
scores the cooperative's jenis in the month of tanggal (`scoring.rulebook.book_for`) exactly once, and each answer
is accepted; else every row of the set gets one reason for the set. The rows carry `jenis` (the registry's) for
the choice."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

from schemas.parsing import SET_REASON, Reasons, lines_of, meant_dates, raw_text
from schemas.rules import RowRule, numbered_within
from scoring.errors import RulebookError
from scoring.inputs import is_in
from scoring.periods import last_day
from scoring.rulebook import book_for, published_books

NO_MONTH = -(1 << 40)  # the month code of a row without a date (far from every real month)
SET_PROBLEMS_SHOWN = 3  # problems a questionnaire set's reason names before "dan N masalah lain"


@cache
def _questionnaire_book(month: str, jenis: str) -> str:
    """The id of the book that scores the jenis in the month a questionnaire was filled in ("": none, or the
    jenis is unknown and no single book is in force; its questions are then every book's, at their largest)."""
    try:
        book = book_for(month, jenis or None)
    except RulebookError:
        return ""
    return book.id if book is not None else ""


@cache
def _questionnaire_sizes(book: str | None) -> dict[str, int]:
    """Questions per questionnaire component of a book; of every book (the most) when the book is unknown."""
    books = [published_books()[book]] if book else list(published_books().values())
    sizes: dict[str, int] = {}
    for k in (k for b in books for k in b.komponen if k.kuesioner and k.masukan == "kuesioner"):
        sizes[k.id] = max(sizes.get(k.id, 0), k.pertanyaan)
    return sizes


def questions(month: str, jenis: str) -> dict[str, int]:
    """The questions a set filled in this month by a cooperative of this jenis answers, as the set check reads them:
    questions per questionnaire komponen (numbered 1..n), in the book's order."""
    return dict(_questionnaire_sizes(_questionnaire_book(month, jenis) or None))


@dataclass(frozen=True)
class _Questions:
    """The questions of every book, book after book: each book's questionnaire komponen in its order, numbered
    1..n. Tables by [book, komponen] read 0 in the extra last column (komponen -1: not a questionnaire one)."""

    books: tuple[str, ...]  # "" (the book is unknown: every questionnaire komponen at its largest) and every book
    components: tuple[str, ...]  # every questionnaire komponen of every book
    sizes: np.ndarray  # [book, komponen]: its questions in the book (0: not in the book)
    starts: np.ndarray  # [book, komponen]: where its questions start in the book's list
    counts: np.ndarray  # [book]: questions of the book
    offsets: np.ndarray  # [book]: where the book's list starts in the per-question arrays
    q_component: np.ndarray  # per question: its komponen
    q_place: np.ndarray  # per question: its komponen's place in the book
    q_number: np.ndarray  # per question: its number


@cache
def _questions() -> _Questions:
    """Every question of every book (and of book "")."""
    books, components = ("", *published_books()), tuple(_questionnaire_sizes(None))
    sizes = np.zeros((len(books), len(components) + 1), dtype=np.int64)
    starts = np.zeros_like(sizes)
    questions: list[tuple[int, int, int]] = []  # (component, place, number) of every question, book after book
    for b, book in enumerate(books):
        offset = len(questions)
        for j, (k, n) in enumerate(_questionnaire_sizes(book or None).items()):
            i = components.index(k)
            sizes[b, i], starts[b, i] = n, len(questions) - offset
            questions += [(i, j, number) for number in range(1, n + 1)]
    counts = sizes.sum(axis=1)
    q_component, q_place, q_number = np.array(questions, dtype=np.int64).reshape(-1, 3).T
    return _Questions(books, components, sizes, starts, counts, np.cumsum(counts) - counts,
                      q_component, q_place, q_number)


def _book_per_row(frame: pd.DataFrame) -> np.ndarray:
    """Place in `_questions().books` of the book of each row's month (of `tanggal`) and `jenis` (0, "": the date
    is missing or no book applies); each distinct (month, jenis) is looked up once, rows matched on integer codes."""
    dated = frame["tanggal"].to_numpy(dtype="datetime64[M]")
    month = np.where(np.isnat(dated), NO_MONTH, dated.astype(np.int64))  # months since 1970-01
    jenis_code, jenis = pd.factorize(frame["jenis"].astype("str"), use_na_sentinel=False)
    codes, pairs = pd.factorize(month * (len(jenis) + 1) + jenis_code)
    place = {book: b for b, book in enumerate(_questions().books)}
    books = [0 if m == NO_MONTH else place[_questionnaire_book(str(np.datetime64(m, "M")), _jenis(jenis[j]))]
             for m, j in (divmod(int(p), len(jenis) + 1) for p in pairs)]
    return np.array(books, dtype=np.int64)[codes]


def _jenis(value: object) -> str:
    return "" if pd.isna(value) else str(value)


def _index_in(text: pd.Series, names: tuple[str, ...]) -> np.ndarray:
    """Place of each value in `names` (-1: not there)."""
    found = pc.index_in(pyarrow.array(text, pyarrow.large_string()),
                        value_set=pyarrow.array(names, pyarrow.large_string()))
    return np.asarray(pc.fill_null(found, -1)).astype(np.int64)


def _question_count(frame: pd.DataFrame) -> pd.Series:
    """How many questions the row's komponen has in the book of its date (NaN: not a questionnaire komponen)."""
    questions = _questions()
    n = questions.sizes[_book_per_row(frame), _index_in(frame["komponen"], questions.components)]
    return pd.Series(np.where(n > 0, n, np.nan), index=frame.index)


def _komponen_of_book(frame: pd.DataFrame) -> pd.Series:
    """The row's komponen is a questionnaire komponen of its book (a row whose book is not known, or whose komponen
    is no book's, is left to the other checks)."""
    questions, book = _questions(), _book_per_row(frame)
    place = _index_in(frame["komponen"], questions.components)
    return pd.Series((book == 0) | (place < 0) | (questions.sizes[book, place] > 0), index=frame.index)


def _komponen_reason(frame: pd.DataFrame) -> pd.Series:
    book = np.array(_questions().books, dtype=object)[_book_per_row(frame)]
    return ("komponen: " + frame["komponen"] + " bukan komponen kuesioner rulebook " + book + " (jenis "
            + frame["jenis"].astype("str") + ")")


KOMPONEN_DALAM_RULEBOOK = RowRule("komponen_dalam_rulebook", ("tanggal", "jenis", "komponen"), _komponen_of_book,
                                  _komponen_reason)
NOMOR_DALAM_KOMPONEN = numbered_within("nomor_dalam_komponen", ("tanggal", "jenis", "komponen", "nomor"), "komponen",
                                       "nomor", _question_count)


def check_sets(typed: pd.DataFrame, reasons: Reasons) -> None:
    """Every question of the set's book exactly once, and accepted; else every row of the set gets the reason.

    The questions of every set are laid out one after the other (a grid); each row answering a question of its
    set's book counts in its cell, and only the cells with a problem are worded."""
    positions = np.flatnonzero((typed["nik"].ne("") & typed["tanggal"].notna()).to_numpy())
    if not len(positions):
        return
    rows = typed[["nik", "tanggal", "jenis", "komponen", "nomor"]]
    if len(positions) < len(rows):  # a copy of the rows in sets only when some are not (1.8 million at national scale)
        rows = rows.iloc[positions]
    set_id, first = _set_per_row(rows["nik"], rows["tanggal"])
    books = _book_per_row(rows)[first]  # per set
    counts = _questions().counts[books]
    starts = np.cumsum(counts) - counts  # where each set's questions start in the grid
    cells = _answer_cell(rows, set_id, books, starts)
    answered = cells >= 0
    times = np.bincount(cells[answered], minlength=counts.sum())
    answer_row = np.full(len(times), -1)
    answer_row[cells[answered]] = positions[answered]  # the row of a question answered once (any of them if more)
    rejected = (times == 1) & np.append(reasons.rejected(), False)[answer_row]  # -1 (not answered): the appended False
    problems = np.flatnonzero((times != 1) | rejected)
    if not len(problems):  # (where the answers are is looked up only for sets with problems)
        return
    summary = _set_problems(problems, times, books, starts, _answers(typed, positions, set_id, cells))
    sample = first[summary.index.to_numpy()]  # a row of each set with problems: its nik and tanggal
    texts = np.full(set_id.max() + 1, None, dtype=object)
    texts[summary.index.to_numpy()] = (SET_REASON + "kuesioner " + rows["nik"].iloc[sample].to_numpy(dtype=object) + " "
                                       + rows["tanggal"].iloc[sample].dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
                                       + ": " + summary.to_numpy(dtype=object))
    hit = np.flatnonzero(texts[set_id] != None)  # noqa: E711 - elementwise on an object array
    reasons.add(positions[hit], texts[set_id[hit]], "set")


def _set_per_row(nik: pd.Series, dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's set (nik, tanggal), numbered in order of first appearance, and the first row of each set."""
    nik_codes, _ = pd.factorize(nik)
    date_codes, days = pd.factorize(dates)
    set_id, _ = pd.factorize(nik_codes.astype(np.int64) * len(days) + date_codes)
    running_max = np.maximum.accumulate(set_id)
    return set_id, np.flatnonzero(set_id > np.append(-1, running_max[:-1]))


def _answer_cell(rows: pd.DataFrame, set_id: np.ndarray, books: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The grid cell each row answers: the question of its komponen and nomor in its set's book (-1: none, as
    the komponen is not in the book or the nomor is not one of its questions)."""
    questions = _questions()
    components = _index_in(rows["komponen"], questions.components)
    number = rows["nomor"].to_numpy(dtype=np.float64, na_value=np.nan)
    b = books[set_id]
    answers = (number >= 1) & (number <= questions.sizes[b, components])  # NaN and size 0 answer nothing
    cells = starts[set_id] + questions.starts[b, components] + np.nan_to_num(number).astype(np.int64) - 1
    return np.where(answers, cells, -1)


@dataclass(frozen=True)
class _Answers:
    """Where the answers of the sets are: each answering row's cell, file (a code) and line; the files' names, and
    per set whether its rows come from more than one file (then a problem's rows are named with their files)."""

    rows: pd.DataFrame  # sel, berkas, baris
    files: pd.Index
    several_files: np.ndarray

    def of_cells(self, cells: pd.Series, sets: pd.Series) -> pd.Series:
        """Per cell, its rows (`schemas.parsing.lines_of`): with their files for a set of several."""
        mine = self.rows[is_in(self.rows["sel"], cells)]
        several = pd.Series(self.several_files[sets.to_numpy()], index=cells.to_numpy())
        return lines_of(pd.DataFrame({"kunci": mine["sel"], "sumber": self.files[mine["berkas"].to_numpy()],
                                      "baris": mine["baris"], "berkas_lain": several.reindex(mine["sel"]).to_numpy()}))


def _answers(typed: pd.DataFrame, positions: np.ndarray, set_id: np.ndarray, cells: np.ndarray) -> _Answers:
    answered = cells >= 0
    named = raw_text(typed, "sumber").to_numpy()[positions] if "sumber" in typed else np.full(len(positions), "")
    file, files = pd.factorize(named)
    several = pd.Series(file).groupby(set_id).nunique().to_numpy() > 1
    return _Answers(pd.DataFrame({"sel": cells[answered], "berkas": file[answered],
                                  "baris": typed["baris"].to_numpy()[positions[answered]]}), files, several)


def _set_problems(cells: np.ndarray, times: np.ndarray, books: np.ndarray, starts: np.ndarray,
                  answers: _Answers) -> pd.Series:
    """One text per set with problems (index: the set) from the problem cells `cells` (in grid order): its first
    problems in komponen order then by (first) number, and how many more. A problem is the unanswered numbers of
    a komponen together, a question answered more than once, or a question whose one answer was rejected. Only
    the problems named are worded, so a national file of rejected sets costs one short text per set."""
    questions = _questions()
    set_ = np.searchsorted(starts, cells, side="right") - 1  # a set without questions starts where the next one does
    q = questions.offsets[books[set_]] + cells - starts[set_]
    table = pd.DataFrame({"set": set_, "urut": questions.q_place[q], "nomor": questions.q_number[q],
                          "komponen": questions.q_component[q], "kali": times[cells], "sel": cells})
    missing = table[table["kali"] == 0]
    new = np.ones(len(missing), dtype=bool)  # the unanswered cells of a set's komponen follow each other
    new[1:] = (np.diff(missing["set"].to_numpy()) != 0) | (np.diff(missing["urut"].to_numpy()) != 0)
    missing = missing.assign(grup=np.cumsum(new) - 1)
    units = pd.concat([missing[new], table[table["kali"] != 0].assign(grup=-1)]).astype("int64")
    units = units.sort_values(["set", "urut", "nomor"], kind="stable")
    per_set = units.groupby("set", sort=False)
    shown = units[per_set.cumcount().to_numpy() < SET_PROBLEMS_SHOWN]
    text = pd.Series(_problem_texts(shown, missing, answers), index=shown.index)
    summary = text.groupby(shown["set"].to_numpy(), sort=False).agg("; ".join)
    more = per_set.size().reindex(summary.index) - SET_PROBLEMS_SHOWN
    return summary.where(more <= 0, summary + "; dan " + more.astype("str") + " masalah lain")


def _problem_texts(shown: pd.DataFrame, missing: pd.DataFrame, answers: _Answers) -> list[str]:
    """The words of each problem shown: 'komponen nomor 7, 8 tidak dijawab', 'komponen nomor 3 dijawab 2 kali
    (baris 758-759)', 'komponen nomor 1 ditolak (baris 2)'."""
    names = _questions().components
    numbers = missing[missing["grup"].isin(shown["grup"])].groupby("grup")["nomor"].agg(
        lambda n: ", ".join(map(str, n)))
    answered = shown[shown["kali"] > 0]
    where_rows = answers.of_cells(answered["sel"], answered["set"])
    texts = []
    for unit in shown.itertuples():
        where = f"{names[unit.komponen]} nomor "
        if unit.kali == 0:
            texts.append(where + numbers[unit.grup] + " tidak dijawab")
        elif unit.kali > 1:
            texts.append(where + f"{unit.nomor} dijawab {unit.kali} kali ({where_rows[unit.sel]})")
        else:
            texts.append(where + f"{unit.nomor} ditolak ({where_rows[unit.sel]})")
    return texts


def questionnaire_scored(reporting: pd.Series, jenis: pd.Series, period: str) -> pd.Series:
    """The reporting cooperatives (`reporting`: nik) whose book in force in `period` (YYYY-MM) for their jenis
    (`jenis`: nik -> jenis, the registry's) scores the management questionnaire: the cooperatives whose score a lost
    questionnaire lowers (a jenis no book scores, sharia ones, has none). Their nik, each once, in order (str)."""
    niks = pd.Series(reporting.astype("str").unique(), dtype="str")
    kinds = jenis.reindex(niks.to_numpy()).astype("str").fillna("")
    books = {kind: _questionnaire_book(period, kind) if kind else "" for kind in kinds.unique()}  # "": none
    uses = {kind: bool(book and _questionnaire_sizes(book)) for kind, book in books.items()}
    return niks[kinds.map(uses).to_numpy(dtype=bool)].sort_values(ignore_index=True)


def latest_set_quarantined(accepted: pd.DataFrame, quarantined: pd.DataFrame, scored: pd.Series,
                           period: str) -> pd.Series:
    """The cooperatives of `scored` whose latest questionnaire by the end of `period` is quarantined
    (`latest_set_rows`): their nik, each once, in order (str)."""
    counted = latest_set_rows(accepted, quarantined, scored, period)
    return pd.Series(np.unique(raw_text(quarantined, "nik").to_numpy()[counted].astype(str)), dtype="str")


def latest_set_rows(accepted: pd.DataFrame, quarantined: pd.DataFrame, scored: pd.Series, period: str) -> np.ndarray:
    """Which quarantined answer rows (bool, in their order) make a cooperative of `scored` (nik) lose its latest
    questionnaire dated at or before the end of `period` (YYYY-MM), its management aspect then scored from an older
    set, or 0 (rulebook §5): a row dated, as written or as meant (`meant_dates`: 10/02/2026), at or before the
    period's end and after the cooperative's latest accepted set; or one whose date cannot be read at all, when the
    cooperative has no accepted set by the period's end (it may be its only one) or the row is one of a set's worth
    of rows with that date (at least the smallest komponen's questions: a set dated 06 Feb 2026 beside a 2025 set is
    read as a set, a lone row without a date as a stray one: hostile trials).

    accepted: the accepted answers (nik; tanggal, datetime); quarantined: the quarantined answer rows as written
    (nik, tanggal, sumber: text)."""
    nik = raw_text(quarantined, "nik")
    mine = is_in(nik, scored)
    written = raw_text(quarantined, "tanggal")[mine]
    files = raw_text(quarantined, "sumber")[mine] if "sumber" in quarantined else None
    day = meant_dates(written, files).to_numpy()  # a file written month first is read so whole
    nik = nik[mine].to_numpy()
    end = last_day(period).to_datetime64()
    theirs = accepted[is_in(accepted["nik"], pd.Series(nik, dtype="str")) & (accepted["tanggal"] <= end).to_numpy()]
    latest = theirs.groupby("nik")["tanggal"].max()  # only their answers: a national month accepts 1.8 million
    since = latest.reindex(nik).to_numpy(dtype="datetime64[us]")  # NaT: no accepted set by the period's end
    newer = (day <= end) & (np.isnat(since) | (day > since))  # False where day is NaT; a set is whole: a row
    # of the accepted set's day beside it is a stray one (hostile trial)
    rows_alike = pd.Series(nik).groupby([nik, written.to_numpy()]).transform("size").to_numpy()
    unknown = np.isnat(day) & (np.isnat(since) | (rows_alike >= min(_questionnaire_sizes(None).values())))
    counted = np.zeros(len(quarantined), dtype=bool)
    counted[np.flatnonzero(mine)[newer | unknown]] = True
    return counted


def without_questionnaire(accepted: pd.DataFrame, scored: pd.Series, period: str) -> pd.Series:
    """The cooperatives of `scored` (nik) without an accepted answer dated at or before the end of `period`: their
    management aspect is 0 (rulebook §5). accepted: nik; tanggal, datetime. Their nik, each once, in order (str)."""
    end = last_day(period).to_datetime64()
    dated = accepted["nik"][(accepted["tanggal"] <= end).to_numpy()]
    return pd.Series(np.sort(scored[~is_in(scored, dated)].astype("str").unique()), dtype="str")
