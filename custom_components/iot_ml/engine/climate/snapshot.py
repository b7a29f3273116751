"""What a zone's thermal model says now: rates, the next hour, time to target, faults, the plan."""

from dataclasses import dataclass, replace
import math

import numpy as np

from ..core.grid import SLOTS_PER_HOUR
from ..core.types import FloatArray
from ..thermal.model import ThermalModel, ThermalRates, ThermalState
from .policy import ClimateDecision, ClimateSettings, decide

DEFAULT_MIN_C = 7.0
DEFAULT_MAX_C = 35.0


@dataclass(frozen=True, slots=True)
class Thermostat:
    """A zone's climate device as it reports itself now (validated by whoever reads it)."""

    current_c: float | None = None  # its own temperature reading
    setpoint_c: float | None = None
    heating: bool = False
    min_c: float = DEFAULT_MIN_C
    max_c: float = DEFAULT_MAX_C


@dataclass(frozen=True, slots=True)
class ZoneReading:
    """What the household is told about a zone at a tick, beyond its channels."""

    thermostat: Thermostat | None = None
    window_contact_open: bool = False


@dataclass(frozen=True, slots=True)
class ThermalSnapshot:
    """A zone's thermal readings at one moment."""

    state: ThermalState
    rates: ThermalRates
    predicted_1h: float
    target: float
    minutes_to_target: float | None  # None: not reachable within the model's horizon
    fault: bool
    window_open: bool
    decision: ClimateDecision


def climate_settings(
    comfort_c: float, eco_c: float, thermostat: Thermostat | None
) -> ClimateSettings:
    """Comfort and eco, with the limits the climate device accepts."""
    device = thermostat or Thermostat()
    return ClimateSettings(
        comfort_c=comfort_c, eco_c=eco_c, min_temp_c=device.min_c, max_temp_c=device.max_c
    )


def tuned_settings(
    base: ClimateSettings,
    arrival_threshold: float | None,
    home_thresholds: tuple[float, float] | None,
) -> ClimateSettings:
    """``base`` with the arrival thresholds learned for the zone at its last training."""
    if arrival_threshold is not None:
        base = replace(base, arrival_threshold=arrival_threshold)
    if home_thresholds is not None:  # ... while someone is home, and while nobody is
        base = replace(
            base,
            home_arrival_threshold=home_thresholds[0],
            away_arrival_threshold=home_thresholds[1],
        )
    return base


def thermal_snapshot(
    model: ThermalModel,
    state: ThermalState,
    settings: ClimateSettings,
    thermostat: Thermostat | None,
    *,
    window_open: bool,
    fault: bool,
    p_occupied: float | None,
    forecast: FloatArray | None,
    home_occupied: float | None = None,
) -> ThermalSnapshot:
    """Everything the zone's thermal entities and its smart-climate switch read."""
    device = thermostat or Thermostat()
    if device.current_c is not None and math.isfinite(device.current_c):
        state = replace(state, temperature=device.current_c)  # the slot mean lags up to 5 min
    target = device.setpoint_c if device.setpoint_c is not None else settings.comfort_c
    hour = model.predict(state, np.full(SLOTS_PER_HOUR, 1.0 if device.heating else 0.0))
    minutes = 0.0 if state.temperature >= target else model.minutes_to_reach(state, target)
    decision = decide(
        settings,
        state,
        0.0 if p_occupied is None else p_occupied,
        np.zeros(0) if forecast is None else forecast,
        model,
        window_open=window_open,
        home_occupied=home_occupied,
    )
    return ThermalSnapshot(
        state=state,
        rates=model.rates(state),
        predicted_1h=float(hour[-1]),
        target=target,
        minutes_to_target=minutes,
        fault=fault,
        window_open=window_open,
        decision=decision,
    )
