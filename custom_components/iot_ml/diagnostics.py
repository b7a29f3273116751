"""Diagnostics: configuration, learning state and what each zone concludes, without names of
people or places."""

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_PRESENCE
from .coordinator import IotMlConfigEntry
from .engine.core import Role
from .engine.household import ZoneSnapshot

REDACTED = "**REDACTED**"


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


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: IotMlConfigEntry
) -> dict[str, Any]:
    """What an issue report needs: settings, zones, coverage and gaps per channel."""
    coordinator = entry.runtime_data.coordinator
    zones: dict[str, Any] = {}
    for key, zone in coordinator.household.zones.items():
        snapshot = coordinator.data[key]
        sources = coordinator.ingest.sources[key]
        status = asdict(snapshot.status)
        # Person and tracker entity ids carry people's names.
        presence = [s.spec.key for s in sources if s.spec.role is Role.PRESENCE]
        status["channels"] = {
            (f"presence_{presence.index(k) + 1}" if k in presence else k): v
            for k, v in status["channels"].items()
        }
        zones[key] = {
            "state": snapshot.state.value,
            "units": {s.spec.key: s.unit for s in sources if s.spec.role is not Role.PRESENCE},
            **status,
            "occupancy": _occupancy(snapshot),
            "thermal": _thermal(snapshot),
            "anomalies": {
                "open_episodes": [
                    {"kind": e.kind.value, "score": round(e.score, 4), "since": e.start}
                    for e in snapshot.anomalies
                ],
                "watched": sorted(zone.learner.anomalies.sensors),
                "activity": zone.learner.anomalies.activity is not None,
            },
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
