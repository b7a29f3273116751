"""The simulated occupants' phones (home / not_home, with a tracking delay)."""

from homeassistant.components.device_tracker import ScannerEntity, SourceType
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .entity import VirtualEntity, entities_of


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data
    async_add_entities(VirtualPhone(runtime, c) for c in entities_of(runtime, "device_tracker"))


class VirtualPhone(VirtualEntity, ScannerEntity):
    """A phone seen by the home network."""

    _attr_source_type = SourceType.ROUTER

    @property
    def is_connected(self) -> bool:
        return self.change.state == "home"

    @property
    def unique_id(self) -> str | None:
        return self._attr_unique_id

    @property
    def device_info(self):  # type: ignore[override]
        return None  # phones are not part of a zone device
