"""A non-editable install (a wheel, as `pip install .` builds it) never reads or writes inside its installation:
it asks for --input (or says how to make a sample), writes to the user's data folder named in --help, and runs
a month there."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from flows.config import PROJECT_ROOT


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """A virtual environment with the project's wheel installed, its dependencies taken from this one's (a .pth
    line: nothing downloaded but the build backend, from pip's cache)."""
    root = tmp_path_factory.mktemp("install")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(root / "wheel"),
                            str(PROJECT_ROOT)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    (wheel,) = (root / "wheel").glob("koperasi_sehat-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet",
                           str(wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return venv, site


def test_an_installed_package_asks_for_input_and_writes_to_the_user_folder(installed, tmp_path, prefect_api_url):
    venv, site = installed
    home = tmp_path / "home"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("KOPERASI_SEHAT_", "XDG_", "PREFECT_"))},
           "HOME": str(home), "COLUMNS": "250", "PREFECT_API_URL": prefect_api_url}
    command = str(venv / "bin" / "koperasi-sehat")
    before = _files(site)

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([command, *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)

    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import flows; print(flows.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=env).stdout
    assert where.startswith(str(site)), where  # the installed copy, not this checkout
    no_input = cli("run", "--period", "2026-10")
    assert (no_input.returncode, no_input.stdout) == (2, "")
    assert no_input.stderr == ("koperasi-sehat: tidak ada folder masukan: berikan --input FOLDER, atau buat contoh "
                               "dengan `koperasi-sehat sample --output FOLDER` lalu --input FOLDER\n")
    user_output = home / ".local" / "share" / "koperasi-sehat" / "output"
    shown = re.sub(r"[\s│]+", "", cli("run", "--help").stdout)  # the help's box may wrap a long path
    assert f"keluaran;bawaan:{user_output}" in shown
    assert cli("sample", "--output", str(tmp_path / "landing")).returncode == 0
    done = cli("run", "--period", "2026-10", "--input", str(tmp_path / "landing"))
    assert done.returncode == 0, done.stderr
    assert (user_output / "_terbit" / "2026-10.json").exists()
    assert _files(site) == before  # nothing read from or written beside the code
