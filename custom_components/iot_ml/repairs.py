"""Repair issues for configured entities that no longer exist, with a fix that drops them."""

from typing import Any

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow, RepairsFlowResult
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import probatio as vol

from .const import (
    CONF_CLIMATE,
    CONF_ENVIRONMENT,
    CONF_EVIDENCE,
    CONF_LIGHTS,
    CONF_OUTDOOR,
    CONF_PRESENCE,
    CONF_WATCHED,
    CONF_WINDOWS,
    DOMAIN,
)
from .coordinator import IotMlConfigEntry
from .models import zones_of

_LIST_KEYS = (CONF_EVIDENCE, CONF_ENVIRONMENT, CONF_LIGHTS, CONF_WATCHED, CONF_WINDOWS)


def missing_issue_id(entry_id: str, entity_id: str) -> str:
    """Issue id for ``entity_id`` missing from the entry."""
    return f"missing_entity_{entry_id}_{entity_id}"


def _uses(entry: IotMlConfigEntry) -> dict[str, str]:
    """Each entity the home reads -> where it is used (its zone's name, or the home's title)."""
    used: dict[str, str] = {}
    for entity_id in (*entry.data.get(CONF_PRESENCE, ()), entry.data.get(CONF_OUTDOOR)):
        if entity_id:
            used[entity_id] = entry.title
    for zone in zones_of(entry):
        for entity_id in zone.entity_ids():
            used.setdefault(entity_id, zone.name)
    return used


@callback
def async_check_missing_entities(
    hass: HomeAssistant, entry: IotMlConfigEntry, removed: str | None = None
) -> None:
    """Raise (or clear) an issue for each configured entity that exists nowhere.

    ``removed`` was just deleted from the entity registry; its state may linger a moment.
    """
    registry = er.async_get(hass)
    for entity_id, where in _uses(entry).items():
        issue_id = missing_issue_id(entry.entry_id, entity_id)
        exists = registry.async_get(entity_id) is not None or (
            entity_id != removed and hass.states.get(entity_id) is not None
        )
        if exists:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            continue
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key="missing_entity",
            translation_placeholders={"entity_id": entity_id, "zone": where},
            data={"entry_id": entry.entry_id, "entity_id": entity_id},
        )


def _without(data: dict[str, Any], entity_id: str) -> dict[str, Any]:
    """Configuration ``data`` with every use of ``entity_id`` removed."""
    out = dict(data)
    for key in (*_LIST_KEYS, CONF_PRESENCE):
        if key in out:
            out[key] = [e for e in out[key] if e != entity_id]
    for key in (CONF_CLIMATE, CONF_OUTDOOR):
        if out.get(key) == entity_id:
            out.pop(key)
    return out


class MissingEntityRepairFlow(ConfirmRepairFlow):
    """Removes a missing entity from the home and every zone after confirmation."""

    def __init__(self, entry_id: str, entity_id: str) -> None:
        """Remember what to remove."""
        super().__init__()
        self._entry_id = entry_id
        self._entity_id = entity_id

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Ask, then drop the entity from the configuration (the entry reloads)."""
        entries = self.hass.config_entries
        entry: IotMlConfigEntry | None = entries.async_get_entry(self._entry_id)
        if user_input is None:
            # The text names the entity and where it is used, as the issue does.
            where = _uses(entry).get(self._entity_id, entry.title) if entry else ""
            return self.async_show_form(
                step_id="confirm",
                data_schema=vol.Schema({}),
                description_placeholders={"entity_id": self._entity_id, "zone": where},
            )
        if entry is not None:
            for subentry in list(entry.subentries.values()):
                new = _without(dict(subentry.data), self._entity_id)
                if new != subentry.data:
                    entries.async_update_subentry(entry, subentry, data=new)
            new_data = _without(dict(entry.data), self._entity_id)
            if new_data != entry.data:
                entries.async_update_entry(entry, data=new_data)
        return self.async_create_entry(data={})


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """The fix flow of an iot_ml repair issue."""
    assert data is not None
    return MissingEntityRepairFlow(str(data["entry_id"]), str(data["entity_id"]))
