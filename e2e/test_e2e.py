"""End to end on a real Home Assistant 2026.11.0: config flow, zones, training, restart.

Run by scripts/test (scripts/e2e) inside the Home Assistant venv, not with the unit tests.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
import os
from pathlib import Path

import pytest
import pytest_asyncio

from .ha_api import HaApi
from .hass_process import REPO, HassProcess, free_port, prepare_config
from .provision import setup_iot_ml, wait_for_entities

WORK = Path(os.environ.get("IOT_ML_E2E_DIR", REPO / ".e2e"))
LEARNING_STATES = {"collecting", "training", "ready", "error"}


@pytest.fixture(scope="module")
def hass_process() -> Iterator[HassProcess]:
    """A fresh config and a real hass on a free loopback port (started by the first test)."""
    port = free_port()
    config = prepare_config(WORK / "config", port)
    process = HassProcess(config, port)
    yield process
    process.stop()


@pytest_asyncio.fixture
async def api(hass_process: HassProcess) -> AsyncIterator[HaApi]:
    """An API client logged in as the dev user; starts hass if it is not running."""
    if not hass_process.running:
        hass_process.start()
    async with HaApi(hass_process.url) as client:
        await client.wait_until_up()
        await client.onboard_or_login()
        await client.confirm_http_config()
        yield client


async def _learning_states(api: HaApi, timeout: float = 240) -> dict[str, str]:
    """Wait until every iot_ml learning status sensor has a valid state, then return them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        states = await api.states()
        learning = {e: s["state"] for e, s in states.items() if e.endswith("_learning_status")}
        if learning and all(v in LEARNING_STATES for v in learning.values()):
            return learning
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"learning status sensors not valid: {learning}")
        await asyncio.sleep(2)


async def test_config_flow_zones_and_learning(api: HaApi, hass_process: HassProcess) -> None:
    """The config flow creates the home and a zone per area; zones learn from seeded history."""
    entry_id = await setup_iot_ml(api)
    entries = await api.entries("iot_ml")
    assert [e["entry_id"] for e in entries] == [entry_id]
    assert entries[0]["state"] == "loaded"
    learning = await _learning_states(api)
    assert "sensor.living_room_learning_status" in learning
    assert len(learning) >= 5  # the home and at least four zones
    # Weeks of simulated history were in the recorder: zones become ready, not just collecting.
    deadline = asyncio.get_running_loop().time() + 240
    while (await api.states())["sensor.living_room_learning_status"]["state"] != "ready":
        assert asyncio.get_running_loop().time() < deadline, "living room never became ready"
        await asyncio.sleep(2)
    living = (await api.states())["sensor.living_room_learning_status"]["attributes"]
    assert living["days_of_history"] >= 7
    assert living["coverage"]["evidence"] > 50


async def test_add_zone_through_subentry_flow(api: HaApi) -> None:
    """A zone added with "Add zone" (subentry flow) gets its device and status sensor."""
    entry_id = (await api.entries("iot_ml"))[0]["entry_id"]
    result = await api.subentry_flow(
        entry_id,
        "zone",
        [
            {"name": "Front door area"},
            {"evidence_entities": ["binary_sensor.front_door"], "environment_entities": []},
        ],
    )
    assert result["type"] == "create_entry", result
    await wait_for_entities(api, ("sensor.front_door_area_learning_status",))


async def test_train_service(api: HaApi) -> None:
    """iot_ml.train returns per-zone results through the REST API."""
    response = await api.rest(
        "post", "/api/services/iot_ml/train?return_response", {"zone": "Living room"}
    )
    zones = response["service_response"]["zones"]
    assert len(zones) == 1
    (living,) = zones.values()  # the area's name, as HA spells it ("Living Room")
    assert living["status"] == "ready"
    assert living["days_of_history"] >= 7


async def test_learned_state_survives_restart(api: HaApi, hass_process: HassProcess) -> None:
    """After a restart the zones come back ready from saved state, without errors logged."""
    before = (await api.states())["sensor.living_room_learning_status"]["attributes"]
    assert await asyncio.to_thread(hass_process.stop) == 0  # SIGTERM: a normal shutdown
    assert list((hass_process.config_dir / ".storage").glob("iot_ml.*.npz"))
    hass_process.start()
    async with HaApi(hass_process.url) as client:
        await client.wait_until_up()
        await client.login()
        states = await _learning_states(client)
        assert states["sensor.living_room_learning_status"] == "ready"
        after = (await client.states())["sensor.living_room_learning_status"]["attributes"]
        assert (
            after["last_training"] == before["last_training"]
            or after["samples"] >= before["samples"]
        )
        assert after["samples"] >= before["samples"]
    hass_process.stop()
    assert hass_process.iot_ml_problems() == []
