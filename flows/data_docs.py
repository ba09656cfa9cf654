"""Data Docs' pages drawn by GX's own views, their Jinja templates compiled once per process, by GX's builders
reading only what a run's pages need.

GX gives each section of each Data Docs build a new view, and each view a new Jinja environment: every build
compiled the same templates again, three times (the expectations, the validations, the index; 54 compilations,
0.2-0.4 s of a sample month's gate). These views are GX's, with Jinja's own bytecode cache (`jinja2.BytecodeCache`)
kept in memory and shared by all of them: a template is compiled once, then loaded from its code (Jinja checks the
template's source against the code's checksum, so a changed template is compiled again). The site's configuration
names them (`PAGE_VIEW`, `INDEX_VIEW`, set by `flows.quality.open_context`); the background server compiles the
templates as it starts, so that its copies start with them (`warm`).

Every run's validation results are kept, and GX's builders read them all at each build: its section builders
listed them (its profiling section, which draws nothing here, once more) and compared each with each page to
draw, and its index read each result it links whole. With 480 results kept, a sample month's Data Docs took
0.6 s instead of 0.2 s, and the more so the longer the office used its output folder. `SectionBuilder` draws the
pages named without listing, `IndexBuilder` reads each linked result without its expectations' results, the
profiling section is off (`OFF`); with no pages named (a whole rebuild) every page is drawn, as by GX's own.

The pages work offline: GX's templates load Bootstrap, jQuery, Font Awesome, bootstrap-table and Vega from public
CDNs and its logo from a web server (offline, the index showed no run at all: its tables are drawn by
bootstrap-table's script). Here the templates are read through `_Offline`, which points those references at copies
in the site's `static/vendor/` (`vendor`: from the pip packages xstatic-jquery, xstatic-bootstrap and
fontawesomefree, installed with this project) or drops them, and GX's table component is drawn as a plain HTML
table (`data_docs_templates/bootstrap_table.j2`; no sorting or filtering in the page).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import fontawesomefree
import xstatic.pkg.bootstrap
import xstatic.pkg.jquery
from jinja2 import BaseLoader, BytecodeCache, Environment, PackageLoader
from jinja2.bccache import Bucket

from schemas.deferred_imports import defer_unused_by_gx

defer_unused_by_gx()  # before GX's import: the libraries it imports for expectations these pages never show
from great_expectations.core.expectation_validation_result import (  # noqa: E402
    ExpectationSuiteValidationResult, expectationSuiteValidationResultSchema)
from great_expectations.data_context.types.resource_identifiers import (  # noqa: E402
    ExpectationSuiteIdentifier, ValidationResultIdentifier)
from great_expectations.render.renderer.site_builder import (  # noqa: E402
    DefaultSiteIndexBuilder, DefaultSiteSectionBuilder)
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView  # noqa: E402

SECTIONS = ("expectations", "validations")  # the site's sections this project's runs fill
# GX's profiling section, on by default, listed the validation results again to draw none: off
OFF = {"profiling": "False"}


class _Compiled(BytecodeCache):
    """Compiled templates by Jinja's key (template name and file), for this process."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED = _Compiled()


_FONT_AWESOME = Path(fontawesomefree.__file__).parent / "static" / "fontawesomefree"
# the site's copies (under static/vendor/) and their sources: Bootstrap 4's bundle carries Popper
VENDOR = {
    "jquery.min.js": Path(xstatic.pkg.jquery.BASE_DIR) / "jquery.min.js",
    "bootstrap.min.css": Path(xstatic.pkg.bootstrap.BASE_DIR) / "css" / "bootstrap.min.css",
    "bootstrap.bundle.min.js": Path(xstatic.pkg.bootstrap.BASE_DIR) / "js" / "bootstrap.bundle.min.js",
    "fontawesome/css/all.min.css": _FONT_AWESOME / "css" / "all.min.css",
    **{f"fontawesome/webfonts/{font.name}": font for font in sorted((_FONT_AWESOME / "webfonts").iterdir())},
}
# what GX's templates load from the web, by the file's name in its address: the site's copy. The others are left
# out: bootstrap-table and its datepicker draw no table here, Popper is in Bootstrap's bundle, Vega draws the
# profiling pages' charts, which this project has none of, bootstrap-prefers-dark only restyles
LOADED = {"jquery-3.7.1.min.js": "jquery.min.js", "bootstrap.min.css": "bootstrap.min.css",
          "bootstrap.min.js": "bootstrap.bundle.min.js", "all.min.css": "fontawesome/css/all.min.css"}
_TAG = re.compile(r'<script\b[^>]*\bsrc="(https?://[^"]+)"[^>]*>\s*</script>'
                  r'|<link\b[^>]*\bhref="(https?://[^"]+)"[^>]*>')
_IMAGES = re.compile(r'{%-?\s*set static_images_dir = [^%]*-?%}')  # GX's own: a web server, or a level too few
_STYLE_IMAGE = re.compile(r"""url\(\s*['"]?https?://[^)]*\)""")  # the dark theme's logo, from GX's web server
# the site's static folder from the page being drawn (a page's depth as GX's own navigation bar counts it)
_STATIC = ('{%- if "ValidationResults" in renderer_type or "ProfilingResults" in renderer_type -%}'
           '{%- set offline_static = ((expectation_suite_name or "").count(".") + 4) * "../" ~ "static/" -%}'
           '{%- elif "ExpectationSuite" in renderer_type -%}'
           '{%- set offline_static = ((expectation_suite_name or "").count(".") + 1) * "../" ~ "static/" -%}'
           '{%- else -%}{%- set offline_static = "./static/" -%}{%- endif -%}\n')
_OWN = PackageLoader("flows", "data_docs_templates")
_OWN_TEMPLATES = frozenset(_OWN.list_templates())


class _Offline(BaseLoader):
    """GX's templates with the web's scripts, styles and images replaced by the site's copies or left out (see
    `LOADED`); this project's own for those in `data_docs_templates`."""

    def __init__(self, gx: BaseLoader) -> None:
        self.gx = gx

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template in _OWN_TEMPLATES:
            return _OWN.get_source(environment, template)
        source, filename, uptodate = self.gx.get_source(environment, template)
        offline = _TAG.sub(_local_tag, source)
        offline = _IMAGES.sub('{%- set static_images_dir = offline_static ~ "images/" -%}', offline)
        offline = _STYLE_IMAGE.sub("none", offline)
        return (source if offline == source else _STATIC + offline), filename, uptodate

    def list_templates(self) -> list[str]:
        return sorted({*self.gx.list_templates(), *_OWN_TEMPLATES})


def _local_tag(found: re.Match) -> str:
    """A script or style tag of GX's, for the site's copy of its file, or nothing."""
    address = found.group(1) or found.group(2)
    local = LOADED.get(address.rsplit("/", 1)[-1])
    if local is None:
        return ""
    if found.group(1):
        return f'<script src="{{{{ offline_static }}}}vendor/{local}"></script>'
    return f'<link rel="stylesheet" href="{{{{ offline_static }}}}vendor/{local}"/>'


def rows_in_order(rows: Sequence[Mapping], columns: Sequence[Mapping], options: Mapping) -> list[Mapping]:
    """A GX table's rows in the order bootstrap-table shows them first: by `sortName` (a column's own sort field
    when it names one), `sortOrder` desc or asc; as given without a sort. Missing values last."""
    name = options.get("sortName")
    if not name:
        return list(rows)
    key = next((c.get("sortName", name) for c in columns if c.get("field") == name), name)
    present = [row for row in rows if row.get(key) is not None]
    ordered = sorted(present, key=lambda row: row[key], reverse=options.get("sortOrder") == "desc")
    return ordered + [row for row in rows if row.get(key) is None]


def vendor(site: Path) -> None:
    """Copy the pages' scripts, styles and fonts into the site's static/vendor/ (those missing or of another size).
    OSError when one cannot be written."""
    for name, source in VENDOR.items():
        target = site / "static" / "vendor" / name
        if not target.exists() or target.stat().st_size != source.stat().st_size:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


class _CompiledOnce:
    """A GX Jinja view whose environment reads the templates offline (`_Offline`) and uses the process's compiled
    templates."""

    env: Environment

    def __init__(self, custom_styles_directory: str | None = None, custom_views_directory: str | None = None) -> None:
        super().__init__(custom_styles_directory, custom_views_directory)
        self.env.loader = _Offline(self.env.loader)
        self.env.filters["rows_in_order"] = rows_in_order
        self.env.bytecode_cache = COMPILED


class PageView(_CompiledOnce, DefaultJinjaPageView):
    """GX's page view (a suite's or a validation result's page)."""


class IndexPageView(_CompiledOnce, DefaultJinjaIndexPageView):
    """GX's index page view."""


class _Listed:
    """A GX store whose keys are these (the rest is the store's own)."""

    def __init__(self, store: Any, keys: list) -> None:
        self._store, self._keys = store, keys

    def list_keys(self) -> list:
        return list(self._keys)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


class SectionBuilder(DefaultSiteSectionBuilder):
    """GX's section builder, which, given the documents to draw (a run's results and their suites), draws them
    without listing the section's store: GX listed every stored result and compared each with each document
    (0.1-0.2 s of a sample month's gate with 480 results kept, and every run's are kept). Without documents, a
    whole rebuild, it is GX's own."""

    def build(self, resource_identifiers: list | None = None) -> None:
        """Draw the documents named by `resource_identifiers` (a run's results and their suites) that the section's
        store has; with none, GX's whole rebuild of the section."""
        if not resource_identifiers:
            super().build(resource_identifiers)
            return
        store = self.source_store
        self.source_store = _Listed(store, [key for key in resource_identifiers
                                            if isinstance(key, store.key_class) and store.has_key(key)])
        try:
            super().build(resource_identifiers)
        finally:
            self.source_store = store


class _Summaries:
    """A GX data context whose validation results are read without the results of their expectations, by GX's own
    schema (a success of "false" is false, as GX reads it; hostile trial): what the index shows, their success and
    meta (batch and asset). The rest is the context's own."""

    def __init__(self, context: Any) -> None:
        self._context = context

    def get_validation_result(self, expectation_suite_name: str, run_id: Any = None, batch_identifier: Any = None,
                              validation_results_store_name: str | None = None) -> ExpectationSuiteValidationResult:
        store = self._context.stores[validation_results_store_name or self._context.validation_results_store_name]
        key = ValidationResultIdentifier(ExpectationSuiteIdentifier(name=expectation_suite_name), run_id,
                                         batch_identifier)
        stored = json.loads(store.store_backend.get(store.key_to_tuple(key)))
        return expectationSuiteValidationResultSchema.load({**stored, "results": []})

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class IndexBuilder(DefaultSiteIndexBuilder):
    """GX's index builder, reading each result it links without its expectations' results (`_Summaries`): GX read
    each whole, every expectation's result through marshmallow (0.1-0.2 s of a sample month's gate for the 132 results
    of the newest 12 runs; 2026-12-05)."""

    def _add_validations_to_index_links(self, index_links_dict: Any, keys: Any) -> None:
        context = self.data_context
        self.data_context = _Summaries(context)
        try:
            super()._add_validations_to_index_links(index_links_dict, keys)
        finally:
            self.data_context = context


PAGE_VIEW = {"module_name": __name__, "class_name": PageView.__name__}  # in the site's configuration
INDEX_VIEW = {"module_name": __name__, "class_name": IndexPageView.__name__}
SECTION_BUILDER = {"module_name": __name__, "class_name": SectionBuilder.__name__}
INDEX_BUILDER = {"module_name": __name__, "class_name": IndexBuilder.__name__}


def as_wanted(site: object, limit: int) -> bool:
    """Whether a Data Docs site's configuration (from great_expectations.yml, edited by hand or not) names these
    section builders and views, the profiling section off, and limits its index to the results of `limit`
    validations."""
    if not isinstance(site, dict):
        return False
    index, sections = site.get("site_index_builder"), site.get("site_section_builders")
    return (isinstance(index, dict) and index.get("validation_results_limit") == limit
            and index.get("view") == INDEX_VIEW and INDEX_BUILDER.items() <= index.items()
            and isinstance(sections, dict)
            and all(sections.get(name) == off for name, off in OFF.items())
            and all(isinstance(sections.get(name), dict) and sections[name].get("view") == PAGE_VIEW
                    and SECTION_BUILDER.items() <= sections[name].items() for name in SECTIONS))


def make_wanted(site: dict, limit: int) -> None:
    """Set what `as_wanted` asks in a site's configuration, keeping the rest (GX's defaults for what it lacks)."""
    index = site.get("site_index_builder")
    site["site_index_builder"] = {**(index if isinstance(index, dict) else {}), **INDEX_BUILDER,
                                  "validation_results_limit": limit, "view": dict(INDEX_VIEW)}
    sections = site.get("site_section_builders")
    sections = sections if isinstance(sections, dict) else {}
    site["site_section_builders"] = {**sections, **OFF, **{
        name: {**(sections[name] if isinstance(sections.get(name), dict) else {}), **SECTION_BUILDER,
               "view": dict(PAGE_VIEW)} for name in SECTIONS}}


def warm() -> None:
    """Compile GX's page templates into this process's cache (the background server, before the copies it forks)."""
    env = PageView().env
    for name in env.list_templates(extensions=["j2"]):
        env.get_template(name)
