"""End-to-end figures of the monthly job on a national landing folder (130,000 registered cooperatives).

    python benchmarks/bench_national.py --workdir /tmp/bench [--months 12] [--seed 7] [--profile]

1. generates the national landing folder once (`sample.write_sample(scale="national")`, in a child
   process; reused when `<workdir>/landing` is already complete) and prints its size;
2. times one month (2026-10) through the CLI as a subprocess: wall time and peak RSS (of the command's tree and
   of the background server's copy that ran it), twice: with the background server the CLI starts by itself
   and leaves running (no PREFECT_API_URL; `flows.background`, stopped at the end), and against a running
   `prefect server start` (as a scheduled deployment runs; the server is started before and not timed);
3. times the steps of a run (`flows.prepare`, `score_parts`, `assemble`, `monthly`, `publishing`) in this
   process, without Prefect (prepare, score, check_quality, the manifest, publish), same month, fresh output:
   seconds and rows/second per stage, and the Prefect overhead = CLI wall time - sum of the stages;
4. times the I/O floor: reading every input file with plain pyarrow, writing the month's output tables with
   plain `pq.write_table`, and prints end-to-end / I/O floor;
5. times a backfill of `--months` months ending 2026-10 through the CLI (0 skips it), in both Prefect setups;
then prints a table of every figure (also saved as `<workdir>/figures.json`). The runs publish the tables only
(KOPERASI_SEHAT_DOCUMENTS=false whatever the shell sets, in process and through the CLI: the documents of a
national month take about as long again, measured by `bench_handouts.py`).

Peak RSS of a subprocess is the largest own peak (VmHWM, `benchmarks.memory`) of the child and its
descendants, sampled every 0.2 s (the largest single process of the tree), and of the background server's
copy that ran it: `os.wait4`'s ru_maxrss would also keep this benchmark's own peak, which Linux carries over
exec (the in-process months' 1.2 GiB). psutil, when installed, also samples the summed RSS of the live tree
every 0.2 s ("tree sum"). The CLI runs get `PREFECT_SERVER_ANALYTICS_ENABLED=false` and, unless
`--prefect-home` says otherwise, a Prefect home of their own under the workdir, warmed up first by one run
of the committed Kaltara sample (`--no-warmup` to skip), so that the timed month pays no first-run setup.

With `--profile`, one more in-process month (not timed above) runs under pyinstrument; it prints the top 10
project functions by exclusive time (own code + the library code they call directly), the top 10 functions
by self time with their project caller, and the top 10 project functions by cumulative time; the full report
is saved as
`<workdir>/profile.html` and `<workdir>/profile.txt`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pyarrow.csv as pa_csv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from benchmarks.memory import peak_rss_kib, served_run  # noqa: E402

try:
    import psutil  # noqa: E402
except ImportError:  # optional: the sampled tree sum and own peaks need it (else ru_maxrss, as above)
    psutil = None

PERIOD = "2026-10"
MIB = 1024 * 1024


# --- helpers ------------------------------------------------------------------------------------------------


def _mib(kib: float | None) -> str:
    return "-" if kib is None else f"{kib / 1024:,.0f}"


def _months_back(period: str, months: int) -> str:
    year, month = map(int, period.split("-"))
    index = year * 12 + month - 1 - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _cli() -> list[str]:
    """The installed `koperasi-sehat` beside this interpreter, else the module."""
    script = Path(sys.executable).with_name("koperasi-sehat")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flows.cli"]


def _fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def _tree_rss(process: "psutil.Process") -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def run_measured(command: list[str], env: dict[str, str], log: Path) -> dict:
    """Run a command to its end: wall seconds, exit code, the largest own peak of its tree (KiB), sampled tree
    sum."""
    log.parent.mkdir(parents=True, exist_ok=True)
    peak_sum, own = [0], [0]
    with log.open("w") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        done = threading.Event()

        def sample() -> None:
            try:
                process = psutil.Process(child.pid)
                while not done.is_set():
                    peak_sum[0] = max(peak_sum[0], _tree_rss(process))
                    own[0] = max([own[0], *(peak_rss_kib(p.pid) for p in [process, *process.children(True)])])
                    done.wait(0.2)
            except psutil.NoSuchProcess:
                pass

        sampler = threading.Thread(target=sample, daemon=True) if psutil else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        if sampler:
            sampler.join()
    return {"seconds": wall, "exit": child.returncode, "maxrss_kib": own[0] or usage.ru_maxrss,
            "tree_sum_kib": peak_sum[0] / 1024 if psutil else None, "log": str(log)}


def _tail(log: str, lines: int = 12) -> str:
    return "\n".join(Path(log).read_text(errors="replace").splitlines()[-lines:])


# --- 1. the landing folder ------------------------------------------------------------------------------------


def _generate(landing: str, seed: int, counts_file: str) -> None:
    from sample import write_sample

    counts = write_sample(Path(landing), scale="national", seed=seed)
    Path(counts_file).write_text(json.dumps({"seed": seed, "counts": counts}, indent=2))


def landing_folder(workdir: Path, seed: int) -> tuple[Path, dict]:
    """Generate once, in a child process (this process's peak RSS stays the pipeline's); reuse if complete."""
    landing, counts_file = workdir / "landing", workdir / "landing.json"
    generated = None
    if counts_file.exists() and json.loads(counts_file.read_text()).get("seed") == seed and landing.is_dir():
        print(f"[1] reusing {landing} (seed {seed})")
    else:
        _fresh(landing)
        counts_file.unlink(missing_ok=True)
        print(f"[1] generating the national landing folder in {landing} (seed {seed}) ...", flush=True)
        start = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(target=_generate,
                                                             args=(str(landing), seed, str(counts_file)))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"bench: generating the sample failed (exit {child.exitcode})")
        generated = time.perf_counter() - start
    files = sorted(p for p in landing.rglob("*") if p.is_file())
    size = {
        "generated_seconds": generated,
        "counts": json.loads(counts_file.read_text())["counts"],
        "files": len(files),
        "laporan_files": sum(1 for p in files if p.parent.name == "laporan"),
        "kuesioner_files": sum(1 for p in files if p.parent.name == "kuesioner"),
        "pemeriksaan_files": sum(1 for p in files if p.parent.name == "pemeriksaan"),
        "bytes": sum(p.stat().st_size for p in files),
    }
    c = size["counts"]
    print(f"    {size['files']} files ({size['laporan_files']} laporan, {size['kuesioner_files']} kuesioner, "
          f"{size['pemeriksaan_files']} pemeriksaan, koperasi.csv, faktor_pengurang.csv), "
          f"{size['bytes'] / MIB:,.1f} MiB; rows: koperasi "
          f"{c['koperasi']:,}, laporan {c['laporan']:,} (koreksi {c['laporan_koreksi']:,}), kuesioner "
          f"{c['kuesioner']:,}, faktor {c['faktor_pengurang']:,}"
          + (f"; generated in {generated:.1f} s" if generated else ""))
    return landing, size


# --- 2. and 5. the CLI ----------------------------------------------------------------------------------------


def _home(env: dict[str, str]) -> Path:
    return Path(env.get("PREFECT_HOME") or "~/.prefect").expanduser()


def cli_env(prefect_home: Path | None) -> dict[str, str]:
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    if prefect_home is not None:
        prefect_home.mkdir(parents=True, exist_ok=True)
        env["PREFECT_HOME"] = str(prefect_home)
    return env


@contextmanager
def prefect_server(env: dict[str, str], log: Path, port: int = 4242, options: tuple[str, ...] = ()
                   ) -> Iterator[str]:
    """A Prefect server of the CLI's Prefect home, as a scheduled deployment has (`options`: more of `prefect
    server start`'s, e.g. --no-ui); yields its API URL."""
    url = f"http://127.0.0.1:{port}/api"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        server = subprocess.Popen([str(Path(sys.executable).with_name("prefect")), "server", "start", "--host",
                                   "127.0.0.1", "--port", str(port), *options], env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Prefect server did not start; see {log}") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=60)


def cli_run(label: str, months: list[str], landing: Path, output: Path, env: dict[str, str],
            log: Path) -> dict:
    _fresh(output)
    when = ["--period", months[0]] if len(months) == 1 else ["--from", months[0], "--to", months[-1]]
    command = [*_cli(), "run", *when, "--input", str(landing), "--output", str(output)]
    print(f"{label} {' '.join(command)}", flush=True)
    before = served_run(_home(env))
    result = run_measured(command, env, log)
    served = served_run(_home(env))  # the run was the background server's copy's, when one served it
    if served and served != before:
        result["maxrss_kib"] = max(result["maxrss_kib"], served["maxrss_kib"] or 0)
    result["command"] = " ".join(command)
    published = sorted(p.name for p in (output / "skor_koperasi").glob("periode=*"))
    result["published_months"] = len(published)
    tree = f", tree sum {_mib(result['tree_sum_kib'])} MiB" if psutil else ""
    print(f"    exit {result['exit']}, {result['seconds']:.1f} s, peak RSS {_mib(result['maxrss_kib'])} MiB"
          f"{tree}; {len(published)} month(s) published; log {log}", flush=True)
    if result["exit"] != 0:
        print("    last lines of the log:\n" + _tail(result["log"]))
    return result


# --- 3. the steps in process ----------------------------------------------------------------------------------


def _output_rows(folder: Path) -> dict[str, int]:
    """Rows of each table kept in a run's folder (`<table>/periode=<p>/*.parquet`)."""
    return {table.name: sum(pq.read_metadata(p).num_rows for p in table.rglob("*.parquet"))
            for table in sorted(folder.iterdir()) if table.is_dir()}


def in_process_month(landing: Path, output: Path) -> dict:
    """prepare, score, check_quality, publish (+ recover, manifest) as the flow calls them, without Prefect."""
    from flows import assemble, locks, publishing, score_parts
    from flows.config import TIMEZONE
    from flows.monthly import check_quality, manifest as run_manifest
    from flows.prepare import prepare
    from flows.runs import RunParameters, new_run_id

    _fresh(output)
    params = RunParameters(period=PERIOD, input=landing, output=output)
    started = datetime.now(TIMEZONE)
    run_id = new_run_id(params.period, started)
    stages: dict[str, float] = {}
    sub: dict[str, float] = {}

    def timed(name: str, call, *args):
        start = time.perf_counter()
        value = call(*args)
        stages[name] = time.perf_counter() - start
        print(f"    {name:<14} {stages[name]:8.2f} s", flush=True)
        return value

    def score(p, r, s):  # the parts, timed one by one, then the assembly
        t = time.perf_counter()
        plan = score_parts.partitions(p, r)
        parts = [score_parts.score_part(p, r, i, names, s) for i, names in enumerate(plan)]
        sub["score: parts"] = time.perf_counter() - t
        sub["score: number of parts"] = len(plan)
        t = time.perf_counter()
        summary = assemble.assemble(p, r, parts)
        sub["score: assemble"] = time.perf_counter() - t
        return summary

    with locks.period_lock(output, params.period, run_id):
        publishing.recover(output, holding=params.period)
        prepared = timed("prepare", prepare, params, run_id, started)
        scored = timed("score", score, params, run_id, started)
        rows_out = _output_rows(params.folder(run_id).path / "keluaran")
        checked = timed("check_quality", check_quality, params, run_id, prepared)
        manifest = timed("manifest", run_manifest, params, run_id, started, prepared, scored, checked)
        timed("publish", publishing.publish, params, run_id, manifest)  # the manifest is published with the tables
        timed("recover", publishing.recover, output, params.period)
    rows_in = (prepared.laporan_dibaca + prepared.laporan_periode_lain + prepared.kuesioner_dibaca
               + prepared.faktor_dibaca + prepared.koperasi_dibaca)
    return {"stages": stages, "sub": sub, "rows_in": rows_in, "rows_period": prepared.laporan_dibaca,
            "rows_scored": scored.dinilai, "rows_accepted": prepared.laporan_diterima,
            "rows_out": rows_out, "gx_seconds_reported": checked.get("seconds"),
            "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


# --- 4. the I/O floor -----------------------------------------------------------------------------------------


def io_floor(landing: Path, output: Path, scratch: Path) -> dict:
    """Plain pyarrow: read every input file of the landing folder (a run reads them all); write the month's
    published tables (write timed alone)."""
    from flows import storage
    from flows.monthly import OUTPUT_TABLES
    from schemas.outputs import to_arrow

    inputs = sorted(p for p in landing.rglob("*") if p.is_file() and p.suffix.lower() in (".csv", ".parquet"))
    rows_in = 0
    start = time.perf_counter()
    for path in inputs:
        table = pq.read_table(path) if path.suffix.lower() == ".parquet" else pa_csv.read_csv(path)
        rows_in += table.num_rows
    read = time.perf_counter() - start

    _fresh(scratch)
    write, rows_out, bytes_out = 0.0, 0, 0
    for name in OUTPUT_TABLES:
        table = to_arrow(name, storage.read_table(output, name, PERIOD))
        target = scratch / f"{name}.parquet"
        start = time.perf_counter()
        pq.write_table(table, target, compression=storage.COMPRESSION, row_group_size=storage.ROW_GROUP_ROWS)
        write += time.perf_counter() - start
        rows_out += table.num_rows
        bytes_out += target.stat().st_size
    print(f"    read  {len(inputs)} files, {rows_in:,} rows: {read:.2f} s")
    print(f"    write {len(OUTPUT_TABLES)} tables, {rows_out:,} rows, {bytes_out / MIB:,.1f} MiB: {write:.2f} s")
    return {"read_seconds": read, "write_seconds": write, "files_read": len(inputs), "rows_read": rows_in,
            "rows_written": rows_out, "bytes_written": bytes_out}


# --- profile --------------------------------------------------------------------------------------------------


def profile_month(landing: Path, output: Path, workdir: Path, top: int = 10) -> dict:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    in_process_month(landing, output)
    profiler.stop()
    (workdir / "profile.html").write_text(profiler.output_html())
    (workdir / "profile.txt").write_text(profiler.output_text(unicode=True, show_all=False))
    root = profiler.last_session.root_frame()
    exclusive: dict[tuple, float] = {}  # innermost project function: its own code + the library code it calls
    self_time: dict[tuple, float] = {}  # (function, innermost project caller): self time
    cumulative: dict[tuple, float] = {}  # project functions, recursion counted once

    def project(frame) -> bool:
        path = frame.file_path or ""
        return path.startswith(str(ROOT)) and not path.startswith(str(ROOT / "benchmarks"))

    def key_of(frame) -> tuple:
        path = frame.file_path or ""
        if path.startswith(str(ROOT)):
            path = Path(path).relative_to(ROOT).as_posix()
        else:
            path = frame.file_path_short or path
        return (frame.function, path, frame.line_no)

    def walk(frame, owner: tuple | None, stack: frozenset) -> None:
        if frame.is_synthetic:
            return
        key = key_of(frame)
        if project(frame):
            owner = key
            if key not in stack:
                cumulative[key] = cumulative.get(key, 0.0) + frame.time
        spent = frame.total_self_time
        if owner is not None:
            exclusive[owner] = exclusive.get(owner, 0.0) + spent
        pair = (key, owner)
        self_time[pair] = self_time.get(pair, 0.0) + spent
        for child in frame.children:
            walk(child, owner, stack | {key})

    walk(root, None, frozenset())
    return {"total": root.time,
            "exclusive": sorted(exclusive.items(), key=lambda kv: -kv[1])[:top],
            "self": sorted(self_time.items(), key=lambda kv: -kv[1])[:top],
            "cumulative_project": sorted(cumulative.items(), key=lambda kv: -kv[1])[:top]}


def _where(key: tuple) -> str:
    function, path, line = key
    return f"{function}  ({path}:{line})"


# --- main -----------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="landing folder, outputs, logs, figures")
    parser.add_argument("--months", type=int, default=12, help="backfill length ending 2026-10 (0: skip)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the national sample")
    parser.add_argument("--prefect-home", type=Path, help="PREFECT_HOME of the CLI runs (default "
                        "<workdir>/prefect_home; 'inherit' keeps the environment's)")
    parser.add_argument("--no-warmup", action="store_true", help="no warm-up run of the CLI before timing")
    parser.add_argument("--profile", action="store_true", help="profile one more in-process month (pyinstrument)")
    args = parser.parse_args()
    os.environ["KOPERASI_SEHAT_DOCUMENTS"] = "false"  # the tables only (see the module); read by cli_env too
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    logs = workdir / "logs"
    home = None if str(args.prefect_home) == "inherit" else (args.prefect_home or workdir / "prefect_home")
    env = cli_env(home)
    figures: dict = {"machine": {"nproc": os.cpu_count(), "memory_gib": round(
        os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3, 1),
        "cpu": platform.processor() or platform.machine(), "python": platform.python_version()},
        "rss_method": "VmHWM sampled every 0.2 s (largest single process of the tree)"
                      + (" + psutil tree sum sampled every 0.2 s" if psutil else "; psutil not installed")}
    print(f"machine: {figures['machine']}; PREFECT_HOME={env.get('PREFECT_HOME', '(inherited default)')}")

    landing, figures["landing"] = landing_folder(workdir, args.seed)

    if not args.no_warmup:
        database = Path(env.get("PREFECT_HOME", Path.home() / ".prefect")) / "prefect.db"
        first_use = not database.exists()
        figures["warmup"] = cli_run("[2] warm-up (committed Kaltara sample, not timed):", [PERIOD],
                                    ROOT / "data" / "sample", workdir / "out_warmup", env, logs / "warmup.log")
        figures["warmup"]["first_use"] = first_use
    figures["cli_month"] = cli = cli_run("[2] one month through the CLI (its background server):", [PERIOD],
                                         landing, workdir / "out_cli_month", env, logs / "cli_month.log")
    with prefect_server(env, logs / "prefect_server.log") as api:
        served = {**env, "PREFECT_API_URL": api}
        figures["cli_month_server"] = cli_server = cli_run(
            f"[2] one month through the CLI (running Prefect server, PREFECT_API_URL={api}):", [PERIOD], landing,
            workdir / "out_cli_month_server", served, logs / "cli_month_server.log")
        if args.months > 0:
            from scoring.periods import periods_between

            backfill = periods_between(_months_back(PERIOD, args.months), PERIOD)
            figures["backfill_server"] = cli_run(
                f"[5] backfill of {args.months} months through the CLI (running Prefect server):", backfill, landing,
                workdir / "out_cli_backfill_server", served, logs / "cli_backfill_server.log")
            figures["backfill_server"]["months"] = args.months

    imports = run_measured([sys.executable, "-c", "import flows.cli, flows.pipeline, flows.monthly, flows.report"],
                           env, logs / "imports.log")
    figures["imports"] = imports
    gx_import = subprocess.run(
        [sys.executable, "-c", "import time, flows.monthly; t = time.perf_counter(); import schemas.expectations; "
         "print(time.perf_counter() - t)"], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    figures["gx_import_seconds"] = float(gx_import.stdout.strip().splitlines()[-1])
    print(f"[2] interpreter start + imports of the CLI's modules (python -c 'import flows.pipeline ...'): "
          f"{imports['seconds']:.1f} s; import of Great Expectations (lazy, in the first check_quality): "
          f"{figures['gx_import_seconds']:.1f} s", flush=True)

    print("[3] the steps in process, without Prefect:", flush=True)
    figures["in_process"] = inproc = in_process_month(landing, workdir / "out_in_process")

    print("[4] I/O floor (plain pyarrow):", flush=True)
    figures["io_floor"] = floor = io_floor(landing, workdir / "out_in_process", workdir / "scratch_io")

    if args.months > 0:
        figures["backfill"] = cli_run(f"[5] backfill of {args.months} months through the CLI (background server):",
                                      backfill, landing, workdir / "out_cli_backfill", env, logs / "cli_backfill.log")
        figures["backfill"]["months"] = args.months

    if args.profile:
        print("[+] profiling one more in-process month (pyinstrument) ...", flush=True)
        figures["profile"] = profile_month(landing, workdir / "out_profile", workdir)

    # --- the table ---
    stages = inproc["stages"]
    rows_out = sum(inproc["rows_out"].values())
    basis = {"prepare": (inproc["rows_in"], "input rows read (all files)"),
             "score": (inproc["rows_accepted"], "accepted reports of the month"),
             "check_quality": (rows_out, "output rows checked"),
             "publish": (rows_out, "output rows written")}
    labels = {"prepare": "prepare (ingest + validation)", "score": "score (scoring)",
              "check_quality": "check_quality (GX)", "publish": "publish (write)",
              "recover": "recover (cleanup)", "manifest": "manifest (built)"}
    stage_sum = sum(stages.values())
    floor_total = floor["read_seconds"] + floor["write_seconds"]
    c = figures["landing"]["counts"]
    line = "-" * 96
    print(f"\n{line}\nFIGURES  national sample, period {PERIOD}, seed {args.seed}; machine: "
          f"{figures['machine']['nproc']} CPUs, {figures['machine']['memory_gib']} GiB; Python "
          f"{figures['machine']['python']}\n{line}")
    print(f"landing      {figures['landing']['files']} files, {figures['landing']['bytes'] / MIB:,.1f} MiB; "
          f"koperasi {c['koperasi']:,}, laporan {c['laporan']:,}, kuesioner {c['kuesioner']:,}, "
          f"faktor {c['faktor_pengurang']:,}")
    print(f"month        {inproc['rows_period']:,} report rows of {PERIOD}, {inproc['rows_scored']:,} scored; "
          "outputs: " + ", ".join(f"{k} {v:,}" for k, v in inproc["rows_out"].items()))
    print(line)
    if "warmup" in figures:
        w = figures["warmup"]
        title = "CLI warm-up, Kaltara sample" + (" (new Prefect DB)" if w["first_use"] else "")
        print(f"{title:<48}{w['seconds']:>9.1f} s   peak RSS {_mib(w['maxrss_kib'])} MiB   not timed below")
    for title, run in (("CLI one month, background server", cli),
                       ("CLI one month, running Prefect server", cli_server)):
        print(f"{title:<48}{run['seconds']:>9.1f} s   peak RSS {_mib(run['maxrss_kib'])} MiB"
              + (f" (tree sum {_mib(run['tree_sum_kib'])} MiB)" if psutil else "") + f"   exit {run['exit']}")
    print(f"{'in process, by stage':<48}{'seconds':>9}     {'rows/s':>12}   rows basis")
    sub = dict(inproc["sub"])
    sub["check_quality: of which the GX import (once per process)"] = figures["gx_import_seconds"]
    for name, seconds in stages.items():
        rows, what = basis.get(name, (None, ""))
        rate = f"{rows / seconds:>12,.0f}" if rows else f"{'':>12}"
        print(f"  {labels.get(name, name):<46}{seconds:>9.2f}     {rate}   {what}")
        for detail, value in sub.items():
            if detail.startswith(f"{name}:"):
                text = detail.split(": ", 1)[1]
                print(f"    {text:<44}" + (f"{value:>9.2f}" if isinstance(value, float) else f"{value:>9}"))
    print(f"  {'sum of the stages':<46}{stage_sum:>9.2f}     peak RSS of this process "
          f"{_mib(inproc['maxrss_kib'])} MiB")
    for title, run in (("Prefect overhead, background server", cli), ("Prefect overhead, running server", cli_server)):
        print(f"{title:<48}{run['seconds'] - stage_sum:>9.1f} s   ({(run['seconds'] - stage_sum) / run['seconds']:.0%}"
              " of the CLI month - sum of the stages; interpreter start, imports; the background server's start when "
              "none ran)")
    print(f"{'  of which interpreter start + imports':<48}{imports['seconds']:>9.1f} s   "
          "(python -c 'import flows.cli, flows.pipeline, ...', measured apart)")
    print(f"{'I/O floor: read inputs (pyarrow)':<48}{floor['read_seconds']:>9.2f} s   "
          f"{floor['files_read']} files, {floor['rows_read']:,} rows")
    print(f"{'I/O floor: write outputs (pq.write_table)':<48}{floor['write_seconds']:>9.2f} s   "
          f"{floor['rows_written']:,} rows, {floor['bytes_written'] / MIB:,.1f} MiB")
    print(f"{'I/O floor total':<48}{floor_total:>9.2f} s")
    print(f"{'ratio CLI end to end / I/O floor':<48}{cli['seconds'] / floor_total:>9.1f} x   "
          f"(running server {cli_server['seconds'] / floor_total:.1f} x; in-process stages / floor "
          f"{stage_sum / floor_total:.1f} x)")
    for key, server in (("backfill", "background server"), ("backfill_server", "running server")):
        if key in figures:
            b = figures[key]
            title = f"CLI backfill, {b['months']} months, {server}"
            print(f"{title:<48}{b['seconds']:>9.1f} s   peak RSS "
                  f"{_mib(b['maxrss_kib'])} MiB" + (f" (tree sum {_mib(b['tree_sum_kib'])} MiB)" if psutil else "")
                  + f"   {b['seconds'] / b['months']:.1f} s/month, exit {b['exit']}, "
                  f"{b['published_months']} published")
    figures["load_average_at_end"] = os.getloadavg()
    print(f"{line}\npeak RSS: {figures['rss_method']}\nload average at the end (1, 5, 15 min): "
          + ", ".join(f"{x:.2f}" for x in figures["load_average_at_end"])
          + f" on {figures['machine']['nproc']} CPUs (above ~1 means something else ran beside the benchmark)")
    if "profile" in figures:
        p = figures["profile"]
        print(f"{line}\nPROFILE of one in-process month under pyinstrument ({p['total']:.1f} s under the "
              f"profiler; tree in {workdir / 'profile.html'}, {workdir / 'profile.txt'})")
        print(f"  top {len(p['exclusive'])} project functions by exclusive time (their own code and the library "
              "code they call, without the project functions they call):")
        for key, seconds in p["exclusive"]:
            print(f"    {seconds:8.2f} s  {_where(key)}")
        print(f"  top {len(p['self'])} functions by self time, with the project function that calls them:")
        for (key, owner), seconds in p["self"]:
            print(f"    {seconds:8.2f} s  {_where(key)}  <- {_where(owner) if owner else '-'}")
        print(f"  top {len(p['cumulative_project'])} project functions by cumulative time:")
        for key, seconds in p["cumulative_project"]:
            print(f"    {seconds:8.2f} s  {_where(key)}")
        figures["profile"] = {
            "total": p["total"], "exclusive": [[_where(k), s] for k, s in p["exclusive"]],
            "self": [[_where(k), _where(o) if o else None, s] for (k, o), s in p["self"]],
            "cumulative_project": [[_where(k), s] for k, s in p["cumulative_project"]]}
    subprocess.run([*_cli(), "server", "stop"], env=env, cwd=ROOT, capture_output=True, check=False)
    (workdir / "figures.json").write_text(json.dumps(figures, indent=2, default=str))
    print(f"figures saved to {workdir / 'figures.json'}")
    failed = [k for k in ("warmup", "cli_month", "cli_month_server", "backfill", "backfill_server")
              if figures.get(k, {}).get("exit", 0) != 0]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
