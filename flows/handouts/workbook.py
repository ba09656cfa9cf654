"""The office workbook `ringkasan_<periode>.xlsx`: Ringkasan, one sheet per area, Daftar Prioritas, Peringatan Dini,
Tidak Melapor, Karantina, Laporan Terganti and Keterangan (what the workbook holds and when it was computed). Each
sheet's columns are data (`kolom.toml`); the runs the tables decide, a column per predicate or aspect, are named here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from flows.handouts.sheets import Column, add_sheet, columns, new_workbook, save, sheet_names
from flows.handouts.style import PREDICATE_COLOURS
from flows.handouts.tables import AREA, Published
from schemas.parsing import TYPO, typo_rows
from schemas.tables import aspek_ids
from scoring.inputs import is_in
from scoring.periods import month_name, shift_period
from scoring.rulebook import published_books
from scoring.status import LAPORAN_DIKARANTINA, TANPA_LAPORAN, predicate_columns, sehat_columns

FIXED_SHEETS = ("Ringkasan", "Daftar Prioritas", "Peringatan Dini", "Tidak Melapor", "Karantina", "Laporan Terganti",
                "Keterangan")
LEVELS = {"provinsi": "Provinsi", "kabupaten_kota": "Kabupaten/Kota"}
LABELS = {"komponen_turun_band": "Nilai komponen turun"}  # a warning's code (a contract value) in words


def write_workbook(published: Published, path: Path) -> Path:
    """Write the workbook of the period to `path`."""
    book = new_workbook()
    add_sheet(book, "Ringkasan", *_summary(published), frozen_columns=2)
    areas, scores = published.areas, _scores(published)
    area_of = area_codes(scores["kode_wilayah"], by_province=bool((areas["tingkat"] != AREA).any()))
    for code, name in zip(areas["kode_wilayah"], sheet_names(areas["kabupaten_kota"], FIXED_SHEETS), strict=True):
        add_sheet(book, name, area_columns(), scores[(area_of == code).to_numpy()], frozen_columns=2)
    add_sheet(book, "Daftar Prioritas", columns("daftar_prioritas"), published.now("daftar_prioritas"),
              frozen_columns=4)
    add_sheet(book, "Peringatan Dini", columns("peringatan_dini"), _warnings(published), frozen_columns=3)
    add_sheet(book, "Tidak Melapor", columns("tidak_melapor"), silent(published), frozen_columns=3)
    add_sheet(book, "Karantina", columns("karantina"), published.now("karantina"), frozen_columns=2)
    add_sheet(book, "Laporan Terganti", columns("laporan_terganti"), published.now("laporan_terganti"),
              frozen_columns=2)
    add_sheet(book, "Keterangan", columns("keterangan"), _about(published))
    return save(book, path, published.document_time)


def _summary(published: Published) -> tuple[list[Column], pd.DataFrame]:
    """Counts per province and area, % Sehat against the previous period and the target."""
    now = published.now("ringkasan_wilayah")
    before = published.history("ringkasan_wilayah")
    before = before[before["periode"] < published.periode]
    previous = before[before["periode"] == before["periode"].max()].set_index(["tingkat", "kode_wilayah"])
    key = pd.MultiIndex.from_frame(now[["tingkat", "kode_wilayah"]])
    rows = now.assign(
        tingkat_teks=now["tingkat"].map(LEVELS),
        persen_sehat_sebelumnya=previous["persen_sehat"].reindex(key).to_numpy(),
        rata_rata_sebelumnya=previous["rata_rata_skor"].reindex(key).to_numpy(),
        target=published.settings.target_healthy_percent,
    ).sort_values(["tingkat", "kode_wilayah"], ascending=[False, True], kind="stable")
    rows["perubahan"] = rows["persen_sehat"] - rows["persen_sehat_sebelumnya"]
    rows["selisih_target"] = rows["persen_sehat"] - rows["target"]
    in_force = {name for book in published.books for name in book.predikat_names}
    predicates = [name for name, c in predicate_columns().items() if name in in_force or now[c].sum() > 0]
    runs = [(name, predicate_columns()[name]) for name in PREDICATE_COLOURS if name in predicates]
    return columns("ringkasan", predikat=runs), rows.reset_index(drop=True)


def _aspect_names() -> dict[str, str]:
    books = published_books()
    return {a.id: a.nama for book in sorted(books) for a in books[book].aspek}


def area_codes(kode_wilayah: pd.Series, by_province: bool) -> pd.Series:
    """The area of each cooperative: its kabupaten/kota code, or its province's (65.02 -> 65)."""
    codes = kode_wilayah.astype("str")
    return codes.str.split(".").str[0] if by_province else codes


def area_columns() -> list[Column]:
    """The columns of an area's sheet: every registered cooperative, scored or not."""
    names = _aspect_names()
    return columns("wilayah", aspek=[(names[a], f"skor_{a}") for a in aspek_ids()])


def _scores(published: Published) -> pd.DataFrame:
    """Every registered cooperative with its scores (none when not scored): scored first, best first, then by
    name."""
    status = published.now("status_koperasi")
    scores = published.now("skor_koperasi").drop(columns=["nama", "jenis", "kode_wilayah", "kabupaten_kota",
                                                          "predikat", "periode", "run_id", "pendamping",
                                                          "penjelasan"])
    rows = status.merge(scores, on="nik", how="left", validate="one_to_one")
    rows["perubahan_skor"] = rows["skor_total"] - rows["skor_total_sebelumnya"]
    rows["keterangan"] = rows["penjelasan"].fillna(rows["alasan_tidak_dinilai"])
    rows["urut_nama"] = rows["nama"].fillna("").str.casefold()
    return rows.sort_values(["dinilai", "skor_total", "urut_nama", "nik"], ascending=[False, False, True, True],
                            kind="stable").reset_index(drop=True)


def warning_label(kode: pd.Series) -> pd.Series:
    """A warning's code in words: tidak_melapor_3_bulan_atau_lebih -> Tidak melapor 3 bulan atau lebih; a code
    whose words are not Indonesian, by `LABELS` (komponen_turun_band read "Komponen turun band": new-user trial)."""
    text = kode.astype("str")
    return text.map(LABELS).fillna(text.str.replace("_", " ").str.capitalize()).astype("str")


def _warnings(published: Published) -> pd.DataFrame:
    rows = published.now("peringatan_dini")
    return rows.assign(peringatan=warning_label(rows["kode"])).sort_values(
        ["kabupaten_kota", "nama", "nik", "kode"], kind="stable")


def silent(published: Published) -> pd.DataFrame:
    """Registered cooperatives without an accepted report this period that owe one (`Published.owes_report`; a
    sharia cooperative whose first report was quarantined was missing here); the longest silent first.
    `keterangan`: why not assessed, which for a jenis no book scores says that first (the list showed a sharia
    cooperative's "rulebook ... belum tersedia" as why it was on it: new-user trial)."""
    status = published.now("status_koperasi")
    scored_jenis = [jenis for book in published.books for jenis in book.jenis]
    rows = status[~status["melapor"].to_numpy(bool) & published.owes_report]
    months = rows["bulan_tidak_melapor_berturut"]
    last = [None if pd.isna(m) else shift_period(published.periode, -int(m)) for m in months]
    why = rows["alasan_tidak_dinilai"].astype("str")
    karantina = published.now("karantina")
    quarantined = karantina.loc[karantina["sumber"].astype("str").str.startswith("laporan/").to_numpy(), "nik"]
    # a jenis no book scores: why there is no report first, a quarantined one said so (new-user trial)
    first = pd.Series(np.where(is_in(rows["nik"], quarantined.dropna()), LAPORAN_DIKARANTINA, TANPA_LAPORAN),
                      index=rows.index, dtype="str")
    keterangan = why.where(rows["jenis"].isin(scored_jenis), first + " (" + why + ")")
    typos = typo_rows(karantina[karantina["sumber"].astype("str").str.startswith("laporan/").to_numpy()])["teks"]
    typo = rows["nik"].map(typos).astype("str")  # a report sent with a mistyped nik: said (staff chased one that did)
    keterangan = keterangan.where(typo.isna(), keterangan + "; " + TYPO + typo)
    return rows.assign(laporan_terakhir=pd.Series(last, index=rows.index, dtype="str").fillna("belum pernah diterima"),
                       keterangan=keterangan).sort_values(
        ["kabupaten_kota", "bulan_tidak_melapor_berturut", "nama"], ascending=[True, False, True], na_position="first",
        kind="stable")


def _about(published: Published) -> pd.DataFrame:
    computed = published.run_time
    runs = sorted(published.now("status_koperasi")["run_id"].dropna().unique())
    items = [
        ("Periode", month_name(published.periode) + f" ({published.periode})"), ("Wilayah", published.region),
        ("Dihitung pada (WITA)", computed.strftime("%Y-%m-%d %H:%M") if computed else "-"),
        ("Run", ", ".join(runs) or "-"),
        ("Target % Sehat", f"{published.settings.target_healthy_percent:g}% koperasi yang dinilai"),
        ("% Sehat", "koperasi Sehat dibagi koperasi yang dinilai; predikat sehat: " + ", ".join(
            name for name, c in predicate_columns().items() if c in sehat_columns())),
        ("Sumber", "tabel keluaran koperasi-sehat (Parquet) periode ini: ringkasan_wilayah, status_koperasi, "
                   "skor_koperasi, daftar_prioritas, peringatan_dini, karantina, laporan_terganti"),
    ]
    colours = [(f"Warna: {name}", name, f"sel predikat {name} di lembar lain berwarna seperti contohnya "
                f"({PREDICATE_COLOURS[name]})") for name in published.predicate_names]  # a fill, not only a hex: trial
    return pd.DataFrame([(hal, None, isi) for hal, isi in items] + colours, columns=["hal", "contoh", "isi"])
