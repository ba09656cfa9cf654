"""Screenshots of Data Docs with headless Chromium: `python tests/screenshot_data_docs.py OUTPUT PNG`.

Writes PNG (the index) and PNG with `-validasi` before the suffix (the latest skor_koperasi validation
result), as they show offline (`flows.data_docs`: the site's own copies of the scripts and styles). Not a test
module (pytest does not collect it): Chromium is not part of the project's install
(`apt-get install chromium`). Exits 1 with one line if the index or Chromium is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1400,1000", "--virtual-time-budget=5000"]


def main(output: str, png: str) -> int:
    index = Path(output) / "_gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not index.exists() or browser is None:
        print(f"missing: {index if not index.exists() else 'chromium'}", file=sys.stderr)
        return 1
    latest = max(index.parent.glob("validations/skor_koperasi/*/*/*.html"), key=lambda p: p.parent.name)
    target = Path(png).resolve()
    for page, shot in ((index, target), (latest, target.with_stem(target.stem + "-validasi"))):
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}",
                            page.resolve().as_uri()], check=True, capture_output=True, timeout=120)
        print(f"{shot}: screenshot of {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
