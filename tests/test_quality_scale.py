"""What quality_scale.yaml claims, checked against the code where a check is mechanical."""

import ast
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
import yaml

from custom_components.iot_ml.const import DOMAIN

from .conftest import make_entry, set_home_states, setup_entry

INTEGRATION = Path(__file__).resolve().parent.parent / "custom_components" / "iot_ml"


RULES = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
# Rules whose text says "There are no exceptions to this rule" (developers.home-assistant.io).
NO_EXCEPTIONS = {
    "brands",
    "config-flow-test-coverage",
    "diagnostics",
    "entity-event-setup",
    "repair-issues",
    "stale-devices",
    "test-before-setup",
    "test-coverage",
}


def _status(rule: str) -> str:
    value = RULES[rule]
    return value["status"] if isinstance(value, dict) else value


def test_rules_without_exceptions_are_not_exempt() -> None:
    """A rule that allows no exception is done or todo, never exempt."""
    assert [r for r in sorted(NO_EXCEPTIONS) if _status(r) == "exempt"] == []


def test_what_is_not_done_says_why() -> None:
    """Every todo or exempt rule carries a comment."""
    silent = [r for r in RULES if _status(r) != "done" and not RULES[r].get("comment")]
    assert silent == []


def _annotations(tree: ast.AST) -> list[ast.expr]:
    """Every parameter, return and variable annotation in ``tree``."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            every = (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
            found.extend(a.annotation for a in every if a is not None and a.annotation is not None)
            if node.returns is not None:
                found.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            found.append(node.annotation)
    return found


def test_entries_are_typed_with_their_runtime_data() -> None:
    """strict-typing with runtime-data: an entry of ours is an ``IotMlConfigEntry`` everywhere,
    never a bare ``ConfigEntry`` (whose ``runtime_data`` is ``Any``)."""
    bare = []
    for path in sorted(INTEGRATION.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for annotation in _annotations(tree):
            for node in ast.walk(annotation):
                name = node.id if isinstance(node, ast.Name) else None
                if isinstance(node, ast.Attribute):
                    name = node.attr
                if name == "ConfigEntry":
                    bare.append(f"{path.relative_to(INTEGRATION)}:{annotation.lineno}")
    assert not bare, f"typed as plain ConfigEntry: {bare}"


@pytest.mark.usefixtures("no_recorder")
async def test_removed_zone_takes_its_device_and_entities(hass: HomeAssistant) -> None:
    """stale-devices: deleting a zone deletes its device and entities; the home's stay."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    (zone,) = [
        d
        for d in dr.async_entries_for_config_entry(devices, entry.entry_id)
        if (DOMAIN, f"{entry.entry_id}_zone0") in d.identifiers
    ]
    assert er.async_entries_for_device(entities, zone.id)
    assert hass.config_entries.async_remove_subentry(entry, "zone0")
    await hass.async_block_till_done()
    await entry.runtime_data.coordinator.bootstrapped.wait()
    assert devices.async_get(zone.id) is None
    assert er.async_entries_for_device(entities, zone.id, include_disabled_entities=True) == []
    left = dr.async_entries_for_config_entry(devices, entry.entry_id)
    assert [d.name for d in left] == ["Test home"]


@pytest.mark.usefixtures("no_recorder")
async def test_removed_home_deletes_what_it_learned(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """docs-removal-instructions hold: deleting the home deletes its saved state (the JSON in
    HA's store, the arrays beside it)."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)  # saves
    key = f"{DOMAIN}.{entry.entry_id}"
    arrays = Path(hass.config.path(".storage", f"{key}.npz"))
    assert key in hass_storage
    assert arrays.exists()
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage
    assert not arrays.exists()
