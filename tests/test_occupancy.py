"""Occupancy in Home Assistant: entities, live reaction, the prediction action, lighting."""

from datetime import datetime, timedelta
import itertools
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.iot_ml.const import DOMAIN

from .conftest import (
    EVENING,
    LIVING_ZONE,
    MOTION,
    SMALL_HOURS,
    learn,
    make_entry,
    routine_history,
    set_home_states,
    setup_entry,
    tick,
    zone_routine_history,
)

pytestmark = pytest.mark.usefixtures("no_recorder")


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


def _local(hour: int, minute: int = 0, days: int = 0) -> datetime:
    """``hour:minute`` local time ``days`` after the frozen day (in the home's time zone)."""
    today = dt_util.as_local(dt_util.utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today + timedelta(days=days)).replace(hour=hour, minute=minute)


def _number(hass: HomeAssistant, entity_id: str) -> float:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return float(state.state)


@pytest.mark.freeze_time(EVENING)  # 22:00 Tuesday: the living room is in use until 23:00
@pytest.mark.usefixtures("trained_home")
async def test_trained_zone_and_home_entities(hass: HomeAssistant) -> None:
    """After training: probabilities, horizons, a 24 h series, transitions and quality."""
    probability = hass.states.get("sensor.living_room_occupancy_probability")
    assert probability is not None
    assert float(probability.state) > 80
    forecast = probability.attributes["forecast"]
    assert len(forecast) == 96
    times = [dt_util.parse_datetime(point["datetime"]) for point in forecast]
    assert times[0] == dt_util.utcnow() + timedelta(minutes=15)
    assert all(b - a == timedelta(minutes=15) for a, b in itertools.pairwise(times))
    # Wednesday: the room stays empty through the night and the working day, then is used
    # from 18:00 (a quarter of an hour either side of the routine's edges is left out).
    by_time = dict(zip(times, (point["probability"] for point in forecast), strict=True))
    night_and_day = [p for t, p in by_time.items() if _local(23, 30) <= t <= _local(17, 30, 1)]
    evening = [p for t, p in by_time.items() if _local(18, 30, 1) <= t <= _local(21, 45, 1)]
    assert len(night_and_day) == 73 and max(night_and_day) < 20
    assert len(evening) == 14 and min(evening) > 70
    assert _number(hass, "sensor.living_room_occupancy_in_30_min") > 60
    assert _number(hass, "sensor.living_room_occupancy_in_120_min") < 20
    # It empties at 23:00 and fills again at 18:00 tomorrow.
    departure = hass.states.get("sensor.living_room_next_departure")
    arrival = hass.states.get("sensor.living_room_next_arrival")
    assert departure is not None and arrival is not None
    leaves = dt_util.parse_datetime(departure.state)
    comes = dt_util.parse_datetime(arrival.state)
    assert leaves is not None and comes is not None
    assert abs(leaves - _local(23)) <= timedelta(minutes=10)
    assert abs(comes - _local(18, days=1)) <= timedelta(minutes=10)
    assert departure.attributes["confidence"] > 60
    assert arrival.attributes["confidence"] > 60
    quality = hass.states.get("sensor.living_room_prediction_quality")
    assert quality is not None and float(quality.state) > 95
    assert quality.attributes["days_evaluated"] == 5  # walk-forward: the kept days after 3
    assert quality.attributes["brier_score"] < 0.03
    home = hass.states.get("binary_sensor.test_home_occupancy")
    assert home is not None and home.state == STATE_ON  # person.alex is home
    assert home.attributes["probability"] == 100.0


@pytest.mark.freeze_time(SMALL_HOURS)
@pytest.mark.usefixtures("trained_home")
async def test_motion_raises_occupancy_at_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """In the small hours the zone is empty; motion moves it at once, and sustained, occupies it."""
    await tick(hass, freezer)
    state = hass.states.get("binary_sensor.living_room_occupancy")
    assert state.state == STATE_OFF
    quiet = state.attributes["probability"]
    assert quiet < 5
    freezer.tick(timedelta(seconds=20))
    hass.states.async_set(MOTION, "on", {"device_class": "motion"})
    await hass.async_block_till_done()
    first = hass.states.get("binary_sensor.living_room_occupancy").attributes["probability"]
    assert 30 <= first < 50  # pushed without waiting for the slot to end, not yet occupied
    await tick(hass, freezer)
    state = hass.states.get("binary_sensor.living_room_occupancy")
    assert state.state == STATE_ON
    assert state.attributes["probability"] > first


@pytest.mark.freeze_time(SMALL_HOURS)
async def test_home_without_presence_follows_its_zones(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """No trackers: the home learns from its zones and is occupied when one of them is."""
    set_home_states(hass)
    await learn(hass, make_entry(data={}), zone_routine_history)
    assert hass.states.get("binary_sensor.test_home_occupancy").state == STATE_OFF
    # Empty at 04:00, it expects someone when the living room is next used (18:00).
    arrival = dt_util.parse_datetime(hass.states.get("sensor.test_home_next_arrival").state)
    assert arrival is not None and abs(arrival - _local(18)) <= timedelta(minutes=10)
    hass.states.async_set(MOTION, "on", {"device_class": "motion"})
    await tick(hass, freezer)
    assert hass.states.get("binary_sensor.test_home_occupancy").state == STATE_ON


async def test_zone_without_evidence_has_no_occupancy_entities(hass: HomeAssistant) -> None:
    """A zone of environment sensors only gets no occupancy entities (nothing to learn from)."""
    set_home_states(hass)
    zone = {**LIVING_ZONE, "evidence_entities": [], "light_entities": []}
    await setup_entry(hass, make_entry(zones=[zone], data={}))
    assert hass.states.get("binary_sensor.living_room_occupancy") is None
    assert hass.states.get("switch.living_room_occupancy_lighting") is None
    assert hass.states.get("binary_sensor.test_home_occupancy") is None
    assert hass.states.get("sensor.living_room_learning_status").state == "collecting"


async def _predict(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "prediction", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


@pytest.mark.freeze_time(EVENING)
@pytest.mark.usefixtures("trained_home")
async def test_prediction_action(hass: HomeAssistant) -> None:
    """The action returns now, horizons, transitions and the series for the asked range."""
    home = await _predict(hass)
    assert home["zone"] == "Test home"
    assert home["occupied"] is True
    assert set(home["horizons"]) == {"30", "60", "120"}
    assert len(home["forecast"]) == 288
    start = dt_util.utcnow() + timedelta(hours=1)
    end = start + timedelta(hours=2)
    zone = await _predict(hass, zone="living room", start=start.isoformat(), end=end.isoformat())
    assert zone["zone"] == "Living room"
    times = [dt_util.parse_datetime(p["datetime"]) for p in zone["forecast"]]
    assert times == [start + timedelta(minutes=5 * k) for k in range(25)]  # both ends included
    # 23:00-01:00: the room empties at 23:00.
    probabilities = [p["probability"] for p in zone["forecast"]]
    assert probabilities[0] > 50 and max(probabilities[3:]) < 20
    assert zone["next_departure"]["confidence"] > 60


@pytest.mark.freeze_time(EVENING)
async def test_prediction_action_validates(hass: HomeAssistant) -> None:
    """Bad ranges, unknown zones and untrained zones are translated validation errors."""
    set_home_states(hass)
    await setup_entry(hass, make_entry())
    with pytest.raises(ServiceValidationError) as err:
        await _predict(hass, zone="Living room")
    assert err.value.translation_key == "no_prediction"
    await hass.config_entries.async_unload(hass.config_entries.async_entries(DOMAIN)[0].entry_id)
    await learn(hass, make_entry(), routine_history)
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


@pytest.mark.freeze_time(SMALL_HOURS)
@pytest.mark.usefixtures("trained_home")
async def test_occupancy_lighting(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """On arrival in the dark the lights go on; by hand pauses; a vacancy turns them off."""
    turn_on = async_mock_service(hass, "light", "turn_on")
    turn_off = async_mock_service(hass, "light", "turn_off")
    switch = "switch.living_room_occupancy_lighting"
    assert hass.states.get(switch).state == STATE_OFF  # opt-in
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    await tick(hass, freezer)
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
        await tick(hass, freezer)
        if turn_off:
            break
    assert [c.data["entity_id"] for c in turn_off] == [["light.living"]]
    attributes = hass.states.get(switch).attributes
    assert attributes["paused"] is False
    assert attributes["last_action"] == "turned_off"


@pytest.mark.freeze_time(SMALL_HOURS)
async def test_lighting_waits_for_dark_and_stays_off_when_switched_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, trained_home: MockConfigEntry
) -> None:
    """Bright rooms are left alone (illuminance decides), and so is everything when off."""
    turn_on = async_mock_service(hass, "light", "turn_on")
    hass.states.async_set(
        "sensor.living_illuminance",
        "400",
        {"device_class": "illuminance", "unit_of_measurement": "lx"},
    )
    subentry = next(iter(trained_home.subentries.values()))
    hass.config_entries.async_update_subentry(
        trained_home,
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
    await tick(hass, freezer)
    hass.states.async_set(MOTION, "on", {"device_class": "motion"})
    await hass.async_block_till_done()
    assert hass.states.get(switch).attributes["dark"] is False
    assert not turn_on
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    hass.states.async_set("light.living", "on", context=Context())
    await hass.async_block_till_done()
    assert hass.states.get(switch).attributes["paused"] is False


@pytest.mark.freeze_time(SMALL_HOURS)
async def test_home_with_silent_trackers_follows_its_zones(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Trackers configured but never known: the home learns and reads from its zones instead."""
    set_home_states(hass)
    hass.states.async_set("person.alex", "unknown")
    await learn(hass, make_entry(), zone_routine_history)
    assert hass.states.get("binary_sensor.test_home_occupancy").state == STATE_OFF
    hass.states.async_set(MOTION, "on", {"device_class": "motion"})
    await tick(hass, freezer)
    assert hass.states.get("binary_sensor.test_home_occupancy").state == STATE_ON
