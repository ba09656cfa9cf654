"""Each expectation's configuration built once per validation of a suite, not at each reading.

Great Expectations 1.24 builds an expectation's configuration anew each time `Expectation.configuration` is read
(the expectation's pydantic `dict()` and a new `ExpectationConfiguration`), and validating reads it again for every
keyword of every metric the expectation asks for: 7,974 builds for the 80 expectations of a run, about a fifth of
the gate's time (cProfile, 2026-12-05). Inside `configurations_kept`, the first reading of an expectation's
configuration is kept and given again to the next ones: 1,084 builds, one per expectation object (GX makes one
for each metric it looks up); a gate of the committed sample in one process took 1.25 s instead of 1.6 s. The
expectations are not changed while they are validated (GX builds them from the suite for the validation): the
results are the same, and the tests of the gate check them, failures included. Outside the block, and on any other
thread, GX builds it as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

# the block's configurations by expectation (id: the expectation, kept alive, and its configuration); None outside
_KEPT: ContextVar[dict[int, tuple[Any, Any]] | None] = ContextVar("configurations_kept", default=None)


@contextmanager
def configurations_kept() -> Iterator[None]:
    """For the block (one suite's validation), each expectation's configuration built at its first reading only."""
    _install()
    token = _KEPT.set({})
    try:
        yield
    finally:
        _KEPT.reset(token)


def _install() -> None:
    """Put the keeping reader in place of GX's `Expectation.configuration`, once per process."""
    from great_expectations.expectations.expectation import Expectation

    gx_property = Expectation.__dict__["configuration"]
    if hasattr(gx_property.fget, "built"):
        return
    built = gx_property.fget

    def configuration(self: Any) -> Any:
        kept = _KEPT.get()
        if kept is None:
            return built(self)
        held = kept.get(id(self))  # the expectation is held with it: its id is not given to another meanwhile
        if held is None:
            held = kept[id(self)] = (self, built(self))
        return held[1]

    configuration.built = built  # type: ignore[attr-defined]
    Expectation.configuration = property(configuration, doc=gx_property.__doc__)  # type: ignore[assignment]
