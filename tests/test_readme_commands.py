"""Every `koperasi-sehat` command of the README's Quick start works as written, in its order, on the committed
sample (a fresh clone): run through the CLI's entry point in a subprocess, with only the folders moved into the
test's own (`data/output` by KOPERASI_SEHAT_OUTPUT, `/tmp/...` under the test's folder, the Prefect home and its
background server, the cache of checked shared inputs)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from flows import report, storage
from flows.config import DATA_DIR, PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def documented_commands() -> list[str]:
    """The Quick start's commands, in order: the install line's last command, then each line of the block of
    other commands (continuation lines joined, comments dropped)."""
    quick = README[README.index("## Quick start"):README.index("## Data quality")]
    blocks = re.findall(r"```bash\n(.*?)```", quick, flags=re.S)
    commands = [blocks[0].strip().split(" && ")[-1]]
    other = next(b for b in blocks if b.lstrip().startswith("koperasi-sehat"))
    for line in re.sub(r"\\\n\s*", " ", other).splitlines():
        command = line.split("#")[0].strip()
        if command:
            commands.append(command)
    return commands


def test_the_quick_start_lists_its_commands():
    assert documented_commands()[0] == "koperasi-sehat run --period 2026-10"
    assert len(documented_commands()) == 11


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> tuple[Path, list[tuple[str, subprocess.CompletedProcess]]]:
    """Each command in order, as a user runs them: the first run starts the background server (in a Prefect home of
    the test's own), the next ones use it; stopped at the end."""
    root = tmp_path_factory.mktemp("readme")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("KOPERASI_SEHAT_", "PREFECT_API"))},
           "KOPERASI_SEHAT_OUTPUT": str(root / "data-output"), "PREFECT_HOME": str(root / "prefect"),
           "XDG_CACHE_HOME": str(root / "cache")}  # the first run checks the shared inputs itself

    def command_line(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "flows.entry", *args], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=600)

    done = []
    try:
        for command in documented_commands():
            args = shlex.split(command.replace("/tmp/", f"{root}/"))
            assert args[0] == "koperasi-sehat"
            done.append((command, command_line(*args[1:])))
    finally:
        command_line("server", "stop")
    return root, done


def test_every_documented_command_works_as_written(ran):
    root, done = ran
    for command, result in done:
        assert result.returncode == 0, f"{command}: {result.stderr[-2000:]}"
    output = root / "data-output"
    quick_start, dirty = done[0][1], done[1][1]
    assert "laporan dibaca 43 = dinilai 36 + tidak dinilai (jenis tanpa rulebook) 5 + dikarantina 0 + terganti 2" \
        in quick_start.stdout
    assert "Kalimantan Utara" in quick_start.stdout and quick_start.stderr == ""
    assert report.FROM_CACHE not in quick_start.stdout
    (same_day,) = [result for command, result in done if command == "koperasi-sehat run --period 2026-09"]
    assert f"\n  {report.FROM_CACHE}\n" in same_day.stdout  # the same sample's shared inputs, checked that day
    # run, two count lines (no empty line first in a pipe); the table's header and rule, the province and 5 areas;
    # five paths: the landing folder read, the output, the documents ('laporan:' read as the reports: new-user
    # trial), Data Docs, the manifest
    assert quick_start.stdout.startswith("run 2026-10_") and len(quick_start.stdout.splitlines()) == 3 + 2 + 6 + 5
    documents = output / "laporan" / "periode=2026-10"
    assert f"  masukan: {DATA_DIR / 'sample'}\n  keluaran: {output}\n  dokumen: {documents}\n" in quick_start.stdout
    record = json.loads((output / "_terbit" / "2026-10.json").read_text())
    listed = json.loads((output / record["manifest"]).read_text())["berkas_laporan"]
    assert sorted(p.relative_to(documents).as_posix() for p in documents.rglob("*") if p.is_file()) == listed
    (rebuilt,) = [result for command, result in done if command.startswith("koperasi-sehat laporan")]
    assert rebuilt.stdout == f"dokumen periode 2026-10 ditulis ulang: {len(listed)} berkas di {documents}\n"
    assert len(storage.read_table(output, "status_koperasi", "2026-10")) == 109
    assert "laporan dibaca 50 = dinilai 30 + tidak dinilai (jenis tanpa rulebook) 4 + dikarantina 14 + terganti 2" \
        in dirty.stdout
    assert "  kuesioner dikarantina 114 dari 1.520 (1 dari 30 koperasi yang dinilai kehilangan kuesioner " \
        "terbarunya); faktor 0 dari 4; koperasi.csv 1 dari 109\n" in dirty.stdout
    # an example of each input with quarantined rows, the registry's too (only reports and answers had one: review)
    examples = [line.split("  ")[2].split(" (nik")[0] for line in dirty.stdout.splitlines()
                if line.startswith("  contoh karantina  ")]
    assert examples == ["laporan/laporan_2026-10.csv baris 4", "kuesioner/kuesioner_2026.csv baris 723",
                        "koperasi.csv baris 15"]
    assert ("  contoh karantina  koperasi.csv baris 15 (nik 650161296575534): tanggal_badan_hukum: bukan tanggal "
            "YYYY-MM-DD (nilai: '13/03/2019') (semua baris dan alasannya: tabel karantina)\n") in dirty.stdout
    # the dirty drop names each file it did not read and each file it refused, in the user's words
    assert "  TIDAK DIBACA  laporan/~$laporan_2026-10_kantor.xlsx: berkas kunci spreadsheet (~$...): tutup berkasnya " \
           "di Excel, lalu hapus\n" in dirty.stdout
    assert "  BERKAS DITOLAK  laporan/laporan_2026-10_judul.csv: kolom 'Kas' harus ditulis 'kas'; " in dirty.stdout
    # the two-area rerun of September kept every cooperative, and republished the month under its own run; its
    # first line says which counts are the areas'
    (areas,) = [r for c, r in done if c.startswith("koperasi-sehat run --period 2026-09 --kabupaten")]
    assert areas.stdout.splitlines()[0].endswith(
        "periode 2026-09  wilayah Bulungan, Tarakan (laporan: wilayah ini; tabel: seluruh bulan)")
    # the shared inputs' counts are the whole folder's (they read as the areas': review)
    assert areas.stdout.splitlines()[2] == ("  seluruh folder: kuesioner dikarantina 0 dari 4.788; faktor 0 dari 4; "
                                           "koperasi.csv 0 dari 109; pemeriksaan 0 dari 513")
    assert quick_start.stdout.splitlines()[0].endswith("periode 2026-10")
    september = storage.read_table(output, "status_koperasi", "2026-09")
    assert len(september) == 109 and september["run_id"].nunique() == 1
    # a month without any report is a month: every cooperative "tidak melapor"
    december = storage.read_table(output, "status_koperasi", "2015-12")
    assert len(december) == 109 and not december["melapor"].any()
    assert storage.read_table(output, "skor_koperasi", "2015-12").empty
    # its report says so, where a scored month names when and by which book ("dihitung - WITA ·": new-user trial)
    assert ("<p><b>Desember 2015</b> · tidak ada koperasi yang dinilai</p>"
            in (output / "laporan" / "periode=2015-12" / "laporan_2015-12.html").read_text(encoding="utf-8"))
    assert len(storage.read_table(root / "landing-out", "status_koperasi", "2026-10")) > 0
    # report rows + the rows of the three incomplete questionnaire sets + the registry row
    assert len(storage.read_table(root / "out", "karantina", "2026-10")) == 14 + 114 + 1
    assert sorted(p.name for p in (root / "templat").iterdir()) == [
        "faktor_pengurang.xlsx", "koperasi.xlsx", "kuesioner.xlsx", "laporan.xlsx", "pemeriksaan.xlsx"]
    # October 2026 under the three books: its 41 accepted reports each; the ksp-2016 rows are the published month's
    # scores (the monthly run of the first command), the same reports read and checked the same way
    compared = storage.read_table(output, "perbandingan_rulebook", "2026-10")
    assert len(compared) == 41 * 3 and "ksp-2009 -> ksp-2016: 22 dari 36" in done[-1][1].stdout
    published = storage.read_table(output, "skor_koperasi", "2026-10").set_index("nik")
    ksp = compared[(compared["rulebook"] == "ksp-2016") & compared["dinilai"]].set_index("nik")
    columns = ["skor_total", "predikat_skor", "predikat"]
    assert len(ksp) == 36 and ksp[columns].sort_index().equals(published.loc[ksp.index, columns].sort_index())
    assert "perbandingan_rulebook" not in (output / "_terbit" / "2026-10.json").read_text()
    explained = next(r for c, r in done if c.startswith("koperasi-sehat jelaskan")).stdout.splitlines()  # 2026-10
    assert explained[0] == "KSP Setia Bersama (650274822002787)"
    assert explained[3].startswith("Dalam Pengawasan, skor 51,80 (ksp-2016). Poin terbanyak hilang: rasio_kas")
