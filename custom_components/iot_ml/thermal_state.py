"""A zone's climate entity, read into the engine's validated ``Thermostat``."""

from collections.abc import Callable
import math

from homeassistant.components.climate.const import (
    ATTR_CURRENT_TEMPERATURE,
    ATTR_HVAC_ACTION,
    ATTR_MAX_TEMP,
    ATTR_MIN_TEMP,
    HVACAction,
)
from homeassistant.const import ATTR_TEMPERATURE, STATE_ON, STATE_UNAVAILABLE, UnitOfTemperature
from homeassistant.core import State
from homeassistant.util.unit_conversion import TemperatureConverter

from .engine.climate import DEFAULT_MAX_C, DEFAULT_MIN_C, Thermostat, ZoneReading
from .models import ZoneConfig

# Beyond what any room thermostat reports: such a reading is garbage, not a temperature.
PLAUSIBLE_C = (-50.0, 100.0)


def _temperature(value: object, unit: str) -> float | None:
    """A finite, plausible temperature in °C, or None (other integrations put anything here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or abs(value) > 1e6:
        return None
    number = TemperatureConverter.convert(float(value), unit, UnitOfTemperature.CELSIUS)
    if not math.isfinite(number) or not PLAUSIBLE_C[0] <= number <= PLAUSIBLE_C[1]:
        return None
    return number


def read_thermostat(climate: State | None, unit: str) -> Thermostat | None:
    """The climate entity's temperatures (reported in the system ``unit``), setpoint, action
    and limits in °C; None when it is gone or unavailable. Attributes of the wrong type fall
    back to defaults."""
    if climate is None or climate.state == STATE_UNAVAILABLE:
        return None
    attributes = climate.attributes
    low = _temperature(attributes.get(ATTR_MIN_TEMP), unit)
    high = _temperature(attributes.get(ATTR_MAX_TEMP), unit)
    if low is None or high is None or low >= high:
        low, high = DEFAULT_MIN_C, DEFAULT_MAX_C
    return Thermostat(
        current_c=_temperature(attributes.get(ATTR_CURRENT_TEMPERATURE), unit),
        setpoint_c=_temperature(attributes.get(ATTR_TEMPERATURE), unit),
        heating=attributes.get(ATTR_HVAC_ACTION) == HVACAction.HEATING,
        min_c=low,
        max_c=high,
    )


def zone_reading(
    zone: ZoneConfig, state_of: Callable[[str], State | None], unit: str
) -> ZoneReading:
    """What a zone's climate entity and window contacts say now (``state_of``: current state by
    entity id, ``unit``: the system temperature unit)."""
    return ZoneReading(
        thermostat=None if not zone.climate else read_thermostat(state_of(zone.climate), unit),
        window_contact_open=any(
            (state := state_of(entity_id)) is not None and state.state == STATE_ON
            for entity_id in zone.windows
        ),
    )
