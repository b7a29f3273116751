"""The simulated living-room TV."""

from homeassistant.components.media_player import MediaPlayerEntity, MediaPlayerState
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .entity import VirtualEntity, entities_of


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data
    async_add_entities(VirtualMediaPlayer(runtime, c) for c in entities_of(runtime, "media_player"))


class VirtualMediaPlayer(VirtualEntity, MediaPlayerEntity):
    """Playing or off, as the simulated occupants watch."""

    @property
    def state(self) -> MediaPlayerState:
        try:
            return MediaPlayerState(self.change.state)
        except ValueError:
            return MediaPlayerState.OFF
