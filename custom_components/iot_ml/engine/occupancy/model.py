"""Per-zone occupancy: fused "occupied now", routine, forecast, next arrival and departure.

Inputs are slot series on the 5-minute grid (see ``occupancy_fusion`` for channel kinds). The
routine prior enters the fusion as one more feature (its log-odds), so the detector leans on the
household's schedule where the sensors say little.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..core.grid import SLOTS_PER_DAY, SLOTS_PER_HOUR
from ..core.state import JsonObject, read_state, write_state
from ..core.timebase import hour_of_week
from ..core.types import FloatArray
from .fusion import FeatureKind, FusionModel, fit_fusion, hmm_posterior
from .routine import HORIZONS, RoutineModel, Transition, fit_routine, next_crossing

STATE_VERSION = 1  # calendar channels need no bump: v1 states without them still load
PRIOR_CHANNEL = "_routine"
# Smooth time of day (two harmonics) and the day type, as the published NS/WS features: an
# hour-of-week prior from a week or two of history over-fits, these generalise across days.
CALENDAR_CHANNELS = ("_tod_sin1", "_tod_cos1", "_tod_sin2", "_tod_cos2", "_weekend")


def calendar(start_slot: int, count: int, tz: str) -> dict[str, FloatArray]:
    """Calendar features per slot: time of day as sines and cosines, and a weekend flag."""
    how = hour_of_week(start_slot, count, tz)
    slot_in_hour = (np.arange(start_slot, start_slot + count) % SLOTS_PER_HOUR) / SLOTS_PER_HOUR
    angle = 2 * np.pi * (how % 24 + slot_in_hour) / 24
    values = (np.sin(angle), np.cos(angle), np.sin(2 * angle), np.cos(2 * angle))
    out = dict(zip(CALENDAR_CHANNELS, values, strict=False))
    out["_weekend"] = (how >= 5 * 24).astype(np.float64)
    return out


def logit(p: FloatArray) -> FloatArray:
    """Log-odds, clipped to +-4."""
    q = np.clip(p, 0.018, 0.982)
    return np.asarray(np.log(q / (1 - q)))


@dataclass(frozen=True, slots=True)
class OccupancyForecast:
    """What the zone expects: horizons, a 24 h series, next arrival and departure."""

    now: float
    horizons: dict[int, float]  # minutes ahead -> P(occupied)
    series: FloatArray  # P(occupied) for each of the next 288 slots
    next_arrival: Transition | None
    next_departure: Transition | None

    @classmethod
    def of(cls, series: FloatArray, p_now: float, slot: int) -> OccupancyForecast:
        """The forecast for the 24 h ``series`` that follows P(occupied at ``slot``) = p_now."""
        return cls(
            now=p_now,
            horizons={h * 5: float(series[h - 1]) for h in HORIZONS},
            series=series,
            next_arrival=next_crossing(p_now, series, slot, upward=True),
            next_departure=next_crossing(p_now, series, slot, upward=False),
        )


def forecast_from(routine: RoutineModel, p_now: float, slot: int) -> OccupancyForecast:
    """Propagate P(occupied at ``slot``) through the routine's chain for 24 hours."""
    return OccupancyForecast.of(routine.forecast(p_now, slot, SLOTS_PER_DAY), p_now, slot)


def forecast_basis(routine: RoutineModel, slot: int) -> tuple[FloatArray, FloatArray]:
    """The 24 h forecast from ``slot`` when empty and when occupied there.

    The chain is affine in the starting probability, so the forecast for any P(occupied now)
    is ``empty + p * (occupied - empty)``: an event re-reads it without re-running the chain.
    """
    return routine.forecast(0.0, slot, SLOTS_PER_DAY), routine.forecast(1.0, slot, SLOTS_PER_DAY)


@dataclass(frozen=True, slots=True)
class OccupancyModel:
    """A fitted zone model."""

    fusion: FusionModel
    routine: RoutineModel
    use_prior: bool

    def detect(self, data: dict[str, FloatArray], start_slot: int) -> FloatArray:
        """P(occupied) per slot for series starting at ``start_slot``."""
        return self.fusion.predict(self._with_prior(data, start_slot))

    def _with_prior(self, data: dict[str, FloatArray], start_slot: int) -> dict[str, FloatArray]:
        if not self.use_prior:
            return data
        n = len(next(iter(data.values())))
        prior = logit(self.routine.prior_at(start_slot, n))
        return {**data, PRIOR_CHANNEL: prior, **calendar(start_slot, n, self.routine.tz)}

    def forecast(self, p_now: float, slot: int) -> OccupancyForecast:
        """Propagate P(occupied at ``slot``) through the routine's chain for 24 hours."""
        return forecast_from(self.routine, p_now, slot)

    def fusion_names(self) -> list[str]:
        """The channels the fusion reads (the routine prior is added internally)."""
        internal = {PRIOR_CHANNEL, *CALENDAR_CHANNELS}
        return [c.name for c in self.fusion.channels if c.name not in internal]

    def to_json(self) -> JsonObject:
        """Plain JSON (no pickle)."""
        return write_state(
            STATE_VERSION,
            fusion=self.fusion.to_json(),
            routine=self.routine.to_json(),
            use_prior=self.use_prior,
        )

    @classmethod
    def from_json(cls, data: JsonObject) -> OccupancyModel:
        """Inverse of ``to_json``; ``ValueError`` on another version or a malformed field."""
        data = read_state(
            data,
            "occupancy state",
            STATE_VERSION,
            {"fusion": dict, "routine": dict, "use_prior": bool},
        )
        return cls(
            fusion=FusionModel.from_json(data["fusion"]),
            routine=RoutineModel.from_json(data["routine"]),
            use_prior=data["use_prior"],
        )


def fit_occupancy(
    data: dict[str, FloatArray],
    kinds: Mapping[str, FeatureKind],
    end_slot: int,
    tz: str,
    *,
    labels: FloatArray | None = None,
    use_prior: bool = True,
    l2: float = 1.0,
) -> OccupancyModel:
    """Fit fusion and routine on slot series ending at ``end_slot``.

    With ``labels`` (0/1, NaN unknown) the fusion is supervised; without, it self-trains from an
    HMM over the binary channels and the routine is learned from those soft labels.
    """
    n = len(next(iter(data.values())))
    start = end_slot - n
    if labels is None:
        target = hmm_posterior({k: v for k, v in data.items() if kinds[k] == FeatureKind.BINARY})
    else:
        target = labels
    routine = fit_routine(target, end_slot, tz)
    all_kinds = dict(kinds)
    if use_prior:
        prior = logit(routine.prior_at(start, n))
        data = {**data, PRIOR_CHANNEL: prior, **calendar(start, n, tz)}
        all_kinds |= dict.fromkeys((PRIOR_CHANNEL, *CALENDAR_CHANNELS), FeatureKind.DIRECT)
    fusion = fit_fusion(data, all_kinds, target, l2)
    return OccupancyModel(fusion=fusion, routine=routine, use_prior=use_prior)
