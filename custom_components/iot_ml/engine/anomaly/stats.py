"""Small streaming statistics for the anomaly detectors, in plain floats (speed: no numpy per sample)."""

from dataclasses import dataclass, field
import math
from typing import Any

import numpy as np

from ..core.grid import SLOTS_PER_DAY, slot_of
from ..core.timebase import hour_of_week

BINS = 48  # |z| histogram bins on a log scale: bin = floor(8 ln(1 + |z|)), z up to ~400
PRIOR_WEIGHT = 20.0  # pseudo-samples of a Laplace tail, so a short history is not overconfident
GROWTH_LIMIT = 1e12


def _bin(z: float) -> int:
    return min(BINS - 1, int(8.0 * math.log1p(z)))


def bin_floor(b: int) -> float:
    """Smallest |z| falling in bin ``b``."""
    return math.expm1(b / 8.0)


@dataclass(slots=True)
class TailCalibrator:
    """Turns a sensor's |z| into a tail probability using that sensor's own history.

    Empirical (with forgetting) plus a Laplace prior, so "1 - tail" means the same on any sensor.
    Forgetting is done by growing the weight of new samples instead of shrinking old ones: O(1).
    """

    half_life: float = 8064.0  # samples (4 weeks of 5-minute readings)
    counts: list[float] = field(default_factory=lambda: [0.0] * BINS)
    total: float = 0.0
    unit: float = 1.0  # weight of the next sample

    def tail(self, z: float) -> float:
        """P(|Z| >= z) for this sensor."""
        b = _bin(z)
        upper = sum(self.counts[b + 1 :]) + 0.5 * self.counts[b]
        n = self.total / self.unit
        return (upper / self.unit + PRIOR_WEIGHT * math.exp(-z)) / (n + PRIOR_WEIGHT)

    def add(self, z: float) -> None:
        """Learn one |z|."""
        self.add_bin(_bin(z))

    def add_bin(self, b: int) -> None:
        """Learn one |z| falling in bin ``b`` (``add`` for callers that know the bin)."""
        self.counts[b] += self.unit
        self.total += self.unit
        self.unit *= 2.0 ** (1.0 / self.half_life)
        if self.unit > GROWTH_LIMIT:
            self.counts = [c / self.unit for c in self.counts]
            self.total /= self.unit
            self.unit = 1.0

    def z_at(self, p: float) -> float:
        """Smallest |z| whose tail probability is at most ``p`` (for the expected range)."""
        for b in range(BINS):
            z = bin_floor(b)
            if self.tail(z) <= p:
                return z
        return bin_floor(BINS)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        scale = self.unit
        return {"counts": [round(c / scale, 4) for c in self.counts], "total": self.total / scale}

    @classmethod
    def from_json(cls, data: dict[str, Any], half_life: float) -> TailCalibrator:
        """Inverse of ``to_json``."""
        counts = [float(c) for c in data["counts"]]
        if len(counts) != BINS:
            raise ValueError("calibrator must have 48 bins")
        return cls(half_life=half_life, counts=counts, total=float(data["total"]))


CLOCK_BEHIND = SLOTS_PER_DAY  # slots a rebuilt clock table reaches back (runs that began earlier)
CLOCK_AHEAD = 7 * SLOTS_PER_DAY  # and forward: one build per week of readings


class HourClock:
    """Local hour of week of epoch times, from a table of about a week of slots (fast per sample)."""

    __slots__ = ("_first", "_table", "tz")

    def __init__(self, tz: str) -> None:
        self.tz = tz
        self._first = 0
        self._table = b""  # hour of week (0..167) per slot from ``_first``

    def hour(self, ts: float) -> int:
        """Local hour of week (Monday 00:00 = 0) at ``ts``."""
        i = int(ts // 300.0) - self._first
        if not 0 <= i < len(self._table):
            # The table is a pure function of the slot, so where it starts changes nothing.
            self._first = slot_of(ts) - CLOCK_BEHIND
            hours = hour_of_week(self._first, CLOCK_BEHIND + CLOCK_AHEAD, self.tz)
            self._table = hours.astype(np.uint8).tobytes()
            i = CLOCK_BEHIND
        return self._table[i]

    def span(self, ts: float) -> tuple[int, float, float]:
        """``hour(ts)`` and the times ``[lo, hi)`` around ``ts`` that share it, so callers can cache
        the hour per sample (``lo == hi`` if there is no such span to offer)."""
        how = self.hour(ts)
        table = self._table
        i = int(ts // 300.0) - self._first
        if not 0 <= i < len(table) or table[i] != how:
            return how, ts, ts
        j = k = i
        while j + 1 < len(table) and table[j + 1] == how:
            j += 1
        while k > 0 and table[k - 1] == how:
            k -= 1
        return how, (self._first + k) * 300.0, (self._first + j + 1) * 300.0


@dataclass(slots=True)
class RunLengths:
    """The longest run (of stillness, silence or inactivity) seen at each local hour of day.

    A run is credited to every hour it covered, with the length it had reached there; old
    records fade (``fade`` per day), so a changed household is relearned.
    """

    longest: list[float] = field(default_factory=lambda: [0.0] * 24)
    seen: list[float] = field(default_factory=lambda: [0.0] * 24)  # hours observed per hour of day
    fade: float = 0.97
    # A lower bound of min(longest) (records only grow between fades): shorter runs cannot
    # raise any record, so they are skipped without looking at the 24 hours.
    floor: float = field(default=0.0, init=False, compare=False, repr=False)

    def observe(self, start: float, end: float, clock: HourClock) -> None:
        """Learn a run from ``start`` to ``end`` (epoch seconds)."""
        run = end - start
        if run <= self.floor:
            return  # cannot raise any hour's record (the common, short run: keep it cheap)
        shortest = min(self.longest)
        if run <= shortest:
            self.floor = shortest
            return
        t = start
        while t < end:
            step = min(end, (t // 3600.0 + 1.0) * 3600.0)
            h = clock.hour(t) % 24
            self.longest[h] = max(self.longest[h], step - start)
            t = step

    def close_day(self) -> None:
        """Let records fade; call once a day."""
        self.longest = [x * self.fade for x in self.longest]
        self.floor = 0.0

    def count_hour(self, ts: float, clock: HourClock) -> None:
        """Note that the hour of day at ``ts`` was observed (call once per hour)."""
        self.seen[clock.hour(ts) % 24] += 1.0

    def limit(self, ts: float, clock: HourClock, factor: float, floor: float) -> float | None:
        """Run length beyond which ``ts``'s hour is unusual; None until a week of that hour was seen."""
        h = clock.hour(ts) % 24
        if self.seen[h] < 7.0:
            return None
        # The neighbouring hours count too: a habit is not punctual to the hour.
        longest = max(self.longest[h - 1], self.longest[h], self.longest[(h + 1) % 24])
        return max(floor, factor * longest)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        return {"longest": [round(x, 1) for x in self.longest], "seen": list(self.seen)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunLengths:
        """Inverse of ``to_json``."""
        longest = [float(x) for x in data["longest"]]
        seen = [float(x) for x in data["seen"]]
        if len(longest) != 24 or len(seen) != 24:
            raise ValueError("run lengths need 24 hours")
        return cls(longest=longest, seen=seen)


REST_SLOTS = 8  # habitual resting values remembered
REST_RUNS = 3  # long runs at a value before it counts as a habitual resting value


@dataclass(slots=True)
class RestValues:
    """Values a sensor habitually rests at for long (0 W, 0 lx) and the longest such rest.

    Stillness at such a value is judged against its own longest rest, whatever the hour; a
    sensor stuck at any other value is still judged by the hour's usual stillness.
    """

    runs: dict[float, list[float]] = field(default_factory=dict)  # value -> [longest, count]

    def observe(self, value: float, length: float) -> None:
        """A still run of ``length`` seconds at ``value`` ended."""
        rec = self.runs.get(value)
        if rec is None:
            if len(self.runs) >= REST_SLOTS:  # forget the least habitual value
                del self.runs[min(self.runs, key=lambda v: self.runs[v][1])]
            self.runs[value] = [length, 1.0]
        else:
            rec[0] = max(rec[0], length)
            rec[1] += 1.0

    def longest(self, value: float | None) -> float:
        """Longest rest learned at ``value`` (0 unless it is a habitual resting value)."""
        rec = None if value is None else self.runs.get(value)
        return rec[0] if rec is not None and rec[1] >= REST_RUNS else 0.0

    def close_day(self, fade: float) -> None:
        """Let records fade; call once a day."""
        for rec in self.runs.values():
            rec[0] *= fade
            rec[1] *= fade

    def to_json(self) -> list[list[float]]:
        """Plain JSON: [value, longest, count] rows."""
        return [[v, round(r[0], 1), round(r[1], 3)] for v, r in self.runs.items()]

    @classmethod
    def from_json(cls, data: list[list[float]]) -> RestValues:
        """Inverse of ``to_json``."""
        return cls({float(v): [float(n), float(c)] for v, n, c in data})
