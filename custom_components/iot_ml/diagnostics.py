"""Diagnostics: configuration and learning state, without names of people or places."""

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_PRESENCE
from .coordinator import IotMlConfigEntry
from .engine.types import Role

REDACTED = "**REDACTED**"


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: IotMlConfigEntry
) -> dict[str, Any]:
    """What an issue report needs: settings, zones, coverage and gaps per channel."""
    coordinator = entry.runtime_data
    zones: dict[str, Any] = {}
    for key, runtime in coordinator.zones.items():
        snapshot = coordinator.data[key]
        status = asdict(snapshot.status)
        # Person and tracker entity ids carry people's names.
        presence = [s.spec.key for s in runtime.sources if s.spec.role is Role.PRESENCE]
        status["channels"] = {
            (f"presence_{presence.index(k) + 1}" if k in presence else k): v
            for k, v in status["channels"].items()
        }
        zones[key] = {
            "state": snapshot.state.value,
            "units": {
                s.spec.key: s.unit for s in runtime.sources if s.spec.role is not Role.PRESENCE
            },
            "profiles": sorted(runtime.learner.profiles),
            **status,
        }
    return {
        "entry": {
            "title": REDACTED,
            "data": async_redact_data(dict(entry.data), {CONF_PRESENCE}),
            "options": dict(entry.options),
            "zones": [dict(sub.data) for sub in entry.subentries.values()],
        },
        "bootstrapped": coordinator.bootstrapped.is_set(),
        "zones": zones,
    }
