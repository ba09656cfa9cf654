"""The thresholds of issue 14 are settings with the defaults the issue and the office's practice give."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from flows.config import Settings


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
