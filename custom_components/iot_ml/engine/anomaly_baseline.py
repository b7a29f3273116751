"""What a sensor normally reads at this hour: a level plus learned hour-of-day/week offsets.

A Holt-Winters-like decomposition in plain floats: ``level`` follows the deseasonalised value
(time constant ``level_tau``), offsets per hour of day and per hour of week learn what is left,
the week's hour shrunk to the day's until enough weeks were seen. The seasonal part is only used
while it really explains the data better than the level alone (many series have no daily rhythm).
The spread is a mean absolute residual per hour of day, shrunk to the sensor's overall spread,
times a per-hour widening that false alarms raise.
"""

from dataclasses import dataclass, field
import math
from typing import Any

DAY_MEMORY = 14.0 * 12.0  # samples per hour-of-day offset (~2 weeks of 5-minute readings)
WEEK_MEMORY = 4.0 * 12.0  # samples per hour-of-week offset (~4 weeks)
WEEK_SHRINK = 24.0  # samples an hour of week needs before it counts as much as the hour of day
SPREAD_MEMORY = 2016.0  # samples for the overall spread (~1 week)
HOUR_SPREAD_SHRINK = 60.0
MAX_WIDEN = 8.0


def _zeros(n: int) -> list[float]:
    return [0.0] * n


@dataclass(slots=True)
class SeasonalBaseline:
    """Expected value and spread of one sensor by local hour of week."""

    level_tau: float = 86400.0  # seconds
    level: float | None = None
    last_ts: float | None = None
    day: list[float] = field(default_factory=lambda: _zeros(24))
    day_n: list[float] = field(default_factory=lambda: _zeros(24))
    week: list[float] = field(default_factory=lambda: _zeros(168))
    week_n: list[float] = field(default_factory=lambda: _zeros(168))
    spread: float = 0.0  # mean |residual|, all hours
    hour_spread: list[float] = field(default_factory=lambda: _zeros(24))
    hour_n: list[float] = field(default_factory=lambda: _zeros(24))
    widen: list[float] = field(default_factory=lambda: [1.0] * 24)
    err_flat: float = 0.0  # mean |x - level|: how well the level alone predicts
    err_seasonal: float = 0.0  # mean |x - level - offset|
    resolution: float = math.inf  # smallest change seen between readings
    last_value: float | None = None
    samples: int = 0

    def offset(self, how: int) -> float:
        """Seasonal offset at hour of week ``how`` (0 while the level predicts as well)."""
        if self.err_seasonal >= 0.9 * self.err_flat:
            return 0.0
        h = how % 24
        n = self.week_n[how]
        return self.day[h] + n / (n + WEEK_SHRINK) * (self.week[how] - self.day[h])

    def expected(self, how: int) -> float:
        """Expected reading at hour of week ``how``."""
        return (self.level or 0.0) + self.offset(how)

    def scale(self, how: int) -> float:
        """Typical |residual| at ``how`` (never below a fraction of the sensor's resolution)."""
        h = how % 24
        n = self.hour_n[h]
        s = (n * self.hour_spread[h] + HOUR_SPREAD_SHRINK * self.spread) / (n + HOUR_SPREAD_SHRINK)
        floor = 0.5 * self.resolution if self.resolution < math.inf else 1e-9
        return max(s, floor, 1e-9) * self.widen[h]

    def learn(self, ts: float, x: float, how: int, weight: float = 1.0) -> None:
        """Take in reading ``x`` at ``ts`` (``weight`` < 1 while an episode is open)."""
        if self.last_value is not None and x != self.last_value:
            self.resolution = min(self.resolution, abs(x - self.last_value))
        self.last_value = x
        if self.level is None:
            self.level, self.last_ts = x, ts
            return
        dt = max(0.0, ts - (self.last_ts or ts))
        self.last_ts = ts
        h = how % 24
        flat = x - self.level
        season = self.day[h] + self.week_n[how] / (self.week_n[how] + WEEK_SHRINK) * (
            self.week[how] - self.day[h]
        )
        resid = x - self.level - self.offset(how)
        self.samples += 1
        a = weight / min(self.samples, SPREAD_MEMORY)
        self.err_flat += a * (abs(flat) - self.err_flat)
        self.err_seasonal += a * (abs(flat - season) - self.err_seasonal)
        self.spread += a * (abs(resid) - self.spread)
        self.hour_n[h] += weight
        self.hour_spread[h] += (
            weight / min(self.hour_n[h], DAY_MEMORY) * (abs(resid) - self.hour_spread[h])
        )
        self.day_n[h] += weight
        self.day[h] += weight / min(self.day_n[h], DAY_MEMORY) * (flat - self.day[h])
        self.week_n[how] += weight
        self.week[how] += weight / min(self.week_n[how], WEEK_MEMORY) * (flat - self.week[how])
        alpha = weight * -math.expm1(-dt / self.level_tau) if dt > 0 else 0.0
        self.level += alpha * (x - self.offset(how) - self.level)

    def widen_hours(self, how: int, factor: float) -> None:
        """A false alarm at ``how``: widen normal there (and the neighbouring hours, less)."""
        h = how % 24
        for d, f in ((0, factor), (-1, math.sqrt(factor)), (1, math.sqrt(factor))):
            i = (h + d) % 24
            self.widen[i] = min(MAX_WIDEN, self.widen[i] * f)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (rounded lists)."""

        def r(v: list[float]) -> list[float]:
            return [round(x, 6) for x in v]

        return {
            "level_tau": self.level_tau,
            "level": self.level,
            "last_ts": self.last_ts,
            "day": r(self.day),
            "day_n": r(self.day_n),
            "week": r(self.week),
            "week_n": r(self.week_n),
            "spread": self.spread,
            "hour_spread": r(self.hour_spread),
            "hour_n": r(self.hour_n),
            "widen": r(self.widen),
            "err_flat": self.err_flat,
            "err_seasonal": self.err_seasonal,
            "resolution": None if self.resolution == math.inf else self.resolution,
            "last_value": self.last_value,
            "samples": self.samples,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeasonalBaseline:
        """Inverse of ``to_json``; ``ValueError`` on wrong lengths."""
        lists = {k: [float(x) for x in data[k]] for k in ("day", "day_n", "hour_spread", "hour_n")}
        lists |= {k: [float(x) for x in data[k]] for k in ("week", "week_n", "widen")}
        sizes = {"week": 168, "week_n": 168, "widen": 24}
        if any(len(v) != sizes.get(k, 24) for k, v in lists.items()):
            raise ValueError("baseline arrays have the wrong length")
        res = data["resolution"]

        def opt(key: str) -> float | None:
            return None if data[key] is None else float(data[key])

        return cls(
            level_tau=float(data["level_tau"]),
            level=opt("level"),
            last_ts=opt("last_ts"),
            spread=float(data["spread"]),
            err_flat=float(data["err_flat"]),
            err_seasonal=float(data["err_seasonal"]),
            resolution=math.inf if res is None else float(res),
            last_value=opt("last_value"),
            samples=int(data["samples"]),
            **lists,
        )
