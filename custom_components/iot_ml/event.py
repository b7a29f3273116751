"""Event entities: a zone's anomaly episodes as they begin (by kind) and end (cleared)."""

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import HOME_KEY
from .coordinator import IotMlConfigEntry, IotMlCoordinator
from .engine.anomaly import CLEARED, AnomalyEvent, Kind
from .entity import IotMlEntity

PARALLEL_UPDATES = 0

ANOMALY_EVENT = EventEntityDescription(
    key="anomaly_event",
    translation_key="anomaly_event",
    event_types=[*(kind.value for kind in Kind), CLEARED],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IotMlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One anomaly event entity per zone that watches sensors or activity, and the home's."""
    coordinator = entry.runtime_data.coordinator
    if coordinator.watches_anomalies(HOME_KEY):  # the whole home's activity and inactivity
        async_add_entities([IotMlAnomalyEvent(coordinator, HOME_KEY)])
    for zone_id in coordinator.zone_configs:
        if coordinator.watches_anomalies(zone_id):
            async_add_entities(
                [IotMlAnomalyEvent(coordinator, zone_id)], config_subentry_id=zone_id
            )


def episode_attributes(coordinator: IotMlCoordinator, event: AnomalyEvent) -> dict[str, Any]:
    """What an anomaly event (or notification) tells about its episode."""
    episode = event.episode
    return {
        "episode_id": episode.id,
        "kind": episode.kind.value,
        "sensor": coordinator.entity_of(episode.key),
        "score": round(episode.score, 4),
        "value": episode.value,
        "expected_low": episode.expected_low,
        "expected_high": episode.expected_high,
    }


class IotMlAnomalyEvent(IotMlEntity, EventEntity):
    """Fires when an anomaly episode of the zone begins (its kind) or ends (cleared)."""

    def __init__(self, coordinator: IotMlCoordinator, zone_key: str) -> None:
        """Follow the anomaly episodes of ``zone_key``."""
        super().__init__(coordinator, zone_key, ANOMALY_EVENT)

    async def async_added_to_hass(self) -> None:
        """Listen to the coordinator's anomaly events."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(self.hass, self.coordinator.anomaly_signal, self._on_anomaly)
        )

    @callback
    def _on_anomaly(self, zone_key: str, event: AnomalyEvent) -> None:
        if zone_key != self.zone_key:
            return
        self._trigger_event(event.event_type, episode_attributes(self.coordinator, event))
        self.async_write_ha_state()
