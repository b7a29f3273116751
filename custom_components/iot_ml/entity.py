"""Base entity: one device per zone plus one for the home."""

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, HOME_KEY
from .coordinator import IotMlCoordinator
from .engine.household import ZoneSnapshot


class IotMlEntity(CoordinatorEntity[IotMlCoordinator]):
    """An entity of a zone (or the home) device."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: IotMlCoordinator, zone_key: str, description: EntityDescription
    ) -> None:
        """Attach the entity to the device of ``zone_key``."""
        super().__init__(coordinator)
        self.entity_description = description
        self.zone_key = zone_key
        entry_id = coordinator.config_entry.entry_id
        self._attr_unique_id = f"{entry_id}_{zone_key}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry_id}_{zone_key}")},
            name=coordinator.zone_name(zone_key),
            manufacturer="iot_ml",
            model="Home" if zone_key == HOME_KEY else "Zone",
            entry_type=DeviceEntryType.SERVICE,
        )

    @property
    def snapshot(self) -> ZoneSnapshot:
        """The zone's latest data."""
        return self.coordinator.data[self.zone_key]

    @property
    def available(self) -> bool:
        """Available while the coordinator has data for the zone."""
        return super().available and self.zone_key in self.coordinator.data
