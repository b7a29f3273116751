"""Which role an entity can play, judged from its domain and device class."""

from collections.abc import Callable

from homeassistant.core import HomeAssistant, split_entity_id, valid_entity_id
from homeassistant.helpers import area_registry as ar, device_registry as dr, entity_registry as er

from .const import (
    CONF_CLIMATE,
    CONF_ENVIRONMENT,
    CONF_EVIDENCE,
    CONF_LIGHTS,
    CONF_WATCHED,
    CONF_WINDOWS,
    EVIDENCE_DEVICE_CLASSES,
    OUTDOOR_DOMAINS,
    WINDOW_DEVICE_CLASSES,
)


def entity_exists(hass: HomeAssistant, entity_id: str) -> bool:
    """Known to HA by entity id: it has a state now or a registry entry.

    Entity selectors also accept registry ids (UUIDs), which the registry would find; they are
    not entity ids, so they are refused here rather than crashing role checks and tracking later.
    """
    return valid_entity_id(entity_id) and (
        hass.states.get(entity_id) is not None
        or er.async_get(hass).async_get(entity_id) is not None
    )


def device_class_of(hass: HomeAssistant, entity_id: str) -> str | None:
    """The entity's device class, from its state or its registry entry."""
    if (state := hass.states.get(entity_id)) is not None and (
        device_class := state.attributes.get("device_class")
    ):
        return str(device_class)
    if (entry := er.async_get(hass).async_get(entity_id)) is not None:
        return entry.device_class or entry.original_device_class
    return None


def _is_numeric_sensor(hass: HomeAssistant, entity_id: str) -> bool:
    """A sensor that reports a measurement (unit or state class), not text or a timestamp."""
    if split_entity_id(entity_id)[0] != "sensor":
        return False
    if device_class_of(hass, entity_id) in ("timestamp", "date", "enum"):
        return False
    if (state := hass.states.get(entity_id)) is not None:
        attrs = state.attributes
        return "unit_of_measurement" in attrs or "state_class" in attrs
    entry = er.async_get(hass).async_get(entity_id)
    return entry is not None and (
        entry.unit_of_measurement is not None or bool((entry.capabilities or {}).get("state_class"))
    )


def fits_role(hass: HomeAssistant, role: str, entity_id: str) -> bool:
    """Whether ``entity_id`` can serve in ``role`` (a zone or home setting key)."""
    return role_fits(
        role, entity_id, device_class_of(hass, entity_id), _is_numeric_sensor(hass, entity_id)
    )


def role_fits(role: str, entity_id: str, device_class: str | None, numeric: bool) -> bool:
    """Whether an entity with this device class (``numeric``: a sensor reporting a measurement)
    can serve in ``role``."""
    domain = split_entity_id(entity_id)[0]
    if role == CONF_EVIDENCE:
        return domain == "media_player" or (
            domain == "binary_sensor" and device_class in EVIDENCE_DEVICE_CLASSES
        )
    if role in (CONF_ENVIRONMENT, CONF_WATCHED):
        return numeric
    if role == CONF_CLIMATE:
        return domain == "climate"
    if role == CONF_WINDOWS:
        return domain == "binary_sensor" and device_class in WINDOW_DEVICE_CLASSES
    if role == CONF_LIGHTS:
        return domain == "light"
    if role == "outdoor":
        return domain in OUTDOOR_DOMAINS and (domain == "weather" or device_class == "temperature")
    return False


def area_entities(hass: HomeAssistant, area_id: str) -> list[str]:
    """Enabled, non-diagnostic entities in an area, directly or through their device."""
    ent_reg = er.async_get(hass)
    found: dict[str, None] = {}
    candidates = list(er.async_entries_for_area(ent_reg, area_id))
    for device in dr.async_entries_for_area(dr.async_get(hass), area_id):
        candidates += [
            e
            for e in er.async_entries_for_device(ent_reg, device.id)
            if e.area_id in (None, area_id)
        ]
    for entry in candidates:
        if entry.disabled_by is None and entry.entity_category is None:
            found[entry.entity_id] = None
    return sorted(found)


def suggest_zone(hass: HomeAssistant, area_id: str) -> dict[str, list[str] | str]:
    """Entities of an area sorted into zone roles, for pre-filling a zone form."""
    return suggest_roles(
        area_entities(hass, area_id),
        lambda role, entity_id: fits_role(hass, role, entity_id),
        lambda entity_id: device_class_of(hass, entity_id),
    )


def suggest_roles(
    entities: list[str],
    fits: Callable[[str, str], bool],
    device_class: Callable[[str], str | None],
) -> dict[str, list[str] | str]:
    """``entities`` sorted into zone roles (``fits(role, entity_id)``): the zone form's defaults."""
    suggestion: dict[str, list[str] | str] = {
        role: [e for e in entities if fits(role, e)]
        for role in (CONF_EVIDENCE, CONF_ENVIRONMENT, CONF_LIGHTS)
    }
    suggestion[CONF_WATCHED] = list(suggestion[CONF_ENVIRONMENT])
    suggestion[CONF_WINDOWS] = [
        e for e in entities if fits(CONF_WINDOWS, e) and device_class(e) == "window"
    ]
    climates = [e for e in entities if fits(CONF_CLIMATE, e)]
    if climates:
        suggestion[CONF_CLIMATE] = climates[0]
    return suggestion


def areas_with_evidence(hass: HomeAssistant) -> dict[str, str]:
    """Area id -> name for areas holding at least one occupancy evidence sensor."""
    return {
        area.id: area.name
        for area in sorted(ar.async_get(hass).async_list_areas(), key=lambda a: a.name)
        if suggest_zone(hass, area.id)[CONF_EVIDENCE]
    }
