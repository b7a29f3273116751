"""What a zone's thermal model says now: rates, the next hour, time to target, faults, the plan."""

from dataclasses import dataclass, replace
import math

from homeassistant.components.climate.const import (
    ATTR_CURRENT_TEMPERATURE,
    ATTR_HVAC_ACTION,
    ATTR_MAX_TEMP,
    ATTR_MIN_TEMP,
    HVACAction,
)
from homeassistant.const import ATTR_TEMPERATURE
from homeassistant.core import State
import numpy as np

from .engine.climate.policy import ClimateDecision, ClimateSettings, decide
from .engine.core.grid import SLOTS_PER_HOUR
from .engine.thermal.model import ThermalModel, ThermalRates, ThermalState
from .models import HomeConfig


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


def climate_settings(home: HomeConfig, climate: State | None) -> ClimateSettings:
    """Comfort and eco from the home options, clamped to what the climate entity accepts."""
    attributes = {} if climate is None else climate.attributes
    return ClimateSettings(
        comfort_c=home.comfort_temperature,
        eco_c=home.eco_temperature,
        min_temp_c=float(attributes.get(ATTR_MIN_TEMP, 7.0)),
        max_temp_c=float(attributes.get(ATTR_MAX_TEMP, 35.0)),
    )


def heating_now(climate: State | None) -> float:
    """1 while the climate entity reports it is heating."""
    if climate is None:
        return 0.0
    return 1.0 if climate.attributes.get(ATTR_HVAC_ACTION) == HVACAction.HEATING else 0.0


def thermal_snapshot(
    model: ThermalModel,
    state: ThermalState,
    *,
    home: HomeConfig,
    climate: State | None,
    window_open: bool,
    fault: bool,
    p_occupied: float | None,
    forecast: np.ndarray | None,
    arrival_threshold: float | None = None,
    home_thresholds: tuple[float, float] | None = None,
    home_occupied: float | None = None,
) -> ThermalSnapshot:
    """Everything the zone's thermal entities and its smart-climate switch read."""
    current = None if climate is None else climate.attributes.get(ATTR_CURRENT_TEMPERATURE)
    if isinstance(current, (int, float)) and not math.isnan(current):
        state = replace(state, temperature=float(current))  # the slot mean lags up to 5 min
    setpoint = None if climate is None else climate.attributes.get(ATTR_TEMPERATURE)
    target = float(setpoint) if isinstance(setpoint, (int, float)) else home.comfort_temperature
    hour = model.predict(state, np.full(SLOTS_PER_HOUR, heating_now(climate)))
    minutes = 0.0 if state.temperature >= target else model.minutes_to_reach(state, target)
    settings = climate_settings(home, climate)
    if arrival_threshold is not None:  # learned for this zone at the last training
        settings = replace(settings, arrival_threshold=arrival_threshold)
    if home_thresholds is not None:  # ... while someone is home, and while nobody is
        settings = replace(
            settings,
            home_arrival_threshold=home_thresholds[0],
            away_arrival_threshold=home_thresholds[1],
        )
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
