"""Weekly routines: commuting, working from home, weekends, nights, vacations and guests."""

import numpy as np

from .conftest import DAY, START, Run

BEDROOM, OFFICE, AWAY = 2, 3, -1  # zone indices in default_home() order


def _days_away(run: Run) -> list[int]:
    residents = run.arrays["residents_home"].reshape(-1, 1440)
    return [d for d in range(len(residents)) if residents[d].mean() == 0]


def test_home_is_emptier_on_weekdays_than_at_weekends(eight_weeks: Run) -> None:
    hour, weekday = eight_weeks.local()
    home = eight_weeks.arrays["home_occupied"].astype(bool)
    vacation = np.isin(np.arange(len(home)) // 1440, _days_away(eight_weeks))
    vacation = np.convolve(vacation, np.ones(2881), mode="same") > 0  # and the days around
    weekday_share = home[(weekday < 5) & ~vacation].mean()
    weekend_share = home[(weekday >= 5) & ~vacation].mean()
    both_commute = home[np.isin(weekday, (1, 3)) & ~vacation].mean()  # Tuesday, Thursday
    assert 0.65 < weekday_share < 0.9
    assert 0.85 < weekend_share < 0.99
    assert 0.4 < both_commute < 0.65
    workday_noon = np.isin(weekday, (1, 3)) & (hour > 10) & (hour < 16) & ~vacation
    assert home[workday_noon].mean() < 0.05


def test_commuter_leaves_and_returns_around_the_usual_times(eight_weeks: Run) -> None:
    hour, weekday = eight_weeks.local()
    alex = eight_weeks.arrays["location.alex"]
    gone = (alex[:-1] != AWAY) & (alex[1:] == AWAY)
    back = (alex[:-1] == AWAY) & (alex[1:] != AWAY)
    mornings = hour[1:][gone & (weekday[1:] < 5) & (hour[1:] < 12)]
    evenings = hour[1:][back & (weekday[1:] < 5) & (hour[1:] > 12)]
    assert len(mornings) >= 30
    assert abs(np.median(mornings) - 7.5) < 0.25
    assert 0.1 < np.std(mornings) < 0.6  # about ±20 min
    assert abs(np.median(evenings) - 17.75) < 0.4


def test_home_worker_sits_in_the_office_on_office_days(eight_weeks: Run) -> None:
    hour, weekday = eight_weeks.local()
    sam = eight_weeks.arrays["location.sam"]
    working_hours = (hour > 9) & (hour < 11.5)
    office_days = np.isin(weekday, (0, 2, 4)) & working_hours & (sam != AWAY)
    assert (sam[office_days] == OFFICE).mean() > 0.7
    commute_days = np.isin(weekday, (1, 3)) & working_hours
    assert (sam[commute_days] == AWAY).mean() > 0.8


def test_nights_are_spent_in_the_bedroom(eight_weeks: Run) -> None:
    hour, _ = eight_weeks.local()
    night = (hour > 1) & (hour < 5)
    for name in ("alex", "sam"):
        where = eight_weeks.arrays[f"location.{name}"][night]
        home = where[where != AWAY]
        assert len(home) > 40 * 240
        assert (home == BEDROOM).mean() > 0.97


def test_vacation_leaves_the_home_empty_for_days(eight_weeks: Run) -> None:
    away = _days_away(eight_weeks)
    assert 2 <= len(away) <= 5  # whole days; 3-5 nights away, leaving late morning
    assert away == list(range(away[0], away[0] + len(away)))
    t = eight_weeks.arrays["t"]
    during = (t >= START + away[0] * DAY) & (t < START + (away[-1] + 1) * DAY)
    intrusions = [f for f in eight_weeks.truth.faults if f.kind == "intrusion"]
    for fault in intrusions:
        during &= ~((t >= fault.start - 300) & (t < fault.end + 300))
    assert eight_weeks.arrays["home_occupied"][during].max() == 0
    tracker = [
        e for e in eight_weeks.of("device_tracker.phone_alex") if e.ts > START + away[0] * DAY
    ]
    assert tracker[0].state == "home"  # first change after leaving is coming back
    assert tracker[0].ts > START + (away[-1] + 1) * DAY


def test_guests_visit_some_evenings(eight_weeks: Run) -> None:
    a = eight_weeks.arrays
    residents_there = (a["location.alex"] == 0).astype(int) + (a["location.sam"] == 0)
    guests = a["occupants.living_room"] - residents_there
    evenings = {int(i) // 1440 for i in np.flatnonzero(guests > 0)}
    assert guests.min() >= 0
    assert 3 <= len(evenings) <= 25
