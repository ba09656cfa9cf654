"""Data Docs looked at in headless Chromium (Debian's package), offline as an office may be: the index, a suite's
page and a validation result load the site's own files only, every one of them found, and show; the index lists the
run's results and its tabs switch (Bootstrap's script from the site). Skipped like the handouts' browser tests
where Chromium or Playwright is missing."""

from __future__ import annotations

import test_handouts_browser as handouts
from test_quality import RUN, run

browser = handouts.browser  # the fixture: one Chromium for the module
pytestmark = handouts.pytestmark  # skipped where Debian's chromium is missing


def test_data_docs_show_offline_and_fetch_only_their_own_files(browser, tmp_path):
    result = run(tmp_path / "_gx", run_id=RUN + "_chromium")
    site = result.data_docs_index.parent
    validation = next(site.glob(f"validations/skor_koperasi/{RUN}_chromium/*/*.html"))
    for path in (result.data_docs_index, site / "expectations" / "skor_koperasi.html", validation):
        page = browser.new_page(viewport=handouts.DESKTOP)
        requests, failed = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto(path.as_uri(), wait_until="load")
        assert failed == [] and all(url.startswith(site.as_uri() + "/") for url in requests), (path, requests)
        assert len(requests) >= 5  # the page, Bootstrap's style and script, jQuery, Font Awesome (and its fonts)
        assert handouts.not_blank(handouts.screenshot(page)), path
        if path == result.data_docs_index:
            results = page.locator("table a[href*='/" + RUN + "_chromium/']")
            assert results.count() >= len(result.summary["suites"]) and results.first.is_visible()
            page.get_by_role("tab", name="Expectation Suites").click()  # Bootstrap's tabs: its script, the site's
            suites = page.locator("#Expectation-Suites a[href='expectations/skor_koperasi.html']")
            suites.wait_for(state="visible", timeout=5000)
        page.close()
