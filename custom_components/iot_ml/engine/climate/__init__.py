"""Climate decisions: comfort, pre-heat and setback from occupancy and the thermal model."""

from .policy import ClimateDecision, ClimateSettings, HeatingPlan, decide, plan_heating
from .snapshot import DEFAULT_MAX_C, DEFAULT_MIN_C, ThermalSnapshot, Thermostat, ZoneReading
from .tuning import zone_settings

__all__ = [
    "DEFAULT_MAX_C",
    "DEFAULT_MIN_C",
    "ClimateDecision",
    "ClimateSettings",
    "HeatingPlan",
    "ThermalSnapshot",
    "Thermostat",
    "ZoneReading",
    "decide",
    "plan_heating",
    "zone_settings",
]
