"""Every figure of the performance table (issue 16) in one command, each the median of `--repeat` runs, with the
load average at each run and the machine it ran on.

    python benchmarks/run_all.py --workdir /tmp/bench [--landing DIR] [--repeat 3] [--months 12] [--quick]
                                 [--documents]

Rows, in order (the CLI is the installed `koperasi-sehat`, in a Prefect home of the workdir's, no PREFECT_API_URL;
the runs publish the tables only, KOPERASI_SEHAT_DOCUMENTS=false whatever the shell sets, as the issue's figures
were measured: a national month's documents, 18,000 files, take about as long again as the month, measured apart
by `bench_handouts.py`; `--documents` runs with them):
  1. the committed sample, one month, cold CLI: no background server running (stopped before each run), so the
     command starts it: the Prefect server and the process that imports the pipeline; fresh output folder;
  2. the same month again, the server running (the analyst's rerun after a correction);
  3. a national month (130,000 registered cooperatives) through the CLI, server running, fresh output folder;
     and at twice the registry (each cooperative and its reports, answers and findings twice, under another nik);
  4. a national backfill of `--months` months ending 2026-10 through the CLI, locally and on a local Dask
     cluster of 2 workers (`--dask-local 2`);
  5. `score_reports` on 10,000, 100,000 and 1,000,000 synthetic reports (`bench_scoring.py`, a process each): the
     first call in the process, and the median of the three calls after it ("warm");
  6. the I/O floor of the national month (reading every input file and writing the month's tables with pyarrow
     alone), measured in the same run, and the national month's ratio to it.

Time is wall-clock seconds. Peak memory: the largest resident set of the processes that did the work, as
/usr/bin/time reports it: the command's own (VmHWM, sampled every 0.1 s; its ru_maxrss would keep this
benchmark's own peak, which Linux carries over exec) and the server's copy that ran it (its ru_maxrss: a run of
the background server is a fork of it, `flows.background`); "tree" is the largest sum of the resident sets of
the command and the whole background server (its Prefect server included), sampled every 0.1 s. The load
average (1 minute) is printed before each run. It still carries the benchmark's own previous run, so on 2 cores it reads 1 to 2
while nothing else runs; much above 2, something else ran beside the benchmark.

`--baseline` measures code from before the background server (e.g. the source of an older commit first on
PYTHONPATH): its reruns run against a `prefect server start` the benchmark starts, as the issue's "running
server". `--quick` (a few minutes): one run per row, a 3-month backfill, the engine at 10,000 and 100,000 reports
only, no 2x registry. The full command takes 33 to 45 minutes on 2 cores (33 on 2026-12-01), 12 to 14 with
`--landing` on 2026-12-06. The national landing folder is generated once in the workdir (10 s to a minute)
unless `--landing` names one (`koperasi-sehat sample --scale national`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.csv as pa_csv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from benchmarks.bench_national import io_floor, landing_folder, prefect_server  # noqa: E402
from benchmarks.memory import peak_rss_kib, served_run  # noqa: E402

PERIOD = "2026-10"
MIB = 1024 * 1024
TARGETS = {"cold": "<= 8 s", "rerun": "<= 3 s", "national": "<= 15 s, <= 1 GiB", "backfill": "<= 75 s",
           "engine_1000000": ">= 1,000,000 reports/s, <= 2 GiB", "ratio": "<= 10 x"}
ENGINE_ROWS = {"engine_10000": "10,000 reports", "engine_100000": "100,000 reports",
               "engine_1000000": "1,000,000 reports",
               "engine_1000000_no_huge_pages": "1,000,000 reports, numpy's huge-page advice off"}


# ------------------------------------------------------------------ the machine and the load


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 1024 ** 3, 1),
            "python": platform.python_version(), "system": f"{platform.system()} {platform.release()}"}


def load() -> float:
    return round(os.getloadavg()[0], 2)


# ------------------------------------------------------------------ measuring a command


def cli() -> list[str]:
    script = Path(sys.executable).with_name("koperasi-sehat")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flows.cli"]


def environment(workdir: Path, documents: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(workdir / "prefect_home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               KOPERASI_SEHAT_DOCUMENTS="true" if documents else "false")
    return env


def _server_pid(env: dict[str, str]) -> int | None:
    try:
        return json.loads((Path(env["PREFECT_HOME"]) / "koperasi-sehat-server.json").read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return None


def _tree(pid: int | None) -> list[psutil.Process]:
    if pid is None:
        return []
    try:
        process = psutil.Process(pid)
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _rss(processes: list[psutil.Process]) -> int:
    total = 0
    for p in processes:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(command: list[str], env: dict[str, str], log: Path) -> dict:
    """Run a command to its end: wall seconds, exit code, the peak RSS of the command and of the server's copy
    that ran it (KiB), the sampled peak of the command's and the server's trees together, the load before."""
    before = load()
    done = threading.Event()
    peak, own = [0], [0]
    with log.open("w") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _rss(_tree(child.pid) + _tree(_server_pid(env))))
                own[0] = max(own[0], peak_rss_kib(child.pid))
                done.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    copy = served_run(Path(env["PREFECT_HOME"]))
    # the command's ru_maxrss keeps this benchmark's own peak (benchmarks.memory): its VmHWM as last sampled
    command = own[0] if own[0] else usage.ru_maxrss
    result = {"seconds": round(seconds, 2), "exit": os.waitstatus_to_exitcode(status), "load": before,
              "command_maxrss_kib": command, "copy_maxrss_kib": copy.get("maxrss_kib"),
              "copy_cpu": copy.get("cpu"), "tree_peak_kib": peak[0] // 1024, "log": str(log)}
    result["maxrss_kib"] = max(command, copy.get("maxrss_kib") or 0)
    return result


def show(label: str, result: dict) -> None:
    copy = f", run's CPU {result['copy_cpu']} s" if result.get("copy_cpu") is not None else ""
    print(f"    {label}: {result['seconds']:.2f} s, peak RSS {result['maxrss_kib'] / 1024:,.0f} MiB (tree "
          f"{result['tree_peak_kib'] / 1024:,.0f} MiB){copy}, exit {result['exit']}, load {result['load']}",
          flush=True)
    if result["exit"] != 0:
        print("      " + "\n      ".join(Path(result["log"]).read_text(errors="replace").splitlines()[-8:]))


def median(results: list[dict]) -> dict:
    """The run of median time, and every run's time and load."""
    ordered = sorted(results, key=lambda r: r["seconds"])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["runs"] = [(r["seconds"], r["load"]) for r in results]
    middle["median_seconds"] = statistics.median(r["seconds"] for r in results)
    middle["max_maxrss_kib"] = max(r["maxrss_kib"] for r in results)
    return middle


def stop_server(env: dict[str, str]) -> None:
    subprocess.run([*cli(), "server", "stop"], env=env, cwd=ROOT, capture_output=True, check=False)


# ------------------------------------------------------------------ the rows


def sample_rows(workdir: Path, env: dict[str, str], repeat: int, rerun_env: dict[str, str]) -> tuple[dict, dict]:
    """Cold CLI (no server) and the rerun through the running server, on the committed sample."""
    cold, rerun = [], []
    for i in range(repeat):
        stop_server(env)
        output = _fresh(workdir / "out" / f"sample_{i}")
        command = [*cli(), "run", "--period", PERIOD, "--input", str(ROOT / "data" / "sample"), "--output", str(output)]
        cold.append(measure(command, env, workdir / "logs" / f"sample_cold_{i}.log"))
        show(f"cold {i + 1}", cold[-1])
        rerun.append(measure(command, rerun_env, workdir / "logs" / f"sample_rerun_{i}.log"))
        show(f"rerun {i + 1}", rerun[-1])
    return median(cold), median(rerun)


@contextmanager
def running_server(env: dict[str, str], log: Path) -> Iterator[dict[str, str]]:
    """For code without the background server (`--baseline`): `prefect server start` in the workdir's Prefect
    home, and the environment that runs against it (PREFECT_API_URL), as the issue's "running server"."""
    from flows.server import free_port

    with prefect_server(env, log, free_port(), ("--no-services", "--no-ui")) as url:
        yield {**env, "PREFECT_API_URL": url}


def national_month(workdir: Path, env: dict[str, str], landing: Path, repeat: int, name: str) -> dict:
    results = []
    for i in range(repeat):
        output = _fresh(workdir / "out" / f"{name}_{i}")
        results.append(measure([*cli(), "run", "--period", PERIOD, "--input", str(landing), "--output", str(output)],
                               env, workdir / "logs" / f"{name}_{i}.log"))
        show(f"{name} {i + 1}", results[-1])
    return median(results)


def backfill(workdir: Path, env: dict[str, str], landing: Path, months: int, repeat: int, dask: bool) -> dict:
    from scoring.periods import periods_between, shift_period

    first = periods_between(shift_period(PERIOD, -(months - 1)), PERIOD)[0]
    name = "backfill_dask" if dask else "backfill"
    results = []
    for i in range(repeat):
        output = _fresh(workdir / "out" / f"{name}_{i}")
        command = [*cli(), "run", "--from", first, "--to", PERIOD, "--input", str(landing), "--output", str(output),
                   *(["--dask-local", "2"] if dask else [])]
        results.append(measure(command, env, workdir / "logs" / f"{name}_{i}.log"))
        results[-1]["published"] = len(list((output / "_terbit").glob("*.json")))
        show(f"{name} {i + 1} ({results[-1]['published']} months published)", results[-1])
    return median(results)


def engine(rows: int, repeat: int, huge_pages: bool = True) -> dict:
    """`bench_scoring.py` in `repeat` processes; huge_pages False: with numpy's huge-page advice off."""
    env = dict(os.environ) if huge_pages else dict(os.environ, NUMPY_MADVISE_HUGEPAGE="0")
    results = []
    for i in range(repeat):
        before = load()
        done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_scoring.py"), "--rows", str(rows)],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        figures = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in done.stdout.splitlines()
                       if line.strip())
        result = {"seconds": float(figures["seconds"]), "warm_seconds": float(figures["warm seconds"]),
                  "maxrss_kib": float(figures["peak RSS (MiB)"].replace(",", "")) * 1024,
                  "above_inputs_mib": float(figures["peak above the inputs (MiB)"].replace(",", "")), "load": before}
        results.append(result)
        print(f"    {rows:,} reports {i + 1}: first call {result['seconds']:.2f} s "
              f"({rows / result['seconds']:,.0f} reports/s), warm {figures['warm calls']} s, "
              f"peak RSS {result['maxrss_kib'] / 1024:,.0f} MiB ({result['above_inputs_mib']:,.0f} above the inputs), "
              f"system CPU {figures['system seconds']} s, page faults {figures['page faults']}, "
              f"huge pages: {figures['huge pages']}, load {before}", flush=True)
    middle = median(results)
    middle["rows_per_second"] = rows / middle["median_seconds"]
    middle["warm_median_seconds"] = statistics.median(r["warm_seconds"] for r in results)
    middle["warm_rows_per_second"] = rows / middle["warm_median_seconds"]
    middle["max_above_inputs_mib"] = max(r["above_inputs_mib"] for r in results)
    return middle


def floor(workdir: Path, landing: Path, month_output: Path, repeat: int) -> dict:
    results = []
    for i in range(repeat):
        before = load()
        figures = io_floor(landing, month_output, workdir / "scratch_io")
        results.append({"seconds": round(figures["read_seconds"] + figures["write_seconds"], 3), "load": before,
                        "maxrss_kib": 0, **figures})
    return median(results)


# ------------------------------------------------------------------ twice the registry


def doubled_landing(workdir: Path, landing: Path) -> Path:
    """The national landing folder with every cooperative twice: each row of every file again under the nik
    prefixed 'X' (nik is opaque text), the same kabupaten/kota, reports, answers and findings."""
    target = workdir / "landing_2x"
    done = target / "SELESAI"
    if done.exists():
        return target
    if target.exists():
        shutil.rmtree(target)
    for source in sorted(p for p in landing.rglob("*") if p.is_file()):
        path = target / source.relative_to(landing)
        path.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".parquet":
            table = pq.read_table(source)
            pq.write_table(pa.concat_tables([table, _other_nik(table)]), path)
        elif source.suffix == ".csv":
            names = pa_csv.open_csv(source).schema.names
            table = pa_csv.read_csv(source, convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names}))
            pa_csv.write_csv(pa.concat_tables([table, _other_nik(table)]), path)
        else:
            shutil.copy(source, path)
    done.write_text("2x\n")
    return target


def _other_nik(table: pa.Table) -> pa.Table:
    field = table.schema.field("nik")
    other = pc.binary_join_element_wise("X", table["nik"].cast(pa.string()), "").cast(field.type)
    return table.set_column(table.schema.get_field_index("nik"), field, other)


def _fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


# ------------------------------------------------------------------ the table


def table(figures: dict) -> str:
    m = figures["machine"]
    lines = [f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, {m['system']}; "
             f"documents {'on' if figures.get('documents') else 'off'}",
             "| what | median | runs (seconds @ load average) | peak RSS | target |", "|---|---|---|---|---|"]

    def row(what: str, key: str, value: str, target: str = "") -> None:
        result = figures.get(key)
        if result is None:
            return
        runs = ", ".join(f"{s:.1f} @ {load_:.1f}" for s, load_ in result["runs"])
        rss = f"{result['max_maxrss_kib'] / 1024:,.0f} MiB" if result.get("max_maxrss_kib") else "-"
        if result.get("tree_peak_kib"):
            rss += f" (tree {result['tree_peak_kib'] / 1024:,.0f} MiB)"
        lines.append(f"| {what} | {value} | {runs} | {rss} | {target} |")

    def seconds(key: str) -> str:
        return f"{figures[key]['median_seconds']:.1f} s" if key in figures else "-"

    row("committed sample, one month, cold CLI (starts the background server)", "cold", seconds("cold"),
        TARGETS["cold"])
    row("the same month again, background server running", "rerun", seconds("rerun"), TARGETS["rerun"])
    row("national month through the CLI (1x registry, 130,000)", "national", seconds("national"), TARGETS["national"])
    row("national month, 2x registry (260,000)", "national_2x", seconds("national_2x"))
    months = figures.get("months")
    row(f"national backfill, {months} months, locally", "backfill", seconds("backfill"),
        TARGETS["backfill"] if months == 12 else "")
    row(f"national backfill, {months} months, local Dask cluster of 2 workers", "backfill_dask",
        seconds("backfill_dask"))
    for key, what in ENGINE_ROWS.items():
        if key in figures:
            result = figures[key]
            row(f"score_reports, {what} (first call in a process; warm: median of the later calls)", key,
                f"{result['rows_per_second']:,.0f} reports/s; warm {result.get('warm_rows_per_second', 0):,.0f} "
                f"reports/s; peak above the inputs {result.get('max_above_inputs_mib', 0):,.0f} MiB",
                TARGETS.get(key, ""))
    row("I/O floor of the national month (pyarrow: read every input, write the month's tables)", "floor",
        seconds("floor"))
    if "floor" in figures and "national" in figures:
        ratio = figures["national"]["median_seconds"] / figures["floor"]["median_seconds"]
        lines.append(f"| national month / I/O floor | {ratio:.1f} x | | | {TARGETS['ratio']} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--landing", type=Path, help="a national landing folder (default: generated in the workdir)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--quick", action="store_true", help="one run per row, 3 months, a smaller engine, no 2x")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--documents", action="store_true", help="the runs write the documents too (default: not)")
    parser.add_argument("--baseline", action="store_true",
                        help="code from before the background server (issue 16): its reruns run against a "
                             "`prefect server start` started here")
    args = parser.parse_args()
    repeat, months = (1, min(args.months, 3)) if args.quick else (args.repeat, args.months)
    workdir = args.workdir.resolve()
    (workdir / "logs").mkdir(parents=True, exist_ok=True)
    env = environment(workdir, args.documents)
    figures: dict = {"machine": machine(), "repeat": repeat, "months": months, "started_load": load(),
                     "documents": args.documents}
    print(f"machine: {figures['machine']}; load {load()}; documents {'on' if args.documents else 'off'}", flush=True)
    landing = args.landing.resolve() if args.landing else landing_folder(workdir, args.seed)[0]

    print("[warm-up] the Prefect database of the workdir's Prefect home (not timed)", flush=True)
    show("warm-up", measure([*cli(), "run", "--period", PERIOD, "--input", str(ROOT / "data" / "sample"), "--output",
                             str(_fresh(workdir / "out" / "warmup"))], env, workdir / "logs" / "warmup.log"))
    print("[rows 1-2] committed sample: cold CLI, then the rerun through the running server", flush=True)
    with ExitStack() as stack:
        rerun_env = stack.enter_context(running_server(env, workdir / "logs" / "prefect_server.log")) \
            if args.baseline else env
        figures["cold"], figures["rerun"] = sample_rows(workdir, env, repeat, rerun_env)
    print("[row 3] national month through the CLI", flush=True)
    figures["national"] = national_month(workdir, env, landing, repeat, "national")
    if not args.quick:
        print("    ... and at twice the registry", flush=True)
        figures["national_2x"] = national_month(workdir, env, doubled_landing(workdir, landing), repeat,
                                                "national_2x")
    print("[row 6] I/O floor of the national month (pyarrow alone)", flush=True)
    figures["floor"] = floor(workdir, landing, workdir / "out" / "national_0", repeat)
    print(f"    {figures['floor']['median_seconds']:.2f} s (read {figures['floor']['read_seconds']:.2f} s, write "
          f"{figures['floor']['write_seconds']:.2f} s), load {figures['floor']['load']}", flush=True)
    print(f"[row 4] national backfill of {months} months through the CLI: locally, then on a local Dask cluster",
          flush=True)
    figures["backfill"] = backfill(workdir, env, landing, months, repeat, dask=False)
    figures["backfill_dask"] = backfill(workdir, env, landing, months, repeat, dask=True)
    print("[row 5] score_reports", flush=True)
    for rows in (10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000):
        figures[f"engine_{rows}"] = engine(rows, repeat)
    if not args.quick:
        print("    ... and 1,000,000 reports with numpy's huge-page advice off (NUMPY_MADVISE_HUGEPAGE=0)", flush=True)
        figures["engine_1000000_no_huge_pages"] = engine(1_000_000, repeat, huge_pages=False)
    stop_server(env)
    figures["ended_load"] = load()
    print("\n" + table(figures))
    print(f"\nload average (1 min) at the start {figures['started_load']}, at the end {figures['ended_load']}; medians "
          f"of {repeat} run(s); figures in {workdir / 'figures.json'}")
    (workdir / "figures.json").write_text(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
