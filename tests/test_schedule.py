"""The daily training time across daylight-saving changes (Europe/Berlin)."""

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from homeassistant.util import dt as dt_util
import pytest

from custom_components.iot_ml.schedule import daily_after

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def berlin() -> Iterator[None]:
    before = dt_util.get_default_time_zone()
    dt_util.set_default_time_zone(BERLIN)
    yield
    dt_util.set_default_time_zone(before)


def _runs(at: time, first: datetime, days: int) -> list[datetime]:
    runs, moment = [], first
    while moment < first + timedelta(days=days):
        moment = daily_after(at, moment)
        runs.append(moment)
    return runs[:-1]


def test_spring_forward_runs_once_after_the_gap() -> None:
    """02:30 does not exist on 2026-03-29: training runs at 03:30 that day, once a day."""
    runs = _runs(time(2, 30), datetime(2026, 3, 27, 12, tzinfo=BERLIN), 4)
    assert [r.strftime("%m-%d %H:%M %Z") for r in runs] == [
        "03-28 02:30 CET",
        "03-29 03:30 CEST",
        "03-30 02:30 CEST",
        "03-31 02:30 CEST",
    ]


def test_fall_back_runs_once_on_the_doubled_hour() -> None:
    """02:30 exists twice on 2026-10-25: training runs once that day."""
    runs = _runs(time(2, 30), datetime(2026, 10, 23, 12, tzinfo=BERLIN), 4)
    assert [r.date().isoformat() for r in runs] == [
        "2026-10-24",
        "2026-10-25",
        "2026-10-26",
        "2026-10-27",
    ]
    assert all(r.hour == 2 and r.minute == 30 for r in runs)
