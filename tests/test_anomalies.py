"""Anomalies in Home Assistant: entities, events, feedback and security alerts."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.iot_ml.const import DOMAIN
from custom_components.iot_ml.coordinator import IotMlCoordinator
from custom_components.iot_ml.engine.anomaly.types import Episode, Kind
from custom_components.iot_ml.engine.anomaly.zone import AnomalyEvent

from .conftest import (
    SMALL_HOURS,
    WATCHED_TEMPERATURE as TEMPERATURE,
    make_entry,
    routine_history,
    set_home_states,
    setup_entry,
    tick,
)

pytestmark = pytest.mark.usefixtures("no_recorder")

EVENT = "event.living_room_anomaly"
PROBLEM = "binary_sensor.living_room_anomaly"


@pytest.mark.freeze_time(SMALL_HOURS)
@pytest.mark.usefixtures("entity_registry_enabled_by_default", "watched_home")
async def test_anomaly_entities(hass: HomeAssistant) -> None:
    """A zone with watched sensors gets a problem sensor, an event entity and score sensors."""
    assert hass.states.get(PROBLEM).state == STATE_OFF
    assert hass.states.get(EVENT).state == STATE_UNKNOWN
    assert set(hass.states.get(EVENT).attributes["event_types"]) >= {
        "spike",
        "stuck",
        "unusual_activity",
        "cleared",
    }
    # No reading since the detector learned: no score yet.
    assert hass.states.get("sensor.living_room_anomaly_score_living_temperature").state == (
        STATE_UNKNOWN
    )
    assert hass.states.get("switch.test_home_security_alerts").state == STATE_OFF


@pytest.mark.freeze_time(SMALL_HOURS)
@pytest.mark.usefixtures("entity_registry_enabled_by_default", "watched_home")
async def test_spike_fires_event_and_feedback(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A reading far outside the learned range opens an episode; feedback is accepted once known."""
    freezer.tick(timedelta(minutes=10))
    hass.states.async_set(
        TEMPERATURE, "35.0", {"device_class": "temperature", "unit_of_measurement": "°C"}
    )
    await hass.async_block_till_done()
    event = hass.states.get(EVENT)
    assert event.attributes["event_type"] == "spike"  # one reading, far above: not a shift
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
        await tick(hass, freezer)
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


@pytest.mark.freeze_time(SMALL_HOURS)
@pytest.mark.usefixtures("watched_home")
async def test_false_alarm_closes_open_episode(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Marking an open episode a false alarm ends it at once (the problem sensor turns off)."""
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


@pytest.mark.freeze_time(SMALL_HOURS)
async def test_security_alerts(hass: HomeAssistant, watched_home: MockConfigEntry) -> None:
    """Unusual activity notifies every target once per ten minutes; the phone's answer teaches."""
    coordinator: IotMlCoordinator = watched_home.runtime_data.coordinator
    notifications: list[tuple[str, dict[str, persistent_notification.Notification]]] = []

    @callback
    def _notified(kind: str, changed: dict[str, persistent_notification.Notification]) -> None:
        notifications.append((kind, changed))

    persistent_notification.async_register_callback(hass, _notified)
    send = async_mock_service(hass, "notify", "send_message")
    phone = async_mock_service(hass, "notify", "mobile_app_phone")
    now = dt_util.utcnow().timestamp()
    async_dispatcher_send(
        hass, coordinator.anomaly_signal, "zone0", _activity("zone0", now)
    )  # switched off: nothing
    await hass.async_block_till_done()
    assert not send and not phone
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.test_home_security_alerts"}, blocking=True
    )
    async_dispatcher_send(hass, coordinator.anomaly_signal, "zone0", _activity("zone0", now))
    await hass.async_block_till_done()
    episode_id = f"zone0:activity:unusual_activity:{int(now)}"
    title = "Unusual activity: Living room"
    message = "Activity in Living room at 04:00 while nobody is home."
    assert [call.data for call in send] == [
        {"entity_id": ["notify.family"], "title": title, "message": message}
    ]
    action = {"action": f"IOT_ML_FALSE_ALARM|{episode_id}", "title": "False alarm"}
    assert [call.data for call in phone] == [
        {"title": title, "message": message, "data": {"actions": [action]}}
    ]
    assert [(kind, list(changed)) for kind, changed in notifications] == [
        ("added", [f"{DOMAIN}_{episode_id}"])
    ]
    shown = notifications[0][1][f"{DOMAIN}_{episode_id}"]
    assert (shown["title"], shown["message"]) == (title, message)
    async_dispatcher_send(
        hass, coordinator.anomaly_signal, "zone0", _activity("zone0", now + 60)
    )  # within ten minutes
    await hass.async_block_till_done()
    assert len(send) == 1
    assert len(notifications) == 1
    state = hass.states.get("switch.test_home_security_alerts")
    assert state.attributes["suppressed"] == 1
    marked: list[tuple[str, str]] = []
    coordinator.mark_episode = lambda episode_id, verdict: marked.append((episode_id, verdict))  # type: ignore[method-assign]
    hass.bus.async_fire("mobile_app_notification_action", {"action": action["action"]})
    hass.bus.async_fire("mobile_app_notification_action", {"action": "SOMETHING_ELSE"})
    await hass.async_block_till_done()
    assert marked == [(episode_id, "false_alarm")]


async def test_score_sensors_disabled_by_default(hass: HomeAssistant) -> None:
    """Without the fixture that enables everything, the per-sensor scores are registered off."""
    from homeassistant.helpers import entity_registry as er

    set_home_states(hass)
    await setup_entry(hass, make_entry())
    entry = er.async_get(hass).async_get("sensor.living_room_anomaly_score_living_temperature")
    assert entry is not None and entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION


@pytest.mark.freeze_time(SMALL_HOURS)
async def test_home_watches_all_zones_activity(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The home learns the activity of all zones together (warmed on their history) and has
    its own anomaly entities for unusual (in)activity."""
    from custom_components.iot_ml.const import HOME_KEY
    from custom_components.iot_ml.engine.household import warm_home_activity

    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    coordinator: IotMlCoordinator = entry.runtime_data.coordinator
    home = coordinator.household.zones[HOME_KEY].learner.anomalies.activity
    assert home is not None and home.config.inactivity  # the zones' detectors leave it out
    zone = coordinator.household.zones["zone0"].learner
    assert zone.anomalies.activity is not None and not zone.anomalies.activity.config.inactivity
    home.first_ts = None  # as before any history
    now = dt_util.utcnow().timestamp()
    zone.forget()
    zone.load_history(routine_history(now)["zone0"], now)
    warm = coordinator.household.home_activity_history()
    assert warm is not None
    coordinator.household.install(HOME_KEY, warm_home_activity(*warm))
    home = coordinator.household.zones[HOME_KEY].learner.anomalies.activity
    assert home is not None and home.first_ts is not None
    assert home.rate(now + 15 * 3600) > home.rate(now)  # 19:00 local (busy) vs 04:00 (quiet)
    slot = coordinator.household.zones[HOME_KEY].last_activity_slot
    await tick(hass, freezer)
    assert coordinator.household.zones[HOME_KEY].last_activity_slot != slot
    assert hass.states.get("binary_sensor.test_home_anomaly").state == STATE_OFF
    assert hass.states.get("event.test_home_anomaly").state == STATE_UNKNOWN  # nothing fired
