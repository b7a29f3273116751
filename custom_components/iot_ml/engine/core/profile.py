"""What is normal for a channel at each hour of the week, learned with forgetting."""

from dataclasses import dataclass
from typing import Any

import numpy as np

from .grid import SLOTS_PER_DAY
from .timebase import HOURS_PER_WEEK, hour_of_week
from .types import FloatArray

HALF_LIFE_DAYS = 14.0


@dataclass(frozen=True, slots=True)
class WeeklyProfile:
    """Weighted mean, standard deviation and effective sample count per local hour of week."""

    mean: FloatArray
    std: FloatArray
    weight: FloatArray

    def to_json(self) -> dict[str, list[float | None]]:
        """Plain lists for JSON storage (NaN becomes None)."""
        return {
            name: [None if np.isnan(x) else round(float(x), 5) for x in getattr(self, name)]
            for name in ("mean", "std", "weight")
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WeeklyProfile:
        """Inverse of ``to_json``; raises ``ValueError`` on malformed data."""
        arrays = {
            name: np.array([np.nan if x is None else float(x) for x in data[name]])
            for name in ("mean", "std", "weight")
        }
        if any(len(a) != HOURS_PER_WEEK for a in arrays.values()):
            raise ValueError("profile must have 168 hours")
        return cls(**arrays)


def fit_weekly_profile(
    slots: FloatArray, end_slot: int, tz: str, half_life_days: float = HALF_LIFE_DAYS
) -> WeeklyProfile:
    """Fit a profile to slot means ending at ``end_slot`` (older data weighs exponentially less)."""
    n = len(slots)
    how = hour_of_week(end_slot - n, n, tz)
    age_days = (n - 1 - np.arange(n)) / SLOTS_PER_DAY
    weights = 0.5 ** (age_days / half_life_days)
    ok = ~np.isnan(slots)
    w = np.where(ok, weights, 0.0)
    x = np.where(ok, slots, 0.0)
    wsum = np.bincount(how, weights=w, minlength=HOURS_PER_WEEK)
    s1 = np.bincount(how, weights=w * x, minlength=HOURS_PER_WEEK)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(wsum > 0, s1 / wsum, np.nan)
        dev = np.where(ok, slots - mean[how], 0.0)
        s2 = np.bincount(how, weights=w * dev * dev, minlength=HOURS_PER_WEEK)
        std = np.where(wsum > 0, np.sqrt(s2 / wsum), np.nan)
    # Effective number of samples in slot units, for judging how much to trust each hour.
    return WeeklyProfile(mean=mean, std=std, weight=wsum.astype(np.float64))
