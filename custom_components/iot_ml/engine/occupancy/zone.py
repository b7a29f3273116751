"""Occupancy of one zone (or the home): the fused "occupied now" detector, the routine that
carries it forward into forecasts, and the zone that fits both from its channels and reads them live.

A zone learns from its evidence (motion, doors, media) and environment channels, without
labels (the fusion self-trains). The home learns from presence (persons, device trackers): "anyone
home" is its label and its reading now. A home without presence trackers learns its routine from
the zones' combined occupancy, passed in as labels.

Inputs are slot series on the 5-minute grid (see ``fusion`` for channel kinds). The detector reads
the sensors only; the routine (``routine.RoutineModel``, fitted by the zone on what the detector
found) carries P(occupied now) forward into forecasts, the next arrival and departure.
"""

from collections.abc import Mapping
from dataclasses import dataclass
import math

import numpy as np

from ..core.grid import SLOTS_PER_DAY
from ..core.state import JsonObject, read_state, write_state
from ..core.types import ChannelKind, ChannelSpec, FloatArray, Role
from .fusion import FeatureKind, FusionModel, fit_fusion, hmm_posterior
from .routine import (
    HORIZONS,
    RoutineModel,
    Transition,
    fit_routine,
    next_crossing,
    rolling_backtest,
)

STATE_VERSION = 1
# The detector's own saved state (inside the zone's): states that still hold the routine and
# ``use_prior`` (always false) load.
DETECTOR_STATE_VERSION = 1
RECENT_SLOTS = 36  # 3 h of context: longer than any learned hold decay matters
QUALITY_DAYS = 7  # the rolling backtest scores the last week


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


def forecast_basis(routine: RoutineModel, slot: int) -> tuple[FloatArray, FloatArray]:
    """The 24 h forecast from ``slot`` when empty and when occupied there.

    The chain is affine in the starting probability, so the forecast for any P(occupied now)
    is ``empty + p * (occupied - empty)``: an event re-reads it without re-running the chain.
    """
    return routine.forecast(0.0, slot, SLOTS_PER_DAY), routine.forecast(1.0, slot, SLOTS_PER_DAY)


@dataclass(frozen=True, slots=True)
class OccupancyModel:
    """A zone's fitted detector: P(occupied) per slot from its evidence and environment."""

    fusion: FusionModel

    def detect(self, data: dict[str, FloatArray]) -> FloatArray:
        """P(occupied) per slot for slot series keyed by channel."""
        return self.fusion.predict(data)

    def fusion_names(self) -> list[str]:
        """The channels the detector reads."""
        return [c.name for c in self.fusion.channels]

    def to_json(self) -> JsonObject:
        """Plain JSON (no pickle)."""
        return write_state(DETECTOR_STATE_VERSION, fusion=self.fusion.to_json())

    @classmethod
    def from_json(cls, data: JsonObject) -> OccupancyModel:
        """Inverse of ``to_json``; ``ValueError`` on another version or a malformed field.

        States saved before the detector lost its own copy of the routine and the option to read
        it as a feature still hold ``routine`` and ``use_prior``: the routine is ignored (the zone
        keeps its own). A detector that did read the routine (``use_prior`` true, never saved by a
        zone) is refused: it cannot be evaluated without it.
        """
        data = read_state(data, "occupancy state", DETECTOR_STATE_VERSION, {"fusion": dict})
        if data.get("use_prior") is True:
            raise ValueError("occupancy state reads the routine prior, which is no longer kept")
        return cls(fusion=FusionModel.from_json(data["fusion"]))


def fit_occupancy(data: dict[str, FloatArray], kinds: Mapping[str, FeatureKind]) -> OccupancyModel:
    """Fit the detector on slot series, without labels: an HMM over the binary channels gives
    soft labels, and the fusion of every channel is fitted on them. ``ValueError`` without a
    binary channel."""
    target = hmm_posterior({k: v for k, v in data.items() if kinds[k] == FeatureKind.BINARY})
    return OccupancyModel(fit_fusion(data, kinds, target))


def occupancy_kinds(specs: list[ChannelSpec]) -> dict[str, FeatureKind]:
    """Which channels feed occupancy and as what fusion kind.

    Lights are left out on purpose: occupancy lighting switches them by occupancy, and a light
    counted as evidence would then keep its own zone occupied.
    """
    kinds: dict[str, FeatureKind] = {}
    for spec in specs:
        if spec.role in (Role.EVIDENCE, Role.PRESENCE):
            kinds[spec.key] = FeatureKind.BINARY
        elif spec.role is Role.ENVIRONMENT and spec.kind is ChannelKind.NUMERIC:
            kinds[spec.key] = FeatureKind.NUMERIC
    return kinds


def presence_keys(specs: list[ChannelSpec]) -> list[str]:
    """Channels that say directly whether someone is home."""
    return [s.key for s in specs if s.role is Role.PRESENCE]


def anyone(series: list[FloatArray]) -> FloatArray:
    """1 where any series is on (>= 0.5), 0 where all known ones are off, NaN where none is known."""
    stack = np.vstack(series)
    known = ~np.isnan(stack)
    on = np.nan_to_num(stack, nan=0.0) >= 0.5
    return np.where(on.any(axis=0), 1.0, np.where(known.any(axis=0), 0.0, np.nan))


def combine_zones(
    posteriors: list[tuple[FloatArray, int]], end_slot: int, length: int
) -> FloatArray:
    """P(anyone in any zone) for ``[end_slot - length, end_slot)``, zones taken as independent.

    Each posterior is a series ending at its own slot; NaN where no zone is known.
    """
    p_empty = np.ones(length)
    known = np.zeros(length, dtype=bool)
    for series, series_end in posteriors:
        aligned = np.full(length, np.nan)
        lo = max(series_end - len(series), end_slot - length)
        hi = min(series_end, end_slot)
        if hi > lo:
            src = series[lo - (series_end - len(series)) : hi - (series_end - len(series))]
            aligned[lo - (end_slot - length) : hi - (end_slot - length)] = src
        ok = ~np.isnan(aligned)
        p_empty[ok] *= 1.0 - aligned[ok]
        known |= ok
    return np.where(known, 1.0 - p_empty, np.nan)


@dataclass(frozen=True, slots=True)
class PredictionQuality:
    """Rolling backtest of the +60 min forecast against what the zone detected later."""

    brier: float
    accuracy: float
    days: int


@dataclass(frozen=True, slots=True)
class ZoneOccupancy:
    """A fitted zone: fusion (None when occupancy is read from presence) plus routine."""

    routine: RoutineModel
    fusion: OccupancyModel | None
    presence: tuple[str, ...]
    quality: PredictionQuality | None

    def probability(self, recent: dict[str, FloatArray], start_slot: int) -> float:
        """P(occupied) in the last slot of ``recent`` (series starting at ``start_slot``)."""
        if self.presence:  # NaN when no tracker is known now: the caller falls back
            latest = [recent[k][-1:] for k in self.presence if k in recent]
            return float(anyone(latest)[0]) if latest else math.nan
        if self.fusion is None:
            return float(self.routine.prior_at(start_slot + _length(recent) - 1, 1)[0])
        data = {k: recent[k] for k in self.fusion.fusion_names() if k in recent}
        if not data:
            return float(self.routine.prior_at(start_slot + _length(recent) - 1, 1)[0])
        return self.fusion.fusion.predict_last(data)

    def posterior(self, data: dict[str, FloatArray], start_slot: int) -> FloatArray:
        """P(occupied) for whole slot series (used to build labels and backtests); NaN before
        the first slot any input knows (ring space not filled yet, not "probably empty")."""
        if self.presence:
            return anyone([data[k] for k in self.presence if k in data])
        if self.fusion is None:
            return self.routine.prior_at(start_slot, _length(data))
        inputs = {k: data[k] for k in self.fusion.fusion_names() if k in data}
        posterior = self.fusion.detect(inputs)
        if inputs:
            known = np.vstack([~np.isnan(v) for v in inputs.values()]).any(axis=0)
            posterior[: int(np.argmax(known)) if known.any() else len(posterior)] = np.nan
        return posterior

    def to_json(self) -> JsonObject:
        """Plain JSON."""
        q = self.quality
        return write_state(
            STATE_VERSION,
            routine=self.routine.to_json(),
            fusion=None if self.fusion is None else self.fusion.to_json(),
            presence=list(self.presence),
            quality=None if q is None else [q.brier, q.accuracy, q.days],
        )

    @classmethod
    def from_json(cls, data: JsonObject) -> ZoneOccupancy:
        """Inverse of ``to_json``; ``ValueError`` on another version or a malformed field."""
        data = read_state(
            data,
            "zone occupancy state",
            STATE_VERSION,
            {"routine": dict, "fusion": (dict, None), "presence": list, "quality": (list, None)},
        )
        q = data["quality"]
        return cls(
            routine=RoutineModel.from_json(data["routine"]),
            fusion=None if data["fusion"] is None else OccupancyModel.from_json(data["fusion"]),
            presence=tuple(str(k) for k in data["presence"]),
            quality=None if q is None else PredictionQuality(float(q[0]), float(q[1]), int(q[2])),
        )


def _length(data: dict[str, FloatArray]) -> int:
    return len(next(iter(data.values()))) if data else 1


def fit_zone_occupancy(
    slots: dict[str, FloatArray],
    specs: list[ChannelSpec],
    end_slot: int,
    tz: str,
    labels: FloatArray | None = None,
) -> ZoneOccupancy | None:
    """Fit a zone's occupancy on its training window; None when nothing in it speaks to occupancy."""
    kinds = occupancy_kinds(specs)
    presence = presence_keys(specs)
    data = {k: slots[k] for k in kinds if k in slots}
    if presence:
        # Trackers where they are known; the zones' combined occupancy (if given) elsewhere.
        tracked = anyone([slots[k] for k in presence if k in slots])
        labels = tracked if labels is None else np.where(np.isnan(tracked), labels, tracked)
        if np.isnan(labels).all():
            return None
    series = [*data.values(), *([] if labels is None else [labels])]
    if not series:
        return None
    n = len(series[0])
    # Older slots are empty ring space: start where any input holds data.
    have = np.vstack([~np.isnan(v) for v in series]).any(axis=0)
    first = int(np.argmax(have))
    if not have.any() or n - first < SLOTS_PER_DAY // 4:
        return None
    data = {k: v[first:] for k, v in data.items()}
    labels = None if labels is None else labels[first:]
    start = end_slot - (n - first)
    binary = {k: v for k, v in data.items() if kinds[k] is FeatureKind.BINARY}
    fusion: OccupancyModel | None = None
    if presence:
        target = labels
    elif binary:
        # "Now" reads the sensors only: with the routine as a feature, self-trained labels let the
        # routine drown out motion at unusual hours (measured on the virtual home).
        fusion = fit_occupancy(data, kinds)
        target = fusion.detect(data)
    else:
        target = labels
    if target is None:
        return None
    routine = fit_routine(target, end_slot, tz)
    return ZoneOccupancy(
        routine=routine,
        fusion=fusion,
        presence=tuple(presence),
        quality=_quality(target, start, tz),
    )


def _quality(posterior: FloatArray, start_slot: int, tz: str) -> PredictionQuality | None:
    """Brier and accuracy at +60 min over the last week, against the detected occupancy."""
    days_total = len(posterior) // SLOTS_PER_DAY
    min_days = max(2, days_total - QUALITY_DAYS)
    truth = np.where(np.isnan(posterior), np.nan, (posterior >= 0.5).astype(np.float64))
    days = rolling_backtest(truth, start_slot, tz, origin=posterior, min_days=min_days)
    rows = [d for d in days if not math.isnan(d["h60_acc"])]
    if not rows:
        return None
    weights = np.array([d["slots"] for d in rows], dtype=np.float64)
    return PredictionQuality(
        brier=float(np.average([d["h60_brier"] for d in rows], weights=weights)),
        accuracy=float(np.average([d["h60_acc"] for d in rows], weights=weights)),
        days=len(rows),
    )
