"""The second step of a monthly run: score the cooperatives in parts (groups of kabupaten/kota, a task each, in
parallel on Dask), each part writing its rows of the per-cooperative tables to the run's work folder."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flows import storage
from flows.catalog import RunFolder
from flows.config import settings
from flows.preflight import is_published
from flows.runs import RunParameters, ScoreSummary
from scoring import score_reports
from scoring.columns import REGISTRI
from scoring.derived_factors import derived_factors
from scoring.explain import cooperative_columns, indicator_columns, status_columns
from scoring.inputs import is_in, place_in, rows_of
from scoring.path_to_sehat import jalan_menuju_sehat
from scoring.periods import previous_period
from scoring.rulebook import load_rulebook
from scoring.status import status_koperasi
from schemas.tables import aspek_ids


def partitions(params: RunParameters, run_id: str) -> list[tuple[str, ...]]:
    """The kabupaten/kota of the run, sorted, in parts scored independently: its `groups`, consecutive ones
    together so that a part has about `part_size` registered cooperatives or more (one part for a small run).

    The parts depend only on the registry, never on the task runner, and the rows of every table come in the
    order of the groups (`in_group_order`) however many parts there are: a Dask run and a local run, a run of one
    part and one of eight, write the same outputs."""
    areas = params.folder(run_id).read("koperasi", columns=["kabupaten_kota"])["kabupaten_kota"]
    groups = _groups(areas)
    count = min(len(groups), max(1, len(areas) // settings().part_size))
    cuts = np.linspace(0, len(groups), count + 1).round().astype(int)
    return [tuple(name for group in groups[a:b] for name in group) for a, b in zip(cuts[:-1], cuts[1:])] or [()]


def _groups(areas: pd.Series) -> list[tuple[str, ...]]:
    """The run's kabupaten/kota, sorted, cut into at most `max_parts` groups of as many names."""
    names = sorted(areas.unique())
    size = -(-len(names) // settings().max_parts) if names else 1
    return [tuple(names[i:i + size]) for i in range(0, len(names), size)]


def _group_of(registry: pd.DataFrame, groups: list[tuple[str, ...]]) -> pd.Series:
    """Each registered nik's group (int16), by its kabupaten/kota."""
    rank = {name: g for g, group in enumerate(groups) for name in group}
    return pd.Series(registry["kabupaten_kota"].map(rank).to_numpy(dtype=np.int16), index=registry["nik"])


def in_group_order(frame: pd.DataFrame, group: pd.Series) -> pd.DataFrame:
    """The rows group after group (`group`: by nik), each group's in their order: what the part's groups scored
    one by one give (the engine's long tables are component- and aspect-major within a call). The niks are looked up
    in one Arrow hash lookup (`place_in`): pandas' `map` of a national month's 820,000 rows of text (the five tables)
    took 0.69 s, the lookup 0.18 s. Raises KeyError for a nik of no group (every row is a registered
    cooperative's: a row placed silently with the last group was possible; hostile trial)."""
    place = place_in(frame["nik"], pa.array(group.index, pa.large_string()))
    if (place < 0).any():
        raise KeyError(f"nik di luar registri bagian ini: {frame['nik'].iloc[int(np.argmax(place < 0))]!r}")
    ranks = group.to_numpy()[place]
    if (np.diff(ranks) >= 0).all():
        return frame
    return frame.iloc[np.argsort(ranks, kind="stable")].reset_index(drop=True)


# the datasets every part reads (`score_together`)
PART_INPUTS = ("koperasi", "laporan", "riwayat", "faktor", "kuesioner", "nik_dikarantina")


def in_a_copy(plan: list[tuple[str, ...]]) -> list[int]:
    """The parts a forked copy of the process scores while the process scores the others (`flows.pipeline`): the
    later half (the parts have about as many cooperatives each, `partitions`)."""
    return list(range(len(plan) - len(plan) // 2, len(plan)))


def score_parts(params: RunParameters, run_id: str, plan: list[tuple[str, ...]], computed_at: datetime,
                parts: Collection[int] | None = None) -> dict[int, ScoreSummary]:
    """These parts of the plan (default: all) scored together (`score_together`); each part's summary."""
    chosen = {i: names for i, names in enumerate(plan) if parts is None or i in parts}
    return score_together(params, run_id, chosen, computed_at) if chosen else {}


def score_together(params: RunParameters, run_id: str, parts: Mapping[int, tuple[str, ...]],
                   computed_at: datetime) -> dict[int, ScoreSummary]:
    """Score the cooperatives of these parts' kabupaten/kota in one go, explain each score, find its way to Sehat;
    write their rows of skor_koperasi (without the previous period's score: `with_previous`, by the assembly),
    skor_indikator, skor_aspek, status_koperasi and jalan_menuju_sehat as the first part's (in the order of the
    groups: the assembly reads the parts' rows in part order, `RunFolder.parts_table`); each part's summary.

    A process that scores several parts one after another scores them together: a call's fixed cost (the datasets
    read and filtered, the engine's and the texts' steps on every table) is paid once (a national month's six
    parts: 4.7 CPU-s one by one, 3.5 s together). Raises KeyError for a nik of no group (`in_group_order`)."""
    run = params.folder(run_id)
    registry = run.read("koperasi")
    groups = _groups(registry["kabupaten_kota"])
    registry = registry[registry["kabupaten_kota"].isin([name for names in parts.values() for name in names])]
    laporan = run.read("laporan")
    laporan = laporan[is_in(laporan["nik"], registry["nik"])]
    reports = laporan.merge(registry[["nik", *REGISTRI]], on="nik", how="left", validate="many_to_one")
    forced = load_rulebook(params.rulebook) if params.rulebook else None
    history = run.read("riwayat")["periode"]
    factors = pd.concat([run.read("faktor"), derived_factors(reports, history, forced)], ignore_index=True)
    answers = run.read("kuesioner", filters=pc.field("nik").isin(pa.array(laporan["nik"].unique(), pa.string())))
    result = score_reports(reports, questionnaires=answers, factors=factors, rulebook=params.rulebook,
                           mode=params.mode)
    indikator = indicator_columns(result.indikator, result.koperasi)
    koperasi = cooperative_columns(result.koperasi, indikator, reports, registry, factors)
    status = status_columns(status_koperasi(
        registry, params.period, result.koperasi, result.tidak_dinilai, accepted=laporan["nik"],
        quarantined=run.read("nik_dikarantina")["nik"], last_report=history), registry, koperasi)
    tables = {
        "skor_koperasi": _wide(koperasi).assign(run_id=run_id, dihitung_pada=computed_at),
        "skor_indikator": indikator.assign(run_id=run_id),
        "skor_aspek": result.aspek.assign(run_id=run_id),
        "status_koperasi": status.assign(run_id=run_id),
        "jalan_menuju_sehat": jalan_menuju_sehat(reports, result.koperasi, indikator).assign(run_id=run_id),
    }
    group = _group_of(registry, groups)
    for name, frame in tables.items():  # typed here; checked against the contract once, whole, by the assembly
        run.write_part(min(parts), name, in_group_order(frame, group))
    scored = result.koperasi["kabupaten_kota"].value_counts()
    unscored = registry.set_index("nik")["kabupaten_kota"].reindex(result.tidak_dinilai["nik"]).value_counts()
    return {i: ScoreSummary(dinilai=_count(scored, names), tidak_dinilai=_count(unscored, names),
                            per_kabupaten=_per_kabupaten(status[status["kabupaten_kota"].isin(names)]))
            for i, names in parts.items()}


def _count(counts: pd.Series, names: tuple[str, ...]) -> int:
    """The sum of the counts (by kabupaten/kota) of these kabupaten/kota."""
    return int(counts.reindex(list(names)).fillna(0).sum())


def _per_kabupaten(status: pd.DataFrame) -> list[dict]:
    """Per kabupaten/kota: its registered cooperatives, those that reported, those scored."""
    per_kabupaten = (status.groupby("kabupaten_kota")
                     .agg(koperasi=("nik", "size"), melapor=("melapor", "sum"), dinilai=("dinilai", "sum"))
                     .reset_index().to_dict(orient="records"))
    return [{k: (int(v) if not isinstance(v, str) else v) for k, v in r.items()} for r in per_kabupaten]


def _wide(koperasi: pd.DataFrame) -> pd.DataFrame:
    """skor_koperasi's wide aspect columns are the published ksp books' (`schemas.tables.aspek_ids`); a book
    with other aspects gives them in skor_aspek only."""
    wide = {f"{kind}_{a}" for kind in ("skor", "predikat") for a in aspek_ids()}
    other = [c for c in koperasi.columns if c.startswith(("skor_", "predikat_")) and c not in wide
             and c not in ("skor_total", "predikat_skor", "skor_total_sebelumnya", "predikat_sebelumnya")]
    return koperasi.drop(columns=other)


def uses_landing_previous(params: RunParameters, run: RunFolder) -> bool:
    """Whether the previous period's scores come from its reports in the landing folder (scored by the preparation
    as "sebelumnya" and "sebelumnya_indikator"): it is not published by the time of the assembly."""
    return run.exists("sebelumnya") and not is_published(params.output, previous_period(params.period))


def with_previous(koperasi: pd.DataFrame, params: RunParameters, run: RunFolder) -> pd.DataFrame:
    """skor_total_sebelumnya / predikat_sebelumnya, and where they come from: the previous period's published
    output ("terbit"), else its reports in the landing folder ("landing", scored by the preparation). Applied by
    the assembly, once the previous period is published (the months of a backfill on Dask are scored ahead, and
    assembled in order)."""
    if uses_landing_previous(params, run):
        last, source = run.read("sebelumnya"), "landing"
    else:
        last = storage.read_table(params.output, "skor_koperasi", previous_period(params.period),
                                  columns=("nik", "skor_total", "predikat"))
        source = "terbit"
    if last.empty:
        return koperasi
    last = rows_of(koperasi["nik"], last.drop_duplicates("nik").set_index("nik")[["skor_total", "predikat"]])
    total = last["skor_total"].astype("float64")
    return koperasi.assign(skor_total_sebelumnya=total, predikat_sebelumnya=last["predikat"].astype("str"),
                           asal_sebelumnya=pd.Series(source, index=koperasi.index, dtype="str").where(total.notna()))
