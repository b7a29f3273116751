"""Switches that let iot_ml act: occupancy lighting and smart climate per zone, security alerts."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import IotMlConfigEntry
from .lighting import OccupancyLightingSwitch
from .security import SecurityAlertsSwitch
from .smart_climate import SmartClimateSwitch

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IotMlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Occupancy lighting for zones with lights, smart climate for zones with a thermostat."""
    coordinator = entry.runtime_data.coordinator
    if coordinator.household.watches_zone_activity():
        async_add_entities([SecurityAlertsSwitch(coordinator)])
    for zone_id, zone in coordinator.zone_configs.items():
        switches: list[OccupancyLightingSwitch | SmartClimateSwitch] = []
        if zone.lights and coordinator.learns_occupancy(zone_id):
            switches.append(OccupancyLightingSwitch(coordinator, zone_id))
        if zone.climate:
            switches.append(SmartClimateSwitch(coordinator, zone_id))
        async_add_entities(switches, config_subentry_id=zone_id)
