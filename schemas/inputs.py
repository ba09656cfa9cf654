"""The input contract (data-contract §1): typed Pandera models of the five input files, and the checks that
turn the text frames read by `flows.ingest` into typed rows plus, for every rejected row, every reason.

TYPES     `Koperasi`, `Laporan`, `Kuesioner`, `FaktorPengurang`, `Pemeriksaan` (`schemas.input_models`): the typed
          rows; the schema is the documentation.
PARSING   text -> typed columns (`schemas.parsing`); a value that cannot be read becomes a reason and a missing value.
RULES     the row rules that compare columns (`schemas.rules`), the questionnaire's (`schemas.kuesioner`) and the
          examiner's checklist's (`schemas.pemeriksaan`).
CHECKING  each model is validated lazily on the typed frame with every column nullable, so that a row whose
          text could not be read still gets the other reasons that can be checked; Pandera's failure cases
          become reasons in Indonesian that name the column(s), the rule and the value(s).

A raw frame has text columns ("" when empty), `sumber` and `baris`; numbers are plain (ingest converted the
Indonesian `1.234.567,50`). Rows are tracked by position while checking and get their raw index back at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa

from schemas import pemeriksaan
from schemas.input_models import RULES, TANDA_TEKS, FaktorPengurang, Koperasi, Kuesioner, Laporan, Pemeriksaan
from schemas.kuesioner import check_sets
from schemas.parsing import (MEANT, Cells, Reasons, dates, lowercase, optional, period, quote, quoted, raw_text,
                             whole_numbers, ya_tidak, yes_no)
from schemas.periode import wita
from schemas.wita import current_period
from schemas.rules import one_name_per_code
from scoring.columns import JUMLAH, LAPORAN
from scoring.inputs import is_in
from scoring.texts import format_number
from scoring.rulebook_format import PERIODE

REGISTRY_FILE = "koperasi.csv"  # the registry file named when the registry is not known


@dataclass(frozen=True)
class Checked:
    """An input's rows after their contract check: the rows that pass and, for every rejected row, all its
    reasons."""

    valid: pd.DataFrame  # the rows that pass, typed, with sumber and baris, under their raw index
    alasan: pd.Series  # raw index of every rejected row -> list of every reason (str)


@dataclass(frozen=True)
class Registry:
    """The registry the other inputs are checked against: the nik of its accepted rows and, for the nik of a
    rejected row, which row was rejected and why (so a report of that nik says so, not 'tidak terdaftar')."""

    nik: pd.Series
    ditolak: pd.Series = field(default_factory=lambda: pd.Series([], dtype="str"))  # nik -> reason
    sumber: str = REGISTRY_FILE
    jenis: pd.Series = field(default_factory=lambda: pd.Series([], dtype="str"))  # nik -> jenis (accepted rows)


REFUSED_REGISTRY = "baris registri "  # how a reason that is the cooperative's refused registry row starts


def refused_rows(raw: pd.DataFrame, checked: Checked) -> pd.Series:
    """Why each refused row of a checked registry frame (`raw`: its text rows, the refused ones at least) was refused,
    under its raw index: 'baris registri koperasi.csv:15 (nik ...) ditolak: <reasons>'."""
    rows = raw.loc[checked.alasan.index]
    return (REFUSED_REGISTRY + rows["sumber"].astype("str") + ":" + rows["baris"].astype("str") + " (nik "
            + rows["nik"].astype("str") + ") ditolak: " + checked.alasan.map("; ".join).astype("str"))


def registry_of(raw: pd.DataFrame, checked: Checked) -> Registry:
    """The Registry of a checked registry frame (`raw`: its text rows)."""
    rows = raw.loc[checked.alasan.index]
    text = refused_rows(raw, checked)
    nik = rows["nik"].astype("str")
    named = nik.ne("").to_numpy()
    # a nik with Excel's text mark is the nik after it for the other inputs: their rows said 'tidak terdaftar'
    marked = nik.str.startswith(TANDA_TEKS).to_numpy() & named  # (new-user trial)
    ditolak = pd.Series(np.concatenate([text.to_numpy()[named], text.to_numpy()[marked]]),
                        index=np.concatenate([nik.to_numpy()[named], nik.str[len(TANDA_TEKS):].to_numpy()[marked]]),
                        dtype="str")
    return Registry(checked.valid["nik"], ditolak[~ditolak.index.duplicated()],
                    str(raw["sumber"].iloc[0]) if len(raw) else REGISTRY_FILE,
                    pd.Series(checked.valid["jenis"].to_numpy(), index=checked.valid["nik"].to_numpy(), dtype="str"))



# ---------------------------------------------------------------------------------------------------------------
# CHECKING: the models, validated lazily; failure cases -> reasons
# ---------------------------------------------------------------------------------------------------------------

_NULLABLE = {"int64": "Int64", "bool": "boolean"}


@cache
def _loose_schema(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The model's schema with every column nullable: a value that could not be read is missing, and the
    other checks still run on the rest of its row."""
    schema = model.to_schema()
    return schema.update_columns({
        name: {"nullable": True, "dtype": _NULLABLE.get(str(column.dtype), column.dtype)}
        for name, column in schema.columns.items()
    })


def build_schemas() -> None:
    """Build every input model's schemas now; a process keeps them (the background server builds them once for
    all the runs it forks, `flows.background`)."""
    for model in (Koperasi, Laporan, Kuesioner, FaktorPengurang):
        _loose_schema(model), _shape_schema(model)


def _quoted(values: pd.Series) -> pd.Series:
    """A value as the reason quotes it: Rupiah with '.' thousands, dates ISO, text quoted."""
    if pd.api.types.is_integer_dtype(values):
        return format_number(values, 0)
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values.dt.strftime("%Y-%m-%d").astype("str")
        return dates.where(values.eq(values.dt.normalize()), values.dt.strftime("%Y-%m-%dT%H:%M:%S").astype("str"))
    return quoted(values.astype("str"))


def _rule_in_words(check: pa.Check) -> str:
    """The rule of a column check, in words."""
    stats = check.statistics or {}
    if check.name == "greater_than_or_equal_to":
        return "tidak boleh negatif" if stats["min_value"] == 0 else f"tidak boleh kurang dari {stats['min_value']}"
    if check.name == "greater_than":
        return f"harus lebih dari {stats['min_value']}"
    if check.name == "isin":
        return "harus salah satu dari: " + ", ".join(map(str, stats["allowed_values"]))
    if check.name == "str_matches":
        return "harus YYYY-MM" if stats.get("pattern") == PERIODE.pattern else f"harus berbentuk {stats.get('pattern')}"
    return check.error or check.name


def _duplicates(rows: pd.DataFrame, column: str, whole: pd.DataFrame) -> pd.Series:
    """Each copy of a duplicated value names the rows of the other copies."""
    rows = rows[rows[column].ne("")]
    lines = whole.loc[whole[column].isin(rows[column]), [column, "baris"]].groupby(column)["baris"].agg(list)
    text = [f"{column} {quote(value)} tercatat lebih dari sekali: juga di baris "
            + ", ".join(str(b) for b in lines[value] if b != own)
            for value, own in zip(rows[column], rows["baris"])]
    return pd.Series(text, index=rows.index, dtype="str")


def _explain(check: pa.Check | None, code: str, column: str, rows: pd.DataFrame, whole: pd.DataFrame) -> pd.Series:
    """The reasons of the rows that failed one column check."""
    if code == "field_uniqueness":
        return _duplicates(rows, column, whole)
    if check is None:  # a failure the parsing should have made impossible: say it plainly rather than lose it
        return pd.Series(f"{column}: {code}", index=rows.index, dtype="str")
    if check.name == "str_length":
        longest = (check.statistics or {}).get("max_value")
        empty = rows[column].str.len().eq(0).fillna(True).to_numpy(dtype=bool)
        return pd.Series(np.where(empty, f"{column}: kosong", f"{column}: lebih dari {longest} karakter (nilai: "
                                  + _quoted(rows[column]) + ")"), index=rows.index, dtype="str")
    return f"{column}: {_rule_in_words(check)} (nilai: " + _quoted(rows[column]) + ")"


def _failure_cases(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases.dropna(subset=["index"])
    return pd.DataFrame({"column": [], "check": [], "check_number": [], "index": []})


def _check_frame(schema: pa.DataFrameSchema, typed: pd.DataFrame, reasons: Reasons) -> None:
    """Validate the typed frame (positions as index) and add a reason for every failure case.

    Column checks run on the whole frame; each dataframe check runs on the columns its rule reads, so a broken
    row costs Pandera one failure case per column of the rule, not per column of the report."""
    columns_only = pa.DataFrameSchema(schema.columns, name=schema.name)
    failures = _failure_cases(columns_only, typed)
    for (column, number), cases in failures.groupby(["column", "check_number"], dropna=False, sort=False):
        check = None if pd.isna(number) else schema.columns[column].checks[int(number)]
        positions = cases["index"].astype("int64").unique()
        text = _explain(check, cases["check"].iloc[0], column, typed[[column, "baris"]].iloc[positions], typed)
        reasons.add(text.index.to_numpy(), text.to_numpy(), column)
    for check in schema.checks:
        rule = RULES[check.name]
        cases = _failure_cases(pa.DataFrameSchema(checks=[check]), typed[list(rule.columns)])
        positions = cases["index"].astype("int64").unique()
        if len(positions):
            reasons.add(positions, rule.reason(typed[list(rule.columns)].iloc[positions]).to_numpy(), rule.name)


def _registered(nik: pd.Series, registry: Registry, reasons: Reasons) -> None:
    """nik in the registry, else the reason: which registry row was rejected and why, or not registered. An empty
    nik is not looked up (str_length says it is empty). Each distinct nik is worded once, outside Pandera, so a file
    of unregistered cooperatives costs no failure case per row."""
    unknown = ~is_in(nik, registry.nik) & nik.ne("").to_numpy(dtype=bool)
    if not unknown.any():
        return
    codes, distinct = pd.factorize(nik[unknown])
    names = pd.Series(distinct, dtype="str")
    registered = set(registry.nik)
    lengths = {len(n) for n in registered}
    near = pd.Series([near_nik(n, registered, lengths) if i < NEAR_LOOKED else None for i, n in enumerate(names)],
                     dtype="str")
    unregistered = ("nik " + quoted(names) + f" tidak terdaftar di {registry.sumber}"
                    + (MEANT[0] + near + MEANT[1]).fillna(""))
    texts = names.map(registry.ditolak).astype("str").fillna(unregistered)
    reasons.add(np.flatnonzero(unknown), texts.to_numpy(dtype=object)[codes], "nik")


NEAR_LOOKED = 1_000  # the distinct unregistered nik of a file looked up for a near registered one (a typo)
def near_nik(nik: str, registered: set[str], lengths: set[int]) -> str | None:
    """The one registered nik `nik` is likely a typo of: two neighbouring characters swapped or one digit wrong
    (657145583934618 for 657145583934681: its report quarantined as unregistered, the cooperative listed as silent,
    and nothing said which: new-user trial); None when none or several are. `lengths`: the registered niks' lengths;
    a swap or a wrong digit keeps the length, so no other is looked up (each candidate is a copy of the nik: a nik of
    1,999 digits cost 0.06 s in a file, one of 50,000 digits 22 GB in `jelaskan`: hostile trials)."""
    if len(nik) not in lengths:
        return None
    swaps = {nik[:i] + nik[i + 1] + nik[i] + nik[i + 2:] for i in range(len(nik) - 1)}
    digits = {nik[:i] + d + nik[i + 1:] for i in range(len(nik)) for d in "0123456789"}
    found = (swaps | digits) - {nik}
    found &= registered
    return found.pop() if len(found) == 1 else None


def _with_checks(schema: pa.DataFrameSchema, checks: dict[str, pa.Check]) -> pa.DataFrameSchema:
    return schema.update_columns({c: {"checks": [*schema.columns[c].checks, check]} for c, check in checks.items()})


def _reason_order(columns: Sequence[str], schema: pa.DataFrameSchema) -> dict[str, int]:
    """Where a reason goes in its row's list: the columns in file order, then the row rules, then the set."""
    names = [*columns, *(c.name for c in schema.checks), "set"]
    return {name: i for i, name in enumerate(names)}


@cache
def _shape_schema(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The model's schema without its value checks: the columns, their dtypes and which may be null. The accepted
    rows passed every check already, in the loose schema."""
    schema = model.to_schema()
    columns = schema.update_columns({name: {"checks": [], "unique": False} for name in schema.columns}).columns
    return pa.DataFrameSchema(columns, name=schema.name)


def _accepted(model: type[pa.DataFrameModel], typed: pd.DataFrame, reasons: Reasons, index: pd.Index) -> Checked:
    """The accepted rows with the model's strict dtypes under their raw index, and the reasons of the others."""
    rejected = reasons.rejected()
    strict = model.to_schema()
    kept = typed[~rejected] if rejected.any() else typed  # no copy of every column when every row is accepted
    valid = kept.astype({c: str(col.dtype) for c, col in strict.columns.items() if str(col.dtype) in _NULLABLE})
    valid.index = index[~rejected]
    _shape_schema(model).validate(valid, lazy=True, inplace=True)  # the accepted rows' shape; a failure here is a bug
    return Checked(valid=valid, alasan=reasons.per_row(index))


def _start(raw: pd.DataFrame, model: type[pa.DataFrameModel]) -> tuple[pa.DataFrameSchema, dict]:
    schema = _loose_schema(model)
    source = {"sumber": raw_text(raw, "sumber"),
              "baris": pd.Series(raw["baris"].to_numpy(dtype=np.int64))}
    return schema, source


def check_laporan(raw: pd.DataFrame, registry: Registry, started: datetime,
                  notes: pd.DataFrame | None = None) -> Checked:
    """Monthly report rows (data-contract §1.2): types, the row rules, nik registered, dates that can be true at
    the run's start `started` (tanggal_kirim not after it; periode not after its month in WITA nor the month of
    the row's tanggal_kirim). `notes`: the cells ingest could not read without guessing (see `Cells`)."""
    schema, source = _start(raw, Laporan)
    start, current = wita(started), current_period(started)
    schema = _with_checks(schema, {
        "periode": pa.Check(lambda p: p <= current, name="tidak_sesudah_bulan_berjalan",
                            error=f"tidak boleh sesudah bulan berjalan {current}"),
        "tanggal_kirim": pa.Check(lambda t: t <= start, name="tidak_sesudah_mulai_proses",
                                  error=f"tidak boleh sesudah waktu mulai proses {start:%Y-%m-%d %H:%M:%S} WITA"),
    })
    columns = ["sumber", "baris", *LAPORAN]
    reasons = Reasons(len(raw), _reason_order(columns, schema))
    cells = Cells(raw, notes, reasons)
    typed = pd.DataFrame({
        **source,
        "nik": cells("nik"),
        "periode": period(cells("periode"), "periode", reasons),
        "tanggal_kirim": dates(cells("tanggal_kirim"), "tanggal_kirim", reasons, with_time=True),
        "diaudit": yes_no(cells("diaudit"), "diaudit", reasons),
        **{c: whole_numbers(cells(c), c, reasons, "bilangan bulat Rupiah", zero_if_none=True) for c in JUMLAH},
        "jumlah_anggota": whole_numbers(cells("jumlah_anggota"), "jumlah_anggota", reasons, "bilangan bulat"),
    })
    _check_frame(schema, typed, reasons)
    _registered(typed["nik"], registry, reasons)
    return _accepted(Laporan, typed[columns], reasons, raw.index)


def check_koperasi(raw: pd.DataFrame, today: date, notes: pd.DataFrame | None = None) -> Checked:
    """Registry rows (data-contract §1.1): nik unique (every copy rejected), enums, dates not in the future, one
    kabupaten_kota name per kode_wilayah (`schemas.rules.one_name_per_code`)."""
    schema, source = _start(raw, Koperasi)
    schema = _with_checks(schema, {"tanggal_badan_hukum": pa.Check(
        lambda t: t <= pd.Timestamp(today), name="tidak_sesudah_hari_ini",
        error=f"tidak boleh sesudah hari ini {today:%Y-%m-%d}")})
    reasons = Reasons(len(raw), _reason_order(list(schema.columns), schema))
    cells = Cells(raw, notes, reasons)
    typed = pd.DataFrame({
        **source,
        "nik": cells("nik"),
        "nama": cells("nama"),
        "jenis": lowercase(cells("jenis")),
        "kode_wilayah": cells("kode_wilayah"),
        "kabupaten_kota": cells("kabupaten_kota"),
        "wilayah_keanggotaan": lowercase(cells("wilayah_keanggotaan")),
        "tanggal_badan_hukum": dates(cells("tanggal_badan_hukum"), "tanggal_badan_hukum", reasons),
        "tanggal_rat_terakhir": dates(cells("tanggal_rat_terakhir"), "tanggal_rat_terakhir", reasons,
                                       required=False),
        "pendamping": optional(cells("pendamping")),
    })
    _check_frame(schema, typed, reasons)
    one_name_per_code(typed, reasons)
    return _accepted(Koperasi, typed, reasons, raw.index)


def check_faktor(raw: pd.DataFrame, registry: Registry, notes: pd.DataFrame | None = None) -> Checked:
    """Supervisors' findings (data-contract §1.4): a known code, a period range in order, nik registered."""
    schema, source = _start(raw, FaktorPengurang)
    reasons = Reasons(len(raw), _reason_order(list(schema.columns), schema))
    cells = Cells(raw, notes, reasons)
    typed = pd.DataFrame({
        **source,
        "nik": cells("nik"),
        "kode": lowercase(cells("kode")),
        "berlaku_mulai": period(cells("berlaku_mulai"), "berlaku_mulai", reasons),
        "berlaku_sampai": period(cells("berlaku_sampai"), "berlaku_sampai", reasons, required=False),
        "keterangan": optional(cells("keterangan")),
    })
    _check_frame(schema, typed, reasons)
    _registered(typed["nik"], registry, reasons)
    return _accepted(FaktorPengurang, typed, reasons, raw.index)


def check_kuesioner(raw: pd.DataFrame, registry: Registry, notes: pd.DataFrame | None = None) -> Checked:
    """Questionnaire answers (data-contract §1.3): each row's values, then whole sets: a question missing,
    answered twice or rejected rejects every row of its set (the engine never guesses an answer)."""
    return _answer_sets(raw, registry, notes, Kuesioner, check_sets, lambda cells, reasons: {
        "komponen": lowercase(cells("komponen")),
        "nomor": whole_numbers(cells("nomor"), "nomor", reasons, "bilangan bulat"),
        "jawaban": ya_tidak(cells("jawaban")),
    })


def check_pemeriksaan(raw: pd.DataFrame, registry: Registry, notes: pd.DataFrame | None = None) -> Checked:
    """An examiner's checklist items (optional input pemeriksaan/*): each row's values, nik registered, then whole
    sets: a butir missing or given twice, or a rejected row, rejects every row of its set."""
    return _answer_sets(raw, registry, notes, Pemeriksaan, pemeriksaan.check_sets, lambda cells, reasons: {
        "indikator": lowercase(cells("indikator")),
        "butir": whole_numbers(cells("butir"), "butir", reasons, "bilangan bulat"),
        "terpenuhi": yes_no(cells("terpenuhi"), "terpenuhi", reasons),
    })


def _answer_sets(raw: pd.DataFrame, registry: Registry, notes: pd.DataFrame | None, model: type[pa.DataFrameModel],
                 sets: Callable[[pd.DataFrame, Reasons], None],
                 answers: Callable[[Cells, Reasons], dict[str, pd.Series]]) -> Checked:
    """Rows answered in sets (nik, tanggal, then the model's `answers` columns): each row's values, nik registered,
    then `sets` checks each set whole. The rows carry the registry's `jenis` meanwhile (it chooses the book)."""
    schema, source = _start(raw, model)
    reasons = Reasons(len(raw), _reason_order(list(schema.columns), schema))
    cells = Cells(raw, notes, reasons)
    typed = pd.DataFrame({**source, "nik": cells("nik"), "tanggal": dates(cells("tanggal"), "tanggal", reasons),
                          **answers(cells, reasons)})
    typed["jenis"] = registry.jenis.reindex(typed["nik"]).set_axis(typed.index)  # Arrow strings, no Python objects
    _check_frame(schema, typed, reasons)
    _registered(typed["nik"], registry, reasons)
    sets(typed, reasons)
    return _accepted(model, typed.drop(columns="jenis"), reasons, raw.index)
