"""Simulated motion, door and window sensors."""

from homeassistant.components.binary_sensor import BinarySensorDeviceClass, BinarySensorEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .entity import VirtualEntity, entities_of


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data
    async_add_entities(
        VirtualBinarySensor(runtime, c) for c in entities_of(runtime, "binary_sensor")
    )


class VirtualBinarySensor(VirtualEntity, BinarySensorEntity):
    """On/off from the simulator."""

    @property
    def is_on(self) -> bool:
        return self.change.state == "on"

    @property
    def device_class(self) -> BinarySensorDeviceClass | None:
        value = self.attrs.get("device_class")
        return BinarySensorDeviceClass(value) if value else None
