"""Diagnostics: configuration, learning state and what each zone concludes, without names of
people or places.

Entity ids, notify actions, zone names and areas can all carry names (``person.alex``,
``notify.mobile_app_alexs_phone``, "Anna's room"). Each is replaced by a placeholder that stays
the same throughout one report (``sensor.entity_3``, ``notify.mobile_app_1``, ``zone_1``,
``area_1``), so the report still shows which channel belongs to which configured entity. What a
maintainer needs is kept: domains, device classes, units, state classes, counts and settings.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from typing import Any

from homeassistant.const import CONF_NAME, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant

from .const import (
    CONF_AREA,
    CONF_CLIMATE,
    CONF_ENVIRONMENT,
    CONF_EVIDENCE,
    CONF_LIGHTS,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_OUTDOOR,
    CONF_PRESENCE,
    CONF_WATCHED,
    CONF_WINDOWS,
    HOME_KEY,
)
from .coordinator import IotMlConfigEntry, IotMlCoordinator
from .engine.household import ZoneSnapshot
from .roles import device_class_of

REDACTED = "**REDACTED**"

# Configuration keys whose values are entity ids (one, or a list).
_ENTITY_KEYS = frozenset(
    {
        CONF_PRESENCE,
        CONF_OUTDOOR,
        CONF_NOTIFY_ENTITIES,
        CONF_EVIDENCE,
        CONF_ENVIRONMENT,
        CONF_CLIMATE,
        CONF_LIGHTS,
        CONF_WATCHED,
        CONF_WINDOWS,
    }
)
_MOBILE_APP = "mobile_app_"


class _Placeholders:
    """Stable stand-ins for the names in one report, numbered in order of first use."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self.entities: dict[str, str] = {}  # entity id -> placeholder, in order of first use

    def _next(self, kind: str, real: str, template: str) -> str:
        if (kind, real) not in self._names:
            self._counts[template] = self._counts.get(template, 0) + 1
            self._names[kind, real] = template.format(self._counts[template])
        return self._names[kind, real]

    def entity(self, entity_id: str) -> str:
        """``sensor.living_co2`` -> ``sensor.entity_2``: the domain stays, the name goes (one
        count over all domains, so ``entity_<n>`` alone is unique in the report)."""
        if entity_id not in self.entities:
            domain, dot, _ = entity_id.partition(".")
            number = len(self.entities) + 1
            self.entities[entity_id] = f"{domain}.entity_{number}" if dot else f"entity_{number}"
        return self.entities[entity_id]

    def channel(self, key: str) -> str:
        """A channel key (``entity_id`` or ``entity_id#attribute``) with its entity replaced."""
        entity_id, hash_, attribute = key.partition("#")
        if IotMlCoordinator.entity_of(key) is None:
            return key  # a zone-level channel: no entity, no name
        return self.entity(entity_id) + hash_ + attribute

    def notify_action(self, action: str) -> str:
        """``notify.mobile_app_alexs_phone`` -> ``notify.mobile_app_1`` (the kind matters: only
        mobile apps get the False alarm button); any other action -> ``notify.action_<n>``."""
        name = action.partition(".")[2]
        template = "notify.mobile_app_{}" if name.startswith(_MOBILE_APP) else "notify.action_{}"
        return self._next("notify", action, template)

    def zone(self, key: str) -> str:
        """A zone's key (its subentry id) -> ``zone_<n>``; the home stays ``home``."""
        return key if key == HOME_KEY else self._next("zone", key, "zone_{}")

    def area(self, area_id: str) -> str:
        """An area id -> ``area_<n>``."""
        return self._next("area", area_id, "area_{}")

    def config(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Configuration with every entity id and notify action replaced, other values kept."""
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key in _ENTITY_KEYS:
                out[key] = self._each(value, self.entity)
            elif key == CONF_NOTIFY_SERVICES:
                out[key] = self._each(value, self.notify_action)
            elif key == CONF_AREA:
                out[key] = self.area(value) if value else value
            else:
                out[key] = value
        return out

    @staticmethod
    def _each(value: Any, replace: Callable[[str], str]) -> Any:
        if isinstance(value, str):
            return replace(value) if value else value
        if isinstance(value, Iterable):
            return [replace(str(v)) for v in value]
        return value


def _occupancy(snapshot: ZoneSnapshot) -> dict[str, Any] | None:
    occupancy = snapshot.occupancy
    if occupancy is None:
        return None
    quality = occupancy.quality
    return {
        "probability": round(occupancy.probability, 4),
        "horizons": {m: round(p, 4) for m, p in occupancy.forecast.horizons.items()},
        "quality": None if quality is None else asdict(quality),
    }


def _thermal(snapshot: ZoneSnapshot) -> dict[str, Any] | None:
    thermal = snapshot.thermal
    if thermal is None:
        return None
    return {
        "rates": asdict(thermal.rates),
        "predicted_1h": round(thermal.predicted_1h, 3),
        "fault": thermal.fault,
        "window_open": thermal.window_open,
        "decision": thermal.decision.reason,
    }


def _entity_facts(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    """What kind of entity it is and whether it reports, never its state (a person's or
    tracker's state can be a place)."""
    state = hass.states.get(entity_id)
    if state is None:
        reporting = "missing"
    elif state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        reporting = state.state
    else:
        reporting = "reporting"
    attributes = state.attributes if state is not None else {}
    return {
        "device_class": device_class_of(hass, entity_id),
        "unit_of_measurement": attributes.get("unit_of_measurement"),
        "state_class": attributes.get("state_class"),
        "state": reporting,
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: IotMlConfigEntry
) -> dict[str, Any]:
    """What an issue report needs: settings, zones, coverage and gaps per channel."""
    coordinator = entry.runtime_data.coordinator
    names = _Placeholders()
    # The configuration first, so placeholders are numbered in the order the user set them up.
    configuration = {
        "title": REDACTED,
        "data": names.config(entry.data),
        "options": names.config(entry.options),
        "zones": [
            names.config(sub.data) | {CONF_NAME: names.zone(sub.subentry_id)}
            for sub in entry.subentries.values()
        ],
    }
    zones: dict[str, Any] = {}
    for key, zone in coordinator.household.zones.items():
        snapshot = coordinator.data[key]
        sources = coordinator.ingest.sources[key]
        status = asdict(snapshot.status)
        status["channels"] = {names.channel(k): v for k, v in status["channels"].items()}
        zones[names.zone(key)] = {
            "state": snapshot.state.value,
            "units": {names.channel(s.spec.key): s.unit for s in sources},
            **status,
            "occupancy": _occupancy(snapshot),
            "thermal": _thermal(snapshot),
            "anomalies": {
                "open_episodes": [
                    {"kind": e.kind.value, "score": round(e.score, 4), "since": e.start}
                    for e in snapshot.anomalies
                ],
                "watched": sorted(names.channel(k) for k in zone.learner.anomalies.sensors),
                "activity": zone.learner.anomalies.activity is not None,
            },
        }
    return {
        "entry": configuration,
        "entities": {
            placeholder: _entity_facts(hass, entity_id)
            for entity_id, placeholder in names.entities.items()
        },
        "bootstrapped": coordinator.bootstrapped.is_set(),
        "zones": zones,
    }
