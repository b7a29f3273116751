"""Occupancy lighting: a zone's lights follow its learned occupancy, and step aside for people.

Lights go on when the zone becomes occupied while it is dark, and off only once the model is
confident the zone is empty. The probability behind that already holds learned stay lengths and
sensor hold times, so someone sitting still keeps the light (no fixed timeout). A light switched
by hand pauses the zone until its next vacancy.
"""

from datetime import datetime
from typing import Any

from homeassistant.components.light.const import DOMAIN as LIGHT_DOMAIN
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.components.switch import SwitchEntityDescription
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_ON,
)
from homeassistant.core import Event, EventStateChangedData, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.sun import is_up
from homeassistant.util import dt as dt_util

from .acting import ActingSwitch
from .convert import parse_number
from .coordinator import IotMlCoordinator

# Below this P(occupied) the zone counts as confidently empty and its lights go off.
OFF_BELOW = 0.2
# Lights come on a little before the zone counts as occupied: a first motion after a quiet
# spell is weaker evidence than sustained activity, and a late light is worse than a brief one.
ON_ABOVE = 0.3

OCCUPANCY_LIGHTING = SwitchEntityDescription(
    key="occupancy_lighting", translation_key="occupancy_lighting"
)


class OccupancyLightingSwitch(ActingSwitch):
    """On: the zone's lights are run by its occupancy. Off (default): hands off."""

    def __init__(self, coordinator: IotMlCoordinator, zone_key: str) -> None:
        """Control the lights of ``zone_key``."""
        super().__init__(coordinator, zone_key, OCCUPANCY_LIGHTING)
        zone = coordinator.zone_configs[zone_key]
        self._lights = list(zone.lights)
        self._environment = list(zone.environment)
        self._was_occupied: bool | None = None
        self._was_vacant = False
        self._paused_since: datetime | None = None
        self._last_action: str | None = None
        self._last_action_at: datetime | None = None

    async def async_added_to_hass(self) -> None:
        """Restore on/off and follow the lights for manual changes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_track_state_change_event(self.hass, self._lights, self._on_light_change)
        )

    @callback
    def _started(self) -> None:
        """Run the lights from the zone's current state on."""
        self._paused_since = None
        self._was_occupied = None
        self._was_vacant = False

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Why the lights are as they are."""
        return {
            "paused": self._paused_since is not None,
            "paused_since": None if self._paused_since is None else self._paused_since.isoformat(),
            "last_action": self._last_action,
            "last_action_at": (
                None if self._last_action_at is None else self._last_action_at.isoformat()
            ),
            "dark": self._is_dark(),
        }

    @callback
    def _on_light_change(self, event: Event[EventStateChangedData]) -> None:
        """A light switched by anyone but us pauses the zone until it is next empty."""
        old, new = event.data["old_state"], event.data["new_state"]
        if not self.is_on or old is None or new is None or old.state == new.state:
            return
        if self._is_own(new):
            return
        if new.state in ("on", "off") and self._paused_since is None:
            self._paused_since = dt_util.utcnow()
            self.async_write_ha_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Act on the zone's occupancy."""
        occupancy = self.snapshot.occupancy
        if self.is_on and occupancy is not None:
            arrived = occupancy.probability >= ON_ABOVE
            vacant = occupancy.probability < OFF_BELOW
            was, self._was_occupied = self._was_occupied, arrived
            was_vacant, self._was_vacant = self._was_vacant, vacant
            if vacant and not was_vacant:
                self._paused_since = None  # a vacancy ends the pause
                self._switch(on=False)
            elif arrived and was is False and not self._paused_since and self._is_dark():
                self._switch(on=True)
        super()._handle_coordinator_update()

    def _is_dark(self) -> bool:
        """The zone's illuminance below the threshold; without such a sensor, the sun down."""
        for entity_id in self._environment:
            state = self.hass.states.get(entity_id)
            if state is None or state.attributes.get(ATTR_DEVICE_CLASS) != (
                SensorDeviceClass.ILLUMINANCE
            ):
                continue
            lux, _gap = parse_number(state.state)
            if lux is not None:
                return lux < self.coordinator.home.dark_lux
        return not is_up(self.hass)

    @callback
    def _switch(self, on: bool) -> None:
        wanted = STATE_ON if on else "off"
        targets = [e for e in self._lights if (s := self.hass.states.get(e)) and s.state != wanted]
        if not targets:
            return
        self._last_action = "turned_on" if on else "turned_off"
        self._last_action_at = dt_util.utcnow()
        self._call_as_own(
            LIGHT_DOMAIN, SERVICE_TURN_ON if on else SERVICE_TURN_OFF, {ATTR_ENTITY_ID: targets}
        )
