"""Thermal learning in Home Assistant: rates, faults, smart climate and the plan_heating action."""

from datetime import timedelta
import math

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN, UnitOfTime
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.iot_ml.const import DOMAIN

from .conftest import (
    GAIN_C_PER_H,
    LIVING_ZONE,
    LOSS_PER_H,
    MIDDAY,
    SMALL_HOURS,
    make_entry,
    set_home_states,
    setup_entry,
    tick,
)

pytestmark = pytest.mark.usefixtures("no_recorder")


def _number(hass: HomeAssistant, entity_id: str) -> float:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return float(state.state)


async def test_thermal_entities_unknown_until_trained(hass: HomeAssistant) -> None:
    """Before a model exists the thermal entities say unknown."""
    set_home_states(hass)
    await setup_entry(hass, make_entry())
    for entity_id in (
        "sensor.living_room_heating_rate",
        "sensor.living_room_temperature_in_1_h",
        "binary_sensor.living_room_heating_fault",
    ):
        state = hass.states.get(entity_id)
        assert state is not None and state.state == STATE_UNKNOWN, entity_id


@pytest.mark.freeze_time(SMALL_HOURS)
@pytest.mark.usefixtures("thermal_home")
async def test_learned_rates(hass: HomeAssistant) -> None:
    """The rates and time constant come back close to the room's physics."""
    temperature = 20.5  # the climate entity's current temperature in the test home
    outdoor = 5.0 + 3 * math.sin(2 * math.pi * (12 * 3600) / 86400)
    loss = _number(hass, "sensor.living_room_heat_loss_rate")
    assert loss == pytest.approx(LOSS_PER_H * (temperature - outdoor), rel=0.35)
    heating = _number(hass, "sensor.living_room_heating_rate")
    assert heating == pytest.approx(GAIN_C_PER_H - LOSS_PER_H * (temperature - outdoor), rel=0.35)
    assert _number(hass, "sensor.living_room_thermal_time_constant") == pytest.approx(10, rel=0.5)
    # A duration in hours (HA converts it to the unit a user picks).
    tau = hass.states.get("sensor.living_room_thermal_time_constant").attributes
    assert tau["device_class"] == SensorDeviceClass.DURATION
    assert tau["unit_of_measurement"] == UnitOfTime.HOURS
    in_1h = _number(hass, "sensor.living_room_temperature_in_1_h")
    assert temperature - 2 < in_1h < temperature  # idle now: it cools a little
    minutes = _number(hass, "sensor.living_room_time_to_target")
    assert minutes == pytest.approx(60 * 0.5 / heating, abs=20)  # 20.5 -> 21 C
    assert hass.states.get("binary_sensor.living_room_heating_fault").state == STATE_OFF


@pytest.mark.freeze_time(SMALL_HOURS)
@pytest.mark.usefixtures("thermal_home")
async def test_heating_fault(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Heating for hours while the room cools as if it were off raises the fault; warming clears it."""
    fault = "binary_sensor.living_room_heating_fault"
    attributes = {"current_temperature": 19.0, "temperature": 21, "hvac_action": "heating"}
    temperature = 19.0
    for _ in range(36):
        temperature -= LOSS_PER_H * (temperature - 5.0) / 12
        hass.states.async_set(
            "climate.living", "heat", {**attributes, "current_temperature": temperature}
        )
        await tick(hass, freezer)
        if hass.states.get(fault).state == STATE_ON:
            break
    assert hass.states.get(fault).state == STATE_ON
    # The rate it expected: the heating-rate sensor's, for the cold room it is now.
    rate = hass.states.get(fault).attributes["learned_heating_rate"]
    assert rate == _number(hass, "sensor.living_room_heating_rate")
    assert rate == pytest.approx(GAIN_C_PER_H - LOSS_PER_H * (temperature - 5.0), rel=0.35)
    for _ in range(36):
        temperature += GAIN_C_PER_H / 12
        hass.states.async_set(
            "climate.living", "heat", {**attributes, "current_temperature": temperature}
        )
        await tick(hass, freezer)
        if hass.states.get(fault).state == STATE_OFF:
            break
    assert hass.states.get(fault).state == STATE_OFF


@pytest.mark.freeze_time(MIDDAY)  # 12:00 local: empty
@pytest.mark.usefixtures("thermal_home")
async def test_smart_climate(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Eco while the zone is empty; comfort when it fills; a hand on the thermostat pauses it."""
    set_temperature = async_mock_service(hass, "climate", "set_temperature")
    async_mock_service(hass, "climate", "set_hvac_mode")
    switch = "switch.living_room_smart_climate"
    assert hass.states.get(switch).state == STATE_OFF
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    await hass.async_block_till_done()
    assert set_temperature[-1].data["temperature"] == 17.0  # eco
    attributes = hass.states.get(switch).attributes
    assert attributes["reason"] == "setback"
    assert attributes["paused"] is False
    preheat = dt_util.parse_datetime(attributes["preheat_start"])
    arrival = dt_util.parse_datetime(attributes["predicted_arrival"])
    assert arrival is not None
    assert arrival.isoformat() == hass.states.get("sensor.living_room_next_arrival").state
    assert preheat is not None and dt_util.utcnow() < preheat < arrival
    assert hass.states.get("sensor.living_room_next_pre_heat_start").state == preheat.isoformat()
    # Someone turns it up by hand: paused, nothing sent.
    calls = len(set_temperature)
    hass.states.async_set(
        "climate.living",
        "heat",
        {**hass.states.get("climate.living").attributes, "temperature": 23},
        context=Context(),
    )
    await tick(hass, freezer)
    assert hass.states.get(switch).attributes["paused"] is True
    assert len(set_temperature) == calls
    # Motion: the zone becomes occupied, which ends the pause: comfort.
    hass.states.async_set("binary_sensor.living_motion", "on", {"device_class": "motion"})
    await tick(hass, freezer)
    await tick(hass, freezer)
    assert hass.states.get(switch).attributes["paused"] is False
    assert set_temperature[-1].data["temperature"] == 21.0


@pytest.mark.freeze_time(SMALL_HOURS)
@pytest.mark.usefixtures("thermal_home")
async def test_plan_heating_action(hass: HomeAssistant) -> None:
    """The plan starts late enough, reaches the target and says what it takes."""
    at = dt_util.utcnow() + timedelta(hours=6)
    plan = await hass.services.async_call(
        DOMAIN,
        "plan_heating",
        {"zone": "Living room", "target_temperature": 22, "at": at.isoformat()},
        blocking=True,
        return_response=True,
    )
    assert isinstance(plan, dict)
    assert plan["reachable"] is True
    start = dt_util.parse_datetime(plan["start"])
    assert start is not None and dt_util.utcnow() <= start < at
    # It heats from the start until the time asked for, and gets there just then.
    assert plan["heating_hours"] == (at - start).total_seconds() / 3600
    trajectory = plan["trajectory"]
    assert len(trajectory) == 72  # every 5 minutes for 6 h
    assert dt_util.parse_datetime(trajectory[-1]["datetime"]) == at
    assert trajectory[-1]["temperature"] == pytest.approx(22, abs=0.1)
    assert trajectory[0]["temperature"] < 20.5  # idle until the start: it cools first
    default = await hass.services.async_call(
        DOMAIN, "plan_heating", {"zone": "Living room"}, blocking=True, return_response=True
    )
    assert isinstance(default, dict) and default["target_temperature"] == 21.0
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "plan_heating",
            {"zone": "Living room", "at": (dt_util.utcnow() - timedelta(hours=1)).isoformat()},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "invalid_plan_time"


async def test_plan_heating_without_model(hass: HomeAssistant) -> None:
    """No thermal model yet: a translated validation error."""
    set_home_states(hass)
    await setup_entry(hass, make_entry())
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "plan_heating", {"zone": "Living room"}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "no_thermal_model"


@pytest.mark.freeze_time(SMALL_HOURS)
async def test_arrival_threshold_is_learned_and_kept(
    hass: HomeAssistant, thermal_home: MockConfigEntry
) -> None:
    """Training tunes the zone's pre-heat arrival threshold; it is saved with the zone."""
    from custom_components.iot_ml.engine.climate.tuning import THRESHOLDS

    entry = thermal_home
    learner = entry.runtime_data.coordinator.household.zones["zone0"].learner
    assert learner.arrival_threshold in THRESHOLDS
    # With presence trackers, one threshold while someone is home and one while nobody is.
    assert learner.home_thresholds is not None
    assert all(t in THRESHOLDS for t in learner.home_thresholds)
    meta, arrays = learner.export_state()
    assert meta["arrival_threshold"] == learner.arrival_threshold
    copy = type(learner)(list(learner.channels.values()), 7, learner.tz)
    copy.import_state(meta, arrays)
    assert copy.home_thresholds == learner.home_thresholds
    assert entry.runtime_data.coordinator.household.home_occupied() == 1.0  # person.alex is home


@pytest.mark.freeze_time(SMALL_HOURS)
async def test_thermal_model_updates_online(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, thermal_home: MockConfigEntry
) -> None:
    """Between nightly refits the model folds in new hours of data as they close."""
    entry = thermal_home
    learner = entry.runtime_data.coordinator.household.zones["zone0"].learner
    assert learner.thermal is not None
    before = learner.thermal.stats_slot
    temperature = 20.5
    for _ in range(40):
        temperature += GAIN_C_PER_H / 12 - LOSS_PER_H * (temperature - 5.0) / 12
        hass.states.async_set(
            "climate.living",
            "heat",
            {
                **hass.states.get("climate.living").attributes,
                "current_temperature": round(temperature, 2),
                "hvac_action": "heating",
            },
        )
        await tick(hass, freezer)
    assert learner.thermal.stats_slot > before
    assert learner.thermal.c("heat") == pytest.approx(GAIN_C_PER_H, rel=0.3)


@pytest.mark.freeze_time(MIDDAY)
async def test_window_contact_turns_smart_climate_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, thermal_home: MockConfigEntry
) -> None:
    """A zone's open window contact switches its heating off until it closes."""
    entry = thermal_home
    hass.states.async_set("binary_sensor.living_window", "off", {"device_class": "window"})
    subentry = next(iter(entry.subentries.values()))
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**LIVING_ZONE, "window_entities": ["binary_sensor.living_window"]}
    )
    await hass.async_block_till_done()
    await entry.runtime_data.coordinator.bootstrapped.wait()  # reloaded with the window contact
    modes = async_mock_service(hass, "climate", "set_hvac_mode")
    async_mock_service(hass, "climate", "set_temperature")
    switch = "switch.living_room_smart_climate"
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    hass.states.async_set("binary_sensor.living_window", "on", {"device_class": "window"})
    await tick(hass, freezer)
    assert hass.states.get(switch).attributes["window_open"] is True
    assert hass.states.get(switch).attributes["reason"] == "window_open"
    assert modes[-1].data["hvac_mode"] == "off"
