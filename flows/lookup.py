"""`koperasi-sehat jelaskan`: one cooperative of a published period, from the outputs alone (no scoring, no Prefect,
no input file): why its score is what it is, its components, its way to Sehat, its peers, its warnings, its place
on the pendamping worklist and the quality of its reporting.

A cooperative is named by its NIK, or by a fragment of its name (without regard to case or spacing); a fragment
that matches several cooperatives lists them, unless one name is exactly the fragment. Each table is read for the
period and the one NIK only (a filter pushed down to the Parquet reader), so a national output answers as fast as
a provincial one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from flows import storage
from flows.config import PUBLISHED_DIR
from flows.ingest.cells import clean_name
from flows.ingest.walk import given
from flows.report import NOTE_MARK, as_list, fits, one_line, print_parts, table_or_list
from schemas.input_models import NOTASI_ILMIAH, TANDA_TEKS
from schemas.inputs import near_nik
from schemas.landing_paths import input_table
from schemas.parsing import TYPO, typo_rows
from scoring.explain import answers_quarantined
from scoring.path_to_sehat import repeated_single
from scoring.periods import month_name, period_span, periods_between
from scoring.status import LAPORAN_DIKARANTINA
from scoring.texts import format_nilai, format_number, rows_by_reason
from scoring.errors import AmbiguousName, ParameterError

MOVES_SHOWN = 5  # moves each list of single moves shows (the table has every one)
SHOWN = ("karantina", "skor_koperasi", "skor_indikator", "jalan_menuju_sehat", "persentil_sejawat", "peringatan_dini",
         "daftar_prioritas", "mutu_pelaporan")


@dataclass(frozen=True)
class Cooperative:
    """One cooperative's rows of a published period: `status` (its status_koperasi row) and every table of
    `SHOWN` (empty when the table has no row for it)."""

    periode: str
    status: pd.Series
    tables: dict[str, pd.DataFrame]
    typos: pd.DataFrame | None = None  # quarantined rows of a nik likely mistyped for this one (`typo_rows`: its row)


def published_periods(output: Path) -> list[str]:
    """The periods with a record of publication or a status_koperasi partition (an older output folder), oldest
    first: a period whose partition is gone is named as such when read ('belum ada periode yang terbit' of a
    period with its record: hostile trial)."""
    folder = Path(output) / "status_koperasi"
    names = {p.name.removeprefix(f"{storage.KEY}=") for p in folder.glob(f"{storage.KEY}=*") if p.is_dir()}
    names |= {p.stem for p in (Path(output) / PUBLISHED_DIR).glob("*.json")}
    return sorted(n for n in names if re.fullmatch(r"\d{4}-\d{2}", n))


def chosen_period(output: Path, periode: str | None) -> str:
    """`periode`, or the latest published one. Raises ParameterError when it is not published."""
    if Path(output).exists() and not Path(output).is_dir():  # 'tidak ada' of a file that is there: hostile trial
        raise ParameterError(f"--output {output} adalah berkas, bukan folder: berikan folder tempat run menerbitkan")
    if not Path(output).is_dir():
        raise ParameterError(f"folder keluaran {output} tidak ada: berikan --output folder tempat run menerbitkan")
    periods = published_periods(output)
    if not periods:
        raise ParameterError(f"belum ada periode yang terbit di {output}: jalankan `koperasi-sehat run` dahulu")
    if periode is None:
        return periods[-1]
    if periode not in periods:
        raise ParameterError(f"periode {periode} belum terbit di {output} (terbit: {_span(periods)})")
    return periode


SPAN_LISTED = 6  # published months with gaps named each, up to this many


def _span(periods: list[str]) -> str:
    """The published periods (sorted): a run of months as its first and last; months with gaps each, up to
    SPAN_LISTED of them ('2015-12 s.d. 2026-10' read as every month between: fresh-clone trial)."""
    if len(periods) > 1 and len(periods_between(periods[0], periods[-1])) != len(periods):
        if len(periods) <= SPAN_LISTED:
            return ", ".join(periods)
        return f"{period_span(periods)}, {len(periods)} periode, tidak berurutan"
    return period_span(periods) + (f", {len(periods)} periode" if len(periods) > 1 else "")


def find(output: Path, query: str, periode: str) -> pd.Series:
    """The status_koperasi row of the cooperative `query` names (NIK, or a fragment of its name).

    Raises ParameterError when none matches, AmbiguousName when several do."""
    wanted = clean_name(query)  # as an input's cells: a NIK pasted with a zero-width space found none (hostile trial);
    # the messages quote what was searched (a name with a line break matched without it: hostile trial)
    if re.fullmatch(TANDA_TEKS + r"[\d\s.-]+", wanted):  # copied from an Excel cell typed as text (hostile trial)
        wanted = wanted[len(TANDA_TEKS):]
    if not wanted:
        raise ParameterError("berikan NIK atau bagian nama koperasi (mis. 650274822002787 atau \"setia bersama\")")
    if re.fullmatch(NOTASI_ILMIAH, wanted):  # a NIK as a General cell shows it
        wanted = _whole_nik(wanted)
    nik = re.sub(r"\D", "", wanted) if re.fullmatch(r"[\d\s.-]+", wanted) else None  # a NIK as people write it
    rows = (storage.read_table(output, "status_koperasi", periode, ds.field("nik") == nik) if nik
            else _by_name(output, periode, wanted))
    if rows.empty:
        raise ParameterError((nik and _only_quarantined(output, periode, nik))
                             or f"tidak ada koperasi {given(wanted)} di status_koperasi periode {periode} ({output}): "
                             + ((nik and _meant(output, periode, nik)) or "sebutkan NIK atau bagian nama yang lain"))
    if len(rows) > 1:
        listed = rows[["nik", "nama", "kabupaten_kota", "predikat"]].sort_values(  # as read: KSPPS after Koperasi
            ["nama", "nik"], kind="stable", key=lambda c: c.str.casefold() if c.name == "nama" else c)
        raise AmbiguousName(f"{given(wanted)} cocok dengan {len(rows)} koperasi periode {periode}: sebutkan NIK-nya",
                            listed.reset_index(drop=True))
    return rows.iloc[0]


def _whole_nik(written: str) -> str:
    """A NIK a spreadsheet wrote in scientific notation, as its digits when every digit is there (6.50113048542833E+14
    is 650113048542833: it was refused as lost, hostile trial); raises ParameterError when its last digits are lost
    (6.5E+14)."""
    mantissa, exponent = re.split(r"[eE]\+", written.lstrip("+"))
    digits = re.sub(r"[.,]", "", mantissa)
    if len(digits) != int(exponent) + 1:
        raise ParameterError(f"NIK {given(written)} ditulis dalam notasi ilmiah spreadsheet (digit terakhirnya "
                             "hilang): salin NIK dari sel berformat Teks")
    return digits


def _meant(output: Path, periode: str, nik: str) -> str | None:
    """'maksud <nik>?' when `nik` is likely a typo of one registered nik (`schemas.inputs.near_nik`, as a quarantine
    reason suggests it: a NIK one digit off read 'tidak ada koperasi' without a word: new-user trial)."""
    registered = set(storage.read_table(output, "status_koperasi", periode, columns=["nik"])["nik"])
    near = near_nik(nik, registered, {len(n) for n in registered})
    return f"maksud {near}?" if near else None


def _only_quarantined(output: Path, periode: str, nik: str) -> str | None:
    """Why a NIK with rows in the period's karantina has no status_koperasi row: its registry row refused, or not
    registered (`jelaskan` said 'tidak ada koperasi' of a cooperative whose registry row was quarantined:
    fresh-clone trial); None when karantina has no row of it."""
    rows = storage.read_table(output, "karantina", periode, ds.field("nik") == nik).sort_values(["sumber", "baris"])
    if rows.empty:
        return None
    registry = [input_table(sumber) == "koperasi" for sumber in rows["sumber"]]
    first = rows[registry].iloc[0] if any(registry) else rows.iloc[0]
    why = f"{first['sumber']} baris {first['baris']}: {'; '.join(first['alasan'])}"
    others = len(rows) - 1
    if any(registry):
        return (f"koperasi {nik} tidak dinilai periode {periode}: baris registrinya ditolak ({why})"
                + (f"; {others} baris lain dengan NIK ini dikarantina" if others else "")
                + ": perbaiki baris registri itu, lalu jalankan lagi (tabel karantina)")
    return (f"NIK {nik} tidak ada di registri koperasi periode {periode}; {len(rows)} baris dengan NIK ini "
            f"dikarantina, mis. {why} (tabel karantina)")


def _by_name(output: Path, periode: str, fragment: str) -> pd.DataFrame:
    return named(storage.read_table(output, "status_koperasi", periode), fragment)


def named(status: pd.DataFrame, fragment: str) -> pd.DataFrame:
    """The rows whose `nama` is the fragment (one such row), else those whose name holds it; names compared as a
    reader compares them (`_folded`)."""
    names = status["nama"].fillna("").map(_folded)
    key = _folded(fragment)
    exact = status[names == key]
    return exact if len(exact) == 1 else status[names.str.contains(key, regex=False)]


_APOSTROPHES = str.maketrans(dict.fromkeys("\u2018\u2019\u02bc\u0060\u00b4", "'"))


def _folded(text: str) -> str:
    """A name as a reader compares names: case, accents (é as e, however it is encoded: a decomposed 'Café' found
    'Cafe' alone, exit 0), the kinds of apostrophe (’ pasted from a chat found no "Mu'min") and runs of spaces
    aside (hostile trial)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def cooperative(output: Path, query: str, periode: str | None = None) -> Cooperative:
    """Every published row of one cooperative in `periode` (default: the latest published). Raises
    ParameterError (nothing published, the period not published, no match), AmbiguousName, or
    PublishedOutputError (a damaged partition, `storage.read_table`)."""
    periode = chosen_period(output, periode)
    status = find(output, query, periode)
    match = ds.field("nik") == status["nik"]
    typos = typo_rows(storage.read_table(output, "karantina", periode, columns=["sumber", "baris", "nik", "alasan"]))
    return Cooperative(periode, status, {name: storage.read_table(output, name, periode, match) for name in SHOWN},
                       typos[typos.index == status["nik"]])


def show(coop: Cooperative, console: Console) -> None:
    """Print what the outputs say of one cooperative, section by section (a section without rows is left out)."""
    print_parts(console, _header(coop), _quarantine(coop), _components(coop, console), _moves(coop),
                _peers(coop, console), _warnings(coop), _worklist(coop), _reporting(coop), gap=True)


def show_matches(matches: pd.DataFrame, console: Console) -> None:
    """Print the cooperatives a name matches (`listing`), as a list in a terminal too narrow for the table."""
    print_parts(console, table_or_list(console, listing(matches)))


def listing(matches: pd.DataFrame) -> Table:
    """The cooperatives a name matches: nik, nama, kabupaten/kota, predikat."""
    table = _table("Koperasi yang cocok", "nik", "nama", "kabupaten/kota", "predikat")  # texts only
    for row in matches.itertuples(index=False):
        table.add_row(*(Text(one_line(v)) if isinstance(v, str) else "-" for v in row))  # a name is never markup
    return table


def _numbers(values: pd.Series, decimals: int = 2) -> list[str]:
    """Numbers as the office writes them (78,50); '-' where missing."""
    return _or_dash(format_number(values.astype("float64"), decimals))


def _nilai(values: pd.Series) -> list[str]:
    """A component's nilai as the moves and the explanation write it (16,67; 25; 7,5): the table rounded it to a
    whole number (17) beside a move's '16,67 menjadi 33,33' (review); '-' where missing."""
    return _or_dash(format_nilai(values.astype("float64")))


def _or_dash(texts: pd.Series) -> list[str]:
    return [text or "-" for text in texts.fillna("")]


def _table(title: str, *columns: str, numbers: int = 0) -> Table:
    """A table whose `numbers` columns after the first (a name) are right-justified and never wrap, and whose other
    columns fold, the widest first, when a terminal is too narrow for the table. A number folded over lines at 60
    columns while the name beside it kept its width (fresh-clone trial); a number column made narrower than its
    numbers would cut them, so the names and texts give way instead."""
    table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    for i, column in enumerate(columns):
        number = 0 < i <= numbers  # cut short only in a terminal too narrow for the numbers alone, with an ellipsis
        table.add_column(column, justify="right" if number else "left", no_wrap=number,
                         overflow="ellipsis" if number else "fold")
    return table


def _header(coop: Cooperative) -> RenderableType:
    status, score = coop.status, coop.tables["skor_koperasi"]
    typos = coop.typos if coop.typos is not None else pd.DataFrame({"teks": [], "tabel": []})
    pendamping = status["pendamping"] if isinstance(status["pendamping"], str) else "belum ada"
    lines = [Text(f"{status['nama']} ({status['nik']})", style="bold"),
             Text(f"{status['kabupaten_kota']} · {status['jenis']} · periode {month_name(coop.periode)} · "
                  f"pendamping: {pendamping}"),
             Text(_situation(status, _report_quarantined(coop)) + "".join(f" · {TYPO}{t}" for t in typos["teks"])),
             Text(str(status["penjelasan"]))]
    tables = [*coop.tables["karantina"]["sumber"].map(input_table), *(t for found in typos["tabel"] for t in found)]
    note = answers_quarantined(str(status["penjelasan"]), tables)
    lines += [Text(note)] if note else []
    if len(score) and pd.notna(score["skor_total_sebelumnya"].iloc[0]):
        before = score.iloc[0]
        lines.append(Text(f"Periode sebelumnya: {_numbers(score['skor_total_sebelumnya'])[0]} "
                          f"{before['predikat_sebelumnya']}", style="dim"))
    return Group(*lines)


def _report_quarantined(coop: Cooperative) -> bool:
    """Whether a report of the cooperative for the period is in karantina (`alasan_tidak_dinilai` says so only for a
    jenis a rulebook scores: a kspps's said 'belum pernah melapor'; fresh-clone trial)."""
    rows = coop.tables["karantina"]
    return coop.status["alasan_tidak_dinilai"] == LAPORAN_DIKARANTINA or any(
        input_table(sumber) == "laporan" for sumber in rows.loc[(rows["periode"] == coop.periode).to_numpy(), "sumber"])


def _situation(status: pd.Series, quarantined: bool) -> str:
    """Active or not, the last RAT, reporting this period (a report quarantined is said so: it was sent, though
    not accepted, and `melapor` counts accepted reports)."""
    rat = status["tanggal_rat_terakhir"]
    silent = status["bulan_tidak_melapor_berturut"]
    reported = "melapor periode ini" if status["melapor"] else (
        f"tidak melapor {silent} bulan berturut-turut" if pd.notna(silent) else "belum pernah melapor")
    if quarantined and not status["melapor"]:
        reported = "laporan periode ini dikarantina, tidak diterima (" + (
            f"{silent} bulan berturut-turut tanpa laporan diterima" if pd.notna(silent) else
            "belum pernah ada laporan diterima") + ")"
    meeting = f"RAT terakhir {rat:%Y-%m-%d}" if pd.notna(rat) else "RAT belum tercatat"
    return f"{'aktif' if status['aktif'] else 'tidak aktif'} · {meeting} · {reported}"


def _quarantine(coop: Cooperative) -> Group | None:
    """The cooperative's quarantined input rows: one line per file and reasons, its rows as ranges (a questionnaire
    set refused whole was 37 lines of one reason: new-user trial)."""
    rows = coop.tables["karantina"]
    if rows.empty:
        return None
    return Group(Text("Karantina (baris masukan yang ditolak run periode ini)", style="bold"),
                 *(Text(f"- {sumber} {lines}: {reasons}") for sumber, lines, reasons, _ in
                   rows_by_reason(rows["sumber"], rows["baris"], rows["alasan"])))


COMPONENT_COLUMNS = ("komponen", "rasio", "nilai", "skor", "bobot", "hilang")
BETTER = "nilai lebih baik bila"


def _components(coop: Cooperative, console: Console) -> RenderableType | None:
    """The component table; in a terminal too narrow for its last column ("nilai lebih baik bila", about 100
    columns in all), that column's text on a line of its own under its component's row, in the first column, which
    wraps it rather than narrow the numbers (below about 77 columns they folded: fresh-clone trial): folded into 8
    columns of an 80-column terminal, each row took three to five lines. Too narrow for that (below about 80
    columns), a list (`as_list`)."""
    rows = coop.tables["skor_indikator"]
    if rows.empty:
        return None
    better = [f"{n} bila {r}" if isinstance(r, str) else "-"
              for r, n in zip(rows["rentang_lebih_baik"], _nilai(rows["nilai_lebih_baik"]))]
    figures = list(zip(rows["komponen"].astype("str"), _numbers(rows["rasio"]), _nilai(rows["nilai"]),
                       _numbers(rows["skor"]), _numbers(rows["bobot"]), _numbers(rows["poin_hilang"])))
    table = _table("Komponen", *COMPONENT_COLUMNS, BETTER, numbers=5)
    for row, text in zip(figures, better):
        table.add_row(*map(Text, row), Text(text))
    if fits(console, table):
        return table
    narrow = _table("Komponen", f"{COMPONENT_COLUMNS[0]}\n{NOTE_MARK.strip()} {BETTER}", *COMPONENT_COLUMNS[1:],
                    numbers=5)
    for row, text in zip(figures, better):
        narrow.add_row(*map(Text, row))
        if text != "-":
            narrow.add_row(Text(NOTE_MARK + text, style="dim"), *[""] * (len(COMPONENT_COLUMNS) - 1))
    if fits(console, narrow):  # each text on its line whole: in 72 columns '-> 60 bila 3 dari 5 jawaban' / 'ya'
        return narrow
    plain = _table("Komponen", *COMPONENT_COLUMNS, numbers=5)
    for row in figures:
        plain.add_row(*map(Text, row))
    return as_list(plain, better)


def _moves(coop: Cooperative) -> Group | None:
    """The single moves that reach the next predicate, the cheapest combination, then the other single moves with
    the most points; a list of single moves shows at most MOVES_SHOWN (the table has every one). Each list is
    followed by the notes (`keterangan`) of its moves: what the simulation held fixed for it."""
    rows = coop.tables["jalan_menuju_sehat"].sort_values("urutan", kind="stable")
    if rows.empty:
        return None
    target = rows["predikat_berikutnya"].iloc[0]
    combination = rows[rows["langkah"] == "kombinasi"]
    single = rows[rows["langkah"] != "kombinasi"]
    reaching = single[single["mencapai_predikat_berikutnya"]]
    others = single[~single["mencapai_predikat_berikutnya"]]
    final = rows["predikat_baru"].astype("str")
    held = rows[(final.notna() & (final != rows["predikat_skor_baru"].astype("str"))).to_numpy()]  # a factor holds
    lowered = (f"; faktor pengurang tetap berlaku: predikat akhir {held['predikat_baru'].iloc[0]}" if len(held)
               else "")  # the heading read as the cooperative's next predicate, the lists as reaching it (trial)
    by_score = " menurut skor" if lowered else ""
    lines = [Text(f"Jalan menuju Sehat (predikat berikutnya{by_score}: {target}{lowered})", style="bold")]
    if len(reaching):
        lines += _listed(f"Satu komponen saja sudah mencapai {target}{by_score}:", reaching, by_score)
    if len(combination):
        reached = combination["mencapai_predikat_berikutnya"].all()
        total = _numbers(combination["skor_total_baru"])[0]
        shown = pd.concat([reaching.head(MOVES_SHOWN), combination])
        if repeated_single(shown["langkah"].tolist(), shown["uraian"].tolist()) is not None:
            lines.append(Text(f"Kombinasi termurah menuju {target}{by_score}: langkah "
                              f"{combination['komponen'].iloc[0]} di atas itu saja (skor {total})."))
        else:
            lines.append(Text(f"Kombinasi termurah menuju {target}{by_score} (bersama-sama: skor {total}):" if reached
                              else str(combination["uraian"].iloc[0])))
            lines += [*(_move(r, by_score) for r in combination.itertuples()), *_notes(combination)] if reached else []
    if len(others):
        lines += _listed("Langkah satu komponen lainnya (poin terbanyak dahulu):", others, by_score)
    return Group(*_unrepeated(lines, set(rows["keterangan"])))


def _unrepeated(lines: list[Text], notes: set[str]) -> list[Text]:
    """The lines without a note that says again the last note above it: two lists of single moves with no other
    note between them printed the same words twice (fresh-clone trial); with the combination's note between them,
    each list keeps its own."""
    kept, last = [], None
    for line in lines:
        if line.plain in notes:
            if line.plain == last:
                continue
            last = line.plain
        kept.append(line)
    return kept


def _listed(title: str, moves: pd.DataFrame, by_score: str = "") -> list[Text]:
    """A list of single moves: its title, the first MOVES_SHOWN, how many more the table has, its notes
    (`by_score`: ' menurut skor' when a downgrade factor holds the final predicate)."""
    hidden = len(moves) - MOVES_SHOWN
    more = [Text(f"  ... {hidden} langkah lain di tabel jalan_menuju_sehat", style="dim")] if hidden > 0 else []
    return [Text(title), *(_move(r, by_score) for r in moves.head(MOVES_SHOWN).itertuples()), *more, *_notes(moves)]


def _notes(moves: pd.DataFrame) -> list[Text]:
    """The notes of a list's moves, each once, under it."""
    return [Text(k, style="dim") for k in dict.fromkeys(moves["keterangan"])]


def _move(row: object, by_score: str = "") -> Text:
    sehat = f" (mencapai Sehat{by_score})" if row.mencapai_sehat and row.langkah != "kombinasi" else ""
    return Text(f"  - {row.uraian}{sehat}")


def _peers(coop: Cooperative, console: Console) -> RenderableType | None:
    rows = coop.tables["persentil_sejawat"]
    if rows.empty:
        return None
    first = rows.iloc[0]
    scopes = rows["cakupan"].nunique() > 1
    notes = rows["keterangan"].fillna("")
    said = notes.ne("").any()  # an empty column of every row was shown (fresh-clone trial)
    table = _table(f"Persentil sejawat ({first['jenis']} kelas aset {first['kelas_aset']}, {first['cakupan']}: "
                   f"{first['jumlah_sejawat']} koperasi)", "komponen", *(["cakupan"] if scopes else []), "rasio",
                   "persentil", "median sejawat", *(["keterangan"] if said else []), numbers=3 + scopes)
    for komponen, cakupan, *rest, note in zip(rows["komponen"].astype("str"), rows["cakupan"],
                                              _numbers(rows["rasio"]), _numbers(rows["persentil"], 0),
                                              _numbers(rows["median_sejawat"]), notes):
        table.add_row(*map(Text, (komponen, *([cakupan] if scopes else []), *rest, *([note] if said else []))))
    return Group(table_or_list(console, table), Text(PERCENTILE_NOTE, style="dim"))


# a high percentile read as healthy where a lower ratio scores better (fresh-clone trial: risiko_pinjaman_bermasalah)
PERCENTILE_NOTE = ("Persentil mengurutkan rasio, bukan kesehatannya: bagi sebagian komponen rasio yang lebih rendah "
                   "lebih baik (nilainya di tabel komponen di atas).")


def _warnings(coop: Cooperative) -> Group | None:
    rows = coop.tables["peringatan_dini"]
    if rows.empty:
        return None
    return Group(Text("Peringatan dini", style="bold"),
                 *(Text(f"- {kode}: {alasan}") for kode, alasan in zip(rows["kode"], rows["alasan"])))


def _worklist(coop: Cooperative) -> Group:
    rows = coop.tables["daftar_prioritas"]
    if rows.empty:
        return Group(Text("Daftar prioritas", style="bold"), Text("tidak masuk daftar prioritas periode ini"))
    row = rows.iloc[0]
    parts = _numbers(rows[["poin_predikat", "poin_penurunan", "poin_tidak_melapor", "poin_anggota"]].iloc[0])
    assigned = isinstance(row["pendamping"], str)  # else suggested: said so (it read as assigned: fresh-clone trial)
    who = row["pendamping"] if assigned else row["pendamping_usulan"]
    visit = (f"pendamping {'' if assigned else 'usulan '}{who}, kunjungan ke-{row['kunjungan_ke']} "
             f"({'dalam' if row['dalam_kapasitas'] else 'di luar'} kapasitas)" if isinstance(who, str) else
             str(row["keterangan_pendamping"]))
    lines = [Text("Daftar prioritas", style="bold"),
             Text(f"peringkat {row['peringkat']} di {row['kabupaten_kota']}, skor prioritas "
                  f"{_numbers(rows['skor_prioritas'])[0]} (predikat {parts[0]} + penurunan {parts[1]} + tidak "
                  f"melapor {parts[2]} + anggota {parts[3]}); {visit}"),
             Text(f"alasan: {row['alasan']}")]
    return Group(*lines)


def _reporting(coop: Cooperative) -> Group | None:
    rows = coop.tables["mutu_pelaporan"]
    if rows.empty:
        return None
    r = rows.iloc[0]
    reason = r["alasan_karantina_terbanyak"]
    return Group(Text("Mutu pelaporan", style="bold"), Text(
        f"nilai {r['nilai_mutu']}: {r['bulan_melapor']} dari {r['bulan_wajib']} bulan wajib dilaporkan (sejak "
        f"{r['bulan_awal']}), {r['bulan_tepat_waktu']} tepat waktu, {r['bulan_terlambat']} terlambat, "
        f"{r['kirim_ulang']} kirim ulang, {r['baris_karantina']} baris dikarantina"
        + (f" (terbanyak: {reason})" if isinstance(reason, str) else "")))
