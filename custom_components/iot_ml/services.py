"""Actions: retrain now, forget what was learned, and the occupancy prediction."""

from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.util import dt as dt_util
import probatio as vol

from .const import DOMAIN, HOME_KEY
from .coordinator import IotMlConfigEntry, IotMlCoordinator
from .engine.anomaly import Feedback
from .engine.core import SLOT_SECONDS
from .engine.household import LearningState

SERVICE_TRAIN = "train"
SERVICE_RESET = "reset"
SERVICE_PREDICTION = "prediction"
SERVICE_PLAN_HEATING = "plan_heating"
SERVICE_FEEDBACK = "feedback"
ATTR_EPISODE_ID = "episode_id"
ATTR_VERDICT = "verdict"
ATTR_TARGET = "target_temperature"
ATTR_AT = "at"
ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_ZONE = "zone"
ATTR_RELEARN_HISTORY = "relearn_history"
ATTR_START = "start"
ATTR_END = "end"
FORECAST_SPAN = timedelta(hours=24)

_TARGET = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    vol.Optional(ATTR_ZONE): cv.string,
}
TRAIN_SCHEMA = vol.Schema(_TARGET)
RESET_SCHEMA = vol.Schema({**_TARGET, vol.Optional(ATTR_RELEARN_HISTORY, default=True): cv.boolean})
PLAN_HEATING_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_ZONE): cv.string,
        vol.Optional(ATTR_TARGET): vol.All(vol.Coerce(float), vol.Range(min=5, max=35)),
        vol.Optional(ATTR_AT): cv.datetime,
    }
)
FEEDBACK_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_EPISODE_ID): cv.string,
        vol.Required(ATTR_VERDICT): vol.In([v.value for v in Feedback]),
    }
)
PREDICTION_SCHEMA = vol.Schema(
    {**_TARGET, vol.Optional(ATTR_START): cv.datetime, vol.Optional(ATTR_END): cv.datetime}
)


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
        return [
            (entry.runtime_data.coordinator, list(entry.runtime_data.coordinator.household.zones))
            for entry in entries
        ]
    device = dr.async_get(hass).async_get(zone)
    for entry in entries:
        coordinator = entry.runtime_data.coordinator
        for key in coordinator.household.zones:
            identifier = (DOMAIN, f"{entry.entry_id}_{key}")
            if (device is not None and identifier in device.identifiers) or zone.casefold() in (
                key.casefold(),
                coordinator.zone_name(key).casefold(),
            ):
                return [(coordinator, [key])]
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="zone_not_found",
        translation_placeholders={"zone": zone},
    )


async def _async_train(call: ServiceCall) -> ServiceResponse:
    results: dict[str, Any] = {}
    failed: list[str] = []
    for coordinator, keys in _targets(call.hass, call):
        await coordinator.async_train(keys)
        failed += [
            coordinator.zone_name(k) for k in keys if coordinator.state_of(k) is LearningState.ERROR
        ]
        for key in keys:
            snapshot = coordinator.data[key]
            name = coordinator.zone_name(key)
            results[name] = {
                "status": snapshot.state.value,
                "samples": snapshot.status.samples,
                "days_of_history": round(snapshot.status.days_of_history, 2),
            }
    if failed:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="training_failed",
            translation_placeholders={"zones": ", ".join(failed)},
        )
    return {"zones": results} if call.return_response else None


async def _async_reset(call: ServiceCall) -> None:
    for coordinator, keys in _targets(call.hass, call):
        await coordinator.async_reset(keys, call.data[ATTR_RELEARN_HISTORY])


def _aware(value: datetime | None, default: datetime) -> datetime:
    if value is None:
        return default
    return value if value.tzinfo else value.replace(tzinfo=dt_util.get_default_time_zone())


def _iso(ts: float) -> str:
    return dt_util.as_local(dt_util.utc_from_timestamp(ts)).isoformat()


async def _async_prediction(call: ServiceCall) -> ServiceResponse:
    """The occupancy forecast of one zone (the home when no zone is given) for a time range."""
    coordinator, keys = _targets(call.hass, call)[0]
    key = keys[0] if call.data.get(ATTR_ZONE) else HOME_KEY
    occupancy = coordinator.data[key].occupancy
    name = coordinator.zone_name(key)
    if occupancy is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_prediction",
            translation_placeholders={"zone": name},
        )
    now = dt_util.utcnow()
    start = _aware(call.data.get(ATTR_START), now)
    end = _aware(call.data.get(ATTR_END), occupancy.at + FORECAST_SPAN)
    if end <= start or end > occupancy.at + FORECAST_SPAN + timedelta(minutes=5):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_range",
            translation_placeholders={"hours": str(int(FORECAST_SPAN.total_seconds() // 3600))},
        )
    forecast = occupancy.forecast
    origin = occupancy.at.timestamp()
    points: list[Any] = [
        {"datetime": _iso(origin + (k + 1) * 300), "probability": round(100 * float(p), 1)}
        for k, p in enumerate(forecast.series)
        if start.timestamp() <= origin + (k + 1) * 300 <= end.timestamp()
    ]

    def transition(found: Any) -> dict[str, Any] | None:
        if found is None:
            return None
        return {"datetime": _iso(found.ts), "confidence": round(100 * found.confidence, 1)}

    return {
        "zone": name,
        "occupied": occupancy.occupied,
        "probability": round(100 * occupancy.probability, 1),
        "horizons": {
            str(m): round(100 * occupancy.probability_in(m), 1) for m in coordinator.home.horizons
        },
        "next_arrival": transition(forecast.next_arrival),
        "next_departure": transition(forecast.next_departure),
        "forecast": points,
    }


async def _async_plan_heating(call: ServiceCall) -> ServiceResponse:
    """When to start heating a zone to reach a temperature at a time, and what to expect."""
    coordinator, keys = _targets(call.hass, call)[0]
    key, name = keys[0], coordinator.zone_name(keys[0])
    thermal = coordinator.data[key].thermal
    if thermal is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_thermal_model",
            translation_placeholders={"zone": name},
        )
    decision = thermal.decision
    default_at = decision.arrival or (dt_util.utcnow() + timedelta(hours=1)).timestamp()
    at = _aware(call.data.get(ATTR_AT), dt_util.utc_from_timestamp(default_at))
    now = dt_util.utcnow()
    if not now < at <= now + FORECAST_SPAN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_plan_time",
            translation_placeholders={"hours": str(int(FORECAST_SPAN.total_seconds() // 3600))},
        )
    target = float(call.data.get(ATTR_TARGET, coordinator.home.comfort_temperature))
    plan = coordinator.household.plan(key, target, at.timestamp())
    if plan is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_thermal_model",
            translation_placeholders={"zone": name},
        )
    origin = thermal.state.slot * SLOT_SECONDS
    return {
        "zone": name,
        "current_temperature": round(thermal.state.temperature, 2),
        "target_temperature": target,
        "at": _iso(plan.at),
        "start": _iso(plan.start),
        "reachable": plan.reachable,
        "heating_hours": round(plan.energy_kwh, 2),
        "trajectory": [
            {"datetime": _iso(origin + (k + 1) * SLOT_SECONDS), "temperature": round(float(t), 2)}
            for k, t in enumerate(plan.trajectory)
        ],
    }


async def _async_feedback(call: ServiceCall) -> None:
    """Mark an anomaly episode as a false alarm (widens normal) or confirmed (kept out)."""
    episode_id = call.data[ATTR_EPISODE_ID]
    verdict = Feedback(call.data[ATTR_VERDICT])
    for entry in _loaded_entries(call.hass, call):
        coordinator = entry.runtime_data.coordinator
        if coordinator.mark_episode(episode_id, verdict) is not None:
            await coordinator.async_save()
            return
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="episode_not_found",
        translation_placeholders={"episode_id": episode_id},
    )


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
    hass.services.async_register(
        DOMAIN,
        SERVICE_PREDICTION,
        _async_prediction,
        schema=PREDICTION_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(DOMAIN, SERVICE_FEEDBACK, _async_feedback, schema=FEEDBACK_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        SERVICE_PLAN_HEATING,
        _async_plan_heating,
        schema=PLAN_HEATING_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
