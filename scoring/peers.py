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
    nama: str
    uraian: str


class AssetClassTable(BaseModel):
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
    group = rows.groupby(["periode", "wilayah", "jenis", "kelas_aset", "komponen"], sort=False, dropna=False)["rasio"]
    size = group.transform("count")
    low, high = group.rank(method="min"), group.rank(method="max")
    enough = size >= min_peers
    persentil = (100 * (low + high - 1) / (2 * size)).where(enough & rows["rasio"].notna())
    keterangan = np.select(
        [rows["rasio"].isna(), ~enough],
        ["rasio tidak dapat dihitung (penyebut <= 0): tidak dibandingkan",
         "hanya " + size.astype("str") + f" koperasi sejawat dengan rasio (minimal {min_peers}): persentil dan "
         "median tidak diberikan"], None)
    return rows.assign(persentil=persentil, median_sejawat=group.transform("median").where(enough),
                       jumlah_sejawat=size.astype("int64"), keterangan=pd.Series(keterangan, index=rows.index,
                                                                                 dtype="str"))
