"""Simulated numeric sensors."""

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .entity import VirtualEntity, entities_of


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data
    async_add_entities(VirtualSensor(runtime, c) for c in entities_of(runtime, "sensor"))


class VirtualSensor(VirtualEntity, SensorEntity):
    """A number from the simulator (°C, %, ppm, lx, W)."""

    @property
    def native_value(self) -> float | None:
        try:
            return float(self.change.state)
        except ValueError:
            return None

    @property
    def native_unit_of_measurement(self) -> str | None:
        return self.attrs.get("unit_of_measurement")

    @property
    def device_class(self) -> SensorDeviceClass | None:
        value = self.attrs.get("device_class")
        return SensorDeviceClass(value) if value else None

    @property
    def state_class(self) -> SensorStateClass | None:
        value = self.attrs.get("state_class", "measurement")
        return SensorStateClass(value) if value else None
