"""Data Docs' pages drawn by GX's own views, their Jinja templates compiled once per process.

GX gives each section of each Data Docs build a new view, and each view a new Jinja environment: every build
compiled the same templates again, three times (the expectations, the validations, the index; 54 compilations,
0.2-0.4 s of a sample month's gate). These views are GX's, with Jinja's own bytecode cache (`jinja2.BytecodeCache`)
kept in memory and shared by all of them: a template is compiled once, then loaded from its code (Jinja checks the
template's source against the code's checksum, so a changed template is compiled again). The site's configuration
names them (`PAGE_VIEW`, `INDEX_VIEW`, set by `flows.quality.open_context`); the background server compiles the
templates as it starts, so that its copies start with them (`warm`).

The pages work offline: GX's templates load Bootstrap, jQuery, Font Awesome, bootstrap-table and Vega from public
CDNs and its logo from a web server (offline, the index showed no run at all: its tables are drawn by
bootstrap-table's script). Here the templates are read through `_Offline`, which points those references at copies
in the site's `static/vendor/` (`vendor`: from the pip packages xstatic-jquery, xstatic-bootstrap and
fontawesomefree, installed with this project) or drops them, and GX's table component is drawn as a plain HTML
table (`data_docs_templates/bootstrap_table.j2`; no sorting or filtering in the page).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import fontawesomefree
import xstatic.pkg.bootstrap
import xstatic.pkg.jquery
from jinja2 import BaseLoader, BytecodeCache, Environment, PackageLoader
from jinja2.bccache import Bucket

from schemas.deferred_imports import defer_unused_by_gx

defer_unused_by_gx()  # before GX's import: the libraries it imports for expectations these pages never show
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView  # noqa: E402

SECTIONS = ("expectations", "validations")  # the site's sections this project's runs fill (no profiling)


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


PAGE_VIEW = {"module_name": __name__, "class_name": PageView.__name__}  # in the site's configuration
INDEX_VIEW = {"module_name": __name__, "class_name": IndexPageView.__name__}


def as_wanted(site: object, limit: int) -> bool:
    """Whether a Data Docs site's configuration (from great_expectations.yml, edited by hand or not) names these
    views and limits its index to the results of `limit` validations."""
    if not isinstance(site, dict):
        return False
    index, sections = site.get("site_index_builder"), site.get("site_section_builders")
    return (isinstance(index, dict) and index.get("validation_results_limit") == limit
            and index.get("view") == INDEX_VIEW and isinstance(sections, dict)
            and all(isinstance(sections.get(name), dict) and sections[name].get("view") == PAGE_VIEW
                    for name in SECTIONS))


def make_wanted(site: dict, limit: int) -> None:
    """Set what `as_wanted` asks in a site's configuration, keeping the rest (GX's defaults for what it lacks)."""
    index = site.get("site_index_builder")
    site["site_index_builder"] = {**(index if isinstance(index, dict) else {}), "class_name": "DefaultSiteIndexBuilder",
                                  "validation_results_limit": limit, "view": dict(INDEX_VIEW)}
    sections = site.get("site_section_builders")
    sections = sections if isinstance(sections, dict) else {}
    site["site_section_builders"] = {**sections, **{
        name: {**(sections[name] if isinstance(sections.get(name), dict) else {}), "view": dict(PAGE_VIEW)}
        for name in SECTIONS}}


def warm() -> None:
    """Compile GX's page templates into this process's cache (the background server, before the copies it forks)."""
    env = PageView().env
    for name in env.list_templates(extensions=["j2"]):
        env.get_template(name)
