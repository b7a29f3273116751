"""Occupancy of one zone (or the home) as the learner runs it: fit from its channels, read live.

A zone learns from its evidence (motion, doors, media) and environment channels, without
labels (the fusion self-trains). The home learns from presence (persons, device trackers): "anyone
home" is its label and its reading now. A home without presence trackers learns its routine from
the zones' combined occupancy, passed in as labels.
"""

from dataclasses import dataclass
import math

import numpy as np

from ..core.grid import SLOTS_PER_DAY
from ..core.state import JsonObject, read_state, write_state
from ..core.types import ChannelKind, ChannelSpec, FloatArray, Role
from .fusion import FeatureKind
from .model import OccupancyModel, fit_occupancy
from .routine import RoutineModel, fit_routine, rolling_backtest

STATE_VERSION = 1
RECENT_SLOTS = 36  # 3 h of context: longer than any learned hold decay matters
QUALITY_DAYS = 7  # the rolling backtest scores the last week


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
