"""Local time of week and weekly profiles (checked against scikit-learn where it applies)."""

from datetime import UTC, datetime
import json
import math
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest
from sklearn.dummy import DummyRegressor

from custom_components.iot_ml.engine.core.grid import SLOTS_PER_DAY, slot_of
from custom_components.iot_ml.engine.core.profile import (
    HALF_LIFE_DAYS,
    WeeklyProfile,
    fit_weekly_profile,
)
from custom_components.iot_ml.engine.core.timebase import HOURS_PER_WEEK, hour_of_week, slot_epoch

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # numpy must not warn

WEEK = 7 * SLOTS_PER_DAY


def _slot(iso: str) -> int:
    return slot_of(datetime.fromisoformat(iso).timestamp())


def _reference_hour_of_week(start_slot: int, count: int, tz: str) -> list[int]:
    """Per slot, straight from zoneinfo."""
    zone = ZoneInfo(tz)
    moments = [datetime.fromtimestamp(s * 300, zone) for s in range(start_slot, start_slot + count)]
    return [m.weekday() * 24 + m.hour for m in moments]


# -- timebase -----------------------------------------------------------------------------------


def test_monday_midnight_is_zero_utc() -> None:
    """2026-11-02 is a Monday."""
    assert HOURS_PER_WEEK == 168
    assert hour_of_week(_slot("2026-11-02T00:00:00+00:00"), 1, "UTC")[0] == 0
    assert hour_of_week(_slot("2026-11-02T00:55:00+00:00"), 1, "UTC")[0] == 0
    assert hour_of_week(_slot("2026-11-02T01:00:00+00:00"), 1, "UTC")[0] == 1
    assert hour_of_week(_slot("2026-11-04T13:20:00+00:00"), 1, "UTC")[0] == 2 * 24 + 13
    assert hour_of_week(_slot("2026-11-08T23:55:00+00:00"), 1, "UTC")[0] == 167
    assert hour_of_week(_slot("2026-11-09T00:00:00+00:00"), 1, "UTC")[0] == 0
    assert (
        slot_epoch(_slot("2026-11-02T00:00:00+00:00"))
        == datetime(2026, 11, 2, tzinfo=UTC).timestamp()
    )


def test_a_whole_utc_week_in_order() -> None:
    """Twelve slots per hour, hours 0..167 in order, dtype int64."""
    how = hour_of_week(_slot("2026-11-02T00:00:00+00:00"), WEEK, "UTC")
    assert how.dtype == np.int64
    np.testing.assert_array_equal(how, np.repeat(np.arange(168), 12))


def test_no_slots() -> None:
    """An empty range gives an empty array."""
    assert hour_of_week(_slot("2026-11-02T00:00:00+00:00"), 0, "Europe/Berlin").shape == (0,)


def test_monday_midnight_in_berlin() -> None:
    """Local midnight, not UTC midnight: 2026-11-01 23:00 UTC is Monday 00:00 CET."""
    assert hour_of_week(_slot("2026-11-01T23:00:00+00:00"), 1, "Europe/Berlin")[0] == 0
    assert hour_of_week(_slot("2026-11-01T22:55:00+00:00"), 1, "Europe/Berlin")[0] == 167


@pytest.mark.parametrize(
    ("utc", "local_hour_of_week"),
    [
        ("2026-03-29T00:30:00+00:00", 6 * 24 + 1),  # Sunday 01:30 CET
        ("2026-03-29T00:55:00+00:00", 6 * 24 + 1),  # Sunday 01:55 CET
        ("2026-03-29T01:00:00+00:00", 6 * 24 + 3),  # Sunday 03:00 CEST (02:xx skipped)
        ("2026-03-29T01:30:00+00:00", 6 * 24 + 3),  # Sunday 03:30 CEST
        ("2026-10-25T00:30:00+00:00", 6 * 24 + 2),  # Sunday 02:30 CEST
        ("2026-10-25T01:30:00+00:00", 6 * 24 + 2),  # Sunday 02:30 CET (repeated hour)
        ("2026-10-25T02:00:00+00:00", 6 * 24 + 3),  # Sunday 03:00 CET
    ],
)
def test_dst_changes_in_berlin(utc: str, local_hour_of_week: int) -> None:
    """Routines follow local time across daylight saving changes."""
    assert hour_of_week(_slot(utc), 1, "Europe/Berlin")[0] == local_hour_of_week


def test_dst_days_in_berlin_have_23_and_25_hours() -> None:
    """Sunday 2026-03-29 has no local 02:xx; Sunday 2026-10-25 has two of them."""
    spring = hour_of_week(_slot("2026-03-28T23:00:00+00:00"), 23 * 12, "Europe/Berlin")
    assert 6 * 24 + 2 not in spring
    assert np.count_nonzero(spring == 6 * 24 + 3) == 12
    autumn = hour_of_week(_slot("2026-10-24T22:00:00+00:00"), 25 * 12, "Europe/Berlin")
    assert np.count_nonzero(autumn == 6 * 24 + 2) == 24
    assert set(autumn) == set(range(6 * 24, 7 * 24))


@pytest.mark.parametrize(
    ("local", "tz", "local_hour_of_week"),
    [
        ("2026-11-02T06:00:00", "Asia/Kolkata", 6),  # UTC+5:30: 06:00 is 00:30 UTC
        ("2026-11-02T05:55:00", "Asia/Kolkata", 5),
        ("2026-11-02T06:00:00", "America/St_Johns", 6),  # UTC-3:30
        ("2026-11-02T06:00:00", "Asia/Kathmandu", 6),  # UTC+5:45
        ("2026-11-02T06:00:00", "Australia/Adelaide", 6),  # UTC+10:30 in summer
    ],
)
def test_zones_with_non_whole_hour_offsets(local: str, tz: str, local_hour_of_week: int) -> None:
    """06:00 local is hour 6 even where the UTC offset has half or quarter hours."""
    ts = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(tz)).timestamp()
    assert hour_of_week(slot_of(ts), 1, tz)[0] == local_hour_of_week


def test_adelaide_changes_time_in_the_middle_of_a_utc_hour() -> None:
    """Adelaide leaves daylight saving at 16:30 UTC (Sunday 03:00 ACDT becomes 02:00 ACST)."""
    start = _slot("2026-04-04T16:00:00+00:00")
    how = hour_of_week(start, 12, "Australia/Adelaide")
    np.testing.assert_array_equal(how, [6 * 24 + 2] * 12)  # 02:30-02:55 ACDT, 02:00-02:25 ACST
    how = hour_of_week(start - 12, 36, "Australia/Adelaide")
    assert list(how) == _reference_hour_of_week(start - 12, 36, "Australia/Adelaide")


_ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
]
_TRANSITIONS = [_slot("2026-03-08T05:30:00+00:00"), _slot("2026-04-04T15:00:00+00:00")]
_TRANSITIONS += [_slot("2026-10-03T16:30:00+00:00"), _slot("2026-10-25T01:00:00+00:00")]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(_ZONES),
    st.one_of(
        st.sampled_from(_TRANSITIONS).flatmap(lambda s: st.integers(s - 300, s + 300)),
        st.integers(_slot("2020-01-01T00:00:00+00:00"), _slot("2030-01-01T00:00:00+00:00")),
    ),
    st.integers(1, 600),
)
def test_matches_zoneinfo_per_slot(tz: str, start: int, count: int) -> None:
    """Whatever the zone and the range (across DST changes too), each slot gets its local hour."""
    assert list(hour_of_week(start, count, tz)) == _reference_hour_of_week(start, count, tz)


# -- profiles -----------------------------------------------------------------------------------


def _weeks_of(day_level: float, night_level: float, weeks: int, noise: float, seed: int = 0):
    """Slot values ending Monday 2026-11-02 00:00 UTC: ``day_level`` 07-22 UTC, else night."""
    end = _slot("2026-11-02T00:00:00+00:00")
    n = weeks * WEEK
    hours = (np.arange(end - n, end) // 12) % 24
    values = np.where((hours >= 7) & (hours < 22), day_level, night_level)
    values = values + np.random.default_rng(seed).normal(0, noise, n)
    return values, end


def test_profile_recovers_exact_pattern() -> None:
    """Without noise: 21 by day and 18 at night, every day, with no spread."""
    values, end = _weeks_of(21.0, 18.0, 2, 0.0)
    profile = fit_weekly_profile(values, end, "UTC")
    day = np.tile((np.arange(24) >= 7) & (np.arange(24) < 22), 7)
    np.testing.assert_allclose(profile.mean, np.where(day, 21.0, 18.0), rtol=1e-12)
    np.testing.assert_allclose(profile.std, 0.0, atol=1e-9)
    assert profile.mean.shape == profile.std.shape == profile.weight.shape == (168,)


def test_profile_recovers_noisy_pattern() -> None:
    """Mean and spread per hour come back from noisy data."""
    values, end = _weeks_of(21.0, 18.0, 4, 0.5)
    profile = fit_weekly_profile(values, end, "UTC")
    assert profile.mean[10] == pytest.approx(21.0, abs=0.1)
    assert profile.mean[3] == pytest.approx(18.0, abs=0.1)
    assert profile.std[10] == pytest.approx(0.5, abs=0.1)
    assert profile.std[3] == pytest.approx(0.5, abs=0.1)


def test_profile_follows_local_time() -> None:
    """A routine at 07:00 Berlin time lands on hour 7 in both CET and CEST weeks."""
    end = _slot("2026-11-09T00:00:00+00:00")  # Monday 01:00 CET
    n = 4 * WEEK  # from 2026-10-12: summer time, then winter time after 2026-10-25
    how = np.array(_reference_hour_of_week(end - n, n, "Europe/Berlin"))
    values = np.where(how % 24 == 7, 1.0, 0.0)
    profile = fit_weekly_profile(values, end, "Europe/Berlin")
    np.testing.assert_array_equal(profile.mean, np.where(np.arange(168) % 24 == 7, 1.0, 0.0))


def test_weight_of_a_week_without_forgetting() -> None:
    """No forgetting: an hour's weight is its number of slots; a gap hour weighs nothing."""
    values, end = _weeks_of(20.0, 20.0, 2, 0.0)
    values[:12] = np.nan  # Monday 00:xx of the first week
    profile = fit_weekly_profile(values, end, "UTC", half_life_days=1e12)
    assert profile.weight[0] == pytest.approx(12.0)
    np.testing.assert_allclose(profile.weight[1:], 24.0)
    gaps = fit_weekly_profile(np.full(WEEK, np.nan), end, "UTC")
    assert np.isnan(gaps.mean).all()
    assert np.isnan(gaps.std).all()
    np.testing.assert_array_equal(gaps.weight, 0.0)


def test_forgetting_weighs_recent_weeks_more() -> None:
    """Half-life one week: last week (22) weighs twice the week before (18) -> 20.67, std 1.89."""
    values, end = _weeks_of(18.0, 18.0, 2, 0.0)
    values[WEEK:] = 22.0
    profile = fit_weekly_profile(values, end, "UTC", half_life_days=7.0)
    np.testing.assert_allclose(profile.mean, (22 * 1 + 18 * 0.5) / 1.5, rtol=1e-12)
    np.testing.assert_allclose(profile.std, math.sqrt(16 * (1 / 1.5) * (0.5 / 1.5)), rtol=1e-9)
    # Monday 00:00-00:55 of the last week is 6.99..7 days old: weights 0.5**(age / 7).
    ages = (WEEK - 1 - np.arange(12)) / SLOTS_PER_DAY
    assert profile.weight[0] == pytest.approx(1.5 * np.sum(0.5 ** (ages / 7.0)))
    unweighted = fit_weekly_profile(values, end, "UTC", half_life_days=1e12)
    np.testing.assert_allclose(unweighted.mean, 20.0, rtol=1e-9)
    default = fit_weekly_profile(values, end, "UTC")
    assert HALF_LIFE_DAYS == 14.0
    np.testing.assert_allclose(default.mean, (22 + 18 * 0.5**0.5) / (1 + 0.5**0.5), rtol=1e-12)


def test_profile_mean_matches_sklearn_dummy_regressor() -> None:
    """With no forgetting, an hour's mean is what scikit-learn's DummyRegressor fits to it."""
    values, end = _weeks_of(21.0, 18.0, 3, 1.0, seed=3)
    values[::7] = np.nan  # gaps are skipped
    profile = fit_weekly_profile(values, end, "UTC", half_life_days=1e12)
    how = hour_of_week(end - len(values), len(values), "UTC")
    ok = ~np.isnan(values)
    for hour in range(168):
        chosen = values[(how == hour) & ok]
        oracle = DummyRegressor(strategy="mean").fit(np.zeros((len(chosen), 1)), chosen)
        assert profile.mean[hour] == pytest.approx(oracle.constant_[0][0], rel=1e-9)
        assert profile.std[hour] == pytest.approx(np.std(chosen), rel=1e-6)


def test_profile_json_round_trip_and_validation() -> None:
    """NaN becomes None and back, through real JSON; a wrong length is refused."""
    values, end = _weeks_of(20.0, 20.0, 1, 0.3)
    values[:SLOTS_PER_DAY] = np.nan  # Monday has no data
    profile = fit_weekly_profile(values, end, "UTC")
    data = json.loads(json.dumps(profile.to_json()))
    assert set(data) == {"mean", "std", "weight"}
    assert data["mean"][:24] == [None] * 24
    assert data["std"][0] is None
    assert data["weight"][0] == 0.0
    assert data["mean"][30] == round(float(profile.mean[30]), 5)
    back = WeeklyProfile.from_json(data)
    for name in ("mean", "std", "weight"):
        np.testing.assert_allclose(getattr(back, name), getattr(profile, name), atol=1e-5)
        np.testing.assert_array_equal(
            np.isnan(getattr(back, name)), np.isnan(getattr(profile, name))
        )
    with pytest.raises(ValueError, match="168"):
        WeeklyProfile.from_json({"mean": [1.0], "std": [1.0], "weight": [1.0]})
    with pytest.raises(ValueError, match="168"):
        WeeklyProfile.from_json({**data, "weight": data["weight"][:-1]})
