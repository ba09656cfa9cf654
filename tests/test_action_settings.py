"""The settings: declared as data (`flows/settings.toml`), refused when malformed; the thresholds of issue 14 with the
defaults the issue and the office's practice give."""

from __future__ import annotations

import tomllib

import pytest
import tomli_w
from pydantic import ValidationError

from flows.config import SETTINGS_FILE, TYPES, Settings, declared
from scoring.errors import RulebookError


def test_defaults():
    s = Settings()
    assert (s.visits_per_pendamping, s.deadline_day, s.warning_margin, s.falling_periods, s.min_peers,
            s.rat_warning_months, s.silent_months, s.priority_members_per_step, s.worklist_top_n,
            s.reporting_quality_months) == (10, 10, 2.0, 3, 5, 3, 3, 10_000, 10, 12)


def test_each_can_be_set_from_the_environment(monkeypatch):
    monkeypatch.setenv("KOPERASI_SEHAT_VISITS_PER_PENDAMPING", "8")
    monkeypatch.setenv("KOPERASI_SEHAT_DEADLINE_DAY", "15")
    assert (Settings().visits_per_pendamping, Settings().deadline_day) == (8, 15)


def test_a_number_is_read_with_a_decimal_comma_as_indonesian_writes_it(monkeypatch):
    """KOPERASI_SEHAT_MAX_QUARANTINE_SHARE=0,2 was refused (fresh-clone trial); a text setting keeps its comma, a
    whole number is not made of one, and a thousands dot is no decimal comma."""
    from flows.cli import _share

    monkeypatch.setenv("KOPERASI_SEHAT_MAX_QUARANTINE_SHARE", "0,2")
    monkeypatch.setenv("KOPERASI_SEHAT_WARNING_MARGIN", " 2,5 ")
    monkeypatch.setenv("KOPERASI_SEHAT_CRON", "0 2 5,6 * *")
    assert (Settings().max_quarantine_share, Settings().warning_margin, Settings().cron) == (0.2, 2.5, "0 2 5,6 * *")
    for name, value in (("KOPERASI_SEHAT_PART_SIZE", "1,5"), ("KOPERASI_SEHAT_WARNING_MARGIN", "1.234,5")):
        monkeypatch.setenv(name, value)
        with pytest.raises(ValidationError, match=name.removeprefix("KOPERASI_SEHAT_").lower()):
            Settings()
        monkeypatch.delenv(name)
    assert (_share("0,5"), _share("0.5"), _share(",25")) == (0.5, 0.5, 0.25)
    from flows.config import decimal_shown  # --help's default: never '5e-05' (review)

    assert [decimal_shown(v) for v in (0.1, 0.00005, 1.0, 0.0)] == ["0,1", "0,00005", "1", "0"]
    from flows.config import settings
    from scoring.errors import SettingError

    monkeypatch.setenv("KOPERASI_SEHAT_MAX_QUARANTINE_SHARE", "1,5")  # quoted as written, not as read ('1.5')
    settings.cache_clear()
    try:
        with pytest.raises(SettingError, match=r"^KOPERASI_SEHAT_MAX_QUARANTINE_SHARE='1,5' tidak sah: harus angka 0 "):
            settings()
    finally:
        settings.cache_clear()


def test_a_peer_group_of_two_is_refused_as_it_would_reveal_the_other_ratio(monkeypatch):
    monkeypatch.setenv("KOPERASI_SEHAT_MIN_PEERS", "2")
    with pytest.raises(ValidationError, match="min_peers"):
        Settings()
    monkeypatch.setenv("KOPERASI_SEHAT_MIN_PEERS", "3")
    assert Settings().min_peers == 3


def test_every_setting_of_the_data_file_has_a_type_and_a_description():
    with SETTINGS_FILE.open("rb") as handle:
        tables = tomllib.load(handle)
    assert list(tables) == list(Settings.model_fields)  # in order: --help and the README list them so
    for name, table in tables.items():
        assert table.get("type") in TYPES, name
        assert isinstance(table.get("description"), str) and table["description"].strip(), name


@pytest.mark.parametrize(("change", "refused"), [
    ({"bawaan": 10}, r"movers\.bawaan: Extra inputs are not permitted"),
    ({"description": ""}, r"movers\.description: String should have at least 1 character"),
    ({"default": 10.0}, r"movers: Value error, default 10\.0 is not of type int"),
    ({"default": 0}, r"movers: Value error, default 0 is outside its bounds"),
])
def test_a_malformed_settings_file_is_refused(tmp_path, change, refused):
    tables = tomllib.loads(SETTINGS_FILE.read_text(encoding="utf-8"))
    tables["movers"].update(change)
    path = tmp_path / "settings.toml"
    path.write_text(tomli_w.dumps(tables), encoding="utf-8")
    with pytest.raises(RulebookError, match=refused):
        declared(path)
