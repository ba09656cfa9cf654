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
