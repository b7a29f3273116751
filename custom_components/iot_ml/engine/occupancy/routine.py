"""Occupancy routine: time-of-week prior and a time-inhomogeneous 2-state Markov chain.

``P(occ[t+1] = 1 | occ[t], hour of week)`` is estimated with forgetting and shrunk toward the
hour-of-day rates, which are shrunk toward the global rates, so sparse hours stay sensible.
A forecast propagates the current posterior through the chain.
"""

from dataclasses import dataclass
import itertools
import math
from typing import Any

import numpy as np

from ..core.grid import SLOT_SECONDS, SLOTS_PER_DAY
from ..core.timebase import HOURS_PER_WEEK, hour_of_week
from ..core.types import FloatArray

SHRINK_SLOTS = 12.0  # pseudo-count (in weighted slots) pulling an hour toward its parent rate
HORIZONS = (6, 12, 24)  # +30, +60, +120 min in slots
HALF_LIFE_DAYS = 14.0  # older weeks weigh exponentially less in the routine
WEEKEND_HOUR = 5 * 24  # Saturday 00:00 in hours of week
WEEK_SHRINK = (
    4.0  # pull of the hour of week toward its day type, x SHRINK_SLOTS (pooled: few weeks)
)


@dataclass(frozen=True, slots=True)
class RoutineModel:
    """Per local hour of week: occupancy prior, P(stay occupied), P(become occupied)."""

    prior: FloatArray
    p11: FloatArray
    p01: FloatArray
    tz: str

    def prior_at(self, start_slot: int, count: int) -> FloatArray:
        """Routine prior for slots ``[start_slot, start_slot + count)``."""
        return np.asarray(self.prior[hour_of_week(start_slot, count, self.tz)], dtype=np.float64)

    def forecast(self, p0: float, slot: int, steps: int) -> FloatArray:
        """P(occupied) for slots ``slot+1 .. slot+steps`` given P(occupied at ``slot``) = p0."""
        # One origin: plain floats are ~30x faster than numpy on one-element arrays, and this
        # runs on the event loop every 5 minutes per zone. Same arithmetic as ``propagate``.
        p11, p01 = self.p11.tolist(), self.p01.tolist()
        out = []
        p = float(p0)
        for h in hour_of_week(slot, steps, self.tz).tolist():
            p = p * p11[h] + (1 - p) * p01[h]
            out.append(p)
        return np.asarray(out, dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON lists (rounded)."""
        return {
            "tz": self.tz,
            **{k: [round(float(v), 6) for v in getattr(self, k)] for k in ("prior", "p11", "p01")},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoutineModel:
        """Inverse of ``to_json``; ``ValueError`` unless every array has 168 hours."""
        arrays = {k: np.array([float(v) for v in data[k]]) for k in ("prior", "p11", "p01")}
        if any(len(a) != HOURS_PER_WEEK for a in arrays.values()):
            raise ValueError("routine arrays must have 168 hours")
        return cls(tz=str(data["tz"]), **arrays)


def propagate(model: RoutineModel, p0: FloatArray, how: Any) -> FloatArray:
    """Vectorised over origins: ``how[i, k]`` is the hour of week of origin i's k-th step's slot."""
    steps = how.shape[1]
    out = np.empty((len(p0), steps))
    p = np.asarray(p0, dtype=np.float64)
    for k in range(steps):
        h = how[:, k]
        p = p * model.p11[h] + (1 - p) * model.p01[h]
        out[:, k] = p
    return out


def _shrunk(num: Any, den: Any, parent: Any, strength: float = SHRINK_SLOTS) -> FloatArray:
    return np.asarray((num + strength * parent) / (den + strength), dtype=np.float64)


def day_type(how: Any) -> Any:
    """0 on weekdays, 1 on weekends, per hour of week."""
    return (np.asarray(how) >= WEEKEND_HOUR).astype(np.int64)


def _hierarchy(
    how: Any, value: Any, weight: Any, top: float, week: float = WEEK_SHRINK
) -> FloatArray:
    """Per hour of week: rate shrunk to (day type, hour of day), then hour of day, then ``top``.

    Weekdays share their hours, as do weekend days, so a routine learned from a few weeks is
    not one week's accident; the hour of week keeps what repeats on that day only.
    """
    hod = how % 24
    dt = day_type(how) * 24 + hod
    sums = {k: np.bincount(idx, weights=value, minlength=m) for k, idx, m in _levels(how, hod, dt)}
    dens = {k: np.bincount(idx, weights=weight, minlength=m) for k, idx, m in _levels(how, hod, dt)}
    rate_hod = _shrunk(sums["hod"], dens["hod"], np.full(24, top))
    rate_dt = _shrunk(sums["dt"], dens["dt"], rate_hod[np.arange(48) % 24])
    hours = np.arange(HOURS_PER_WEEK)
    parent = rate_dt[day_type(hours) * 24 + hours % 24]
    return _shrunk(sums["how"], dens["how"], parent, SHRINK_SLOTS * week)


def _levels(how: Any, hod: Any, dt: Any) -> list[tuple[str, Any, int]]:
    return [("hod", hod, 24), ("dt", dt, 48), ("how", how, HOURS_PER_WEEK)]


def fit_routine(
    occ: FloatArray, end_slot: int, tz: str, half_life_days: float = HALF_LIFE_DAYS
) -> RoutineModel:
    """Fit prior and chain to an occupancy series (0/1 or soft, NaN unknown) ending at ``end_slot``."""
    n = len(occ)
    how = hour_of_week(end_slot - n, n, tz)
    weights = 0.5 ** ((n - 1 - np.arange(n)) / SLOTS_PER_DAY / half_life_days)
    ok = ~np.isnan(occ)
    x = np.where(ok, occ, 0.0)
    w = np.where(ok, weights, 0.0)
    total = float(w.sum())
    overall = float((w * x).sum() / total) if total > 0 else 0.5
    prior = _hierarchy(how, w * x, w, overall)
    # Transition counts from slot t to t+1 (soft states allowed), attributed to t's hour.
    pair = ok[:-1] & ok[1:]
    wp = np.where(pair, weights[:-1], 0.0)
    a, b = x[:-1], x[1:]
    c1, c0 = wp * a, wp * (1 - a)
    g11 = (float((c1 * b).sum()) + 1.0) / (float(c1.sum()) + 1.0)  # no history: stay occupied
    g01 = float((c0 * b).sum()) / (float(c0.sum()) + 1.0) if c0.sum() > 0 else 0.05
    p11 = _hierarchy(how[:-1], c1 * b, c1, g11)
    p01 = _hierarchy(how[:-1], c0 * b, c0, g01)
    return RoutineModel(prior=prior, p11=p11, p01=p01, tz=tz)


@dataclass(frozen=True, slots=True)
class Transition:
    """A forecast arrival or departure."""

    slot: int
    ts: float
    minutes_ahead: float
    confidence: float  # 0..1: how far past 0.5 the forecast is 30 min after the crossing


def next_crossing(p0: float, forecast: FloatArray, slot: int, upward: bool) -> Transition | None:
    """Earliest slot where ``[p0, *forecast]`` crosses 0.5 upward (arrival) or downward."""
    seq = np.concatenate(([p0], forecast))
    above = seq >= 0.5
    hits = np.flatnonzero(above[1:] & ~above[:-1] if upward else ~above[1:] & above[:-1])
    if len(hits) == 0:
        return None
    k = int(hits[0]) + 1
    after = float(seq[min(k + 6, len(seq) - 1)])
    confidence = min(1.0, abs(after - 0.5) * 2)
    at = slot + k
    return Transition(at, float(at * SLOT_SECONDS), k * SLOT_SECONDS / 60, confidence)


@dataclass(frozen=True, slots=True)
class Score:
    """Brier score and accuracy of probabilistic predictions against 0/1 truth."""

    brier: float
    accuracy: float
    n: int


def score(prob: FloatArray, truth: FloatArray) -> Score:
    """Brier and accuracy over the pairs where both are known (NaN when none are)."""
    ok = ~np.isnan(prob) & ~np.isnan(truth)
    if not ok.any():
        return Score(math.nan, math.nan, 0)
    p, y = prob[ok], truth[ok] >= 0.5
    return Score(float(np.mean((p - y) ** 2)), float(np.mean((p >= 0.5) == y)), int(ok.sum()))


def day_starts(start_slot: int, count: int, tz: str) -> list[int]:
    """Indices (into the series) where a local day begins."""
    hod = hour_of_week(start_slot, count, tz) % 24
    starts = np.flatnonzero((hod == 0) & (np.roll(hod, 1) != 0))
    return [int(s) for s in starts if s > 0] if count else []


def rolling_backtest(
    truth: FloatArray,
    start_slot: int,
    tz: str,
    *,
    origin: FloatArray | None = None,
    min_days: int = 3,
    horizons: tuple[int, ...] = HORIZONS,
) -> list[dict[str, Any]]:
    """Walk forward by local day: fit on all days before d, forecast every slot of day d.

    ``truth`` is the occupancy to score against (0/1, NaN unknown); ``origin`` the posterior the
    forecasts start from (default: ``truth``, i.e. a perfect detector). Per day: accuracy and Brier
    at each horizon (``h30_acc`` ...), ``day_ahead_*`` (from the previous day's last slot),
    ``now_acc`` of ``origin``, and the baselines ``prior_acc``, ``always_home_acc`` and
    ``persist_*`` (the origin's state carried forward).
    """
    n = len(truth)
    source = truth if origin is None else origin
    starts = day_starts(start_slot, n, tz)
    bounds = [*starts, n]
    how_all = hour_of_week(start_slot, n + max(*horizons, SLOTS_PER_DAY), tz)
    days: list[dict[str, Any]] = []
    for d0, d1 in itertools.pairwise(bounds):
        if d0 < min_days * SLOTS_PER_DAY or d1 - d0 < SLOTS_PER_DAY // 2:
            continue
        model = fit_routine(truth[:d0], start_slot + d0, tz)
        y = truth[d0:d1]
        rec: dict[str, Any] = {"start_index": d0, "slots": d1 - d0}
        rec["now_acc"] = score(source[d0:d1], y).accuracy
        rec["prior_acc"] = score(model.prior[how_all[d0:d1]], y).accuracy
        rec["always_home_acc"] = score(np.ones(d1 - d0), y).accuracy
        for h in horizons:
            origins = np.arange(d0 - h, d1 - h)
            p0 = np.nan_to_num(source[origins], nan=0.5)
            how = how_all[origins[:, None] + np.arange(h)[None, :]]
            pred = propagate(model, p0, how)[:, -1]
            s = score(pred, y)
            rec[f"h{h * 5}_acc"], rec[f"h{h * 5}_brier"] = s.accuracy, s.brier
            rec[f"persist_h{h * 5}_acc"] = score(p0, y).accuracy
        last = float(np.nan_to_num(source[d0 - 1], nan=0.5))
        pred = propagate(model, np.array([last]), how_all[None, d0 - 1 : d1 - 1])[0]
        s = score(pred, y)
        rec["day_ahead_acc"], rec["day_ahead_brier"] = s.accuracy, s.brier
        rec["persist_day_ahead_acc"] = score(np.full(d1 - d0, last), y).accuracy
        days.append(rec)
    return days
