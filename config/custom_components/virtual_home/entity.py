"""Entities mirroring the simulator's state changes, one device per simulated zone."""

from typing import Any

from homeassistant.core import callback, split_entity_id
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity

from .const import DOMAIN, SIGNAL_CHANGE

ZONES = ("living_room", "kitchen", "bedroom", "office", "bathroom", "hall")
_ZONE_OF = {"front_door": "hall", "living_room_tv": "living_room"}


def zone_of(entity_id: str) -> str | None:
    """The simulated zone an entity belongs to (None: the whole home)."""
    object_id = split_entity_id(entity_id)[1]
    if object_id in _ZONE_OF:
        return _ZONE_OF[object_id]
    return next((z for z in ZONES if object_id.startswith(z)), None)


def entities_of(runtime: Any, domain: str) -> list[Any]:
    """Latest state changes of the simulator's entities in ``domain``."""
    return [c for e, c in runtime.states.items() if split_entity_id(e)[0] == domain]


class VirtualEntity(Entity):
    """Shows the simulator's latest state change for one entity id."""

    _attr_should_poll = False

    def __init__(self, runtime: Any, change: Any) -> None:
        self.runtime = runtime
        self.change = change
        self.entity_id = change.entity_id
        self._attr_unique_id = f"{DOMAIN}_{change.entity_id}"
        object_id = split_entity_id(change.entity_id)[1]
        self._attr_name = (
            change.attributes.get("friendly_name") or object_id.replace("_", " ").capitalize()
        )
        zone = zone_of(change.entity_id)
        title = (zone or "home").replace("_", " ").capitalize()
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, zone or "home")},
            name=f"Virtual {title.lower()}" if zone else "Virtual home",
            manufacturer="iot_ml simulator",
            suggested_area=title if zone else None,
        )

    @property
    def attrs(self) -> dict[str, Any]:
        """Attributes of the latest change."""
        return dict(self.change.attributes)

    @property
    def available(self) -> bool:
        """Unavailable while the simulated sensor drops out."""
        return self.change.state != "unavailable"

    async def async_added_to_hass(self) -> None:
        """Follow the simulator."""
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, f"{SIGNAL_CHANGE}_{self.entity_id}", self._on_change
            )
        )

    @callback
    def _on_change(self, change: Any) -> None:
        self.change = change
        self.async_write_ha_state()
