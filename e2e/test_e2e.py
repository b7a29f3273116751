"""End to end on a real Home Assistant 2026.11.0: config flow, zones, training, restart.

Run by scripts/test (scripts/e2e) inside the Home Assistant venv, not with the unit tests.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
import os
from pathlib import Path
from typing import Any

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


async def _wait_ready(api: HaApi, entity_id: str, timeout: float = 300) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (await api.states()).get(entity_id, {}).get("state") != "ready":
        assert asyncio.get_running_loop().time() < deadline, f"{entity_id} never became ready"
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
    await _wait_ready(api, "sensor.living_room_learning_status")
    # The home trains last: once it is ready the first learning pass is complete (and saved).
    await _wait_ready(api, "sensor.virtual_home_learning_status")
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
    # The entry reloaded with the new zone; the others come back from their saved state.
    await _wait_ready(api, "sensor.living_room_learning_status")


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


async def _service(api: HaApi, name: str, data: dict[str, object]) -> dict[str, Any]:
    response = await api.rest("post", f"/api/services/iot_ml/{name}?return_response", data)
    return dict(response["service_response"])


async def test_occupancy_entities_and_prediction(api: HaApi) -> None:
    """Zones and the home show occupancy, forecasts and quality; the prediction action answers."""
    states = await api.states()
    for zone in ("living_room", "kitchen", "bedroom", "virtual_home"):
        occupancy = states[f"binary_sensor.{zone}_occupancy"]
        assert occupancy["state"] in ("on", "off"), zone
        probability = states[f"sensor.{zone}_occupancy_probability"]
        assert 0 <= float(probability["state"]) <= 100
        assert len(probability["attributes"]["forecast"]) == 96
        for minutes in (30, 60, 120):
            assert 0 <= float(states[f"sensor.{zone}_occupancy_in_{minutes}_min"]["state"]) <= 100
    quality = states["sensor.living_room_prediction_quality"]
    assert float(quality["state"]) > 70 and quality["attributes"]["days_evaluated"] >= 3
    assert states["binary_sensor.virtual_home_occupancy"]["attributes"]["probability"] is not None
    prediction = await _service(api, "prediction", {"zone": "Living room"})
    assert len(prediction["forecast"]) >= 280
    assert set(prediction["horizons"]) == {"30", "60", "120"}


async def test_switches_act_in_real_home_assistant(api: HaApi) -> None:
    """Smart climate sets the thermostat to its decision; lighting and security switch on."""
    for switch in (
        "switch.living_room_smart_climate",
        "switch.living_room_occupancy_lighting",
        "switch.virtual_home_security_alerts",
    ):
        await api.rest("post", "/api/services/switch/turn_on", {"entity_id": switch})
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        states = await api.states()
        decision = states["switch.living_room_smart_climate"]["attributes"]
        climate = states["climate.living_room"]
        if (
            decision["setpoint"] is None
            or climate["attributes"]["temperature"] == decision["setpoint"]
        ):
            break
        assert asyncio.get_running_loop().time() < deadline, (decision, climate)
        await asyncio.sleep(1)
    assert decision["reason"] in ("comfort", "preheat", "hold", "setback", "window_open")
    assert states["switch.living_room_occupancy_lighting"]["state"] == "on"
    assert states["switch.virtual_home_security_alerts"]["state"] == "on"


async def test_thermal_and_anomaly_entities(api: HaApi) -> None:
    """Learned heating rates, a heating plan, and the anomaly entities with feedback validation."""
    states = await api.states()
    assert 0 < float(states["sensor.living_room_heating_rate"]["state"]) < 20
    assert float(states["sensor.living_room_heat_loss_rate"]["state"]) > 0
    assert states["binary_sensor.living_room_heating_fault"]["state"] in ("on", "off")
    plan = await _service(api, "plan_heating", {"zone": "Living room", "target_temperature": 22})
    assert plan["trajectory"] and plan["start"] <= plan["at"]
    assert states["binary_sensor.living_room_anomaly"]["state"] in ("on", "off")
    assert "unusual_activity" in states["event.living_room_anomaly"]["attributes"]["event_types"]
    registry = await api.ws("config/entity_registry/list")
    scores = [e for e in registry if e["entity_id"].startswith("sensor.living_room_anomaly_score_")]
    assert any(e["entity_id"].endswith("temperature") for e in scores), scores
    assert all(e["disabled_by"] == "integration" for e in scores)  # for tuning, off by default
    status, body = await api.rest_status(
        "post",
        "/api/services/iot_ml/feedback",
        {"episode_id": "no-such-episode", "verdict": "false_alarm"},
    )
    assert status == 400 and "no-such-episode" in body


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
