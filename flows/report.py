"""The short summary the CLI prints at the end of a run."""

from __future__ import annotations

from pathlib import Path

from flows import storage
from scoring.status import predicate_columns


def print_summary(summary: dict, output: Path) -> None:
    read, scored = summary["laporan_dibaca"], summary["dinilai"]
    print()
    print(f"run {summary['run_id']}  periode {summary['periode']}")
    for problem in summary["berkas_ditolak"]:
        print(f"  BERKAS DITOLAK  {problem}")
    print(f"  laporan dibaca {read:,} = dinilai {scored:,} + tidak dinilai (jenis tanpa rulebook) "
          f"{summary['tidak_dinilai']:,} + dikarantina {summary['laporan_dikarantina']:,} "
          f"+ terganti {summary['laporan_terganti']:,}")
    print(f"  kuesioner dikarantina {summary['kuesioner_dikarantina']:,} of {summary['kuesioner_dibaca']:,}; "
          f"faktor {summary['faktor_dikarantina']:,} of {summary['faktor_dibaca']:,}; "
          f"koperasi.csv {summary['koperasi_dikarantina']:,} of {summary['koperasi_dibaca']:,}")
    ringkasan = storage.read_table(output, "ringkasan_wilayah", summary["periode"])
    columns = {c: name for name, c in predicate_columns().items() if ringkasan[c].sum() > 0}
    header = f"  {'wilayah':<24}{'koperasi':>9}{'aktif':>7}{'melapor':>9}{'dinilai':>9}"
    print(header + "".join(f"{name[:18]:>20}" for name in columns.values()) + f"{'rata-rata':>11}")
    for _, row in ringkasan.iterrows():
        average = "-" if row["rata_rata_skor"] != row["rata_rata_skor"] else f"{row['rata_rata_skor']:.2f}"
        print(f"  {row['kabupaten_kota'][:23]:<24}{row['jumlah_koperasi']:>9}{row['jumlah_aktif']:>7}"
              f"{row['jumlah_melapor']:>9}{row['jumlah_dinilai']:>9}"
              + "".join(f"{row[c]:>20}" for c in columns) + f"{average:>11}")
    print(f"  outputs: {output}")
