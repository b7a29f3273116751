"""Per-zone occupancy: the fused "occupied now" detector, and forecasts from the routine.

Inputs are slot series on the 5-minute grid (see ``fusion`` for channel kinds). The detector reads
the sensors only; the routine (``routine.RoutineModel``, fitted by the zone on what the detector
found) carries P(occupied now) forward into forecasts, the next arrival and departure.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from ..core.grid import SLOTS_PER_DAY
from ..core.state import JsonObject, read_state, write_state
from ..core.types import FloatArray
from .fusion import FeatureKind, FusionModel, fit_fusion, hmm_posterior
from .routine import HORIZONS, RoutineModel, Transition, next_crossing

STATE_VERSION = 1  # states that still hold the routine and ``use_prior`` (always false) load


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
        return write_state(STATE_VERSION, fusion=self.fusion.to_json())

    @classmethod
    def from_json(cls, data: JsonObject) -> OccupancyModel:
        """Inverse of ``to_json``; ``ValueError`` on another version or a malformed field.

        States saved before the detector lost its own copy of the routine and the option to read
        it as a feature still hold ``routine`` and ``use_prior``: the routine is ignored (the zone
        keeps its own). A detector that did read the routine (``use_prior`` true, never saved by a
        zone) is refused: it cannot be evaluated without it.
        """
        data = read_state(data, "occupancy state", STATE_VERSION, {"fusion": dict})
        if data.get("use_prior") is True:
            raise ValueError("occupancy state reads the routine prior, which is no longer kept")
        return cls(fusion=FusionModel.from_json(data["fusion"]))


def fit_occupancy(data: dict[str, FloatArray], kinds: Mapping[str, FeatureKind]) -> OccupancyModel:
    """Fit the detector on slot series, without labels: an HMM over the binary channels gives
    soft labels, and the fusion of every channel is fitted on them. ``ValueError`` without a
    binary channel."""
    target = hmm_posterior({k: v for k, v in data.items() if kinds[k] == FeatureKind.BINARY})
    return OccupancyModel(fit_fusion(data, kinds, target))
