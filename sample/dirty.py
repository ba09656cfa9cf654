"""The dirty drop: the last period's reports with one named defect per chosen row, and the files as the office
really receives them (an Excel workbook, a CSV saved by Excel for Mac, Excel's "Unicode Text", a correction stamped
in UTC, a spreadsheet's lock file, a hidden file...), each listed in CACAT.md. Seeded and deterministic, like the
clean sample it starts from (`sample.reports`, `sample.landing`)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timedelta
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

from sample.landing import csv_ready, write_csv, write_reports
from sample.reports import correct
from scoring.columns import JUMLAH, LAPORAN
from scoring.periods import MONTHS, month_name
from scoring.texts import format_number

DEFECT_COLUMNS = ["sumber", "baris", "nik", "cacat", "keterangan"]


def _number(value: int) -> str:
    """One whole number as the office writes it (`scoring.texts.format_number`): 1.234.567."""
    return format_number(np.array([value]), 0).iloc[0]


def _unbalanced(r: dict) -> dict:
    """Liabilities inflated by 5% of total_aset: far beyond the tolerance."""
    selisih = round(0.05 * r["total_aset"])
    return {**r, "simpanan_sukarela": r["simpanan_sukarela"] + selisih,
            "keterangan": f"kewajiban + ekuitas melebihi total_aset sebesar Rp {_number(selisih)}"}


def _rounding(r: dict) -> dict:
    """Equity Rp 500 short: within the tolerance, the row must be accepted."""
    return {**r, "shu_belum_dibagi": r["shu_belum_dibagi"] - 500,
            "keterangan": "kewajiban + ekuitas kurang Rp 500 dari total_aset (dalam toleransi: diterima)"}


def _collectibility(r: dict) -> dict:
    """Loans by collectibility 3% short of the loan total."""
    selisih = round(0.03 * (r["pinjaman_anggota"] + r["pinjaman_non_anggota"]))
    return {**r, "pinjaman_lancar": r["pinjaman_lancar"] - selisih,
            "keterangan": f"jumlah kolektibilitas kurang Rp {_number(selisih)} dari pinjaman diberikan"}


def _slash_month(r: dict) -> dict:
    """periode written MM/YYYY."""
    return {**r, "periode": f"{int(r['periode'][5:])}/{r['periode'][:4]}",
            "keterangan": "periode ditulis MM/YYYY"}


def _month_name(r: dict) -> dict:
    """periode written with the Indonesian month name."""
    return {**r, "periode": month_name(r["periode"]), "keterangan": "periode ditulis dengan nama bulan"}


def _negative(r: dict) -> dict:
    """A negative amount where only shu_belum_dibagi may be negative."""
    return {**r, "beban_lain": -max(r["beban_lain"], 150_000), "keterangan": "beban_lain negatif"}


def _member_volume(r: dict) -> dict:
    """Member lending volume above the total lending volume."""
    return {**r, "volume_pinjaman_anggota": r["volume_pinjaman"] + round(0.1 * r["volume_pinjaman"]) + 1,
            "keterangan": "volume_pinjaman_anggota > volume_pinjaman"}


EDITS = {
    "neraca_tidak_seimbang": _unbalanced,
    "pembulatan_dalam_toleransi": _rounding,
    "kolektibilitas_tidak_sesuai": _collectibility,
    "periode_garis_miring": _slash_month,
    "periode_nama_bulan": _month_name,
    "nilai_negatif": _negative,
    "volume_anggota_melebihi": _member_volume,
}


def _typo(nik: str, terdaftar: set[str]) -> str:
    """The registered code with two adjacent digits swapped (or one bumped), not registered."""
    swaps = (nik[:i] + nik[i + 1] + nik[i] + nik[i + 2:] for i in range(len(nik) - 2, 3, -1))
    bumps = (nik[:-1] + str((int(nik[-1]) + k) % 10) for k in range(1, 10))
    return next(c for c in (*swaps, *bumps) if c not in terdaftar)


def _position(rows: list[dict], row: dict) -> int:
    """The row number of a row object in the final CSV file, as a run names it (`baris`: the header is row 1)."""
    return next(k for k, r in enumerate(rows, start=2) if r is row)


def _dirty_reports(last: pd.DataFrame, terdaftar: set[str], akhir: str, rng: np.random.Generator
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The last period's first submissions, one named defect per chosen row; and 5 semicolon rows."""
    base = last.drop(columns="berkas").sort_values(["tanggal_kirim", "nik"])
    base = base.assign(cacat="", keterangan="")
    pilih = rng.permutation(len(base))
    semikolon = base.iloc[np.sort(pilih[:5])].reset_index(drop=True)
    rows = base.iloc[np.sort(pilih[5:])].to_dict("records")
    target = rng.choice(len(rows), len(EDITS) + 4, replace=False)
    for (code, edit), i in zip(EDITS.items(), target):
        rows[i] = {**edit(rows[i]), "cacat": code}
    i_typo, i_dup, i_dup_akhir, i_ulang = target[len(EDITS):]
    asli = rows[i_typo]["nik"]
    rows[i_typo] = {**rows[i_typo], "nik": _typo(asli, terdaftar), "cacat": "nik_salah_ketik",
                    "keterangan": f"nik terdaftar yang dimaksud: {asli}"}
    ulang = correct(pd.DataFrame([rows[i_ulang]]), np.array([akhir]), rng).drop(columns="berkas")
    salinan = [{**rows[i], "cacat": "duplikat_persis"} for i in (i_dup, i_dup_akhir)]
    kirim_ulang = {**ulang.to_dict("records")[0], "cacat": "pengiriman_ulang"}
    final = [*rows[: i_dup + 1], salinan[0], *rows[i_dup + 1:], salinan[1], kirim_ulang]
    for copy, i in zip(salinan, (i_dup, i_dup_akhir)):
        copy["keterangan"] = f"salinan persis baris {_position(final, rows[i])}"
    kirim_ulang["keterangan"] = (f"menggantikan baris {_position(final, rows[i_ulang])}: tanggal_kirim "
                                 "lebih baru, pinjaman macet dan penyisihan dikoreksi")
    return pd.DataFrame(final), _spreadsheet_rows(semikolon)


def _spreadsheet_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows rendered as an Indonesian spreadsheet export; the third row carries ',00' decimals."""
    out = csv_ready(rows)
    desimal = np.arange(len(out)) == 2
    for c in [*JUMLAH, "jumlah_anggota"]:
        values = out[c].to_numpy(dtype=np.int64)
        out[c] = np.where(desimal & (c != "jumlah_anggota"), format_number(values, 2), format_number(values, 0))
    keterangan = "ekspor spreadsheet: pemisah ';', ribuan '.', BOM UTF-8"
    return out.assign(cacat="format_spreadsheet_indonesia",
                      keterangan=np.where(desimal, keterangan + "; uang dengan desimal ',00'", keterangan))


def _dirty_questionnaires(kuesioner: pd.DataFrame, tahun: str, rng: np.random.Generator) -> pd.DataFrame:
    """The last year's sets: one lacks manajemen_aktiva 7, another answers manajemen_likuiditas 3 twice."""
    sets = kuesioner[kuesioner["tanggal"].str[:4] == tahun].assign(cacat="", keterangan="")
    kurang, ganda = rng.choice(sets["nik"].unique(), 2, replace=False)
    hilang = (sets["nik"] == kurang) & (sets["komponen"] == "manajemen_aktiva") & (sets["nomor"] == 7)
    sets = sets[~hilang].reset_index(drop=True)
    i_awal = int(np.flatnonzero(sets["nik"] == kurang)[0])
    sets.loc[i_awal, ["cacat", "keterangan"]] = ["pertanyaan_hilang", "set tanpa manajemen_aktiva nomor 7"]
    i_ganda = int(np.flatnonzero((sets["nik"] == ganda) & (sets["komponen"] == "manajemen_likuiditas")
                                 & (sets["nomor"] == 3))[0])
    dua_kali = sets.iloc[[i_ganda]].assign(
        jawaban="tidak" if sets.at[i_ganda, "jawaban"] == "ya" else "ya", cacat="jawaban_ganda",
        keterangan="manajemen_likuiditas nomor 3 dijawab dua kali")
    return pd.concat([sets.iloc[: i_ganda + 1], dua_kali, sets.iloc[i_ganda + 1:]], ignore_index=True)


def _defects(files: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per planted defect of CSV files: sumber, baris (as a run names it: the header is row 1), nik, cacat,
    keterangan."""
    parts = [frame.assign(sumber=sumber, baris=np.arange(2, len(frame) + 2))
             .loc[lambda f: f["cacat"] != "", ["sumber", "baris", "nik", "cacat", "keterangan"]]
             for sumber, frame in files.items()]
    return pd.concat(parts, ignore_index=True)


def _cacat_markdown(defects: pd.DataFrame, akhir: str) -> str:
    """CACAT.md: the planted defects as a Markdown table."""
    lines = [f"# CACAT: planted defects of the dirty drop ({akhir})", "",
             "Generated by `sample/dirty.py`. `baris` is the row as a run's karantina names it (a CSV file's or a "
             "sheet's row as a spreadsheet shows it, the header row 1; a Parquet file's first row 1); 0 is the file "
             "as a whole.", "",
             "| sumber | baris | nik | cacat | keterangan |", "|---|---:|---|---|---|"]
    lines += [f"| {r.sumber} | {r.baris} | {r.nik} | {r.cacat} | {r.keterangan} |"
              for r in defects.itertuples()]
    return "\n".join(lines) + "\n"


# --- files as the office receives them ---------------------------------------------------------------------------


def _free_rows(laporan: pd.DataFrame, rng: np.random.Generator) -> list[int]:
    """Positions of the rows without a defect whose cooperative has no other row in the file, in a seeded order."""
    unique = ~laporan["nik"].duplicated(keep=False)
    return rng.permutation(np.flatnonzero(unique.to_numpy() & laporan["cacat"].eq("").to_numpy())).tolist()


def _small(row: pd.Series) -> str | None:
    """A money column of the row between Rp 1.000 and Rp 999.999 (written with one thousands dot), if any."""
    return next((c for c in JUMLAH if 1_000 <= row[c] < 1_000_000), None)


def _resumed(reports: pd.DataFrame, reporting: pd.Series, n: int, akhir: str, rng: np.random.Generator
             ) -> pd.DataFrame:
    """The latest reports of `n` cooperatives that did not report in the last period, sent again for it."""
    older = reports[~reports["nik"].isin(reporting)].sort_values(["nik", "periode"]).drop_duplicates("nik", keep="last")
    rows = older.iloc[np.sort(rng.choice(len(older), n, replace=False))].drop(columns="berkas")
    start = (np.datetime64(akhir, "M") + 1).astype("datetime64[D]").astype("datetime64[s]")
    seconds = rng.integers(1, 9, n) * 86_400 + rng.integers(8 * 3600, 17 * 3600, n)
    return rows.assign(periode=akhir, tanggal_kirim=start + seconds.astype("timedelta64[s]"), cacat="",
                       keterangan="").reset_index(drop=True)


def _in_place(laporan: pd.DataFrame, registry: pd.DataFrame, akhir: str, rng: np.random.Generator
              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[int]]:
    """Defects written into rows of the main file (no row moves): a year typo, a number with two readings, a
    zero-width space after a nik, and a cooperative whose registry row has a date written DD/MM/YYYY. Returns the
    file, the registry, the registry's defect and three more free rows (the correction, the future-dated copy and
    the copy in a file with a header written differently)."""
    free = _free_rows(laporan, rng)
    notation = next(i for i in free if _small(laporan.iloc[i]))
    free = [i for i in free if i != notation]
    typo, hidden, rejected = free[:3]
    out = laporan.astype({c: object for c in JUMLAH})
    out.loc[typo, ["periode", "cacat", "keterangan"]] = [f"{int(akhir[:4]) + 1}{akhir[4:]}", "periode_tahun_salah",
                                                          "periode salah ketik tahun: sesudah bulan berjalan"]
    column = _small(laporan.iloc[notation])
    thousands = int(out.at[notation, column]) // 1000  # rounded down: within the balance tolerance of Rp 1.000
    out.loc[notation, [column, "cacat", "keterangan"]] = [
        f"{thousands}.000", "notasi_ganda",
        f"{column} ditulis '{thousands}.000' (maksud Rp {thousands}.000) dalam berkas berpemisah koma"]
    out.loc[hidden, ["nik", "cacat", "keterangan"]] = [out.at[hidden, "nik"] + "\u200b", "karakter_tak_terlihat",
                                                       "nik diakhiri spasi lebar-nol (U+200B): dibersihkan, diterima"]
    nik = out.at[rejected, "nik"]
    at = int(np.flatnonzero(registry["nik"].to_numpy() == nik)[0])
    written = datetime.strptime(registry.at[at, "tanggal_badan_hukum"], "%Y-%m-%d").strftime("%d/%m/%Y")
    registry = registry.copy()
    registry.at[at, "tanggal_badan_hukum"] = written
    out.loc[rejected, ["cacat", "keterangan"]] = ["registri_ditolak", "baris registrinya ditolak (tanggal DD/MM/YYYY)"]
    defect = pd.DataFrame([["koperasi.csv", at + 2, nik, "tanggal_registri_salah",
                            f"tanggal_badan_hukum ditulis {written} (DD/MM/YYYY)"]], columns=DEFECT_COLUMNS)
    return out, registry, defect, free[3:6]


def _saved(akhir: str) -> datetime:
    """The time stamp inside the workbook written (09:00 WITA on the 5th of the month after the period), so that
    its bytes do not change."""
    after = pd.Period(akhir, "M") + 1
    return datetime(after.year, after.month, 5, 9)


def _excel(rows: pd.DataFrame, saved: datetime) -> bytes:
    """The rows as the office's workbook (sheet 'laporan'): numbers and dates typed; the second row's kas a
    formula saved without its value (written by a program, never opened in Excel)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "laporan"
    sheet.append(LAPORAN)
    for row in rows[list(LAPORAN)].itertuples(index=False):
        values = [v.to_pydatetime() if isinstance(v, pd.Timestamp) else v.item() if hasattr(v, "item") else v
                  for v in row]
        sheet.append(values)
    sheet.cell(3, LAPORAN.index("kas") + 1).value = "=F3-F3+G3"
    book.properties.created = book.properties.modified = saved
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_times(buffer.getvalue(), saved)


def _fixed_times(workbook: bytes, saved: datetime) -> bytes:
    """The workbook with one fixed time stamp in every zip entry and in its properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                utc = (saved - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", utc, data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=saved.timetuple()[:6]), data,
                            zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _text_file(rows: pd.DataFrame, separator: str, line_end: str, encoding: str,
               header: Sequence[str] = LAPORAN) -> bytes:
    text = csv_ready(rows)[list(LAPORAN)].set_axis(header, axis=1).to_csv(index=False, sep=separator,
                                                                            lineterminator=line_end)
    return text.encode(encoding)


def _utc_correction(row: pd.DataFrame, akhir: str, rng: np.random.Generator) -> bytes:
    """A correction of the row sent four hours after it, stamped in UTC: its clock reads four hours earlier than
    the WITA time of the row it corrects, and wins only when converted to WITA."""
    fixed = correct(row, np.array([akhir]), rng).drop(columns="berkas")
    wita = row["tanggal_kirim"].iloc[0] + pd.Timedelta(hours=4)
    table = pa.Table.from_pandas(fixed[list(LAPORAN)].astype({c: "int64" for c in JUMLAH}),
                                 preserve_index=False)
    stamp = pa.array([wita.tz_localize("Asia/Makassar").tz_convert("UTC")], pa.timestamp("s", tz="UTC"))
    table = table.set_column(LAPORAN.index("tanggal_kirim"), "tanggal_kirim", stamp)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _office_files(laporan: pd.DataFrame, resumed: pd.DataFrame, spare: list[int], akhir: str,
                  rng: np.random.Generator) -> tuple[dict[str, bytes], pd.DataFrame]:
    """The files as the office receives them, and one CACAT line each (baris 0: the file as a whole)."""
    corrected, future, header = (laporan.iloc[[i]].astype({c: "int64" for c in JUMLAH}) for i in spare)
    late = future.assign(tanggal_kirim=pd.Timestamp("2099-10-05T08:00:00"))
    resent = header.assign(tanggal_kirim=header["tanggal_kirim"] + pd.Timedelta(days=1))
    written = ["Kas" if c == "kas" else "Total Aset" if c == "total_aset" else c for c in LAPORAN]
    name = f"laporan/laporan_{akhir}"
    note = f"Laporan susulan {MONTHS[int(akhir[5:]) - 1]} dikirim lewat WhatsApp.\n"  # a note beside the files
    files = {
        f"{name}_kantor.xlsx": _excel(resumed.iloc[:2], _saved(akhir)),
        f"{name}_mac.csv": _text_file(resumed.iloc[[2]], ",", "\r", "utf-8"),
        f"{name}_unicode.csv": _text_file(resumed.iloc[[3]], "\t", "\r\n", "utf-16"),
        f"{name}_koreksi.parquet": _utc_correction(corrected.drop(columns=["cacat", "keterangan"]), akhir, rng),
        f"{name}_susulan.csv": _text_file(late, ",", "\n", "utf-8"),
        f"{name}_judul.csv": _text_file(resent, ",", "\n", "utf-8", written),
        f"laporan/~$laporan_{akhir}_kantor.xlsx": b"\x05Dinas" + b" " * 49 + b"\x00" * 110,
        "laporan/.DS_Store": b"\x00\x00\x00\x01Bud1" + b"\x00" * 24,
        "laporan/catatan_kiriman.txt": note.encode(),
    }
    nik = lambda rows, i=0: rows["nik"].iloc[i]  # noqa: E731
    lines = [
        (f"{name}_kantor.xlsx", 2, nik(resumed), "excel", "laporan dalam .xlsx (lembar 'laporan'): dibaca"),
        (f"{name}_kantor.xlsx", 3, nik(resumed, 1), "rumus_tanpa_nilai", "kas berisi rumus tanpa nilai tersimpan"),
        (f"{name}_mac.csv", 2, nik(resumed, 2), "akhir_baris_cr", "disimpan Excel for Mac: akhir baris CR saja"),
        (f"{name}_unicode.csv", 2, nik(resumed, 3), "utf16_tab", "Excel 'Unicode Text': UTF-16 dengan BOM, tab"),
        (f"{name}_koreksi.parquet", 1, nik(corrected), "koreksi_zona_waktu",
         "koreksi 4 jam sesudah laporannya, dicap UTC (jam UTC lebih awal dari jam WITA laporannya)"),
        (f"{name}_susulan.csv", 2, nik(late), "tanggal_kirim_masa_depan", "tanggal_kirim 2099-10-05"),
        (f"{name}_judul.csv", 0, nik(resent), "judul_beda_huruf", "berkas ditolak: judul 'Kas' dan 'Total Aset'"),
        (f"laporan/~$laporan_{akhir}_kantor.xlsx", 0, "-", "berkas_kunci", "berkas kunci Excel: tidak dibaca"),
        ("laporan/.DS_Store", 0, "-", "berkas_tersembunyi", "berkas tersembunyi: tidak dibaca"),
        ("laporan/catatan_kiriman.txt", 0, "-", "jenis_tidak_dikenal", "bukan .csv/.parquet/.xlsx: tidak dibaca"),
        ("CACAT.md", 0, "-", "berkas_lain", "di akar folder landing, bukan tabel masukan: tidak dibaca"),
    ]
    return files, pd.DataFrame(lines, columns=DEFECT_COLUMNS)


def write_dirty(out: Path, akhir: str, registry: pd.DataFrame, reports: pd.DataFrame,
                kuesioner: pd.DataFrame, rng: np.random.Generator) -> dict[str, int]:
    """The drop of the last period `akhir` with named defects and the office's files, and the questionnaires of the
    latest year; CACAT.md names each defect. The drop's reports are CSV whatever the scale's format: its defects are
    text as a clerk typed it ('928.000', a month name), which a typed Parquet column cannot hold."""
    last = reports[reports["periode"] == akhir]
    tahun = kuesioner["tanggal"].str[:4].max()
    laporan, semikolon = _dirty_reports(last, set(registry["nik"]), akhir, rng)
    sets = _dirty_questionnaires(kuesioner, tahun, rng)
    # drawn after the defects above, so that their rows and values stay as they were
    laporan, registry, registry_defect, spare = _in_place(laporan.reset_index(drop=True), registry, akhir, rng)
    resumed = _resumed(reports, last["nik"], 4, akhir, rng)
    files, office = _office_files(laporan, resumed, spare, akhir, rng)
    write_csv(registry, out / "koperasi.csv")
    utama = write_reports(laporan, out / "laporan" / f"laporan_{akhir}", "csv")
    nama_semikolon = f"laporan/laporan_{akhir}_semicolon.csv"
    write_csv(semikolon[list(LAPORAN)], out / nama_semikolon, sep=";", encoding="utf-8-sig")
    nama_kuesioner = f"kuesioner/kuesioner_{tahun}.csv"
    write_csv(sets.drop(columns=["cacat", "keterangan"]), out / nama_kuesioner)
    for name, data in files.items():
        (out / name).write_bytes(data)
    defects = pd.concat([_defects({utama.relative_to(out).as_posix(): laporan, nama_semikolon: semikolon,
                                   nama_kuesioner: sets}), registry_defect, office], ignore_index=True)
    (out / "CACAT.md").write_text(_cacat_markdown(defects, akhir), encoding="utf-8")
    return {"laporan": len(laporan) + len(semikolon) + len(resumed) + 2, "laporan_semicolon": len(semikolon),
            "kuesioner": len(sets),
            **{f"cacat_{k}": int(v) for k, v in defects["cacat"].value_counts().sort_index().items()}}
