"""One person's day as contiguous stays; moving between rooms passes the hall."""

from dataclasses import dataclass

import numpy as np

AWAY = -1
# Activities change what sensors see: sleepers barely trigger PIRs, showers and cooking add steam.
SLEEP, SHOWER, COOK, WORK = "sleep", "shower", "cook", "work"
ACTIVITY_CODES = {"": 0, SLEEP: 1, SHOWER: 2, COOK: 3, WORK: 4}


@dataclass(frozen=True, slots=True)
class Stay:
    """Being in `zone` (or AWAY) from `start` to `end` (epoch s) doing `activity`."""

    zone: int
    start: float
    end: float
    activity: str = ""


class Timeline:
    """Appends stays in time order, inserting hall transits (60-120 s, always seen on the grid)."""

    def __init__(self, start: float, zone: int, hall: int, rng: np.random.Generator) -> None:
        self.now = start
        self._zone = zone
        self._activity = ""
        self._hall = hall
        self._rng = rng
        self._stays: list[Stay] = []

    @property
    def zone(self) -> int:
        """Where the person is at `now`."""
        return self._zone

    def go(self, zone: int, until: float, activity: str = "") -> None:
        """Be in `zone` until `until`; skipped when there is not enough time to get there."""
        if until <= self.now:
            return
        if zone == self._zone:
            self._put(zone, until, activity)
            return
        via_hall = self._hall not in (zone, self._zone)
        transit = float(self._rng.uniform(60.0, 120.0)) if via_hall else 0.0
        if until - self.now < transit + 60.0:
            self._put(self._zone, until, self._activity)  # no time to move: stay put
            return
        if via_hall:
            self._put(self._hall, self.now + transit, "")
        self._put(zone, until, activity)

    def leave(self, at: float, until: float) -> None:
        """Coat on in the hall, out of the front door at `at` (so people leaving together
        leave at once), away until `until`."""
        if self._zone != AWAY:
            ready = at - float(self._rng.uniform(60.0, 150.0))
            if ready > self.now:
                self._put(self._zone, ready, self._activity)
            if self._zone != self._hall:
                self._put(self._hall, max(at, self.now + 60.0), "")
        self.go(AWAY, until)

    def stay_for(self, zone: int, minutes: float, activity: str = "") -> None:
        """Go to `zone` for about `minutes` (plus the walk)."""
        self.go(zone, self.now + 120.0 + minutes * 60.0, activity)

    def _put(self, zone: int, until: float, activity: str) -> None:
        last = self._stays[-1] if self._stays else None
        if last is not None and last.zone == zone and last.activity == activity:
            self._stays[-1] = Stay(zone, last.start, until, activity)
        else:
            self._stays.append(Stay(zone, self.now, until, activity))
        self.now, self._zone, self._activity = until, zone, activity

    def stays(self) -> list[Stay]:
        """The stays so far."""
        return list(self._stays)
