"""Typed inputs and results shared across the engine."""

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

type FloatArray = npt.NDArray[np.float64]
type SlotArray = npt.NDArray[np.float32]  # stored slot means: half the memory of float64


class ChannelKind(StrEnum):
    """How a channel's values are read."""

    NUMERIC = "numeric"  # a measured quantity, e.g. °C or ppm
    BINARY = "binary"  # 0/1, e.g. motion or a door; slot values become the fraction of time on


class Role(StrEnum):
    """What a channel is used for."""

    EVIDENCE = "evidence"  # occupancy evidence: motion, doors, media players
    ENVIRONMENT = "environment"  # temperature, humidity, CO2, illuminance, power, ...
    CLIMATE = "climate"  # a climate entity's temperature and heating/cooling activity
    LIGHT = "light"
    PRESENCE = "presence"  # persons and device trackers (home level)
    OUTDOOR = "outdoor"  # outdoor temperature (home level)


class GapReason(StrEnum):
    """Why an observation carried no usable value."""

    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"
    INVALID = "invalid"  # not a number, NaN, inf
    UNIT = "unit"  # a unit we cannot convert to the channel's unit


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """One time series the engine learns from."""

    key: str
    kind: ChannelKind
    role: Role
    watched: bool = False


@dataclass(frozen=True, slots=True)
class Series:
    """Recorded history of one channel: a step function (each value holds until the next).

    ``values`` uses NaN for gaps; ``times`` are epoch seconds, sorted ascending.
    """

    times: FloatArray
    values: FloatArray
    gaps: dict[str, int] = field(default_factory=dict)  # why observations were gaps, counted


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """What a channel has collected so far."""

    samples: int
    coverage: float  # share of slots in the learning window holding data, 0..1
    gaps: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LearnerStatus:
    """What a zone (or the home) has collected and learned."""

    samples: int
    days_of_history: float
    coverage_by_role: dict[str, float]
    channels: dict[str, ChannelStatus]
    trained_at: float | None
