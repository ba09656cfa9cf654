"""mutu_pelaporan: how well each cooperative reports, over the last months of the landing folder.

Window: the `months` months ending with the run's period. A cooperative is listed when the registry holds it and
the landing folder has any report row of it (accepted, superseded or quarantined) for a period up to the run's;
it owes a report for every month of the window from the first period it ever reported (`bulan_wajib`).

Per cooperative, over the window:
- bulan_melapor: months with an accepted report (the one in force or a superseded one);
- bulan_tepat_waktu: months whose first accepted submission was sent by the end of day `deadline_day` of the
  next month, WITA (times without a zone are WITA; others are converted); bulan_terlambat: the other months
  reported;
- kirim_ulang: superseded submissions (each was replaced by a later one);
- baris_karantina and alasan_karantina_terbanyak: quarantined report rows, each row of a file (its content) in
  the latest run that quarantined it only, and their most frequent reason (the reason's kind, values left out,
  as the run summary counts them; ties: alphabetical);
- persen_melapor, persen_tepat_waktu: bulan_melapor and bulan_tepat_waktu as percent of bulan_wajib;
- nilai_mutu, A-D: the first row of `mutu_pelaporan.toml` whose conditions hold (persen_melapor at least,
  persen_tepat_waktu at least, baris_karantina at most), by default
    A  every owed month reported, at least 90% on time, no quarantined row;
    B  at least 90% of the months reported and 60% on time;
    C  at least 50% of the months reported;
    D  the others.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoring.inputs import is_in
from scoring.rulebook import load_data_file
from scoring.periods import month_number, period_names, shift_period

GRADE_FILE = Path(__file__).parent / "mutu_pelaporan.toml"
COLUMNS = ["nik", "nama", "kabupaten_kota", "periode", "bulan_awal", "bulan_wajib", "bulan_melapor",
           "bulan_tepat_waktu", "bulan_terlambat", "kirim_ulang", "baris_karantina", "alasan_karantina_terbanyak",
           "persen_melapor", "persen_tepat_waktu", "nilai_mutu"]
READS = {"karantina": ("sumber", "data", "nik", "periode", "alasan")}  # the columns read of the quarantined rows


class Grade(BaseModel):
    """One row of mutu_pelaporan.toml (a project rule [P]): a letter and the least share of the owed months
    reported and sent on time (percent), and the most quarantined report rows, a cooperative must meet for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    huruf: str = Field(pattern=r"^[A-Z]$")
    persen_melapor_min: float = Field(default=0, ge=0, le=100)
    persen_tepat_waktu_min: float = Field(default=0, ge=0, le=100)
    baris_karantina_maks: int | None = Field(default=None, ge=0)

    @property
    def unconditional(self) -> bool:
        """Whether the grade has no condition (the last row, which takes every other cooperative)."""
        return not self.persen_melapor_min and not self.persen_tepat_waktu_min and self.baris_karantina_maks is None


class GradeTable(BaseModel):
    """The grades, best first, letters unique, the last without a condition (it takes every other cooperative);
    a file that breaks this is refused when loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nilai: list[Grade] = Field(min_length=1)

    @model_validator(mode="after")
    def _ends_with_the_rest(self) -> GradeTable:
        letters = [n.huruf for n in self.nilai]
        if len(set(letters)) != len(letters):
            raise ValueError("grade letters are not unique")
        if not self.nilai[-1].unconditional:
            raise ValueError("the last grade must have no condition (it takes every other cooperative)")
        return self


@cache
def grade_table(path: Path = GRADE_FILE) -> GradeTable:
    """The grades of `path` (default mutu_pelaporan.toml), loaded once; a file that is not a valid table raises
    the loader's error naming the file (`load_data_file`)."""
    return load_data_file(path, GradeTable)


def mutu_pelaporan(periode: str, registry: pd.DataFrame, submissions: pd.DataFrame, quarantined: pd.DataFrame, *,
                   deadline_day: int, months: int, timezone: str, grades: GradeTable | None = None) -> pd.DataFrame:
    """One row per listed cooperative (columns COLUMNS; schemas.outputs adds run_id).

    registry: nik, nama, kabupaten_kota; submissions: every accepted report row of the landing folder, any period
    (nik, periode, tanggal_kirim as timestamps, terganti: bool, superseded by a later one); quarantined: the
    quarantined report rows (READS: sumber and data, the row's content, name a row of a file; alasan: a text or a
    list of texts);
    timezone: WITA's name,
    Asia/Makassar."""
    grades = grades or grade_table()
    end = month_number(periode)
    first = month_number(shift_period(periode, 1 - months))
    sent = submissions.astype({"nik": "str", "periode": "str"})
    bad = quarantined.astype({"nik": "str"}).dropna(subset=["periode"]).astype({"periode": "str"})
    seen = pd.concat([sent[["nik", "periode"]], bad[["nik", "periode"]]])
    seen = seen[seen["periode"] <= periode].groupby("nik")["periode"].min()
    rows = registry.astype({"nik": "str"}).drop_duplicates("nik")
    rows = rows[is_in(rows["nik"], seen.index)].reset_index(drop=True)
    start = np.maximum(month_number(rows["nik"].map(seen)).to_numpy(), first)
    sent = sent[(month_number(sent["periode"]) >= first) & (sent["periode"] <= periode)]
    bad = bad[(month_number(bad["periode"]) >= first) & (bad["periode"] <= periode)]
    # a row every run quarantines (its month unreadable, or its dates impossible until they pass) counts in the
    # latest run only (a backfill counted an October row sent in the future in July to October too: new-user trial);
    # a row is its file and its content, wherever it moved in the file (its line did not say: hostile trial)
    latest = bad.groupby(["sumber", "data"])["periode"].transform("max")  # NaN where no content is known: kept
    bad = bad[(bad["periode"].eq(latest) | bad["data"].isna()).to_numpy(dtype=bool)]
    per_month = sent.assign(kirim=_wita(sent["tanggal_kirim"], timezone)).groupby(["nik", "periode"])["kirim"].min()
    months_of = per_month.reset_index()
    on_time = months_of["kirim"] < _cutoff(months_of["periode"], deadline_day)
    counts = pd.DataFrame({
        "bulan_melapor": months_of.groupby("nik").size(),
        "bulan_tepat_waktu": on_time.groupby(months_of["nik"]).sum(),
        "kirim_ulang": sent["terganti"].astype(bool).groupby(sent["nik"]).sum(),
        "baris_karantina": bad.groupby("nik").size(),
    }).reindex(rows["nik"]).fillna(0).astype("int64").reset_index(drop=True)
    counts["bulan_wajib"] = end - start + 1
    counts["bulan_terlambat"] = counts["bulan_melapor"] - counts["bulan_tepat_waktu"]
    percent = counts[["bulan_melapor", "bulan_tepat_waktu"]].div(counts["bulan_wajib"], axis=0) * 100
    result = rows[["nik", "nama", "kabupaten_kota"]].assign(
        periode=periode, bulan_awal=period_names(start), **counts,
        alasan_karantina_terbanyak=rows["nik"].map(_top_reason(bad)).astype("str").to_numpy(),
        persen_melapor=percent["bulan_melapor"], persen_tepat_waktu=percent["bulan_tepat_waktu"])
    result["nilai_mutu"] = _grade(result, grades)
    return result.round({"persen_melapor": 2, "persen_tepat_waktu": 2})[COLUMNS]


def _wita(times: pd.Series, timezone: str) -> pd.Series:
    """Submission times as naive WITA: times without a zone are WITA already, others are converted."""
    parsed = pd.to_datetime(times)
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_convert(timezone).dt.tz_localize(None)
    return parsed


def _cutoff(periode: pd.Series, day: int) -> pd.Series:
    """The first moment after the deadline: 00:00 WITA the day after day `day` of the month after the period."""
    return pd.to_datetime(periode, format="%Y-%m") + pd.offsets.MonthBegin(1) + pd.Timedelta(days=day)


def reason_kinds(reasons: pd.Series) -> pd.Series:
    """Each quarantine reason without its values (quoted values and numbers as '…'), so that reasons of one kind are
    counted together: the text before its first ': ', and when that names a row or a set by its values (a set of
    answers, a refused registry row), its first problem's too: 'set kuesioner … …: manajemen_umum nomor … dijawab …
    kali (baris …)', 'baris registri koperasi.csv:… (nik …) ditolak: tanggal_badan_hukum' (every set's problems were
    one kind, 'set kuesioner … …': new-user trial); the files of a set in several files left out. A reason about one
    column keeps its problem, without the value quoted: 'kas: bukan bilangan bulat Rupiah', 'periode: ditulis …,
    harus YYYY-MM' ('periode' counted a month written 10/2026 with one in the future: new-user trial)."""
    parts = reasons.astype("str").str.split(": ", n=1)
    rest = parts.str[1].astype("str").fillna("").str.replace(FILE_ROWS, "baris", regex=True).str.replace(
        ROWS, "(baris …)", regex=True)  # (as text: reasons without ': ' give float NaN)
    first = rest.str.split("; ").str[0]
    head = _masked(parts.str[0].str.replace(QUOTED_VALUE, "", regex=True))  # a nik's suggested one: the same kind
    named = _masked(first.str.split(": ").str[0])
    problem = _masked(first.str.replace(QUOTED_VALUE, "", regex=True))
    column = parts.str[0].str.fullmatch(r"[a-z_]+").fillna(False).to_numpy(dtype=bool) & problem.ne("").to_numpy()
    by_values = head.str.contains("…", regex=False).to_numpy() & named.ne("").to_numpy()
    return pd.Series(np.select([by_values, column], [head + ": " + named, head + ": " + problem], head),
                     index=reasons.index, dtype="str")


# where a problem's rows are: 'kuesioner/a.xlsx[Lembar 1] baris' (a set in several files), '(baris 3, 9; baris 4)'
FILE_ROWS, ROWS = r"[^\s(;]+\.(?:csv|xlsx|parquet)(?:\[[^\]]*\])? baris", r"\(baris [^()]*\)"
QUOTED_VALUE = r" \((?:nilai: |maksud ).*\)$"  # a column's value, or what it was likely meant to be, at its end


def _masked(texts: pd.Series) -> pd.Series:
    # a value in any of the quotes `scoring.quoting` uses, and numbers (a date with its time one: '… … WITA' read as
    # two values: new-user trial)
    return texts.str.replace("\u201c[^\u201d]*\u201d|" + r"\"[^\"]*\"|'[^']*'|\d[\d.:/-]*(?: \d\d:\d\d(?::\d\d)?)?",
                             "…", regex=True)


def _top_reason(bad: pd.DataFrame) -> pd.Series:
    reasons = bad[["nik", "alasan"]].explode("alasan").dropna(subset=["alasan"])
    counted = reasons.assign(jenis=reason_kinds(reasons["alasan"])).groupby(["nik", "jenis"]).size().reset_index(
        name="n")
    return counted.sort_values(["nik", "n", "jenis"], ascending=[True, False, True]).drop_duplicates("nik").set_index(
        "nik")["jenis"]


def _grade(rows: pd.DataFrame, grades: GradeTable) -> np.ndarray:
    conditions = [(rows["persen_melapor"] >= g.persen_melapor_min) & (rows["persen_tepat_waktu"] >= g.persen_tepat_waktu_min)
                  & (rows["baris_karantina"] <= (np.inf if g.baris_karantina_maks is None else g.baris_karantina_maks))
                  for g in grades.nilai]
    return np.select(conditions, [g.huruf for g in grades.nilai], grades.nilai[-1].huruf)
