"""The short summary the CLI prints at the end of a run."""

from __future__ import annotations

from pathlib import Path

from flows import storage
from scoring.rulebook import rulebooks
from scoring.status import predicate_columns


def print_summary(summary: dict, output: Path) -> None:
    read, scored = summary["laporan_dibaca"], summary["dinilai"]
    print()
    print(f"run {summary['run_id']}  periode {summary['periode']}")
    for problem in summary["berkas_ditolak"]:
        print(f"  BERKAS DITOLAK  {problem}")
    for entry in summary["berkas_tidak_dibaca"]:
        print(f"  TIDAK DIBACA  {entry['sumber']}: {entry['alasan']}")
    for note in summary["catatan_berkas"]:
        print(f"  DIBERSIHKAN  {note}")
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
    print(f"  Data Docs: {summary['data_docs']}")
    print(f"  manifest: {summary['manifest']}")


def summary_markdown(summary: dict, output: Path) -> str:
    """The run's summary for the Prefect UI: counts, predicates by kabupaten/kota, top quarantine reasons."""
    ringkasan = storage.read_table(output, "ringkasan_wilayah", summary["periode"])
    predicates = {c: name for name, c in predicate_columns().items() if ringkasan[c].sum() > 0}
    lines = [f"# Kesehatan koperasi {summary['periode']}", "",
             f"Laporan dibaca {summary['laporan_dibaca']:,}: dinilai {summary['dinilai']:,}, tidak dinilai "
             f"{summary['tidak_dinilai']:,}, dikarantina {summary['laporan_dikarantina']:,}, terganti "
             f"{summary['laporan_terganti']:,}.", ""]
    lines += [f"- berkas ditolak: {problem}" for problem in summary["berkas_ditolak"]]
    lines += [f"- tidak dibaca: {e['sumber']}: {e['alasan']}" for e in summary["berkas_tidak_dibaca"]]
    lines += [f"- dibersihkan: {note}" for note in summary["catatan_berkas"]]
    lines += ["| wilayah | koperasi | melapor | dinilai | " + " | ".join(predicates.values()) + " |",
              "|---" * (4 + len(predicates)) + "|"]
    lines += [f"| {r['kabupaten_kota']} | {r['jumlah_koperasi']} | {r['jumlah_melapor']} | {r['jumlah_dinilai']} | "
              + " | ".join(str(r[c]) for c in predicates) + " |" for _, r in ringkasan.iterrows()]
    lines += ["", "Alasan karantina terbanyak:", ""]
    lines += [f"- {count} x {reason}" for reason, count in summary["alasan_teratas"]] or ["- (tidak ada)"]
    return "\n".join(lines)


def moved_down(output: Path, periode: str) -> list[dict]:
    """Cooperatives whose predicate is worse than the previous period's (the book's order is best first)."""
    scored = storage.read_table(output, "skor_koperasi", periode)
    order = {name: rank for book in rulebooks().values() for rank, name in enumerate(book.predikat_names)}
    before, now = scored["predikat_sebelumnya"].map(order), scored["predikat"].map(order)
    down = scored[before.notna() & (now > before)]
    columns = ["nik", "nama", "kabupaten_kota", "predikat_sebelumnya", "predikat", "skor_total_sebelumnya",
               "skor_total"]
    return down[columns].astype(object).where(down[columns].notna(), None).to_dict(orient="records")
