"""iot_ml: a home that learns how it is lived in, locally."""

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN, PLATFORMS
from .coordinator import IotMlConfigEntry, IotMlCoordinator, IotMlRuntimeData
from .repairs import async_check_missing_entities
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: IotMlConfigEntry) -> bool:
    """Set up a home: restore learned state, add entities, then learn in the background."""
    coordinator = IotMlCoordinator(hass, entry)
    await coordinator.async_restore()
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = IotMlRuntimeData(coordinator)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    coordinator.async_start()

    # Any change (options, reconfigure, zones added or edited) takes effect by reloading.
    entry.async_on_unload(entry.add_update_listener(_async_reload))

    @callback
    def _check_entities(_hass: HomeAssistant | None = None) -> None:
        async_check_missing_entities(hass, entry)

    @callback
    def _on_registry_change(event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        if event.data["action"] == "remove":
            async_check_missing_entities(hass, entry, removed=event.data["entity_id"])
        elif event.data["action"] == "create":
            _check_entities()

    entry.async_on_unload(async_at_started(hass, _check_entities))
    entry.async_on_unload(
        hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, _on_registry_change)
    )
    return True


async def async_unload_entry(hass: HomeAssistant, entry: IotMlConfigEntry) -> bool:
    """Save what was learned and unload the platforms."""
    await entry.runtime_data.coordinator.async_stop()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: IotMlConfigEntry) -> None:
    """Delete the learned state of a removed home."""
    from .storage import LearnedStateStore

    await LearnedStateStore(hass, entry.entry_id).async_remove()


async def _async_reload(hass: HomeAssistant, entry: IotMlConfigEntry) -> None:
    hass.config_entries.async_schedule_reload(entry.entry_id)
