"""Libraries Great Expectations imports for expectations this project's suites never run, loaded on first use; and
Dask kept from Pandera (`pandera_without_dask`).

GX imports every expectation it ships when it is imported: `ExpectColumnKLDivergenceToBeLessThan` and two
Kolmogorov-Smirnov metrics import `scipy.stats` and `altair` at module level, for computing and charting their
results only. Those two imports were 1.0-1.5 s of the 2.6-4.0 s `import great_expectations` took on this project's
machine (2026-12-03; `python -X importtime`), paid by every process that checks outputs: the background server's
start, and so the first `run` after it. Deferred, each is a module object whose first attribute read runs the
library's code in it, so code that does use them (GX's own, or another library's) works as before.
`schemas` defers them when the package is imported, before any of its modules imports GX; `flows.data_docs`, which
imports GX itself, defers them first too. Nothing is imported to defer them: a `koperasi-sehat` command that hands
its run to the background server loads no numpy.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import threading
import types

UNUSED_BY_GX = ("scipy.stats", "altair")  # imported by GX at module level, used by no expectation of these suites
_LOADING = threading.RLock()


class _Deferred(types.ModuleType):
    """The module itself, not run yet: its first attribute it does not have (or `dir`) runs its code in this very
    object, as an import would, which then is an ordinary module. So whoever took it before (`from scipy import
    stats`) holds the module, patches and `importlib.reload` act on it, and reads cost nothing afterwards."""

    def __getattr__(self, name: str) -> object:
        _load(self)
        return object.__getattribute__(self, name)  # AttributeError as the module's own, once it has run

    def __dir__(self) -> list[str]:
        _load(self)
        return types.ModuleType.__dir__(self)  # not `dir(self)`: asked by the module's own code as it runs, it recursed


def _load(module: types.ModuleType) -> None:
    """Run the deferred module's code in it, its package imported first; once: another thread that asks meanwhile
    waits, and what the code itself reads of its module while it runs is not loaded again. Its code's error is
    raised, the module left out of `sys.modules`, as a failed import leaves it."""
    with _LOADING:
        spec = module.__spec__
        if type(module) is not _Deferred or getattr(spec, "_initializing", False):
            return
        if "__builtins__" not in module.__dict__:  # else its code has run already (`importlib.reload`)
            parent, _, child = spec.name.rpartition(".")
            if parent:
                setattr(importlib.import_module(parent), child, module)
            if spec.submodule_search_locations is not None:
                module.__path__ = spec.submodule_search_locations
            if spec.has_location:
                module.__file__ = spec.origin
            spec._initializing = True  # a module being imported, for Python's import system too
            try:
                spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(spec.name, None)
                module.__class__ = types.ModuleType
                raise
            finally:
                spec._initializing = False
        module.__class__ = types.ModuleType  # an ordinary module from now on


def defer(name: str) -> None:
    """Put a stand-in for the module `name` in `sys.modules` (and on its parent package, if that is imported),
    unless it is imported already or not installed. Nothing is imported: the spec is found on the path."""
    if name in sys.modules:
        return
    spec = _spec(name)
    if spec is None:
        return
    module = _Deferred(name)
    module.__spec__, module.__loader__, module.__package__ = spec, spec.loader, spec.parent
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, module)


def _spec(name: str) -> importlib.machinery.ModuleSpec | None:
    """The module's spec, its packages searched without importing them (`importlib.util.find_spec` imports the
    parent of a dotted name: scipy's imports numpy, which the command that hands its run over never loads)."""
    top, *parts = name.split(".")
    spec = importlib.util.find_spec(top)
    for part in parts:
        if spec is None or spec.submodule_search_locations is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(f"{spec.name}.{part}", spec.submodule_search_locations)
    return spec


def defer_unused_by_gx() -> None:
    """Stand-ins (`defer`) for the modules Great Expectations imports at module level and no suite of this project
    uses (UNUSED_BY_GX: scipy.stats, altair), before GX is imported; the first attribute read imports the real
    module."""
    for name in UNUSED_BY_GX:
        defer(name)


PANDERA_DASK = "pandera.typing.dask"


def pandera_without_dask() -> None:
    """Pandera's annotations for Dask frames, as Pandera has them when Dask is not installed (`DASK_INSTALLED`
    False, nothing else), unless they or `dask.dataframe` are imported already. Pandera imports `dask.dataframe`
    when it builds its first model, to know Dask's frame types, if Dask is installed: 0.5 s of every background
    server's start, and so of the first `run` after it (2026-12-04), though no schema here checks a Dask frame
    (Dask is installed for `--dask-address`, whose tasks check pandas frames). Nothing is imported to do it."""
    if PANDERA_DASK in sys.modules or "dask.dataframe" in sys.modules:
        return
    module = types.ModuleType(PANDERA_DASK, "Pandera's Dask annotations as without Dask (koperasi-sehat)")
    module.DASK_INSTALLED = False
    sys.modules[PANDERA_DASK] = module
