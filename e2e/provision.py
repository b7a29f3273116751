"""Set up iot_ml in a running Home Assistant as a user would: config flow, then zones."""

import asyncio
from typing import Any

from .ha_api import HaApi

DEMO_HOME = {
    "comfort_temperature": 21.0,
    "eco_temperature": 17.0,
    "history_days": 14,
    "training_time": "03:30:00",
    "outdoor_entity": "sensor.outdoor_temperature",
}


async def wait_for_entities(
    api: HaApi, prefixes: tuple[str, ...], timeout: float = 180
) -> dict[str, Any]:
    """Wait until entities with these id prefixes exist; returns all states."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        states = await api.states()
        if all(any(e.startswith(p) for e in states) for p in prefixes):
            return states
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"entities {prefixes} did not appear")
        await asyncio.sleep(1)


async def wait_for_state(api: HaApi, entity_id: str, state: str, timeout: float = 600) -> None:
    """Wait until ``entity_id`` has ``state``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (await api.states()).get(entity_id, {}).get("state") != state:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{entity_id} never became {state}")
        await asyncio.sleep(1)


async def setup_iot_ml(api: HaApi) -> str:
    """Run the iot_ml config flow (home, then zones for every offered area); returns the entry id."""
    existing = await api.entries("iot_ml")
    if existing:
        return str(existing[0]["entry_id"])
    await wait_for_entities(api, ("person.", "sensor.outdoor_temperature", "binary_sensor."))
    await wait_for_state(api, "virtual_home.status", "ready")  # history is in the recorder
    states = await wait_for_entities(api, ("device_tracker.phone_",))
    # The phones have the simulated history; person entities only follow them from now on.
    presence = sorted(e for e in states if e.startswith("device_tracker.phone_")) or sorted(
        e for e in states if e.startswith("person.")
    )
    result = await api.rest(
        "post",
        "/api/config/config_entries/flow",
        {"handler": "iot_ml", "show_advanced_options": False},
    )
    assert result["type"] == "form" and result["step_id"] == "user", result
    result = await api.rest(
        "post",
        f"/api/config/config_entries/flow/{result['flow_id']}",
        {**DEMO_HOME, "presence_entities": presence},
    )
    if result["type"] == "form" and result["step_id"] == "zones":
        field = result["data_schema"][0]
        areas = [o["value"] for o in field["selector"]["select"]["options"]]
        result = await api.rest(
            "post", f"/api/config/config_entries/flow/{result['flow_id']}", {"areas": areas}
        )
    if result["type"] != "create_entry":
        raise RuntimeError(f"iot_ml setup did not finish: {result}")
    return str(result["result"]["entry_id"])
