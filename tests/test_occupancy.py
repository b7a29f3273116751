"""Occupancy in Home Assistant: entities, live reaction, the prediction action, lighting."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import numpy as np
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.iot_ml.const import DOMAIN, HOME_KEY
from custom_components.iot_ml.coordinator import IotMlCoordinator
from custom_components.iot_ml.engine.core.types import Series

from .conftest import LIVING_ZONE, make_entry, set_home_states, setup_entry

pytestmark = pytest.mark.usefixtures("no_recorder")

MOTION = "binary_sensor.living_motion"
DAYS = 10


def _routine(local: datetime) -> tuple[bool, bool]:
    """(someone home, someone in the living room) in the test household's week."""
    weekday, hour = local.weekday(), local.hour + local.minute / 60
    home = weekday >= 5 or not 8 <= hour < 17
    living = home and 18 <= hour < 23
    return home, living


def _history(end: float) -> dict[str, dict[str, Series]]:
    """Ten days of the routine as recorded step functions, per learner key and channel."""
    rng = np.random.default_rng(3)
    times = np.arange(end - DAYS * 86400, end, 300.0)
    home, living, motion, tv = [], [], [], []
    for t in times:
        h, occ = _routine(dt_util.as_local(dt_util.utc_from_timestamp(t)))
        home.append(float(h))
        living.append(float(occ))
        motion.append(float(rng.random() < (0.7 if occ else 0.001)))
        tv.append(float(occ and rng.random() < 0.5))

    def series(values: list[float]) -> Series:
        return Series(times=times.copy(), values=np.asarray(values))

    return {
        HOME_KEY: {"person.alex": series(home)},
        "zone0": {
            MOTION: series(motion),
            "media_player.tv": series(tv),
            "light.living": series(living),
        },
    }


async def learn(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    histories: Callable[[float], dict[str, dict[str, Series]]],
) -> IotMlCoordinator:
    """Set ``entry`` up, give its learners ``histories(now)`` (by learner key) instead of what
    they collected, and train."""
    await setup_entry(hass, entry)
    coordinator: IotMlCoordinator = entry.runtime_data
    now = dt_util.utcnow().timestamp()
    for key, history in histories(now).items():
        learner = coordinator.zones[key].learner
        learner.forget()
        learner.load_history(history, now)
    await coordinator.async_train()
    await hass.async_block_till_done()
    return coordinator


def _zone_history(now: float) -> dict[str, dict[str, Series]]:
    return {"zone0": _history(now)["zone0"]}


async def _trained_home(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, at: str = "2026-11-04 06:00:00+00:00"
) -> MockConfigEntry:
    """The test home with ten days of routine learned; ``at`` is UTC (Pacific: 22:00 the day before)."""
    freezer.move_to(at)
    set_home_states(hass)
    entry = make_entry()
    await learn(hass, entry, _history)
    return entry


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: int = 5) -> None:
    freezer.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def test_entities_unknown_until_trained(hass: HomeAssistant) -> None:
    """Before a model exists the occupancy entities say unknown, not a guess."""
    set_home_states(hass)
    await setup_entry(hass, make_entry())
    for entity_id in (
        "binary_sensor.living_room_occupancy",
        "sensor.living_room_occupancy_probability",
        "sensor.living_room_next_arrival",
        "sensor.living_room_prediction_quality",
        "sensor.living_room_occupancy_in_60_min",
    ):
        state = hass.states.get(entity_id)
        assert state is not None and state.state == STATE_UNKNOWN, entity_id
    attributes = hass.states.get("sensor.living_room_occupancy_probability").attributes
    assert attributes["forecast"] == []


async def test_trained_zone_and_home_entities(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """After training: probabilities, horizons, a 24 h series, transitions and quality."""
    await _trained_home(hass, freezer)
    probability = hass.states.get("sensor.living_room_occupancy_probability")
    assert probability is not None
    assert 0 <= float(probability.state) <= 100
    forecast = probability.attributes["forecast"]
    assert len(forecast) == 96
    assert all(0 <= point["probability"] <= 100 for point in forecast)
    first = dt_util.parse_datetime(forecast[0]["datetime"])
    assert first is not None and timedelta(0) < first - dt_util.utcnow() <= timedelta(minutes=15)
    for minutes in (30, 60, 120):
        state = hass.states.get(f"sensor.living_room_occupancy_in_{minutes}_min")
        assert state is not None and 0 <= float(state.state) <= 100
    # 22:00 Pacific: the living room empties by 23:00 and fills again tomorrow evening.
    departure = hass.states.get("sensor.living_room_next_departure")
    arrival = hass.states.get("sensor.living_room_next_arrival")
    assert departure is not None and arrival is not None
    leaves = dt_util.parse_datetime(departure.state)
    comes = dt_util.parse_datetime(arrival.state)
    assert leaves is not None and comes is not None
    assert dt_util.as_local(leaves).hour in (22, 23, 0)
    assert dt_util.as_local(comes).hour in (17, 18, 19)
    assert 0 <= arrival.attributes["confidence"] <= 100
    quality = hass.states.get("sensor.living_room_prediction_quality")
    assert quality is not None and float(quality.state) > 80
    assert quality.attributes["days_evaluated"] >= 1
    assert 0 <= quality.attributes["brier_score"] <= 0.25
    home = hass.states.get("binary_sensor.test_home_occupancy")
    assert home is not None and home.state == STATE_ON  # person.alex is home
    assert home.attributes["probability"] == 100.0


async def test_motion_raises_occupancy_at_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """In the small hours the zone is empty; motion moves it at once, and sustained, occupies it."""
    await _trained_home(hass, freezer, at="2026-11-04 12:00:00+00:00")  # 04:00 Pacific
    await _tick(hass, freezer)
    state = hass.states.get("binary_sensor.living_room_occupancy")
    assert state.state == STATE_OFF
    quiet = state.attributes["probability"]
    freezer.tick(timedelta(seconds=20))
    hass.states.async_set(MOTION, "on", {"device_class": "motion"})
    await hass.async_block_till_done()
    first = hass.states.get("binary_sensor.living_room_occupancy").attributes["probability"]
    assert first >= 30 > quiet  # pushed without waiting for the slot to end
    await _tick(hass, freezer)
    state = hass.states.get("binary_sensor.living_room_occupancy")
    assert state.state == STATE_ON
    assert state.attributes["probability"] > first


async def test_home_without_presence_follows_its_zones(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """No trackers: the home learns from its zones and is occupied when one of them is."""
    freezer.move_to("2026-11-04 12:00:00+00:00")
    set_home_states(hass)
    await learn(hass, make_entry(data={}), _zone_history)
    assert hass.states.get("binary_sensor.test_home_occupancy").state == STATE_OFF
    hass.states.async_set(MOTION, "on", {"device_class": "motion"})
    await _tick(hass, freezer)
    assert hass.states.get("binary_sensor.test_home_occupancy").state == STATE_ON
    assert hass.states.get("sensor.test_home_next_arrival") is not None


async def test_zone_without_evidence_has_no_occupancy_entities(hass: HomeAssistant) -> None:
    """A zone of environment sensors only gets no occupancy entities (nothing to learn from)."""
    set_home_states(hass)
    zone = {**LIVING_ZONE, "evidence_entities": [], "light_entities": []}
    await setup_entry(hass, make_entry(zones=[zone], data={}))
    assert hass.states.get("binary_sensor.living_room_occupancy") is None
    assert hass.states.get("switch.living_room_occupancy_lighting") is None
    assert hass.states.get("binary_sensor.test_home_occupancy") is None
    assert hass.states.get("sensor.living_room_learning_status") is not None


async def _predict(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "prediction", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


async def test_prediction_action(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The action returns now, horizons, transitions and the series for the asked range."""
    await _trained_home(hass, freezer)
    home = await _predict(hass)
    assert home["zone"] == "Test home"
    assert home["occupied"] is True
    assert set(home["horizons"]) == {"30", "60", "120"}
    assert len(home["forecast"]) == 288
    start = dt_util.utcnow() + timedelta(hours=1)
    end = start + timedelta(hours=2)
    zone = await _predict(hass, zone="living room", start=start.isoformat(), end=end.isoformat())
    assert zone["zone"] == "Living room"
    assert 23 <= len(zone["forecast"]) <= 25
    times = [dt_util.parse_datetime(p["datetime"]) for p in zone["forecast"]]
    assert all(t is not None and start <= t <= end for t in times)
    assert zone["next_departure"]["confidence"] >= 0


async def test_prediction_action_validates(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Bad ranges, unknown zones and untrained zones are translated validation errors."""
    set_home_states(hass)
    await setup_entry(hass, make_entry())
    with pytest.raises(ServiceValidationError) as err:
        await _predict(hass, zone="Living room")
    assert err.value.translation_key == "no_prediction"
    await hass.config_entries.async_unload(hass.config_entries.async_entries(DOMAIN)[0].entry_id)
    await _trained_home(hass, freezer)
    now = dt_util.utcnow()
    for start, end in (
        (now + timedelta(hours=2), now + timedelta(hours=1)),
        (now, now + timedelta(hours=30)),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await _predict(hass, start=start.isoformat(), end=end.isoformat())
        assert err.value.translation_key == "invalid_range"
    with pytest.raises(ServiceValidationError) as err:
        await _predict(hass, zone="attic")
    assert err.value.translation_key == "zone_not_found"


async def test_occupancy_lighting(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """On arrival in the dark the lights go on; by hand pauses; a vacancy turns them off."""
    await _trained_home(hass, freezer, at="2026-11-04 12:00:00+00:00")  # 04:00 Pacific
    turn_on = async_mock_service(hass, "light", "turn_on")
    turn_off = async_mock_service(hass, "light", "turn_off")
    switch = "switch.living_room_occupancy_lighting"
    assert hass.states.get(switch).state == STATE_OFF  # opt-in
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    await _tick(hass, freezer)
    with patch("custom_components.iot_ml.lighting.is_up", return_value=False):
        hass.states.async_set(MOTION, "on", {"device_class": "motion"})
        await hass.async_block_till_done()
    assert [c.data["entity_id"] for c in turn_on] == [["light.living"]]
    assert hass.states.get(switch).attributes["last_action"] == "turned_on"
    # The light comes on as we asked (our context): not a manual change.
    hass.states.async_set("light.living", "on", context=turn_on[0].context)
    await hass.async_block_till_done()
    assert hass.states.get(switch).attributes["paused"] is False
    # Someone dims it off by hand: paused until the zone is next empty.
    hass.states.async_set("light.living", "off", context=Context())
    await hass.async_block_till_done()
    assert hass.states.get(switch).attributes["paused"] is True
    hass.states.async_set("light.living", "on", context=Context())
    hass.states.async_set(MOTION, "off", {"device_class": "motion"})
    for _ in range(36):
        await _tick(hass, freezer)
        if turn_off:
            break
    assert [c.data["entity_id"] for c in turn_off] == [["light.living"]]
    attributes = hass.states.get(switch).attributes
    assert attributes["paused"] is False
    assert attributes["last_action"] == "turned_off"


async def test_lighting_waits_for_dark_and_stays_off_when_switched_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Bright rooms are left alone (illuminance decides), and so is everything when off."""
    await _trained_home(hass, freezer, at="2026-11-04 12:00:00+00:00")
    turn_on = async_mock_service(hass, "light", "turn_on")
    hass.states.async_set(
        "sensor.living_illuminance",
        "400",
        {"device_class": "illuminance", "unit_of_measurement": "lx"},
    )
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    subentry = next(iter(entry.subentries.values()))
    hass.config_entries.async_update_subentry(
        entry,
        subentry,
        data={
            **LIVING_ZONE,
            "environment_entities": [
                *LIVING_ZONE["environment_entities"],
                "sensor.living_illuminance",
            ],
        },
    )
    await hass.async_block_till_done()
    switch = "switch.living_room_occupancy_lighting"
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    await _tick(hass, freezer)
    hass.states.async_set(MOTION, "on", {"device_class": "motion"})
    await hass.async_block_till_done()
    assert hass.states.get(switch).attributes["dark"] is False
    assert not turn_on
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    hass.states.async_set("light.living", "on", context=Context())
    await hass.async_block_till_done()
    assert hass.states.get(switch).attributes["paused"] is False


async def test_home_with_silent_trackers_follows_its_zones(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Trackers configured but never known: the home learns and reads from its zones instead."""
    freezer.move_to("2026-11-04 12:00:00+00:00")
    set_home_states(hass)
    hass.states.async_set("person.alex", "unknown")
    await learn(hass, make_entry(), _zone_history)
    assert hass.states.get("binary_sensor.test_home_occupancy").state == STATE_OFF
    hass.states.async_set(MOTION, "on", {"device_class": "motion"})
    await _tick(hass, freezer)
    assert hass.states.get("binary_sensor.test_home_occupancy").state == STATE_ON
