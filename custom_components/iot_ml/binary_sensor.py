"""Binary sensors: is the zone (or the home) occupied now, as the learned model reads it."""

from typing import Any

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import HOME_KEY
from .coordinator import IotMlConfigEntry
from .entity import IotMlEntity

PARALLEL_UPDATES = 0

OCCUPANCY = BinarySensorEntityDescription(
    key="occupancy",
    translation_key="occupancy",
    device_class=BinarySensorDeviceClass.OCCUPANCY,
)
ANOMALY = BinarySensorEntityDescription(
    key="anomaly",
    translation_key="anomaly",
    device_class=BinarySensorDeviceClass.PROBLEM,
)
HEATING_FAULT = BinarySensorEntityDescription(
    key="heating_fault",
    translation_key="heating_fault",
    device_class=BinarySensorDeviceClass.PROBLEM,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IotMlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an occupancy sensor to the home and to each zone with occupancy evidence."""
    coordinator = entry.runtime_data.coordinator
    home: list[IotMlEntity] = []
    if coordinator.learns_occupancy(HOME_KEY):
        home.append(IotMlOccupancySensor(coordinator, HOME_KEY, OCCUPANCY))
    if coordinator.watches_anomalies(HOME_KEY):
        home.append(IotMlAnomalySensor(coordinator, HOME_KEY, ANOMALY))
    async_add_entities(home)
    for zone_id, zone in coordinator.zone_configs.items():
        entities: list[IotMlEntity] = []
        if coordinator.learns_occupancy(zone_id):
            entities.append(IotMlOccupancySensor(coordinator, zone_id, OCCUPANCY))
        if zone.climate:
            entities.append(IotMlHeatingFaultSensor(coordinator, zone_id, HEATING_FAULT))
        if coordinator.watches_anomalies(zone_id):
            entities.append(IotMlAnomalySensor(coordinator, zone_id, ANOMALY))
        async_add_entities(entities, config_subentry_id=zone_id)


class IotMlOccupancySensor(IotMlEntity, BinarySensorEntity):
    """On while P(occupied) is at least one half; unknown until a model is trained."""

    @property
    def is_on(self) -> bool | None:
        """Whether the zone is occupied."""
        occupancy = self.snapshot.occupancy
        return None if occupancy is None else occupancy.occupied

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The probability behind the state."""
        occupancy = self.snapshot.occupancy
        return {"probability": None if occupancy is None else round(100 * occupancy.probability, 1)}


class IotMlHeatingFaultSensor(IotMlEntity, BinarySensorEntity):
    """On while the heater runs but the zone warms far slower than learned, for long enough."""

    @property
    def is_on(self) -> bool | None:
        """Whether the heating looks faulty; unknown before a thermal model exists."""
        thermal = self.snapshot.thermal
        return None if thermal is None else thermal.fault

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The learned heat-up rate the heater is measured against."""
        thermal = self.snapshot.thermal
        rate = None if thermal is None else thermal.rates.heat_up_c_per_h
        return {"learned_heating_rate": None if rate is None else round(rate, 2)}


class IotMlAnomalySensor(IotMlEntity, BinarySensorEntity):
    """On while any anomaly episode of the zone is open; the strongest one is described."""

    @property
    def is_on(self) -> bool:
        """Whether something in the zone is abnormal now."""
        return bool(self.snapshot.anomalies)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Which sensors, what kind, the expected range, score and since when."""
        episodes = sorted(self.snapshot.anomalies, key=lambda e: e.score, reverse=True)
        if not episodes:
            return {"sensors": [], "kind": None, "episodes": []}
        top = episodes[0]
        entity_of = self.coordinator.entity_of
        return {
            "sensors": sorted({e for ep in episodes if (e := entity_of(ep.key))}),
            "kind": top.kind.value,
            "expected_low": top.expected_low,
            "expected_high": top.expected_high,
            "score": round(top.score, 4),
            "since": dt_util.utc_from_timestamp(min(ep.start for ep in episodes)).isoformat(),
            "episodes": [ep.id for ep in episodes],
        }
