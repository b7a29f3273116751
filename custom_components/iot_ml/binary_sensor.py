"""Binary sensors: is the zone (or the home) occupied now, as the learned model reads it."""

from typing import Any

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import HOME_KEY
from .coordinator import IotMlConfigEntry
from .entity import IotMlEntity

PARALLEL_UPDATES = 0

OCCUPANCY = BinarySensorEntityDescription(
    key="occupancy",
    translation_key="occupancy",
    device_class=BinarySensorDeviceClass.OCCUPANCY,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IotMlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an occupancy sensor to the home and to each zone with occupancy evidence."""
    coordinator = entry.runtime_data
    if coordinator.learns_occupancy(HOME_KEY):
        async_add_entities([IotMlOccupancySensor(coordinator, HOME_KEY, OCCUPANCY)])
    for zone_id in coordinator.zone_configs:
        if coordinator.learns_occupancy(zone_id):
            async_add_entities(
                [IotMlOccupancySensor(coordinator, zone_id, OCCUPANCY)],
                config_subentry_id=zone_id,
            )


class IotMlOccupancySensor(IotMlEntity, BinarySensorEntity):
    """On while P(occupied) is at least one half; unknown until a model is trained."""

    @property
    def is_on(self) -> bool | None:
        """Whether the zone is occupied."""
        occupancy = self.snapshot.occupancy
        return None if occupancy is None else occupancy.occupied

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The probability behind the state."""
        occupancy = self.snapshot.occupancy
        return {"probability": None if occupancy is None else round(100 * occupancy.probability, 1)}
