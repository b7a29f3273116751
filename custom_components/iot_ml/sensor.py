"""Sensors: learning status per zone and for the home."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .const import HOME_KEY
from .coordinator import IotMlConfigEntry, LearningState, ZoneSnapshot
from .entity import IotMlEntity

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class IotMlSensorEntityDescription(SensorEntityDescription):
    """How a sensor reads its value and attributes from a zone snapshot."""

    value_fn: Callable[[ZoneSnapshot], StateType]
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


LEARNING_STATUS = IotMlSensorEntityDescription(
    key="learning_status",
    translation_key="learning_status",
    device_class=SensorDeviceClass.ENUM,
    options=[state.value for state in LearningState],
    value_fn=lambda snapshot: snapshot.state.value,
    attributes_fn=_learning_attributes,
)

SENSORS: tuple[IotMlSensorEntityDescription, ...] = (LEARNING_STATUS,)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IotMlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of the home and of each zone (zones under their subentry)."""
    coordinator = entry.runtime_data
    async_add_entities(IotMlSensor(coordinator, HOME_KEY, d) for d in SENSORS)
    for zone_id in coordinator.zone_configs:
        async_add_entities(
            (IotMlSensor(coordinator, zone_id, d) for d in SENSORS),
            config_subentry_id=zone_id,
        )


class IotMlSensor(IotMlEntity, SensorEntity):
    """A sensor reading one value of a zone snapshot."""

    entity_description: IotMlSensorEntityDescription

    @property
    def native_value(self) -> StateType:
        """The value."""
        return self.entity_description.value_fn(self.snapshot)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Attributes, when the description defines them."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.snapshot)
