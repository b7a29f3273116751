"""Turn Home Assistant states into engine values: numbers in canonical units, or 0/1."""

import math

from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import State
from homeassistant.util.unit_conversion import (
    BaseUnitConverter,
    DistanceConverter,
    ElectricCurrentConverter,
    ElectricPotentialConverter,
    EnergyConverter,
    PowerConverter,
    PressureConverter,
    SpeedConverter,
    TemperatureConverter,
    VolumeConverter,
)

from .engine.core.types import GapReason

# Units we normalise to, per converter; anything else is kept as reported.
_CANONICAL: tuple[tuple[type[BaseUnitConverter], str], ...] = (
    (TemperatureConverter, "°C"),
    (PowerConverter, "W"),
    (EnergyConverter, "kWh"),
    (PressureConverter, "hPa"),
    (SpeedConverter, "m/s"),
    (VolumeConverter, "L"),
    (DistanceConverter, "m"),
    (ElectricCurrentConverter, "A"),
    (ElectricPotentialConverter, "V"),
)

# States meaning "active" for channels read as 0/1, by domain.
_ON_STATES: dict[str, frozenset[str]] = {
    "person": frozenset({"home"}),
    "device_tracker": frozenset({"home"}),
    "media_player": frozenset({"on", "playing", "buffering"}),
    "climate": frozenset({"heating", "cooling", "preheating", "drying"}),
}
_DEFAULT_ON = frozenset({"on", "open", "home", "detected", "true"})
_DEFAULT_OFF = frozenset({"off", "closed", "not_home", "clear", "false"})

type Reading = tuple[float | None, GapReason | None]


# Beyond any physical reading a home reports; larger numbers would also overflow the float32
# buffers the engine keeps.
MAX_MAGNITUDE = 1e9


def canonical_unit(unit: object) -> str | None:
    """The unit values in ``unit`` are stored in (a unit that is not a string: none)."""
    if not isinstance(unit, str):
        return None
    for converter, target in _CANONICAL:
        if unit in converter.VALID_UNITS:
            return target
    return unit


def to_canonical(value: float, unit: object) -> float:
    """Convert ``value`` from ``unit`` to ``canonical_unit(unit)``."""
    if not isinstance(unit, str):
        return value
    for converter, target in _CANONICAL:
        if unit in converter.VALID_UNITS:
            return converter.convert(value, unit, target)
    return value


def parse_number(raw: object) -> Reading:
    """A finite float from a state string or attribute, or the reason there is none."""
    if raw is None:
        return None, GapReason.UNKNOWN
    if raw == STATE_UNAVAILABLE:
        return None, GapReason.UNAVAILABLE
    if raw == STATE_UNKNOWN:
        return None, GapReason.UNKNOWN
    if isinstance(raw, bool):
        return None, GapReason.INVALID
    try:
        value = float(raw)  # type: ignore[arg-type]
    except TypeError, ValueError:
        return None, GapReason.INVALID
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        return None, GapReason.INVALID
    return value, None


def parse_binary(domain: str, raw: object) -> Reading:
    """0/1 for an entity state (or attribute) read as active/inactive."""
    if raw is None or raw == STATE_UNKNOWN:
        return None, GapReason.UNKNOWN
    if raw == STATE_UNAVAILABLE:
        return None, GapReason.UNAVAILABLE
    text = str(raw).lower()
    on = _ON_STATES.get(domain)
    if on is not None:
        return (1.0 if text in on else 0.0), None
    if text in _DEFAULT_ON:
        return 1.0, None
    if text in _DEFAULT_OFF:
        return 0.0, None
    return None, GapReason.INVALID


def unit_of(state: State, unit_attribute: str | None = None) -> str | None:
    """The unit a state reports its value in (None when the attribute is not a string)."""
    unit = state.attributes.get(unit_attribute or ATTR_UNIT_OF_MEASUREMENT)
    return unit if isinstance(unit, str) else None
