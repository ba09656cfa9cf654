"""Libraries Great Expectations imports for expectations this project's suites never run, loaded on first use.

GX imports every expectation it ships when it is imported: `ExpectColumnKLDivergenceToBeLessThan` and two
Kolmogorov-Smirnov metrics import `scipy.stats` and `altair` at module level, for computing and charting their
results only. Those two imports were 1.0-1.5 s of the 2.6-4.0 s `import great_expectations` took on this project's
machine (2026-12-03; `python -X importtime`), paid by every process that checks outputs: the background server's
start, and so the first `run` after it. Deferred, each is a module object whose first attribute read imports the
real library and reads from it, so code that does use them (GX's own, or another library's) works as before.
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
    """Stands for a module not imported yet: the first attribute it does not have imports the module."""

    def __getattr__(self, name: str) -> object:
        with _LOADING:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
        return getattr(real, name)


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
    for name in UNUSED_BY_GX:
        defer(name)
