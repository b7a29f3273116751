"""Local time of week, across time zones and DST changes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from custom_components.iot_ml.engine.core.grid import SLOTS_PER_DAY, slot_of, slot_start
from custom_components.iot_ml.engine.core.timebase import HOURS_PER_WEEK, hour_of_week

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
        slot_start(_slot("2026-11-02T00:00:00+00:00"))
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
