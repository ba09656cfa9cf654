"""Every path and default of the pipeline, derived from the project root and the environment."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
# The committed sample is the default input; outputs go to a git-ignored folder beside it.
DEFAULT_INPUT = Path(os.environ.get("KOPERASI_SEHAT_INPUT", DATA_DIR / "sample"))
DEFAULT_OUTPUT = Path(os.environ.get("KOPERASI_SEHAT_OUTPUT", DATA_DIR / "output"))
TIMEZONE = ZoneInfo("Asia/Makassar")  # WITA, the province's time
WORK_DIR = "_kerja"  # per-run scratch folder under the output folder
RUNS_DIR = "_runs"
DEPLOYMENT = "bulanan"
CRON = "0 2 5 * *"  # 02:00 on the 5th, WITA: scores the month before
