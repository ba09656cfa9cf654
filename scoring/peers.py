"""persentil_sejawat: where a cooperative's ratios stand among its peers, as supervisory peer reports show it.

Peers: the scored cooperatives of the same period, jenis and asset class (kelas usaha koperasi of Permenkop
8/2023 Pasal 49, `kelas_aset.toml`), in the same province (the first part of kode_wilayah) and, when the frame
holds several provinces, nationally. Only ratio components; a cooperative whose ratio cannot be computed
(denominator <= 0) is not a peer for that component.

The percentile of a ratio x in a group of N peers with a ratio (itself included), B of them below x and E equal
to x (itself included), is the mid-rank percentile

    persentil = 100 x (B + E / 2) / N,

(scipy's `percentileofscore(kind="mean")`): ties share one percentile, the lowest of N distinct ratios is
50 / N and the highest 100 - 50 / N. It ranks the ratio, not its health: for some components a lower ratio
scores better (the nilai says which). `median_sejawat` is the median ratio of the group. With fewer than
`min_peers` peers neither is given (a small group's median would reveal its members' ratios) and `keterangan`
says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoring.bands import band_index
from scoring.rulebook import load_data_file, rulebooks
from scoring.rulebook_format import Band, Rulebook, check_bands

ASSET_CLASS_FILE = Path(__file__).parent / "kelas_aset.toml"
PROVINCE, NATION = "provinsi", "nasional"
COLUMNS = ["nik", "periode", "komponen", "cakupan", "wilayah", "jenis", "kelas_aset", "rasio", "persentil",
           "median_sejawat", "jumlah_sejawat", "keterangan"]


class AssetClass(Band):
    """One kelas usaha koperasi by total aset in whole Rupiah (kelas_aset.toml: Permenkop No. 8 Tahun 2023,
    Pasal 49): its edges, its name (I-IV) and its description."""

    nama: str
    uraian: str


class AssetClassTable(BaseModel):
    """The asset classes of kelas_aset.toml with their source, validated to cover every total once (`check_bands`);
    a file that does not is refused when loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sumber: str = Field(min_length=1)
    kelas: list[AssetClass] = Field(min_length=1)

    @model_validator(mode="after")
    def _covers(self) -> AssetClassTable:
        check_bands(self.kelas, "kelas")
        return self


@cache
def asset_classes(path: Path = ASSET_CLASS_FILE) -> AssetClassTable:
    """The asset classes (validated: ascending, no gap, no overlap)."""
    return load_data_file(path, AssetClassTable)


def asset_class(total_aset: pd.Series | np.ndarray, table: AssetClassTable | None = None) -> np.ndarray:
    """The class name of each total aset (whole Rupiah); None for a missing total."""
    table = table or asset_classes()
    values = np.asarray(total_aset, dtype=float)
    found = band_index(values, table.kelas)
    names = np.array([k.nama for k in table.kelas] + [None], dtype=object)
    return names[found]


def persentil_sejawat(koperasi: pd.DataFrame, indikator: pd.DataFrame, *, min_peers: int,
                      books: Mapping[str, Rulebook] | None = None, table: AssetClassTable | None = None) -> pd.DataFrame:
    """One row per scored cooperative, ratio component and scope (provinsi, and nasional when several provinces
    are in the frame); columns COLUMNS (schemas.outputs adds run_id).

    koperasi: nik, periode, jenis, kode_wilayah, total_aset (whole Rupiah); indikator: nik, periode, komponen,
    rasio (percent)."""
    books = books or rulebooks()
    questions = {k.id for book in books.values() for k in book.komponen if k.kuesioner}
    peers = koperasi[["nik", "periode", "jenis", "kode_wilayah"]].astype("str").assign(
        kelas_aset=asset_class(koperasi["total_aset"], table),
        provinsi=koperasi["kode_wilayah"].astype("str").str.split(".").str[0].fillna(""))
    rows = indikator[["nik", "periode", "komponen", "rasio"]].astype({"nik": "str", "periode": "str",
                                                                     "komponen": "str"})
    rows = rows[~rows["komponen"].isin(questions)].merge(peers, on=["nik", "periode"], validate="many_to_one")
    scopes = [(PROVINCE, rows["provinsi"])]
    if rows["provinsi"].nunique() > 1:
        scopes.append((NATION, pd.Series(NATION, index=rows.index)))
    parts = [_ranked(rows.assign(cakupan=scope, wilayah=area), min_peers) for scope, area in scopes]
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def _ranked(rows: pd.DataFrame, min_peers: int) -> pd.DataFrame:
    """The rows with their percentile, median and peer count: one sort of the ratios by (group, ratio); a tie's
    lowest and highest rank are the first and last place of its run of equal ratios in the group."""
    group = rows.groupby(["periode", "wilayah", "jenis", "kelas_aset", "komponen"], sort=False,
                         dropna=False).ngroup().to_numpy()
    rasio = rows["rasio"].to_numpy(dtype="float64", na_value=np.nan)
    valid = np.flatnonzero(~np.isnan(rasio))
    order = valid[np.lexsort((rasio[valid], group[valid]))]
    g, r = group[order], rasio[order]
    counts = np.bincount(g, minlength=int(group.max(initial=-1)) + 1)
    first = np.cumsum(counts) - counts  # each group's first place in the sorted ratios
    run = np.cumsum(np.r_[True, (g[1:] != g[:-1]) | (r[1:] != r[:-1])]) - 1  # runs of equal ratios
    run_start = np.flatnonzero(np.r_[True, np.diff(run) > 0])
    run_end = np.r_[run_start[1:], len(r)]
    low, high = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
    low[order], high[order] = run_start[run] - first[g] + 1, run_end[run] - first[g]
    size = counts[group]
    lower = np.minimum(first + (counts - 1) // 2, len(r) - 1)  # the median: the mean of the middle two (or one)
    upper = np.minimum(first + counts // 2, len(r) - 1)
    median = np.where(counts > 0, (r[lower] + r[upper]) / 2 if len(r) else np.nan, np.nan)[group]
    enough = size >= min_peers
    persentil = np.where(enough & ~np.isnan(rasio), 100 * (low + high - 1) / (2 * size), np.nan)
    keterangan = np.full(len(rows), None, dtype=object)
    few, inverse = np.unique(size[~enough], return_inverse=True)  # one text per count of too few peers
    keterangan[~enough] = np.array([f"hanya {n} koperasi sejawat dengan rasio (minimal {min_peers}): persentil dan "
                                    "median tidak diberikan" for n in few], dtype=object)[inverse]
    keterangan[np.isnan(rasio)] = "rasio tidak dapat dihitung (penyebut <= 0): tidak dibandingkan"
    return rows.assign(persentil=persentil, median_sejawat=np.where(enough, median, np.nan),
                       jumlah_sejawat=size.astype("int64"), keterangan=pd.Series(keterangan, index=rows.index,
                                                                                 dtype="str"))
