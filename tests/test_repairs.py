"""Configured entities that disappear raise a fixable repair issue."""

import json
from pathlib import Path
import re

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest

from custom_components.iot_ml.const import (
    CONF_AREA,
    CONF_CLIMATE,
    CONF_EVIDENCE,
    CONF_PRESENCE,
    CONF_WINDOWS,
    DOMAIN,
)
from custom_components.iot_ml.repairs import missing_issue_id

from .conftest import LIVING_ZONE, make_entry, set_home_states, setup_entry

pytestmark = pytest.mark.usefixtures("no_recorder")


STRINGS = json.loads(
    (Path(__file__).parent.parent / "custom_components" / DOMAIN / "strings.json").read_text()
)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{([^{}]+)\}", text))


async def _fix(hass: HomeAssistant, issue_id: str) -> None:
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "confirm"
    # The confirm text says where the entity is used, as the issue does.
    assert result["description_placeholders"] == {
        "entity_id": "binary_sensor.gone",
        "zone": "Test home",
    }
    confirm = STRINGS["issues"]["missing_entity"]["fix_flow"]["step"]["confirm"]
    used = _placeholders(confirm["title"]) | _placeholders(confirm["description"])
    assert used == set(result["description_placeholders"])
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_missing_entity_issue_and_fix(hass: HomeAssistant) -> None:
    """An entity that exists nowhere raises an issue; the fix drops it from zone and home."""
    assert await async_setup_component(hass, "repairs", {})
    set_home_states(hass)
    zone = {**LIVING_ZONE, CONF_EVIDENCE: [*LIVING_ZONE[CONF_EVIDENCE], "binary_sensor.gone"]}
    entry = make_entry(zones=[zone], data={CONF_PRESENCE: ["person.alex", "binary_sensor.gone"]})
    await setup_entry(hass, entry)
    issue_id = missing_issue_id(entry.entry_id, "binary_sensor.gone")
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_placeholders == {
        "entity_id": "binary_sensor.gone",
        "zone": "Test home",
    }

    await _fix(hass, issue_id)
    await hass.async_block_till_done()
    assert "binary_sensor.gone" not in entry.data[CONF_PRESENCE]
    assert "binary_sensor.gone" not in entry.subentries["zone0"].data[CONF_EVIDENCE]
    assert "binary_sensor.living_motion" in entry.subentries["zone0"].data[CONF_EVIDENCE]
    # After the reload the issue is gone.
    await entry.runtime_data.coordinator.bootstrapped.wait()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_registry_removal_raises_issue(hass: HomeAssistant) -> None:
    """Removing a configured entity from the registry raises the issue at once."""
    registry = er.async_get(hass)
    entity = registry.async_get_or_create("sensor", "test", "co2", suggested_object_id="living_co2")
    assert entity.entity_id == "sensor.living_co2"
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    issue_id = missing_issue_id(entry.entry_id, "sensor.living_co2")
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    registry.async_remove("sensor.living_co2")
    hass.states.async_remove("sensor.living_co2")
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["zone"] == "Living room"
    # Coming back clears it.
    registry.async_get_or_create("sensor", "test", "co2b", suggested_object_id="living_co2")
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_fix_drops_a_climate_entity_from_its_zone_only(hass: HomeAssistant) -> None:
    """A missing climate entity is removed from the zone that uses it; the home and the other
    zone are left as they are."""
    assert await async_setup_component(hass, "repairs", {})
    set_home_states(hass)
    study = {**LIVING_ZONE, CONF_NAME: "Study", CONF_AREA: "study", CONF_CLIMATE: "climate.gone"}
    entry = make_entry(zones=[LIVING_ZONE, study])
    await setup_entry(hass, entry)
    issue_id = missing_issue_id(entry.entry_id, "climate.gone")
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None and issue.translation_placeholders["zone"] == "Study"
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
    assert result["description_placeholders"] == {"entity_id": "climate.gone", "zone": "Study"}
    data, living = dict(entry.data), dict(entry.subentries["zone0"].data)
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert CONF_CLIMATE not in entry.subentries["zone1"].data
    assert entry.subentries["zone0"].data == living
    assert entry.data == data
    await entry.runtime_data.coordinator.bootstrapped.wait()


async def test_a_missing_window_contact_is_reported_and_dropped(hass: HomeAssistant) -> None:
    """Window contacts (which turn smart climate off) are checked like every other entity."""
    assert await async_setup_component(hass, "repairs", {})
    set_home_states(hass)
    zone = {**LIVING_ZONE, CONF_WINDOWS: ["binary_sensor.window_gone"]}
    entry = make_entry(zones=[zone])
    await setup_entry(hass, entry)
    issue_id = missing_issue_id(entry.entry_id, "binary_sensor.window_gone")
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.subentries["zone0"].data[CONF_WINDOWS] == []
    await entry.runtime_data.coordinator.bootstrapped.wait()
