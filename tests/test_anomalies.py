"""Anomalies in Home Assistant: entities, events, feedback and security alerts."""

from datetime import timedelta
import math

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import numpy as np
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.iot_ml.const import DOMAIN
from custom_components.iot_ml.coordinator import IotMlCoordinator
from custom_components.iot_ml.engine.anomaly.types import Episode, Kind
from custom_components.iot_ml.engine.anomaly.zone import AnomalyEvent
from custom_components.iot_ml.engine.core.types import Series

from .conftest import HOME_OPTIONS, make_entry, set_home_states, setup_entry
from .test_occupancy import _tick

pytestmark = pytest.mark.usefixtures("no_recorder")

TEMPERATURE = "sensor.living_temperature"
EVENT = "event.living_room_anomaly"
PROBLEM = "binary_sensor.living_room_anomaly"


async def _watched_home(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    """The test home whose living-room temperature detector learned ten normal days."""
    freezer.move_to("2026-11-04 12:00:00+00:00")
    set_home_states(hass)
    entry = make_entry(
        options={
            **HOME_OPTIONS,
            "notify_entities": ["notify.family"],
            "notify_services": ["notify.mobile_app_phone"],
        }
    )
    await setup_entry(hass, entry)
    coordinator: IotMlCoordinator = entry.runtime_data
    now = dt_util.utcnow().timestamp()
    times = np.arange(now - 10 * 86400, now, 600.0)
    rng = np.random.default_rng(5)
    values = 20.5 + np.sin(2 * math.pi * times / 86400) + rng.normal(0, 0.1, len(times))
    learner = coordinator.zones["zone0"].learner
    learner.learn_anomaly_history({TEMPERATURE: Series(times, values)})
    return entry


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_anomaly_entities(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """A zone with watched sensors gets a problem sensor, an event entity and score sensors."""
    await _watched_home(hass, freezer)
    assert hass.states.get(PROBLEM).state == STATE_OFF
    assert hass.states.get(EVENT).state == STATE_UNKNOWN
    assert set(hass.states.get(EVENT).attributes["event_types"]) >= {
        "spike",
        "stuck",
        "unusual_activity",
        "cleared",
    }
    assert hass.states.get("sensor.living_room_anomaly_score_living_temperature") is not None
    assert hass.states.get("switch.test_home_security_alerts").state == STATE_OFF


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_spike_fires_event_and_feedback(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A reading far outside the learned range opens an episode; feedback is accepted once known."""
    await _watched_home(hass, freezer)
    freezer.tick(timedelta(minutes=10))
    hass.states.async_set(
        TEMPERATURE, "35.0", {"device_class": "temperature", "unit_of_measurement": "°C"}
    )
    await hass.async_block_till_done()
    event = hass.states.get(EVENT)
    assert event.attributes["event_type"] in ("spike", "level_shift", "out_of_range")
    assert event.attributes["sensor"] == TEMPERATURE
    assert event.attributes["value"] == 35.0
    low, high = event.attributes["expected_low"], event.attributes["expected_high"]
    assert low is not None and high is not None and low < 21 < high < 35
    problem = hass.states.get(PROBLEM)
    assert problem.state == STATE_ON
    assert problem.attributes["sensors"] == [TEMPERATURE]
    assert problem.attributes["kind"] == event.attributes["event_type"]
    score = hass.states.get("sensor.living_room_anomaly_score_living_temperature")
    assert float(score.state) > 99
    episode_id = event.attributes["episode_id"]
    # Back to normal for a while: the episode clears.
    for _ in range(6):
        hass.states.async_set(
            TEMPERATURE, "20.6", {"device_class": "temperature", "unit_of_measurement": "°C"}
        )
        await _tick(hass, freezer)
        hass.states.async_set(
            TEMPERATURE, "20.5", {"device_class": "temperature", "unit_of_measurement": "°C"}
        )
        await hass.async_block_till_done()
    assert hass.states.get(EVENT).attributes["event_type"] == "cleared"
    assert hass.states.get(EVENT).attributes["episode_id"] == episode_id
    assert hass.states.get(PROBLEM).state == STATE_OFF
    await hass.services.async_call(
        DOMAIN, "feedback", {"episode_id": episode_id, "verdict": "false_alarm"}, blocking=True
    )
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "feedback", {"episode_id": "nope", "verdict": "confirmed"}, blocking=True
        )
    assert err.value.translation_key == "episode_not_found"


async def test_false_alarm_closes_open_episode(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Marking an open episode a false alarm ends it at once (the problem sensor turns off)."""
    await _watched_home(hass, freezer)
    freezer.tick(timedelta(minutes=10))
    hass.states.async_set(
        TEMPERATURE, "35.0", {"device_class": "temperature", "unit_of_measurement": "°C"}
    )
    await hass.async_block_till_done()
    assert hass.states.get(PROBLEM).state == STATE_ON
    episode_id = hass.states.get(EVENT).attributes["episode_id"]
    await hass.services.async_call(
        DOMAIN, "feedback", {"episode_id": episode_id, "verdict": "false_alarm"}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(PROBLEM).state == STATE_OFF


def _activity(zone: str, start: float) -> AnomalyEvent:
    episode = Episode(
        id=f"{zone}:activity:unusual_activity:{int(start)}",
        key=f"{zone}:activity",
        kind=Kind.UNUSUAL_ACTIVITY,
        start=start,
        score=0.999,
        value=None,
        expected_low=None,
        expected_high=None,
    )
    return AnomalyEvent(Kind.UNUSUAL_ACTIVITY.value, episode)


async def test_security_alerts(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Unusual activity notifies every target once per ten minutes; the phone's answer teaches."""
    entry = await _watched_home(hass, freezer)
    coordinator: IotMlCoordinator = entry.runtime_data
    send = async_mock_service(hass, "notify", "send_message")
    phone = async_mock_service(hass, "notify", "mobile_app_phone")
    now = dt_util.utcnow().timestamp()
    coordinator._dispatch("zone0", [_activity("zone0", now)])  # switched off: nothing
    await hass.async_block_till_done()
    assert not send and not phone
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.test_home_security_alerts"}, blocking=True
    )
    coordinator._dispatch("zone0", [_activity("zone0", now)])
    await hass.async_block_till_done()
    assert send[0].data["entity_id"] == ["notify.family"]
    assert "Living room" in send[0].data["title"]
    action = phone[0].data["data"]["actions"][0]
    assert action["action"] == f"IOT_ML_FALSE_ALARM|zone0:activity:unusual_activity:{int(now)}"
    notifications = hass.states.async_all("persistent_notification")
    assert notifications or hass.data  # created through the persistent_notification helper
    coordinator._dispatch("zone0", [_activity("zone0", now + 60)])  # within ten minutes
    await hass.async_block_till_done()
    assert len(send) == 1
    state = hass.states.get("switch.test_home_security_alerts")
    assert state.attributes["suppressed"] == 1
    marked: list[tuple[str, str]] = []
    coordinator.mark_episode = lambda episode_id, verdict: marked.append((episode_id, verdict))  # type: ignore[method-assign]
    hass.bus.async_fire("mobile_app_notification_action", {"action": action["action"]})
    hass.bus.async_fire("mobile_app_notification_action", {"action": "SOMETHING_ELSE"})
    await hass.async_block_till_done()
    assert marked == [(f"zone0:activity:unusual_activity:{int(now)}", "false_alarm")]


async def test_score_sensors_disabled_by_default(hass: HomeAssistant) -> None:
    """Without the fixture that enables everything, the per-sensor scores are registered off."""
    from homeassistant.helpers import entity_registry as er

    set_home_states(hass)
    await setup_entry(hass, make_entry())
    entry = er.async_get(hass).async_get("sensor.living_room_anomaly_score_living_temperature")
    assert entry is not None and entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION


async def test_home_watches_all_zones_activity(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The home learns the activity of all zones together (warmed on their history) and has
    its own anomaly entities for unusual (in)activity."""
    from custom_components.iot_ml.const import HOME_KEY

    from .test_occupancy import _history

    freezer.move_to("2026-11-04 12:00:00+00:00")
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    coordinator: IotMlCoordinator = entry.runtime_data
    home = coordinator.zones[HOME_KEY].learner.anomalies.activity
    assert home is not None and home.config.inactivity  # the zones' detectors leave it out
    zone = coordinator.zones["zone0"].learner
    assert zone.anomalies.activity is not None and not zone.anomalies.activity.config.inactivity
    home.first_ts = None  # as before any history
    now = dt_util.utcnow().timestamp()
    zone.forget()
    zone.load_history(_history(now)["zone0"], now)
    coordinator._learn_home_activity()
    assert home.first_ts is not None
    assert home.rate(now + 15 * 3600) > home.rate(now)  # 19:00 local (busy) vs 04:00 (quiet)
    slot = coordinator.zones[HOME_KEY].last_activity_slot
    await _tick(hass, freezer)
    assert coordinator.zones[HOME_KEY].last_activity_slot != slot
    assert hass.states.get("binary_sensor.test_home_anomaly").state == STATE_OFF
    assert hass.states.get("event.test_home_anomaly") is not None
