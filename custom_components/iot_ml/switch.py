"""Switches that let iot_ml act: occupancy lighting per zone with lights."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import IotMlConfigEntry
from .lighting import OccupancyLightingSwitch

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IotMlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an occupancy-lighting switch to every zone with lights and occupancy evidence."""
    coordinator = entry.runtime_data
    for zone_id, zone in coordinator.zone_configs.items():
        if zone.lights and coordinator.learns_occupancy(zone_id):
            async_add_entities(
                [OccupancyLightingSwitch(coordinator, zone_id)], config_subentry_id=zone_id
            )
