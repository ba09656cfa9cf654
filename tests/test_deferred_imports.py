"""Libraries Great Expectations imports for expectations these suites never run, deferred to their first use
(`schemas.deferred_imports`): the server's start no longer pays for them, and whoever uses them gets them."""

from __future__ import annotations

import subprocess
import sys
import threading
import types

from flows.config import PROJECT_ROOT
from schemas import deferred_imports


def test_great_expectations_loads_without_scipy_stats_and_altair_which_load_on_first_use():
    """`import great_expectations` imported both (1.0-1.5 s of its 2.6-4.0 s); with the project's modules loaded
    they stay stand-ins, and a use gets the real library: the stand-in is the module (hostile trial: a patch of
    `scipy.stats.norm` went to a copy, `dir` listed 5 names, `importlib.reload` failed, every read took a lock)."""
    code = """
import importlib, sys, types
from unittest import mock
import flows.data_docs, flows.pipeline, flows.quality, schemas.expectations
print(sorted(n for n in ("scipy.stats", "altair") if type(sys.modules[n]).__name__ == "_Deferred"))
from scipy import stats
print("norm" in dir(stats), type(stats) is types.ModuleType, stats is sys.modules["scipy.stats"])
from scipy.stats import entropy
print(round(float(entropy([0.5, 0.5])), 6))
with mock.patch("scipy.stats.norm") as patched:
    from scipy.stats import norm
    print(norm is patched, stats.norm is patched)
print(importlib.reload(stats) is stats, stats.norm.cdf(0))
import altair
print(altair.Chart.__name__, type(sys.modules["altair"]) is types.ModuleType)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["['altair', 'scipy.stats']", "True True True", "0.693147", "True True",
                                        "True 0.5", "Chart True"]


def test_a_deferred_module_runs_once_on_its_first_attribute_even_from_two_threads(tmp_path, monkeypatch):
    (tmp_path / "modul_ditunda.py").write_text(
        "import time\nRUNS = __import__('builtins').__dict__.setdefault('_modul_ditunda_runs', [])\n"
        "RUNS.append(1)\ntime.sleep(0.2)\nNILAI = 42\nimport sys\nNAMA = dir(sys.modules[__name__])\n",
        encoding="utf-8")  # its code lists its own module's names while it runs
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "modul_ditunda", raising=False)
    import builtins

    monkeypatch.setattr(builtins, "_modul_ditunda_runs", [], raising=False)
    deferred_imports.defer("modul_ditunda")
    stand_in = sys.modules["modul_ditunda"]
    assert type(stand_in).__name__ == "_Deferred" and builtins._modul_ditunda_runs == []
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(stand_in.NILAI)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [42, 42] and builtins._modul_ditunda_runs == [1]
    import modul_ditunda

    assert modul_ditunda is stand_in and type(stand_in) is types.ModuleType and "NILAI" in stand_in.NAMA
    monkeypatch.delitem(sys.modules, "modul_ditunda")


def test_a_deferred_module_reloaded_before_its_first_use_runs_once(tmp_path, monkeypatch):
    """`importlib.reload` runs the module's code in the stand-in itself; it is not run a second time."""
    import builtins
    import importlib

    (tmp_path / "modul_dimuat_ulang.py").write_text(
        "import builtins\nbuiltins._modul_dimuat_ulang_runs.append(1)\nNILAI = 3\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(builtins, "_modul_dimuat_ulang_runs", [], raising=False)
    deferred_imports.defer("modul_dimuat_ulang")
    stand_in = sys.modules["modul_dimuat_ulang"]
    assert importlib.reload(stand_in) is stand_in and builtins._modul_dimuat_ulang_runs == [1]
    assert stand_in.NILAI == 3 and not hasattr(stand_in, "TIDAK_ADA") and builtins._modul_dimuat_ulang_runs == [1]
    assert type(stand_in) is types.ModuleType  # once an attribute it lacks was read
    monkeypatch.delitem(sys.modules, "modul_dimuat_ulang")


def test_a_deferred_module_whose_code_fails_raises_its_error_and_is_not_kept(tmp_path, monkeypatch):
    import pytest

    (tmp_path / "modul_rusak.py").write_text("raise RuntimeError('modul rusak')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    deferred_imports.defer("modul_rusak")
    with pytest.raises(RuntimeError, match="modul rusak"):
        sys.modules["modul_rusak"].NILAI
    assert "modul_rusak" not in sys.modules


def test_a_module_already_loaded_or_not_installed_is_left_as_it_is(monkeypatch):
    import json

    deferred_imports.defer("json")
    assert sys.modules["json"] is json
    for name in ("modul_yang_tidak_ada", "paket_yang_tidak_ada.modul"):
        deferred_imports.defer(name)
        assert name not in sys.modules


def test_a_deferred_submodule_imports_not_even_its_package_until_used(tmp_path, monkeypatch):
    """scipy's `__init__` imports numpy: finding `scipy.stats` through it made every command load numpy."""
    package = tmp_path / "paket_ditunda"
    package.mkdir()
    (package / "__init__.py").write_text("import builtins\nbuiltins._paket_ditunda_runs.append('paket')\n")
    (package / "modul.py").write_text("import builtins\nbuiltins._paket_ditunda_runs.append('modul')\nNILAI = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import builtins

    monkeypatch.setattr(builtins, "_paket_ditunda_runs", [], raising=False)
    deferred_imports.defer("paket_ditunda.modul")
    assert "paket_ditunda" not in sys.modules and builtins._paket_ditunda_runs == []
    from paket_ditunda import modul

    assert builtins._paket_ditunda_runs == ["paket"] and type(modul).__name__ == "_Deferred"
    assert modul.NILAI == 7 and builtins._paket_ditunda_runs == ["paket", "modul"]
    import paket_ditunda.modul

    assert type(paket_ditunda.modul) is types.ModuleType
    for name in ("paket_ditunda.modul", "paket_ditunda"):
        monkeypatch.delitem(sys.modules, name)


def test_the_server_s_warm_up_imports_neither_dask_s_frames_nor_openpyxl():
    """Pandera imported `dask.dataframe` (0.5 s) when it built its first model, Dask being installed for
    `--dask-address`, and the landing's reader imported openpyxl (0.25 s), both in the background server's start
    (`flows.background_loop._warm`), so in the first run's time. Neither is imported by it now; both still load
    when used, and Pandera's models are those it builds without Dask."""
    code = """
import importlib, sys
from flows import background_loop
for name in background_loop.WARM:
    importlib.import_module(name)
from schemas import inputs, outputs
inputs.build_schemas()
for table in outputs.TABLES.values():
    table.pandera_schema
print(sorted(n for n in ("dask.dataframe", "openpyxl") if n in sys.modules))
import pandera.typing
print(pandera.typing.get_index_types() == {pandera.typing.Index}, sys.modules["pandera.typing.dask"].DASK_INSTALLED)
import dask.dataframe, openpyxl
print(dask.dataframe.from_dict({"a": [1, 2]}, npartitions=1)["a"].sum().compute(), openpyxl.Workbook().active.title)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "True False", "3 Sheet"]
