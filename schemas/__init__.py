"""The contracts: Pandera models for inputs and outputs, and the Great Expectations suites.

Importing the package defers the libraries GX imports for expectations these suites never run
(`schemas.deferred_imports`), before any module imports GX, and keeps Pandera from importing Dask's frames."""

from schemas.deferred_imports import defer_unused_by_gx, pandera_without_dask

defer_unused_by_gx()
pandera_without_dask()
