"""Typed views of the configuration stored in the config entry and its zone subentries."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_NAME

from .const import (
    CONF_AREA,
    CONF_CLIMATE,
    CONF_COMFORT_TEMPERATURE,
    CONF_DARK_LUX,
    CONF_ECO_TEMPERATURE,
    CONF_ENVIRONMENT,
    CONF_EVIDENCE,
    CONF_HISTORY_DAYS,
    CONF_HORIZONS,
    CONF_LIGHTS,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_OUTDOOR,
    CONF_PRESENCE,
    CONF_SENSITIVITY,
    CONF_TRAINING_TIME,
    CONF_WATCHED,
    CONF_WINDOWS,
    DEFAULT_COMFORT_TEMPERATURE,
    DEFAULT_DARK_LUX,
    DEFAULT_ECO_TEMPERATURE,
    DEFAULT_HISTORY_DAYS,
    DEFAULT_HORIZONS,
    DEFAULT_SENSITIVITY,
    DEFAULT_TRAINING_TIME,
    SUBENTRY_ZONE,
)

if TYPE_CHECKING:  # annotations only: the coordinator imports this module
    from .coordinator import IotMlConfigEntry


@dataclass(frozen=True, slots=True)
class HomeConfig:
    """Home-wide settings."""

    presence: tuple[str, ...]
    outdoor: str | None
    comfort_temperature: float
    eco_temperature: float
    history_days: int
    training_time: time
    horizons: tuple[int, ...]  # minutes ahead for the occupancy forecast sensors
    dark_lux: float  # occupancy lighting: below this illuminance a zone is dark
    notify_entities: tuple[str, ...] = ()  # security alerts go to these notify entities
    notify_services: tuple[str, ...] = ()  # ... and these notify actions (mobile apps)

    @classmethod
    def from_entry(cls, entry: IotMlConfigEntry) -> HomeConfig:
        """Read the settings of a config entry (options override data)."""
        return cls.from_mapping({**entry.data, **entry.options})

    @classmethod
    def from_mapping(cls, merged: Mapping[str, Any]) -> HomeConfig:
        """Read settings as the config flow stores them; missing ones take their defaults."""
        return cls(
            presence=tuple(merged.get(CONF_PRESENCE, ())),
            outdoor=merged.get(CONF_OUTDOOR) or None,
            comfort_temperature=float(
                merged.get(CONF_COMFORT_TEMPERATURE, DEFAULT_COMFORT_TEMPERATURE)
            ),
            eco_temperature=float(merged.get(CONF_ECO_TEMPERATURE, DEFAULT_ECO_TEMPERATURE)),
            history_days=int(merged.get(CONF_HISTORY_DAYS, DEFAULT_HISTORY_DAYS)),
            training_time=time.fromisoformat(merged.get(CONF_TRAINING_TIME, DEFAULT_TRAINING_TIME)),
            horizons=tuple(sorted({int(h) for h in merged.get(CONF_HORIZONS, DEFAULT_HORIZONS)})),
            dark_lux=float(merged.get(CONF_DARK_LUX, DEFAULT_DARK_LUX)),
            notify_entities=tuple(merged.get(CONF_NOTIFY_ENTITIES, ())),
            notify_services=tuple(merged.get(CONF_NOTIFY_SERVICES, ())),
        )

    def entity_ids(self) -> tuple[str, ...]:
        """Every entity the home level reads."""
        return self.presence + ((self.outdoor,) if self.outdoor else ())


@dataclass(frozen=True, slots=True)
class ZoneConfig:
    """One zone: a room or group of rooms with its sensors by role."""

    zone_id: str
    name: str
    area_id: str | None
    evidence: tuple[str, ...]
    environment: tuple[str, ...]
    climate: str | None
    lights: tuple[str, ...]
    watched: tuple[str, ...]
    sensitivity: str = DEFAULT_SENSITIVITY  # how readily anomalies alert: low, medium, high
    windows: tuple[str, ...] = ()  # contacts whose "open" turns smart climate off

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> ZoneConfig:
        """Read a zone subentry."""
        data = subentry.data
        environment = tuple(data.get(CONF_ENVIRONMENT, ()))
        return cls(
            zone_id=subentry.subentry_id,
            name=data.get(CONF_NAME, subentry.title),
            area_id=data.get(CONF_AREA) or None,
            evidence=tuple(data.get(CONF_EVIDENCE, ())),
            environment=environment,
            climate=data.get(CONF_CLIMATE) or None,
            lights=tuple(data.get(CONF_LIGHTS, ())),
            watched=tuple(data.get(CONF_WATCHED, environment)),
            sensitivity=data.get(CONF_SENSITIVITY, DEFAULT_SENSITIVITY),
            windows=tuple(data.get(CONF_WINDOWS, ())),
        )

    def entity_ids(self) -> tuple[str, ...]:
        """Every entity the zone reads, once each."""
        climate = (self.climate,) if self.climate else ()
        return tuple(
            dict.fromkeys(
                self.evidence
                + self.environment
                + climate
                + self.lights
                + self.watched
                + self.windows
            )
        )


def zones_of(entry: IotMlConfigEntry) -> list[ZoneConfig]:
    """The zones configured under an entry, in creation order."""
    return [
        ZoneConfig.from_subentry(sub)
        for sub in entry.subentries.values()
        if sub.subentry_type == SUBENTRY_ZONE
    ]
