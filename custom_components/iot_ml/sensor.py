"""Sensors: learning status, and occupancy probability, forecasts and prediction quality."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfTemperature, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .const import HOME_KEY
from .coordinator import IotMlConfigEntry, IotMlCoordinator
from .engine.climate import ThermalSnapshot
from .engine.core import SLOT_SECONDS
from .engine.household import LearningState, ZoneSnapshot
from .engine.occupancy import Transition
from .entity import IotMlEntity

PARALLEL_UPDATES = 0
FORECAST_STEP_SLOTS = 3  # the 24 h forecast attribute has a point every 15 minutes


@dataclass(frozen=True, kw_only=True)
class IotMlSensorEntityDescription(SensorEntityDescription):
    """How a sensor reads its value and attributes from a zone snapshot."""

    value_fn: Callable[[ZoneSnapshot], StateType | datetime]
    attributes_fn: Callable[[ZoneSnapshot], dict[str, Any]] | None = None


def _learning_attributes(snapshot: ZoneSnapshot) -> dict[str, Any]:
    status = snapshot.status
    trained = status.trained_at
    return {
        "coverage": {role: round(100 * c, 1) for role, c in status.coverage_by_role.items()},
        "samples": status.samples,
        "days_of_history": round(status.days_of_history, 2),
        "last_training": None
        if trained is None
        else dt_util.utc_from_timestamp(trained).isoformat(),
        "next_training": (
            None if snapshot.next_training is None else snapshot.next_training.isoformat()
        ),
    }


def _percent(p: float | None) -> float | None:
    return None if p is None else round(100 * p, 1)


def _probability(snapshot: ZoneSnapshot) -> float | None:
    return None if snapshot.occupancy is None else _percent(snapshot.occupancy.probability)


def _forecast_attributes(snapshot: ZoneSnapshot) -> dict[str, Any]:
    """The next 24 h as a series chart cards can plot (kept out of the recorder)."""
    occupancy = snapshot.occupancy
    if occupancy is None:
        return {"forecast": []}
    series = occupancy.forecast.series
    return {
        "forecast": [
            {
                "datetime": (occupancy.at + timedelta(seconds=(k + 1) * SLOT_SECONDS)).isoformat(),
                "probability": _percent(float(series[k])),
            }
            for k in range(FORECAST_STEP_SLOTS - 1, len(series), FORECAST_STEP_SLOTS)
        ]
    }


def _transition(snapshot: ZoneSnapshot, arrival: bool) -> Transition | None:
    if snapshot.occupancy is None:
        return None
    forecast = snapshot.occupancy.forecast
    return forecast.next_arrival if arrival else forecast.next_departure


def _transition_time(arrival: bool) -> Callable[[ZoneSnapshot], datetime | None]:
    def value(snapshot: ZoneSnapshot) -> datetime | None:
        found = _transition(snapshot, arrival)
        return None if found is None else dt_util.utc_from_timestamp(found.ts)

    return value


def _transition_attributes(arrival: bool) -> Callable[[ZoneSnapshot], dict[str, Any]]:
    def attributes(snapshot: ZoneSnapshot) -> dict[str, Any]:
        found = _transition(snapshot, arrival)
        return {"confidence": None if found is None else _percent(found.confidence)}

    return attributes


def _quality_value(snapshot: ZoneSnapshot) -> float | None:
    quality = None if snapshot.occupancy is None else snapshot.occupancy.quality
    return None if quality is None else _percent(quality.accuracy)


def _quality_attributes(snapshot: ZoneSnapshot) -> dict[str, Any]:
    quality = None if snapshot.occupancy is None else snapshot.occupancy.quality
    if quality is None:
        return {"brier_score": None, "days_evaluated": 0}
    return {"brier_score": round(quality.brier, 4), "days_evaluated": quality.days}


def horizon_description(minutes: int) -> IotMlSensorEntityDescription:
    """P(occupied) ``minutes`` ahead."""

    def value(snapshot: ZoneSnapshot) -> float | None:
        occupancy = snapshot.occupancy
        return None if occupancy is None else _percent(occupancy.probability_in(minutes))

    return IotMlSensorEntityDescription(
        key=f"occupancy_in_{minutes}",
        translation_key="occupancy_in",
        translation_placeholders={"minutes": str(minutes)},
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=value,
    )


LEARNING_STATUS = IotMlSensorEntityDescription(
    key="learning_status",
    translation_key="learning_status",
    device_class=SensorDeviceClass.ENUM,
    options=[state.value for state in LearningState],
    value_fn=lambda snapshot: snapshot.state.value,
    attributes_fn=_learning_attributes,
)

OCCUPANCY_SENSORS: tuple[IotMlSensorEntityDescription, ...] = (
    IotMlSensorEntityDescription(
        key="occupancy_probability",
        translation_key="occupancy_probability",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=_probability,
        attributes_fn=_forecast_attributes,
    ),
    IotMlSensorEntityDescription(
        key="next_arrival",
        translation_key="next_arrival",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_transition_time(arrival=True),
        attributes_fn=_transition_attributes(arrival=True),
    ),
    IotMlSensorEntityDescription(
        key="next_departure",
        translation_key="next_departure",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_transition_time(arrival=False),
        attributes_fn=_transition_attributes(arrival=False),
    ),
    IotMlSensorEntityDescription(
        key="prediction_quality",
        translation_key="prediction_quality",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        suggested_display_precision=1,
        value_fn=_quality_value,
        attributes_fn=_quality_attributes,
    ),
)


def _thermal(
    read: Callable[[ThermalSnapshot], float | None],
) -> Callable[[ZoneSnapshot], float | None]:
    def value(snapshot: ZoneSnapshot) -> float | None:
        found = None if snapshot.thermal is None else read(snapshot.thermal)
        return None if found is None else round(found, 2)

    return value


def _preheat_start(snapshot: ZoneSnapshot) -> datetime | None:
    decision = None if snapshot.thermal is None else snapshot.thermal.decision
    if decision is None or decision.preheat_start is None:
        return None
    return dt_util.utc_from_timestamp(decision.preheat_start)


def _preheat_attributes(snapshot: ZoneSnapshot) -> dict[str, Any]:
    decision = None if snapshot.thermal is None else snapshot.thermal.decision
    arrival = None if decision is None else decision.arrival
    return {
        "reason": None if decision is None else decision.reason,
        "predicted_arrival": None
        if arrival is None
        else dt_util.utc_from_timestamp(arrival).isoformat(),
    }


def _rate(
    unit: str, key: str, read: Callable[[ThermalSnapshot], float | None], **kwargs: Any
) -> IotMlSensorEntityDescription:
    return IotMlSensorEntityDescription(
        key=key,
        translation_key=key,
        native_unit_of_measurement=unit,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_thermal(read),
        **kwargs,
    )


RATE_UNIT = f"{UnitOfTemperature.CELSIUS}/h"

THERMAL_SENSORS: tuple[IotMlSensorEntityDescription, ...] = (
    _rate(
        RATE_UNIT, "heating_rate", lambda t: t.rates.heat_up_c_per_h, suggested_display_precision=2
    ),
    _rate(RATE_UNIT, "loss_rate", lambda t: t.rates.loss_c_per_h, suggested_display_precision=2),
    _rate(
        UnitOfTime.HOURS,
        "time_constant",
        lambda t: t.rates.time_constant_h,
        device_class=SensorDeviceClass.DURATION,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _rate(
        UnitOfTemperature.CELSIUS,
        "predicted_temperature",
        lambda t: t.predicted_1h,
        device_class=SensorDeviceClass.TEMPERATURE,
        suggested_display_precision=1,
    ),
    _rate(
        UnitOfTime.MINUTES,
        "time_to_target",
        lambda t: t.minutes_to_target,
        device_class=SensorDeviceClass.DURATION,
        suggested_display_precision=0,
    ),
    IotMlSensorEntityDescription(
        key="next_preheat",
        translation_key="next_preheat",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_preheat_start,
        attributes_fn=_preheat_attributes,
    ),
)


def anomaly_score_description(hass: HomeAssistant, channel: str) -> IotMlSensorEntityDescription:
    """How unusual the latest reading of a watched sensor was (diagnostic)."""
    entity_id = channel.split("#", 1)[0]
    # The sensor's own name ("CO2"), not its friendly name with the device in front.
    entry = er.async_get(hass).async_get(entity_id)
    state = hass.states.get(entity_id)
    name = (entry and (entry.name or entry.original_name)) or (state and state.name) or entity_id

    def value(snapshot: ZoneSnapshot) -> float | None:
        score = snapshot.scores.get(channel)
        return None if score is None else round(100 * score, 1)

    return IotMlSensorEntityDescription(
        key=f"anomaly_score_{channel}",
        translation_key="anomaly_score",
        translation_placeholders={"sensor": name},
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        # One per watched sensor: useful when tuning, noise on a dashboard.
        entity_registry_enabled_default=False,
        suggested_display_precision=1,
        value_fn=value,
    )


def _descriptions(coordinator: IotMlCoordinator, key: str) -> list[IotMlSensorEntityDescription]:
    descriptions = [LEARNING_STATUS]
    if coordinator.learns_occupancy(key):
        descriptions += OCCUPANCY_SENSORS
        descriptions += [horizon_description(m) for m in coordinator.home.horizons]
    zone = coordinator.zone_configs.get(key)
    if zone is not None and zone.climate:
        descriptions += THERMAL_SENSORS
    descriptions += [
        anomaly_score_description(coordinator.hass, channel)
        for channel in coordinator.household.watched_sensors(key)
    ]
    return descriptions


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IotMlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of the home and of each zone (zones under their subentry)."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        IotMlSensor(coordinator, HOME_KEY, d) for d in _descriptions(coordinator, HOME_KEY)
    )
    for zone_id in coordinator.zone_configs:
        async_add_entities(
            (IotMlSensor(coordinator, zone_id, d) for d in _descriptions(coordinator, zone_id)),
            config_subentry_id=zone_id,
        )


class IotMlSensor(IotMlEntity, SensorEntity):
    """A sensor reading one value of a zone snapshot."""

    entity_description: IotMlSensorEntityDescription
    # A day of forecast points is large and changes every 5 minutes: not for the database.
    _unrecorded_attributes = frozenset({"forecast"})

    @property
    def native_value(self) -> StateType | datetime:
        """The value."""
        return self.entity_description.value_fn(self.snapshot)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Attributes, when the description defines them."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.snapshot)
