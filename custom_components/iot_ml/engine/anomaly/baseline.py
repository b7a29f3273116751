"""What a sensor normally reads at this hour: a level plus learned hour-of-day/week offsets.

A Holt-Winters-like decomposition in plain floats: ``level`` follows the deseasonalised value
(time constant ``level_tau``), offsets per hour of day and per hour of week learn what is left,
the week's hour shrunk to the day's until enough weeks were seen. The seasonal part is only used
while it really explains the data better than the level alone (many series have no daily rhythm).
The spread is a mean absolute residual per hour of day, shrunk to the sensor's overall spread,
times a per-hour widening that false alarms raise.
"""

# ruff: noqa: PLR1730, FURB136 -- hot path: comparisons instead of min()/max() calls (same results)

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
        h = how % 24
        day_h = self.day[h]
        n = self.week_n[how]
        season = day_h + n / (n + WEEK_SHRINK) * (self.week[how] - day_h)
        offset = 0.0 if self.err_seasonal >= 0.9 * self.err_flat else season
        self.learn_at(ts, x, how, season, offset, weight)

    def learn_at(  # noqa: PLR0917 -- hot path: positional arguments are cheaper
        self, ts: float, x: float, how: int, season: float, offset: float, weight: float
    ) -> None:
        """``learn`` given this hour's seasonal term and ``offset(how)`` (the caller has them)."""
        last = self.last_value
        if last is not None and x != last:
            step = abs(x - last)
            if step < self.resolution:
                self.resolution = step
        self.last_value = x
        level = self.level
        if level is None:
            self.level, self.last_ts = x, ts
            return
        dt = ts - (self.last_ts or ts)
        self.last_ts = ts
        h = how % 24
        flat = x - level
        resid = abs(flat - offset)
        samples = self.samples = self.samples + 1
        a = weight / (SPREAD_MEMORY if samples > SPREAD_MEMORY else samples)
        err_flat = self.err_flat = self.err_flat + a * (abs(flat) - self.err_flat)
        err_seasonal = self.err_seasonal = self.err_seasonal + a * (
            abs(flat - season) - self.err_seasonal
        )
        self.spread += a * (resid - self.spread)
        hour_n, hour_spread = self.hour_n, self.hour_spread
        n = hour_n[h] = hour_n[h] + weight
        hour_spread[h] += weight / (DAY_MEMORY if n > DAY_MEMORY else n) * (resid - hour_spread[h])
        day, day_n = self.day, self.day_n
        n = day_n[h] = day_n[h] + weight
        day_h = day[h] = day[h] + weight / (DAY_MEMORY if n > DAY_MEMORY else n) * (flat - day[h])
        week, week_n = self.week, self.week_n
        n = week_n[how] = week_n[how] + weight
        week_how = week[how] = week[how] + weight / (WEEK_MEMORY if n > WEEK_MEMORY else n) * (
            flat - week[how]
        )
        if err_seasonal >= 0.9 * err_flat:
            offset = 0.0
        else:
            offset = day_h + n / (n + WEEK_SHRINK) * (week_how - day_h)
        alpha = weight * -math.expm1(-dt / self.level_tau) if dt > 0 else 0.0
        self.level = level + alpha * (x - offset - level)

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
