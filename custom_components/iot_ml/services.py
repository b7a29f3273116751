"""Actions: retrain now, and forget what was learned."""

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.service import async_register_admin_service
import probatio as vol

from .const import DOMAIN, HOME_KEY
from .coordinator import IotMlConfigEntry, IotMlCoordinator

SERVICE_TRAIN = "train"
SERVICE_RESET = "reset"
ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_ZONE = "zone"
ATTR_RELEARN_HISTORY = "relearn_history"

_TARGET = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    vol.Optional(ATTR_ZONE): cv.string,
}
TRAIN_SCHEMA = vol.Schema(_TARGET)
RESET_SCHEMA = vol.Schema({**_TARGET, vol.Optional(ATTR_RELEARN_HISTORY, default=True): cv.boolean})


def _loaded_entries(hass: HomeAssistant, call: ServiceCall) -> list[IotMlConfigEntry]:
    """The homes an action applies to; raises a translated error for a bad entry id."""
    entry_id = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is None:
        entries: list[IotMlConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
        if not entries:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="no_loaded_entry"
            )
        return entries
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"entry": entry.title},
        )
    return [entry]


def _targets(hass: HomeAssistant, call: ServiceCall) -> list[tuple[IotMlCoordinator, list[str]]]:
    """(coordinator, learner keys) pairs named by the call: a zone device, or whole homes."""
    entries = _loaded_entries(hass, call)
    zone = call.data.get(ATTR_ZONE)
    if zone is None:
        return [(entry.runtime_data, list(entry.runtime_data.zones)) for entry in entries]
    device = dr.async_get(hass).async_get(zone)
    for entry in entries:
        coordinator = entry.runtime_data
        for key, runtime in coordinator.zones.items():
            identifier = (DOMAIN, f"{entry.entry_id}_{key}")
            if (device is not None and identifier in device.identifiers) or zone.casefold() in (
                key.casefold(),
                runtime.name.casefold(),
            ):
                return [(coordinator, [key])]
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="zone_not_found",
        translation_placeholders={"zone": zone},
    )


async def _async_train(call: ServiceCall) -> ServiceResponse:
    results: dict[str, Any] = {}
    for coordinator, keys in _targets(call.hass, call):
        await coordinator.async_train(keys)
        for key in keys:
            snapshot = coordinator.data[key]
            name = (
                coordinator.zones[key].name if key != HOME_KEY else coordinator.config_entry.title
            )
            results[name] = {
                "status": snapshot.state.value,
                "samples": snapshot.status.samples,
                "days_of_history": round(snapshot.status.days_of_history, 2),
            }
    return {"zones": results} if call.return_response else None


async def _async_reset(call: ServiceCall) -> None:
    for coordinator, keys in _targets(call.hass, call):
        await coordinator.async_reset(keys, call.data[ATTR_RELEARN_HISTORY])


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, for all homes)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_TRAIN,
        _async_train,
        schema=TRAIN_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    async_register_admin_service(hass, DOMAIN, SERVICE_RESET, _async_reset, schema=RESET_SCHEMA)
