"""Smart climate: a zone's thermostat follows its learned occupancy and thermal model.

Comfort while occupied, pre-heat so comfort is reached when people are predicted to arrive, eco
when the zone is predicted empty for long enough, off while a window is open. A setpoint or mode
changed by anyone but us pauses the zone until its next occupancy change, and says so.
"""

from datetime import datetime
from typing import Any

from homeassistant.components.climate.const import (
    ATTR_HVAC_MODE,
    ATTR_TARGET_TEMP_STEP,
    DOMAIN as CLIMATE_DOMAIN,
    SERVICE_SET_HVAC_MODE,
    SERVICE_SET_TEMPERATURE,
    ClimateEntityFeature,
    HVACMode,
)
from homeassistant.components.switch import SwitchEntityDescription
from homeassistant.const import ATTR_ENTITY_ID, ATTR_SUPPORTED_FEATURES, ATTR_TEMPERATURE
from homeassistant.core import Event, EventStateChangedData, State, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from .acting import ActingSwitch
from .coordinator import IotMlCoordinator
from .engine.climate import ClimateDecision

SETPOINT_EPSILON = 0.05

SMART_CLIMATE = SwitchEntityDescription(key="smart_climate", translation_key="smart_climate")


class SmartClimateSwitch(ActingSwitch):
    """On: iot_ml sets the zone's thermostat. Off (default): hands off."""

    def __init__(self, coordinator: IotMlCoordinator, zone_key: str) -> None:
        """Control the climate entity of ``zone_key``."""
        super().__init__(coordinator, zone_key, SMART_CLIMATE)
        climate = coordinator.zone_configs[zone_key].climate
        assert climate is not None
        self._climate = climate
        self._paused_since: datetime | None = None
        self._occupied: bool | None = None

    async def async_added_to_hass(self) -> None:
        """Restore on/off and follow the thermostat for manual changes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_track_state_change_event(self.hass, [self._climate], self._on_climate_change)
        )

    @callback
    def _started(self) -> None:
        """Run the thermostat from now on."""
        self._paused_since = None
        self._apply()

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """What the zone's thermostat is set to and why."""
        thermal = self.snapshot.thermal
        decision = None if thermal is None else thermal.decision
        return {
            "paused": self._paused_since is not None,
            "paused_since": None if self._paused_since is None else self._paused_since.isoformat(),
            "reason": None if decision is None else decision.reason,
            "setpoint": None if decision is None else decision.setpoint_c,
            "preheat_start": _iso(None if decision is None else decision.preheat_start),
            "predicted_arrival": _iso(None if decision is None else decision.arrival),
            "window_open": None if thermal is None else thermal.window_open,
        }

    @callback
    def _on_climate_change(self, event: Event[EventStateChangedData]) -> None:
        """A setpoint or mode changed by anyone but us pauses the zone."""
        old, new = event.data["old_state"], event.data["new_state"]
        if not self.is_on or old is None or new is None or self._paused_since is not None:
            return
        if self._is_own(new):
            return
        if old.state != new.state or old.attributes.get(ATTR_TEMPERATURE) != new.attributes.get(
            ATTR_TEMPERATURE
        ):
            self._paused_since = dt_util.utcnow()
            self.async_write_ha_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Occupancy changes end a pause; then apply the current decision."""
        occupancy = self.snapshot.occupancy
        occupied = None if occupancy is None else occupancy.occupied
        if occupied is not None and self._occupied is not None and occupied != self._occupied:
            self._paused_since = None
        if occupied is not None:
            self._occupied = occupied
        if self.is_on and self._paused_since is None:
            self._apply()
        super()._handle_coordinator_update()

    @callback
    def _apply(self) -> None:
        """Bring the thermostat to the decision, within what the entity supports."""
        thermal = self.snapshot.thermal
        climate = self.hass.states.get(self._climate)
        if thermal is None or climate is None or climate.state == "unavailable":
            return
        for service, data in climate_commands(climate, thermal.decision):
            self._call(service, data)

    @callback
    def _call(self, service: str, data: dict[str, Any]) -> None:
        self._call_as_own(CLIMATE_DOMAIN, service, {ATTR_ENTITY_ID: self._climate, **data})


def climate_commands(climate: State, decision: ClimateDecision) -> list[tuple[str, dict[str, Any]]]:
    """The climate actions (service, data) that bring ``climate`` to ``decision``, within what
    the entity supports; empty when it is there already."""
    commands: list[tuple[str, dict[str, Any]]] = []
    modes = climate.attributes.get("hvac_modes", [])
    wanted_mode = HVACMode.OFF if decision.hvac_mode == "off" else HVACMode.HEAT
    if climate.state != wanted_mode and wanted_mode in modes:
        commands.append((SERVICE_SET_HVAC_MODE, {ATTR_HVAC_MODE: wanted_mode}))
    setpoint = _setpoint(climate, decision)
    if setpoint is not None:
        commands.append((SERVICE_SET_TEMPERATURE, {ATTR_TEMPERATURE: setpoint}))
    return commands


def _setpoint(climate: State, decision: ClimateDecision) -> float | None:
    """The setpoint to send, rounded to the entity's step; None when nothing needs sending."""
    features = int(climate.attributes.get(ATTR_SUPPORTED_FEATURES, 0))
    if decision.setpoint_c is None or not features & ClimateEntityFeature.TARGET_TEMPERATURE:
        return None
    step = float(climate.attributes.get(ATTR_TARGET_TEMP_STEP) or 0.5)
    value = round(decision.setpoint_c / step) * step
    current = climate.attributes.get(ATTR_TEMPERATURE)
    if isinstance(current, (int, float)) and abs(float(current) - value) < SETPOINT_EPSILON:
        return None
    return value


def _iso(ts: float | None) -> str | None:
    return None if ts is None else dt_util.utc_from_timestamp(ts).isoformat()
