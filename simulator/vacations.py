"""When the household is away: 3-5 nights about once in 8 weeks, deterministic by seed."""

from dataclasses import dataclass
from datetime import date, timedelta

from .rng import stream


@dataclass(frozen=True)
class Vacation:
    """Everyone leaves on `leave` (late morning) and is back on `back` (afternoon)."""

    leave: date
    back: date

    def status(self, day: date) -> str | None:
        """'leave', 'away', 'back', or None when `day` is not part of this vacation."""
        if day == self.leave:
            return "leave"
        if day == self.back:
            return "back"
        if self.leave < day < self.back:
            return "away"
        return None


class VacationCalendar:
    """Vacations after `first_day`: the first within weeks 3-6, then every 6-9 weeks."""

    def __init__(self, seed: int, first_day: date, enabled: bool = True) -> None:
        self._seed = seed
        self._enabled = enabled
        self._next_leave = first_day + timedelta(
            days=int(stream(seed, "vacation").integers(18, 39))
        )
        self._planned: list[Vacation] = []

    def _extend(self, day: date) -> None:
        while self._enabled and self._next_leave <= day:
            rng = stream(self._seed, "vacation", len(self._planned))
            nights = int(rng.integers(3, 6))
            trip = Vacation(self._next_leave, self._next_leave + timedelta(days=nights))
            self._planned.append(trip)
            self._next_leave = trip.back + timedelta(days=int(rng.integers(38, 61)))

    def upto(self, day: date) -> list[Vacation]:
        """All vacations leaving on or before `day`."""
        self._extend(day)
        return [v for v in self._planned if v.leave <= day]

    def status(self, day: date) -> str | None:
        """What the household does on `day` (see Vacation.status)."""
        self._extend(day)
        for trip in self._planned:
            found = trip.status(day)
            if found is not None:
                return found
        return None
