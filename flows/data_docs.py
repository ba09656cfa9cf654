"""Data Docs' pages drawn by GX's own views, their Jinja templates compiled once per process.

GX gives each section of each Data Docs build a new view, and each view a new Jinja environment: every build
compiled the same templates again, three times (the expectations, the validations, the index; 54 compilations,
0.2-0.4 s of a sample month's gate). These views are GX's, with Jinja's own bytecode cache (`jinja2.BytecodeCache`)
kept in memory and shared by all of them: a template is compiled once, then loaded from its code (Jinja checks the
template's source against the code's checksum, so a changed template is compiled again). The site's configuration
names them (`PAGE_VIEW`, `INDEX_VIEW`, set by `flows.quality.open_context`); the background server compiles the
templates once idle, so that its copies start with them (`warm`).
"""

from __future__ import annotations

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket

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


class _CompiledOnce:
    """A GX Jinja view whose environment uses the process's compiled templates."""

    env: Environment

    def __init__(self, custom_styles_directory: str | None = None, custom_views_directory: str | None = None) -> None:
        super().__init__(custom_styles_directory, custom_views_directory)
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
