"""Simulated lights: switching them changes the simulated illuminance."""

from typing import Any

from homeassistant.components.light import ColorMode, LightEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .entity import VirtualEntity, entities_of


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data
    async_add_entities(VirtualLight(runtime, c) for c in entities_of(runtime, "light"))


class VirtualLight(VirtualEntity, LightEntity):
    """An on/off light in a simulated zone."""

    _attr_color_mode = ColorMode.ONOFF
    _attr_supported_color_modes = {ColorMode.ONOFF}

    @property
    def is_on(self) -> bool:
        return self.change.state == "on"

    async def async_turn_on(self, **kwargs: Any) -> None:
        self.runtime.home.set_light(self.entity_id, True)
        self.runtime.step()

    async def async_turn_off(self, **kwargs: Any) -> None:
        self.runtime.home.set_light(self.entity_id, False)
        self.runtime.step()
