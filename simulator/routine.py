"""Daily plans of the household: residents' routines, guests, intruders, window airing and TV."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from .clock import LocalClock
from .faults import FaultSchedule
from .rng import stream
from .spec import HomeSpec, OccupantSpec
from .timeline import AWAY, COOK, SHOWER, SLEEP, WORK, Stay, Timeline
from .vacations import VacationCalendar

MIN = 60.0
type Span = tuple[float, float]


@dataclass(frozen=True)
class DayPlan:
    """One local day [start, end): everyone's stays (contiguous, AWAY when out) and events."""

    day: date
    start: float
    end: float
    residents: list[list[Stay]]
    guests: list[list[Stay]]
    intruders: list[list[Stay]]
    windows: list[Span]  # window airing (open, close)
    tv: list[Span]  # times the TV would play if someone sits in front of it


@dataclass(frozen=True)
class _Household:
    """Decisions shared by everyone on a day."""

    status: str | None  # vacation status
    weekend: bool
    late_night: bool  # Friday/Saturday: later to bed
    outings: list[tuple[float, float, frozenset[int]]]
    leave_t: float  # vacation departure
    back_t: float  # vacation return


class RoutinePlanner:
    """Builds (and caches a few) day plans; each day only depends on the seed and its date."""

    def __init__(
        self,
        spec: HomeSpec,
        seed: int,
        clock: LocalClock,
        vacations: VacationCalendar,
        faults: FaultSchedule,
    ) -> None:
        self._spec = spec
        self._seed = seed
        self._clock = clock
        self._vacations = vacations
        self._faults = faults
        self._cache: dict[int, DayPlan] = {}
        idx = spec.role_index
        self._bed, self._bath, self._kitchen = idx("bedroom"), idx("bathroom"), idx("kitchen")
        self._living, self._office, self._hall = idx("living"), idx("office"), idx("hall")

    def day(self, day: date) -> DayPlan:
        """The plan of local date `day`."""
        key = day.toordinal()
        if key not in self._cache:
            for old in [k for k in self._cache if k < key - 3]:
                del self._cache[old]
            self._cache[key] = self._plan(day)
        return self._cache[key]

    def _at(self, day: date, hour: float) -> float:
        return self._clock.at(day, hour)

    def _plan(self, day: date) -> DayPlan:
        t0, t1 = self._at(day, 0.0), self._at(day + timedelta(days=1), 0.0)
        rng = stream(self._seed, "household", day.toordinal())
        house = self._household(day, rng)
        residents, wakes = [], []
        for i in range(len(self._spec.occupants)):
            prng = stream(self._seed, "person", day.toordinal(), i)
            stays, wake = self._resident(day, i, house, prng)
            residents.append(stays)
            wakes.append(wake)
        windows: list[Span] = []
        if house.status in (None, "leave") and wakes and rng.random() < 0.35:
            opened = min(wakes) + float(rng.uniform(2.0, 8.0)) * MIN
            windows.append((opened, opened + float(rng.uniform(10.0, 20.0)) * MIN))
        tv: list[Span] = []
        if house.status in (None, "back") and rng.random() < 0.6:
            on = self._at(day, float(rng.normal(20.2, 0.4)))
            tv.append((on, self._at(day, min(float(rng.normal(22.3, 0.3)), 23.7))))
        if house.status is None and house.weekend and rng.random() < 0.3:
            on = self._at(day, float(rng.uniform(14.0, 15.5)))
            tv.append((on, on + float(rng.uniform(1.0, 2.5)) * 3600.0))
        return DayPlan(
            day=day,
            start=t0,
            end=t1,
            residents=residents,
            guests=self._guests(day, t0, t1, house, rng),
            intruders=self._intruders(t0, t1, rng),
            windows=windows,
            tv=tv,
        )

    def _household(self, day: date, rng: np.random.Generator) -> _Household:
        status = self._vacations.status(day)
        weekend = day.weekday() >= 5
        outings: list[tuple[float, float, frozenset[int]]] = []
        everyone = frozenset(range(len(self._spec.occupants)))
        if weekend and status is None and everyone:
            free_from = 9.5
            for _ in range(int(rng.integers(1, 3))):
                start = max(free_from, float(rng.uniform(9.5, 16.0)))
                hours = float(rng.uniform(1.0, 3.0))
                if start + hours > 19.0:
                    break
                who = (
                    everyone if rng.random() < 0.5 else frozenset({int(rng.choice(list(everyone)))})
                )
                outings.append((self._at(day, start), self._at(day, start + hours), who))
                free_from = start + hours + 1.0
        return _Household(
            status=status,
            weekend=weekend,
            late_night=day.weekday() in (4, 5),
            outings=outings,
            leave_t=self._at(day, float(np.clip(rng.normal(10.0, 0.75), 8.5, 12.5))),
            back_t=self._at(day, float(np.clip(rng.normal(17.0, 1.5), 12.0, 21.0))),
        )

    def _resident(
        self,
        day: date,
        who: int,
        house: _Household,
        rng: np.random.Generator,
    ) -> tuple[list[Stay], float]:
        """One resident's day, and when they woke up (inf if they did not wake at home)."""
        person = self._spec.occupants[who]
        t0, t1 = self._at(day, 0.0), self._at(day + timedelta(days=1), 0.0)
        away_at_night = house.status in ("away", "back")
        tl = Timeline(t0, AWAY if away_at_night else self._bed, self._hall, rng)
        if house.status == "away":
            tl.go(AWAY, t1)
            return tl.stays(), float("inf")
        if house.status == "back":
            tl.go(AWAY, house.back_t)
            self._evening(tl, day, person, house, rng)
            return tl.stays(), float("inf")

        weekday = day.weekday()
        commute = house.status is None and weekday in person.commute_days and not house.weekend
        office = house.status is None and weekday in person.office_days and not house.weekend
        leave = self._at(day, float(rng.normal(person.leave_h, person.leave_sd_min / 60)))
        if house.weekend or house.status == "leave":
            wake = self._at(day, float(rng.normal(8.0, 0.6)))
        else:
            wake = self._at(day, float(rng.normal(person.wake_h, 0.2)))
        if commute:
            wake = min(wake, leave - 55 * MIN)
        if rng.random() < 0.1:  # a night-time bathroom visit
            tl.go(self._bed, self._at(day, float(rng.uniform(1.5, 4.5))), SLEEP)
            tl.stay_for(self._bath, float(rng.uniform(2.0, 5.0)))
        tl.go(self._bed, wake, SLEEP)
        tl.go(self._bed, wake + float(rng.uniform(2.0, 6.0)) * MIN)
        tl.stay_for(
            self._bath, float(rng.uniform(10.0, 18.0)), SHOWER if rng.random() < 0.85 else ""
        )
        tl.stay_for(self._bed, float(rng.uniform(3.0, 8.0)))
        tl.stay_for(self._kitchen, 5.0, COOK)
        relaxed = house.weekend or house.status == "leave"
        tl.stay_for(
            self._kitchen, float(rng.uniform(25.0, 45.0) if relaxed else rng.uniform(10.0, 20.0))
        )

        if house.status == "leave":
            self._home_time(tl, house.leave_t - 3 * MIN, rng)
            tl.leave(house.leave_t, t1)
            return tl.stays(), wake
        if commute:
            leave = max(leave, tl.now + 5 * MIN)
            self._home_time(tl, leave - 3 * MIN, rng)
            tl.leave(
                leave, self._at(day, float(rng.normal(person.return_h, person.return_sd_min / 60)))
            )
        elif office:
            self._work(tl, self._at(day, float(rng.normal(12.0, 0.25))), rng)
            tl.stay_for(self._kitchen, 12.0, COOK)
            tl.stay_for(self._kitchen, float(rng.uniform(15.0, 30.0)))
            self._work(tl, self._at(day, float(rng.normal(17.5, 0.5))), rng)
        else:
            self._free_day(tl, day, who, house, rng)
        self._evening(tl, day, person, house, rng)
        return tl.stays(), wake

    def _free_day(
        self, tl: Timeline, day: date, who: int, house: _Household, rng: np.random.Generator
    ) -> None:
        """Weekend: at home with outings and a lunch."""
        plans: list[tuple[float, float]] = [(s, e) for s, e, ppl in house.outings if who in ppl]
        lunch = self._at(day, float(rng.normal(12.75, 0.3)))
        plans.append((lunch, lunch))
        for start, end in sorted(plans):
            if start < tl.now:
                continue
            self._home_time(tl, start - 3 * MIN, rng)
            if end > start:
                tl.leave(start, end)
            else:
                tl.stay_for(self._kitchen, 15.0, COOK)
                tl.stay_for(self._kitchen, float(rng.uniform(15.0, 30.0)))

    def _evening(
        self,
        tl: Timeline,
        day: date,
        person: OccupantSpec,
        house: _Household,
        rng: np.random.Generator,
    ) -> None:
        """Dinner, living room, bathroom, bed; asleep in the bedroom at midnight."""
        t1 = self._at(day + timedelta(days=1), 0.0)
        dinner = max(tl.now, self._at(day, float(rng.normal(18.3, 0.4))))
        self._home_time(tl, dinner, rng)
        tl.stay_for(self._kitchen, float(rng.uniform(25.0, 45.0)), COOK)
        tl.stay_for(self._kitchen, float(rng.uniform(20.0, 35.0)))
        bed_h = person.bed_h + (0.5 if house.late_night else 0.0)
        bed = self._at(day, min(float(rng.normal(bed_h, 0.4)), 23.8))
        bed = min(max(bed, tl.now + 60 * MIN), t1 - 20 * MIN)
        self._home_time(tl, bed - float(rng.uniform(25.0, 40.0)) * MIN, rng)
        tl.stay_for(self._bath, float(rng.uniform(6.0, 12.0)))
        tl.stay_for(self._bed, float(rng.uniform(5.0, 15.0)))  # reading before sleep
        tl.go(self._bed, t1, SLEEP)

    def _work(self, tl: Timeline, until: float, rng: np.random.Generator) -> None:
        """Office blocks with short breaks."""
        while tl.now < until - 10 * MIN:
            tl.go(self._office, min(until, tl.now + float(rng.uniform(40.0, 100.0)) * MIN), WORK)
            if tl.now < until - 20 * MIN:
                zone = self._bath if rng.random() < 0.4 else self._kitchen
                tl.stay_for(zone, float(rng.uniform(3.0, 10.0)))
        tl.go(self._office, until, WORK)

    def _home_time(self, tl: Timeline, until: float, rng: np.random.Generator) -> None:
        """Unplanned time at home: mostly the living room, short trips elsewhere."""
        while tl.now < until - MIN:
            r = rng.random()
            if r < 0.62:
                zone, minutes = self._living, rng.uniform(20.0, 80.0)
            elif r < 0.77:
                zone, minutes = self._kitchen, rng.uniform(4.0, 15.0)
            elif r < 0.87:
                zone, minutes = self._bath, rng.uniform(3.0, 8.0)
            elif r < 0.95:
                zone, minutes = self._office, rng.uniform(15.0, 45.0)
            else:
                zone, minutes = self._bed, rng.uniform(5.0, 20.0)
            tl.go(zone, min(until, tl.now + 2 * MIN + float(minutes) * MIN))
        tl.go(tl.zone, until)

    def _guests(
        self, day: date, t0: float, t1: float, house: _Household, rng: np.random.Generator
    ) -> list[list[Stay]]:
        """Evening visitors in the living room, now and then (more often at weekends)."""
        if not self._spec.visitors or house.status is not None:
            return []
        if rng.random() >= (0.25 if day.weekday() in (4, 5) else 0.1):
            return []
        arrive = self._at(day, float(rng.normal(19.0, 0.5)))
        leave = min(arrive + float(rng.uniform(1.5, 3.5)) * 3600.0, self._at(day, 23.6))
        tracks = []
        for _ in range(1 if rng.random() < 0.7 else 2):
            tl = Timeline(t0, AWAY, self._hall, rng)
            tl.go(AWAY, arrive)
            if rng.random() < 0.5:
                tl.go(self._living, arrive + (leave - arrive) * float(rng.uniform(0.3, 0.7)))
                tl.stay_for(self._bath, float(rng.uniform(3.0, 6.0)))
            tl.leave(leave, t1)
            tracks.append(tl.stays())
        return tracks

    def _intruders(self, t0: float, t1: float, rng: np.random.Generator) -> list[list[Stay]]:
        """Intrusion faults starting this day: through the hall, living room and one more room."""
        tracks = []
        for fault in self._faults.upto(t1):
            if fault.kind != "intrusion" or not t0 <= fault.start < t1:
                continue
            s, e = fault.start, fault.end
            tl = Timeline(t0, AWAY, self._hall, rng)
            tl.go(AWAY, s)
            tl.go(self._living, s + 0.4 * (e - s))
            tl.go(self._office if rng.random() < 0.5 else self._bed, s + 0.8 * (e - s))
            tl.go(self._hall, e)
            tl.go(AWAY, t1)
            tracks.append(tl.stays())
        return tracks
