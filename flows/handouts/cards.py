"""A card per cooperative, `kartu/<nik>.html`: the one page a pendamping takes on a visit (score, predicate and its
history, the aspects against their maxima, why, the way to Sehat, peers, reporting quality, findings, warnings).

A card is made for every registered cooperative that was scored this period, is on the priority list, or has a
reporting record (mutu_pelaporan): the others (a jenis that never reports) have nothing to show. The tables are
split per cooperative once (plain records of the columns a card shows, through Arrow), so a card costs one template
render and two chart fills.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from flows.handouts.charts import CardCharts
from flows.handouts.pages import environment
from flows.handouts.style import component_names
from flows.handouts.tables import Published
from flows.handouts.workbook import warning_label
from schemas.landing_paths import input_table
from schemas.parsing import TYPO, typo_rows
from scoring.early_warning import PREDIKAT_TURUN, SILENT_SUFFIX
from scoring.explain import answers_quarantined
from scoring.inputs import is_in
from scoring.path_to_sehat import COMBINATION, repeated_single
from scoring.periods import month_name
from scoring.rulebook import rulebooks
from scoring.rulebook_format import Rulebook
from scoring.status import LAPORAN_DIKARANTINA
from scoring.texts import rows_by_reason
from scoring.worklist import fell_words, silent_words

# the columns a card shows of the tables with a row per component or move (the national month: 500,000 peer rows)
COMPONENT_COLUMNS = ["nik", "komponen", "rasio", "nilai", "skor", "bobot", "rentang_lebih_baik", "nilai_lebih_baik"]
PEER_COLUMNS = ["nik", "komponen", "persentil", "jumlah_sejawat", "median_sejawat", "keterangan", "jenis",
                "kelas_aset"]
MOVE_COLUMNS = ["nik", "langkah", "uraian", "poin_tambahan", "skor_total_baru", "predikat_baru", "keterangan"]
QUARANTINE_COLUMNS = ["nik", "sumber", "baris", "alasan"]
WARNINGS_ABOVE = "peringatan dini di atas"  # the priority's reason where it would repeat the card's warnings
CARD_QUARANTINED = "laporan periode ini dikarantina: barisnya dan alasannya di bawah"
QUARANTINE_SHOWN = 5  # lines of quarantined rows (a file and reasons) a card shows (the feedback workbook has them all)
MOVES_SHOWN = 6  # rows of jalan_menuju_sehat on a card, in their order (the moves that reach the next predicate
# first), and the rest of a combination begun among them: a combination is reached by all its moves together
UNSAFE = re.compile(r"[^\w.-]")


def file_name(nik: str) -> str:
    """The card's file name: the nik, any character a file name may not hold replaced by '_'."""
    return UNSAFE.sub("_", nik) + ".html"


def card_niks(published: Published) -> list[str]:
    """The cooperatives that get a card, in registry order: scored this period, on the priority list, graded for
    reporting, or likely meant by a mistyped nik of quarantined rows (`typo_rows`: its card's 'Periksa NIK' line; a
    cooperative with nothing else had no card to say it: new-user trial)."""
    status = published.now("status_koperasi")
    listed = pd.concat([published.now("daftar_prioritas")["nik"], published.now("mutu_pelaporan")["nik"],
                        typo_rows(published.now("karantina")).index.to_series()])
    carded = status["dinilai"].fillna(False).to_numpy(dtype=bool) | is_in(status["nik"], listed)
    return status.loc[carded, "nik"].astype("str").tolist()


def write_cards(published: Published, folder: Path) -> list[Path]:
    """Render every card into `folder` (made if missing); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    niks = card_niks(published)
    cards = _Cards(published, niks)
    template = environment().get_template("kartu.html.j2")
    paths = []
    for nik in niks:
        path = folder / file_name(nik)
        path.write_text(template.render(**cards.context(nik)), encoding="utf-8")
        paths.append(path)
    return paths


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts, a missing value as None: through Arrow, which makes the Python values in C (pandas'
    `to_dict` boxes each value in Python, ten times slower on a national month)."""
    return pa.Table.from_pandas(frame, preserve_index=False).to_pylist()


def shown_moves(moves: list[dict]) -> tuple[list[dict], int]:
    """The moves a card shows: the first MOVES_SHOWN, and the rest of a combination begun among them (a card cut a
    combination of 8 moves after 6, each row saying the combination's result: fresh-clone trial), less a
    combination of one move shown above it already (`repeated_single`); and how many it leaves to the table."""
    end = min(MOVES_SHOWN, len(moves))
    while 0 < end < len(moves) and moves[end - 1]["langkah"] == COMBINATION == moves[end]["langkah"]:
        end += 1
    shown = moves[:end]
    repeat = repeated_single([m["langkah"] for m in shown], [m["uraian"] for m in shown])
    return [m for i, m in enumerate(shown) if i != repeat], len(moves) - end


def result_rows(moves: list[dict]) -> list[int]:
    """The rows each move's result cell spans: a combination's result (reached by its moves together) once, over all
    its rows, 0 for the rows under it; a move alone its own row (the card said 'bersama-sama: 66,00' on each of a
    combination's 8 rows: fresh-clone trial)."""
    spans: list[int] = []
    for i, move in enumerate(moves):
        together = (i > 0 and move["langkah"] == COMBINATION == moves[i - 1]["langkah"]
                    and move["skor_total_baru"] == moves[i - 1]["skor_total_baru"])
        spans.append(0 if together else 1)
        if together:
            spans[max(j for j, span in enumerate(spans) if span)] += 1
    return spans


def priority_reason(alasan: str, listed: list[str]) -> str:
    """The priority list's reason without the parts a card lists just above it as warnings (`listed`: their texts
    as the list words them, `scoring.worklist`), pointed to instead; each part is left out once, whole, wherever it
    is among the parts ("; " between them)."""
    if not alasan:
        return alasan
    rest = alasan
    for part in sorted(set(listed), key=lambda text: (-len(text), text)):  # the longest first, in one order
        rest = re.sub(rf"(?:\A|; ){re.escape(part)}(?=; |\Z)", "", rest, count=1)
    rest = rest.removeprefix("; ")
    if rest == alasan:
        return alasan
    return f"{rest}; {WARNINGS_ABOVE}" if rest else WARNINGS_ABOVE


def after_label(reason: str, label: str) -> str:
    """A warning's reason as the card shows it after its label: without the label's words where it starts with them
    ("Nilai komponen turun: nilai komponen turun sejak 2026-09: ..." said them twice: new-user trial)."""
    rest = reason[len(label):] if reason.casefold().startswith(label.casefold()) else ""
    return rest.removeprefix(":").strip() if rest[:1] in (" ", ":") and rest.strip(" :") else reason


def listed_above(warnings: list[dict], score: dict | None, priority: dict) -> list[str]:
    """The parts of a priority reason that a card's warnings already say: each warning's reason, the predicate's
    fall (`predikat_turun`) and the months without a report (the top level, `..._bulan_atau_lebih`) as the list
    words them."""
    kinds = {str(w["kode"]) for w in warnings}
    fell = [fell_words(str(score["predikat_sebelumnya"]), str(score["predikat"]))] if (
        PREDIKAT_TURUN in kinds and score is not None) else []
    silent = [silent_words(str(priority["bulan_tidak_melapor"]))] if any(k.endswith(SILENT_SUFFIX) for k in kinds) \
        else []
    return [*(str(w["alasan"]) for w in warnings), *fell, *silent]


def _by_nik(frame: pd.DataFrame) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for record in _records(frame):
        grouped[str(record["nik"])].append(record)
    return grouped


def _one_per_nik(frame: pd.DataFrame) -> dict[str, dict]:
    return {str(record["nik"]): record for record in _records(frame)}


class _Cards:
    """The period's tables split per cooperative, and the charts."""

    def __init__(self, published: Published, niks: list[str]) -> None:
        self.published = published
        self.books = rulebooks()
        self.charts = CardCharts(published.periods, self.books)
        self.names = component_names()
        status = published.now("status_koperasi")
        self.status = _one_per_nik(status[is_in(status["nik"], pd.Series(niks, dtype="str"))])
        self.scores = _one_per_nik(published.now("skor_koperasi"))
        history = published.history("skor_koperasi")
        self.history = _by_nik(history[["nik", "periode", "skor_total", "predikat"]])
        self.components = _by_nik(published.now("skor_indikator")[COMPONENT_COLUMNS])
        jalan = published.now("jalan_menuju_sehat").sort_values(["nik", "urutan"], kind="stable")
        self.moves = _by_nik(jalan[MOVE_COLUMNS])
        peers = published.now("persentil_sejawat")
        self.peers = _by_nik(peers.loc[(peers["cakupan"] == "provinsi").to_numpy(), PEER_COLUMNS])  # the province's
        self.quality = _one_per_nik(published.now("mutu_pelaporan"))
        warnings = published.now("peringatan_dini")
        self.warnings = _by_nik(warnings.assign(label=warning_label(warnings["kode"])))
        self.priority = _one_per_nik(published.now("daftar_prioritas"))
        quarantined = published.now("karantina").sort_values(["sumber", "baris"], kind="stable")
        self.quarantined = _by_nik(quarantined[QUARANTINE_COLUMNS])
        self.typos = typo_rows(quarantined)  # rows of a nik likely mistyped for one of these

    def context(self, nik: str) -> dict:
        """What the card of one cooperative shows."""
        score = self.scores.get(nik)
        moves = self.moves.get(nik, [])
        shown, more = shown_moves(moves)
        context = {
            "coop": self.status[nik], "score": score, "month_name": month_name(self.published.periode),
            "periode": self.published.periode, "run_time": self._run_time, "quality": self.quality.get(nik),
            "priority": self.priority.get(nik), "moves": list(zip(shown, result_rows(shown))),
            "more_moves": more,
            "move_notes": list(dict.fromkeys(m["keterangan"] for m in shown)),
            "warnings": [(w["label"], after_label(str(w["alasan"]), str(w["label"])))
                         for w in self.warnings.get(nik, [])],
            "priority_reason": priority_reason(self.priority[nik]["alasan"], listed_above(
                self.warnings.get(nik, []), score, self.priority[nik])) if nik in self.priority else None,
            **self._quarantined(nik),
            "why_not_scored": self._why_not_scored(nik),
            "answers_note": answers_quarantined(str(score["penjelasan"]) if score else "", [
                *(input_table(r["sumber"]) for r in self.quarantined.get(nik, [])),
                *(self.typos.loc[nik, "tabel"] if nik in self.typos.index else ())]),
            "typo": TYPO + self.typos.loc[nik, "teks"] if nik in self.typos.index else None,
            "feedback": Path(file_name(nik)).with_suffix(".xlsx").name,
            "findings": [], "peer_group": None,
            "history_svg": self._history(nik, score), "aspects_svg": "",
        }
        context["components"], context["peer_notes"] = self._components(nik)
        if score is not None:
            book = self.books[score["rulebook"]]
            context["aspects_svg"] = self.charts.aspects(
                book.id, [score[f"skor_{a.id}"] for a in book.aspek], [score[f"predikat_{a.id}"] for a in book.aspek])
            context["findings"] = list(_findings(score["faktor_pengurang"], book))
            peer = next(iter(self.peers.get(nik, [])), None)
            context["peer_group"] = peer and f"{peer['jenis']} kelas aset {peer['kelas_aset']}"
        return context

    @property
    def _run_time(self) -> str:
        when = self.published.run_time
        return when.strftime("%Y-%m-%d %H:%M") if when else "-"

    def _history(self, nik: str, score: dict | None) -> str:
        points = {p["periode"]: p for p in self.history.get(nik, [])}
        shown = [points.get(periode, {}) for periode in self.published.periods]
        book = score["rulebook"] if score else self.published.main_book.id
        return self.charts.history(book, [p.get("skor_total") for p in shown], [p.get("predikat") for p in shown])

    def _why_not_scored(self, nik: str) -> str | None:
        """`alasan_tidak_dinilai`, a quarantined report pointing to its rows on the card, not to a table a pendamping
        does not have (new-user trial)."""
        why = self.status[nik]["alasan_tidak_dinilai"]
        return CARD_QUARANTINED if why == LAPORAN_DIKARANTINA and self.quarantined.get(nik) else why

    def _quarantined(self, nik: str) -> dict:
        """The cooperative's quarantined rows, one line per file and reasons with its rows as ranges (`rows_by_reason`:
        five lines that differed only in their row hid the other reason: new-user trial), the first QUARANTINE_SHOWN
        lines, and how many rows the others hold."""
        rows = self.quarantined.get(nik, [])
        lines = rows_by_reason([r["sumber"] for r in rows], [r["baris"] for r in rows], [r["alasan"] for r in rows])
        return {"quarantined": [{"sumber": sumber, "baris": where, "alasan": reasons}
                                for sumber, where, reasons, _ in lines[:QUARANTINE_SHOWN]],
                "quarantined_more": sum(count for *_, count in lines[QUARANTINE_SHOWN:])}

    def _components(self, nik: str) -> tuple[list[dict], list[str]]:
        """The components with their peer percentile (province), and the notes of those given none (why), each
        note written once under the table and numbered in the rows (a card stays one printed page)."""
        peers = {p["komponen"]: p for p in self.peers.get(nik, [])}
        components, notes = [], []
        for component in self.components.get(nik, []):
            peer = peers.get(component["komponen"])
            note = peer["keterangan"] if peer and peer["persentil"] is None else None
            if note and note not in notes:
                notes.append(note)
            components.append({**component, "nama": self.names.get(component["komponen"], component["komponen"]),
                               "peer": peer, "peer_note": notes.index(note) + 1 if note else None})
        return components, notes


def _findings(codes: Iterable[str] | None, book: Rulebook) -> Iterable[tuple[str, str]]:
    """The downgrade factors in force, each with its effect in the book."""
    rules = book.faktor_pengurang
    for code in codes if codes is not None else ():
        if rules is not None and code in rules.paksa:
            yield code, f"predikat menjadi {rules.predikat_paksa}"
        else:
            yield code, "predikat turun satu tingkat"
