"""Simulated thermostats: their setpoint really heats the simulated rooms."""

from typing import Any

from homeassistant.components.climate import (
    ClimateEntity,
    ClimateEntityFeature,
    HVACAction,
    HVACMode,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_TEMPERATURE, UnitOfTemperature
from homeassistant.core import HomeAssistant, split_entity_id
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .entity import VirtualEntity, entities_of


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runtime = entry.runtime_data
    async_add_entities(VirtualClimate(runtime, c) for c in entities_of(runtime, "climate"))


class VirtualClimate(VirtualEntity, ClimateEntity):
    """A heating thermostat of one simulated zone."""

    _attr_hvac_modes = [HVACMode.OFF, HVACMode.HEAT]
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_target_temperature_step = 0.5
    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.TURN_ON
        | ClimateEntityFeature.TURN_OFF
    )

    @property
    def zone(self) -> str:
        return split_entity_id(self.entity_id)[1]

    @property
    def hvac_mode(self) -> HVACMode:
        return HVACMode.HEAT if self.change.state == "heat" else HVACMode.OFF

    @property
    def hvac_action(self) -> HVACAction | None:
        action = self.attrs.get("hvac_action")
        return HVACAction(action) if action else None

    @property
    def current_temperature(self) -> float | None:
        return self.attrs.get("current_temperature")

    @property
    def target_temperature(self) -> float | None:
        return self.attrs.get("temperature")

    @property
    def min_temp(self) -> float:
        return float(self.attrs.get("min_temp", 7))

    @property
    def max_temp(self) -> float:
        return float(self.attrs.get("max_temp", 30))

    async def async_set_temperature(self, **kwargs: Any) -> None:
        self.runtime.home.set_heating_setpoint(self.zone, float(kwargs[ATTR_TEMPERATURE]))
        self.runtime.step()

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        self.runtime.home.set_hvac_mode(self.zone, str(hvac_mode))
        self.runtime.step()
