"""Local time of week and weekly profiles (checked against scikit-learn where it applies)."""

from datetime import UTC, datetime

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor

from custom_components.iot_ml.engine.grid import SLOTS_PER_DAY, slot_of
from custom_components.iot_ml.engine.profile import WeeklyProfile, fit_weekly_profile
from custom_components.iot_ml.engine.timebase import hour_of_week, slot_epoch


def _slot(iso: str) -> int:
    return slot_of(datetime.fromisoformat(iso).timestamp())


def test_monday_midnight_is_zero_utc() -> None:
    """2026-11-02 is a Monday."""
    assert hour_of_week(_slot("2026-11-02T00:00:00+00:00"), 1, "UTC")[0] == 0
    assert hour_of_week(_slot("2026-11-08T23:55:00+00:00"), 1, "UTC")[0] == 167
    assert (
        slot_epoch(_slot("2026-11-02T00:00:00+00:00"))
        == datetime(2026, 11, 2, tzinfo=UTC).timestamp()
    )


@pytest.mark.parametrize(
    ("utc", "local_hour_of_week"),
    [
        ("2026-03-29T00:30:00+00:00", 6 * 24 + 1),  # Sunday 01:30 CET
        ("2026-03-29T01:30:00+00:00", 6 * 24 + 3),  # Sunday 03:30 CEST (02:xx skipped)
        ("2026-10-25T00:30:00+00:00", 6 * 24 + 2),  # Sunday 02:30 CEST
        ("2026-10-25T01:30:00+00:00", 6 * 24 + 2),  # Sunday 02:30 CET (repeated hour)
    ],
)
def test_dst_changes_in_berlin(utc: str, local_hour_of_week: int) -> None:
    """Routines follow local time across daylight saving changes."""
    assert hour_of_week(_slot(utc), 1, "Europe/Berlin")[0] == local_hour_of_week


def _weeks_of(day_level: float, night_level: float, weeks: int, noise: float, seed: int = 0):
    """Slot values: ``day_level`` 07:00-22:00 UTC, ``night_level`` otherwise."""
    end = _slot("2026-11-02T00:00:00+00:00")
    n = weeks * 7 * SLOTS_PER_DAY
    hours = (np.arange(end - n, end) // 12) % 24
    values = np.where((hours >= 7) & (hours < 22), day_level, night_level)
    values = values + np.random.default_rng(seed).normal(0, noise, n)
    return values, end


def test_profile_recovers_pattern() -> None:
    """Mean and spread per hour come back from noisy data."""
    values, end = _weeks_of(21.0, 18.0, 4, 0.5)
    profile = fit_weekly_profile(values, end, "UTC")
    assert profile.mean[10] == pytest.approx(21.0, abs=0.1)
    assert profile.mean[3] == pytest.approx(18.0, abs=0.1)
    assert profile.std[10] == pytest.approx(0.5, abs=0.1)
    assert (profile.weight > 0).all()


def test_profile_matches_sklearn_mean_without_forgetting() -> None:
    """With no forgetting, an hour's mean is what scikit-learn's DummyRegressor fits to it."""
    values, end = _weeks_of(21.0, 18.0, 3, 1.0, seed=3)
    values[::7] = np.nan  # gaps are skipped
    profile = fit_weekly_profile(values, end, "UTC", half_life_days=1e9)
    how = hour_of_week(end - len(values), len(values), "UTC")
    for hour in (0, 9, 100, 167):
        chosen = values[(how == hour) & ~np.isnan(values)]
        oracle = DummyRegressor(strategy="mean").fit(np.zeros((len(chosen), 1)), chosen)
        assert profile.mean[hour] == pytest.approx(oracle.constant_[0][0], rel=1e-9)


def test_forgetting_favours_recent_weeks() -> None:
    """After a level change the profile leans to the recent level."""
    old, end = _weeks_of(18.0, 18.0, 4, 0.0)
    old[-7 * SLOTS_PER_DAY :] = 22.0  # the last week is warmer
    profile = fit_weekly_profile(old, end, "UTC", half_life_days=3)
    assert profile.mean[10] > 21.0
    unweighted = fit_weekly_profile(old, end, "UTC", half_life_days=1e9)
    assert unweighted.mean[10] == pytest.approx(19.0, abs=0.01)


def test_profile_json_round_trip_and_validation() -> None:
    """NaN becomes None and back; a wrong length is refused."""
    values, end = _weeks_of(20.0, 20.0, 1, 0.0)
    values[:SLOTS_PER_DAY] = np.nan  # Monday (end - 1 week) has no data
    profile = fit_weekly_profile(values, end, "UTC")
    data = profile.to_json()
    assert data["mean"][0] is None
    back = WeeklyProfile.from_json(data)
    np.testing.assert_allclose(back.mean, profile.mean, atol=1e-5)
    with pytest.raises(ValueError, match="168"):
        WeeklyProfile.from_json({"mean": [1.0], "std": [1.0], "weight": [1.0]})
