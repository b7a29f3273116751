"""Daily routines: where each occupant is, minute by minute (None = away)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from .spec import HomeSpec, OccupantSpec

MINUTES_PER_DAY = 1440


@dataclass(frozen=True, slots=True)
class DayPlan:
    """One local day: zone index per minute per occupant (-1 = away) and guests in the living room."""

    start: float  # epoch seconds of local midnight
    where: np.ndarray  # (occupants, minutes) int8
    guests: np.ndarray  # (minutes,) int8, extra people in the living room
    minutes: int  # 1440, or 1380/1500 on DST days


class Routine:
    """Generates day plans deterministically from a seed; vacations are drawn up front."""

    def __init__(self, spec: HomeSpec, seed: int, first_day: datetime) -> None:
        self.spec = spec
        self.zone_index = {z.name: i for i, z in enumerate(spec.zones)}
        self.tz = ZoneInfo(spec.time_zone)
        self.seed = seed
        self.first_day = first_day.date()
        rng = np.random.default_rng([seed, 7])
        # One vacation of 4 days every ~8 weeks, never in the first 3 weeks.
        self.vacations = {int(21 + rng.integers(0, 14) + 56 * k) for k in range(20)}

    def on_vacation(self, day_number: int) -> bool:
        """Whether the household is away on that day (counted from the first day)."""
        return any(0 <= day_number - start < 4 for start in self.vacations)

    def plan(self, day_number: int) -> DayPlan:
        """The plan of day ``day_number`` (0 = the simulation's first local day)."""
        date = self.first_day + timedelta(days=day_number)
        midnight = datetime(date.year, date.month, date.day, tzinfo=self.tz)
        next_midnight = datetime.combine(date + timedelta(days=1), datetime.min.time(), self.tz)
        minutes = round(
            (next_midnight.astimezone(UTC) - midnight.astimezone(UTC)).total_seconds() / 60
        )
        rng = np.random.default_rng([self.seed, day_number])
        where = np.full((len(self.spec.occupants), minutes), -1, dtype=np.int8)
        guests = np.zeros(minutes, dtype=np.int8)
        if not self.on_vacation(day_number):
            weekday = date.weekday()
            for i, person in enumerate(self.spec.occupants):
                where[i] = self._person_day(person, weekday, minutes, rng)
            if rng.random() < 0.15 and weekday >= 4:
                guests[19 * 60 : min(minutes, 22 * 60 + int(rng.integers(0, 60)))] = 1
        return DayPlan(midnight.timestamp(), where, guests, minutes)

    def _person_day(
        self, person: OccupantSpec, weekday: int, minutes: int, rng: np.random.Generator
    ) -> np.ndarray:
        z = self.zone_index
        day = np.full(minutes, z["bedroom"], dtype=np.int8)

        def put(start: float, end: float, zone: str | None) -> float:
            a, b = max(0, int(start)), min(minutes, int(end))
            if b > a:
                day[a:b] = -1 if zone is None else z[zone]
            return end

        def jitter(sd: float) -> float:
            return float(rng.normal(0, sd))

        weekend = weekday >= 5
        commute = weekday in person.commute_days
        wfh = weekday in person.work_from_home_days
        wake = (8 * 60 + jitter(45)) if weekend else (6 * 60 + 40 + jitter(15))
        t = put(wake, wake + 15 + rng.integers(0, 10), "bathroom")
        t = put(t, t + (45 if weekend else 25) + jitter(5), "kitchen")
        if commute:
            t = put(t, t + 2, "hall")
            back = 17 * 60 + 45 + jitter(40)
            t = put(t, back, None)
            t = put(t, t + 2, "hall")
        elif wfh:
            t = put(t, 12 * 60 + 30 + jitter(10), "office")
            t = put(t, t + 35 + jitter(5), "kitchen")
            t = put(t, 17 * 60 + 20 + jitter(20), "office")
            if rng.random() < 0.5:  # an errand after work
                t = put(t, t + 2, "hall")
                t = put(t, t + 50 + rng.integers(0, 40), None)
                t = put(t, t + 2, "hall")
        else:  # weekend or a day off: living room, errands
            t = put(t, t + 90 + rng.integers(0, 60), "living_room")
            if rng.random() < 0.7:
                t = put(t, t + 2, "hall")
                t = put(t, t + 60 + rng.integers(0, 120), None)
                t = put(t, t + 2, "hall")
            t = put(t, 17 * 60 + jitter(30), "living_room")
        dinner = max(t, 18 * 60 + jitter(20))
        put(t, dinner, "living_room")
        t = put(dinner, dinner + 40 + jitter(10), "kitchen")
        bed = (23 * 60 + 30 if weekend else 23 * 60) + jitter(30)
        t = put(t, bed - 12, "living_room")
        put(t, bed, "bathroom")
        # A few short bathroom visits during the day when at home.
        for _ in range(int(rng.integers(1, 4))):
            at = int(rng.integers(int(wake) + 60, max(int(wake) + 61, int(bed) - 60)))
            if 0 <= at < minutes and day[at] >= 0 and day[at] != z["bathroom"]:
                day[at : at + int(rng.integers(4, 10))] = z["bathroom"]
        return day
