"""Thermal learning in Home Assistant: rates, faults, smart climate and the plan_heating action."""

from datetime import timedelta
import math

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import numpy as np
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.iot_ml.const import DOMAIN, HOME_KEY
from custom_components.iot_ml.engine.core.types import Series

from .conftest import make_entry, set_home_states, setup_entry
from .test_occupancy import _history as occupancy_history, _tick, learn

pytestmark = pytest.mark.usefixtures("no_recorder")

TEMPERATURE = "climate.living#current_temperature"
ACTION = "climate.living#hvac_action"
LOSS_PER_H = 0.1  # 1/h towards outdoors
GAIN_C_PER_H = 2.0  # heater on full


def _thermal_history(end: float, days: int = 10) -> tuple[dict[str, Series], Series]:
    """A room heated by a thermostat (21 C by day, 17 C at night) against a cold outdoors."""
    times = np.arange(end - days * 86400, end, 300.0)
    outdoor = 5 + 3 * np.sin(2 * math.pi * (times % 86400) / 86400)
    temperature, heating = np.empty(len(times)), np.empty(len(times))
    t, on = 18.0, 0.0
    for i, ts in enumerate(times):
        hour = dt_util.as_local(dt_util.utc_from_timestamp(ts)).hour
        setpoint = 21.0 if 6 <= hour < 22 else 17.0
        on = 1.0 if t < setpoint - 0.3 else 0.0 if t > setpoint + 0.3 else on
        temperature[i], heating[i] = t, on
        t += (LOSS_PER_H * (outdoor[i] - t) + GAIN_C_PER_H * on) / 12
    zone = {
        TEMPERATURE: Series(times.copy(), temperature),
        ACTION: Series(times.copy(), heating),
    }
    return zone, Series(times.copy(), outdoor)


async def _thermal_home(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, at: str = "2026-11-04 12:00:00+00:00"
) -> MockConfigEntry:
    """The test home with ten days of heating (and the living room's routine) learned."""
    freezer.move_to(at)
    set_home_states(hass)
    entry = make_entry()

    def histories(now: float) -> dict[str, dict[str, Series]]:
        zone, outdoor = _thermal_history(now)
        history = occupancy_history(now)
        return {
            HOME_KEY: {**history[HOME_KEY], "sensor.outdoor_temperature": outdoor},
            "zone0": {**history["zone0"], **zone},
        }

    await learn(hass, entry, histories)
    return entry


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


async def test_learned_rates(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The rates and time constant come back close to the room's physics."""
    await _thermal_home(hass, freezer)
    temperature = 20.5  # the climate entity's current temperature in the test home
    outdoor = 5.0 + 3 * math.sin(2 * math.pi * (12 * 3600) / 86400)
    loss = _number(hass, "sensor.living_room_heat_loss_rate")
    assert loss == pytest.approx(LOSS_PER_H * (temperature - outdoor), rel=0.35)
    heating = _number(hass, "sensor.living_room_heating_rate")
    assert heating == pytest.approx(GAIN_C_PER_H - LOSS_PER_H * (temperature - outdoor), rel=0.35)
    assert _number(hass, "sensor.living_room_thermal_time_constant") == pytest.approx(10, rel=0.5)
    in_1h = _number(hass, "sensor.living_room_temperature_in_1_h")
    assert temperature - 2 < in_1h < temperature  # idle now: it cools a little
    minutes = _number(hass, "sensor.living_room_time_to_target")
    assert minutes == pytest.approx(60 * 0.5 / heating, abs=20)  # 20.5 -> 21 C
    assert hass.states.get("binary_sensor.living_room_heating_fault").state == STATE_OFF


async def test_heating_fault(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Heating for hours while the room cools as if it were off raises the fault; warming clears it."""
    await _thermal_home(hass, freezer)
    fault = "binary_sensor.living_room_heating_fault"
    attributes = {"current_temperature": 19.0, "temperature": 21, "hvac_action": "heating"}
    temperature = 19.0
    for _ in range(36):
        temperature -= LOSS_PER_H * (temperature - 5.0) / 12
        hass.states.async_set(
            "climate.living", "heat", {**attributes, "current_temperature": temperature}
        )
        await _tick(hass, freezer)
        if hass.states.get(fault).state == STATE_ON:
            break
    assert hass.states.get(fault).state == STATE_ON
    assert hass.states.get(fault).attributes["learned_heating_rate"] > 0
    for _ in range(36):
        temperature += GAIN_C_PER_H / 12
        hass.states.async_set(
            "climate.living", "heat", {**attributes, "current_temperature": temperature}
        )
        await _tick(hass, freezer)
        if hass.states.get(fault).state == STATE_OFF:
            break
    assert hass.states.get(fault).state == STATE_OFF


async def test_smart_climate(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Eco while the zone is empty; comfort when it fills; a hand on the thermostat pauses it."""
    await _thermal_home(hass, freezer, at="2026-11-04 20:00:00+00:00")  # 12:00 local: empty
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
    assert preheat is not None and arrival is not None and preheat < arrival
    assert hass.states.get("sensor.living_room_next_pre_heat_start").state == preheat.isoformat()
    # Someone turns it up by hand: paused, nothing sent.
    calls = len(set_temperature)
    hass.states.async_set(
        "climate.living",
        "heat",
        {**hass.states.get("climate.living").attributes, "temperature": 23},
        context=Context(),
    )
    await _tick(hass, freezer)
    assert hass.states.get(switch).attributes["paused"] is True
    assert len(set_temperature) == calls
    # Motion: the zone becomes occupied, which ends the pause: comfort.
    hass.states.async_set("binary_sensor.living_motion", "on", {"device_class": "motion"})
    await _tick(hass, freezer)
    await _tick(hass, freezer)
    assert hass.states.get(switch).attributes["paused"] is False
    assert set_temperature[-1].data["temperature"] == 21.0


async def test_plan_heating_action(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The plan starts late enough, reaches the target and says what it takes."""
    await _thermal_home(hass, freezer)
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
    assert plan["trajectory"][-1]["temperature"] >= 21.5
    assert 0 < plan["heating_hours"] <= 6
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


async def test_arrival_threshold_is_learned_and_kept(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Training tunes the zone's pre-heat arrival threshold; it is saved with the zone."""
    from custom_components.iot_ml.engine.climate.tuning import THRESHOLDS

    entry = await _thermal_home(hass, freezer)
    learner = entry.runtime_data.zones["zone0"].learner
    assert learner.arrival_threshold in THRESHOLDS
    # With presence trackers, one threshold while someone is home and one while nobody is.
    assert learner.home_thresholds is not None
    assert all(t in THRESHOLDS for t in learner.home_thresholds)
    meta, arrays = learner.export_state()
    assert meta["arrival_threshold"] == learner.arrival_threshold
    copy = type(learner)(list(learner.channels.values()), 7, learner.tz)
    copy.import_state(meta, arrays)
    assert copy.home_thresholds == learner.home_thresholds
    assert entry.runtime_data._home_occupied() == 1.0  # person.alex is home


async def test_thermal_model_updates_online(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Between nightly refits the model folds in new hours of data as they close."""
    entry = await _thermal_home(hass, freezer)
    learner = entry.runtime_data.zones["zone0"].learner
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
        await _tick(hass, freezer)
    assert learner.thermal.stats_slot > before
    assert learner.thermal.c("heat") == pytest.approx(GAIN_C_PER_H, rel=0.3)


async def test_window_contact_turns_smart_climate_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A zone's open window contact switches its heating off until it closes."""
    from .conftest import LIVING_ZONE

    entry = await _thermal_home(hass, freezer, at="2026-11-04 20:00:00+00:00")
    hass.states.async_set("binary_sensor.living_window", "off", {"device_class": "window"})
    subentry = next(iter(entry.subentries.values()))
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**LIVING_ZONE, "window_entities": ["binary_sensor.living_window"]}
    )
    await hass.async_block_till_done()
    await entry.runtime_data.bootstrapped.wait()  # reloaded with the window contact
    modes = async_mock_service(hass, "climate", "set_hvac_mode")
    async_mock_service(hass, "climate", "set_temperature")
    switch = "switch.living_room_smart_climate"
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    hass.states.async_set("binary_sensor.living_window", "on", {"device_class": "window"})
    await _tick(hass, freezer)
    assert hass.states.get(switch).attributes["window_open"] is True
    assert hass.states.get(switch).attributes["reason"] == "window_open"
    assert modes[-1].data["hvac_mode"] == "off"
