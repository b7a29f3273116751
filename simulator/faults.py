"""Injected faults and their ground-truth windows, deterministic by seed.

Every 42-day cycle after a 14-day learning period holds one fault of each sensor/heating kind,
so an 8-week run has at least one of each; intrusions happen at night during vacations.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .clock import LocalClock
from .entities import sensor_id
from .rng import stream
from .spec import HomeSpec
from .vacations import VacationCalendar

DAY = 86400.0
HOUR = 3600.0
LEARNING_DAYS = 14  # no faults before: models learn the normal home first
CYCLE_DAYS = 42
KINDS = ("stuck", "spike", "drift", "dropout", "heating_failure", "intrusion")
SPIKE_VALUES = {"temperature": (85.0, -40.0), "humidity": (0.0, 100.0), "co2": (10000.0, 40000.0)}


@dataclass(frozen=True)
class FaultWindow:
    """A fault and when it is active; `target` is an entity id, a zone, or "home" (intrusion)."""

    kind: str  # one of KINDS
    target: str
    start: float
    end: float
    detail: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def active(self, ts: float) -> bool:
        """Whether `ts` falls in the window."""
        return self.start <= ts < self.end


class FaultSchedule:
    """All faults of one run; generated lazily per cycle, identical however far one looks."""

    def __init__(
        self,
        spec: HomeSpec,
        seed: int,
        start: float,
        *,
        clock: LocalClock,
        vacations: VacationCalendar,
        enabled: bool,
    ) -> None:
        self._spec = spec
        self._seed = seed
        self._start = start
        self._clock = clock
        self._vacations = vacations
        self._enabled = enabled
        self._cycles = 0
        self._faults: list[FaultWindow] = []

    def upto(self, until: float) -> list[FaultWindow]:
        """Faults starting before `until`, ordered by start."""
        if not self._enabled:
            return []
        while self._cycle_start(self._cycles) < until:
            self._faults += self._cycle(self._cycles)
            self._cycles += 1
        found = [f for f in self._faults if f.start < until]
        found += self._intrusions(until)
        return sorted(found, key=lambda f: (f.start, f.kind, f.target))

    def _cycle_start(self, cycle: int) -> float:
        return self._start + (LEARNING_DAYS + CYCLE_DAYS * cycle) * DAY

    def _cycle(self, cycle: int) -> list[FaultWindow]:
        rng = stream(self._seed, "faults", cycle)
        zones = [self._spec.zones[int(i)] for i in rng.permutation(len(self._spec.zones))]
        first = cycle == 0
        c0 = self._cycle_start(cycle)

        def at(duration_days: float) -> float:  # a start leaving room for the whole fault
            return c0 + float(rng.uniform(0.5, CYCLE_DAYS - 1.0 - duration_days)) * DAY

        faults: list[FaultWindow] = []
        stuck_h = float(rng.uniform(3.0, 8.0))
        t = at(stuck_h / 24)
        target = sensor_id(zones[0].name, "temperature")
        faults.append(FaultWindow("stuck", target, t, t + stuck_h * HOUR))

        kinds = ["temperature"] if first else ["temperature", "humidity"]
        kinds += ["co2"] if zones[1].co2_sensor and not first else []
        kind = str(rng.choice(kinds))
        value = float(rng.choice(SPIKE_VALUES[kind]))
        period = self._spec.sensors.temperature_period * 60.0
        t = at(0.1)
        target = sensor_id(zones[1].name, kind)
        faults.append(FaultWindow("spike", target, t, t + 2 * period, {"value": value}))

        days = int(rng.integers(3, 6))
        rate = 0.5 * float(rng.choice((1.0, -1.0)))
        t = at(days)
        target = sensor_id(zones[2].name, "temperature")
        faults.append(FaultWindow("drift", target, t, t + days * DAY, {"c_per_day": rate}))

        kinds = ["temperature", "humidity", "illuminance"]
        kinds += ["co2"] if zones[3].co2_sensor else []
        kind = "temperature" if first else str(rng.choice(kinds))
        mode = "unavailable" if first or rng.random() < 0.7 else "silent"
        hours = float(rng.uniform(2.0, 8.0))
        t = at(hours / 24)
        target = sensor_id(zones[3].name, kind)
        faults.append(FaultWindow("dropout", target, t, t + hours * HOUR, {"mode": mode}))

        t = at(1.0)
        faults.append(FaultWindow("heating_failure", zones[4].name, t, t + DAY))
        return faults

    def _intrusions(self, until: float) -> list[FaultWindow]:
        """A night visit during the first vacation, and during half of the later ones."""
        found = []
        learned = self._start + LEARNING_DAYS * DAY
        for i, trip in enumerate(self._vacations.upto(self._clock.date_of(until))):
            rng = stream(self._seed, "intrusion", i)
            if i > 0 and rng.random() < 0.5:
                continue
            night = trip.leave + timedelta(
                days=int(rng.integers(1, (trip.back - trip.leave).days + 1))
            )
            t = self._clock.at(night, float(rng.uniform(1.0, 4.0)))
            if learned <= t < until:
                minutes = float(rng.uniform(10.0, 30.0))
                found.append(FaultWindow("intrusion", "home", t, t + minutes * 60.0))
        return found
