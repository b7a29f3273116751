"""Shared fixtures for iot_ml tests."""

from collections.abc import Callable, Generator
from datetime import datetime, timedelta
import math
import threading
import time
from typing import Any
from unittest.mock import PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_NAME, Platform
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.loop import protect_loop
import numpy as np
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

# Import our package before the hass fixture runs, so HA resolves `custom_components` to this
# repository and not to the test plugin's own (empty) one.
import custom_components.iot_ml  # noqa: F401
from custom_components.iot_ml.const import (
    CONF_AREA,
    CONF_CLIMATE,
    CONF_COMFORT_TEMPERATURE,
    CONF_DARK_LUX,
    CONF_ECO_TEMPERATURE,
    CONF_ENVIRONMENT,
    CONF_EVIDENCE,
    CONF_HISTORY_DAYS,
    CONF_HORIZONS,
    CONF_LIGHTS,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_OUTDOOR,
    CONF_PRESENCE,
    CONF_TRAINING_TIME,
    CONF_WATCHED,
    DOMAIN,
    HOME_KEY,
    PLATFORMS,
    SUBENTRY_ZONE,
)
from custom_components.iot_ml.engine.core.types import Series

# Times the trained-home fixtures are frozen at (``@pytest.mark.freeze_time``), UTC; the test
# home is in US/Pacific.
EVENING = "2026-11-04 06:00:00+00:00"  # 22:00 Pacific, Tuesday: the living room is in use
SMALL_HOURS = "2026-11-04 12:00:00+00:00"  # 04:00 Pacific: everyone asleep
MIDDAY = "2026-11-04 20:00:00+00:00"  # 12:00 Pacific, Wednesday: nobody home

# The two moments the platform snapshots are taken at, as parameters of a test.
SNAPSHOT_TIMES = [
    pytest.param(MIDDAY, id="midday", marks=pytest.mark.freeze_time(MIDDAY)),
    pytest.param(EVENING, id="evening", marks=pytest.mark.freeze_time(EVENING)),
]

ENTRY_ID = "01KBTESTHOME00000000000000"  # fixed: unique ids and snapshots carry it
MOTION = "binary_sensor.living_motion"
ROUTINE_DAYS = 10
CLIMATE_TEMPERATURE = "climate.living#current_temperature"
CLIMATE_ACTION = "climate.living#hvac_action"
LOSS_PER_H = 0.1  # 1/h towards outdoors
GAIN_C_PER_H = 2.0  # heater on full

LIVING_ZONE: dict[str, Any] = {
    CONF_NAME: "Living room",
    CONF_AREA: "living_room",
    CONF_EVIDENCE: ["binary_sensor.living_motion", "media_player.tv"],
    CONF_ENVIRONMENT: ["sensor.living_temperature", "sensor.living_co2"],
    CONF_CLIMATE: "climate.living",
    CONF_LIGHTS: ["light.living"],
    CONF_WATCHED: ["sensor.living_temperature", "sensor.living_co2"],
}

HOME_DATA = {CONF_PRESENCE: ["person.alex"], CONF_OUTDOOR: "sensor.outdoor_temperature"}
HOME_OPTIONS = {
    CONF_COMFORT_TEMPERATURE: 21.0,
    CONF_ECO_TEMPERATURE: 17.0,
    CONF_HISTORY_DAYS: 7,
    CONF_TRAINING_TIME: "03:30:00",
    CONF_HORIZONS: ["30", "60", "120"],
    CONF_DARK_LUX: 30.0,
    CONF_NOTIFY_ENTITIES: [],
    CONF_NOTIFY_SERVICES: [],
}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let HA load iot_ml from custom_components."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshots (registry entries and states without ids and times), kept in
    tests/snapshots/ as in HA core. phcc defines this fixture too, but syrupy's own wins there."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """A fresh config dir per test: learned arrays are files under .storage."""
    return hass_tmp_config_dir


@pytest.fixture(autouse=True)
def block_event_loop_io() -> Generator[None]:
    """Fail on time.sleep in the event loop, as production HA does (the test harness does not)."""
    guarded = protect_loop(time.sleep, loop_thread_id=threading.get_ident(), strict=True)
    with patch("time.sleep", guarded):
        yield


def set_home_states(hass: HomeAssistant) -> None:
    """States of the sensors the test home uses."""
    hass.states.async_set("person.alex", "home")
    hass.states.async_set(
        "sensor.outdoor_temperature",
        "5.0",
        {"device_class": "temperature", "unit_of_measurement": "°C", "state_class": "measurement"},
    )
    hass.states.async_set("binary_sensor.living_motion", "off", {"device_class": "motion"})
    hass.states.async_set("media_player.tv", "off")
    hass.states.async_set(
        "sensor.living_temperature",
        "20.5",
        {"device_class": "temperature", "unit_of_measurement": "°C", "state_class": "measurement"},
    )
    hass.states.async_set(
        "sensor.living_co2",
        "600",
        {
            "device_class": "carbon_dioxide",
            "unit_of_measurement": "ppm",
            "state_class": "measurement",
        },
    )
    hass.states.async_set(
        "climate.living",
        "heat",
        {
            "current_temperature": 20.5,
            "temperature": 21,
            "hvac_action": "idle",
            "hvac_modes": ["off", "heat"],
            "min_temp": 7,
            "max_temp": 30,
            "supported_features": 1,  # target temperature
        },
    )
    hass.states.async_set("light.living", "off")


def make_entry(zones: list[dict[str, Any]] | None = None, **kwargs: Any) -> MockConfigEntry:
    """A home entry with the given zone subentries (the living room by default)."""
    zones = [LIVING_ZONE] if zones is None else zones
    return MockConfigEntry(
        domain=DOMAIN,
        title="Test home",
        data=kwargs.pop("data", HOME_DATA),
        options=kwargs.pop("options", HOME_OPTIONS),
        subentries_data=[
            {
                "subentry_type": SUBENTRY_ZONE,
                "title": zone[CONF_NAME],
                "data": zone,
                "unique_id": None,
                "subentry_id": f"zone{i}",
            }
            for i, zone in enumerate(zones)
        ],
        **kwargs,
    )


@pytest.fixture
def mock_entry() -> MockConfigEntry:
    """The default test home."""
    return make_entry(entry_id=ENTRY_ID)


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add and set up ``entry``, then wait for the background bootstrap and first training."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await entry.runtime_data.coordinator.bootstrapped.wait()
    await hass.async_block_till_done()


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: int = 5) -> None:
    """Move the frozen clock on and let the 5-minute tick run."""
    freezer.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def routine(local: datetime) -> tuple[bool, bool]:
    """(someone home, someone in the living room) in the test household's week."""
    weekday, hour = local.weekday(), local.hour + local.minute / 60
    home = weekday >= 5 or not 8 <= hour < 17
    living = home and 18 <= hour < 23
    return home, living


def routine_history(end: float) -> dict[str, dict[str, Series]]:
    """Ten days of the routine as recorded step functions, per learner key and channel."""
    rng = np.random.default_rng(3)
    times = np.arange(end - ROUTINE_DAYS * 86400, end, 300.0)
    home, living, motion, tv = [], [], [], []
    for t in times:
        h, occ = routine(dt_util.as_local(dt_util.utc_from_timestamp(t)))
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


def zone_routine_history(end: float) -> dict[str, dict[str, Series]]:
    """The living room's part of the routine only (the home's trackers say nothing)."""
    return {"zone0": routine_history(end)["zone0"]}


def thermal_history(end: float, days: int = 10) -> tuple[dict[str, Series], Series]:
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
        CLIMATE_TEMPERATURE: Series(times.copy(), temperature),
        CLIMATE_ACTION: Series(times.copy(), heating),
    }
    return zone, Series(times.copy(), outdoor)


def thermal_routine_history(end: float) -> dict[str, dict[str, Series]]:
    """The routine plus ten days of heating in the living room and of outdoor temperature."""
    zone, outdoor = thermal_history(end)
    history = routine_history(end)
    return {
        HOME_KEY: {**history[HOME_KEY], "sensor.outdoor_temperature": outdoor},
        "zone0": {**history["zone0"], **zone},
    }


async def learn(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    histories: Callable[[float], dict[str, dict[str, Series]]],
) -> None:
    """Set ``entry`` up, give its learners ``histories(now)`` (by learner key) instead of what
    they collected, and train them with the train action."""
    await setup_entry(hass, entry)
    coordinator = entry.runtime_data.coordinator
    now = dt_util.utcnow().timestamp()
    for key, history in histories(now).items():
        learner = coordinator.household.zones[key].learner
        learner.forget()
        learner.load_history(history, now)
    await hass.services.async_call(
        DOMAIN, "train", {"config_entry_id": entry.entry_id}, blocking=True
    )
    await hass.async_block_till_done()


def _require_frozen_clock(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("freeze_time"), (
        f"{request.fixturename} needs @pytest.mark.freeze_time(...): what it learns depends on the time"
    )


@pytest.fixture
def platforms() -> list[Platform]:
    """The platforms the trained homes set up: all (a platform's tests override this)."""
    return list(PLATFORMS)


@pytest.fixture
async def trained_home(
    hass: HomeAssistant,
    request: pytest.FixtureRequest,
    mock_entry: MockConfigEntry,
    platforms: list[Platform],
) -> MockConfigEntry:
    """The test home with ten days of the routine learned (at the frozen time)."""
    _require_frozen_clock(request)
    set_home_states(hass)
    with patch("custom_components.iot_ml.PLATFORMS", platforms):
        await learn(hass, mock_entry, routine_history)
    return mock_entry


@pytest.fixture
async def thermal_home(
    hass: HomeAssistant,
    request: pytest.FixtureRequest,
    mock_entry: MockConfigEntry,
    platforms: list[Platform],
) -> MockConfigEntry:
    """The test home with ten days of heating and of the routine learned (at the frozen time)."""
    _require_frozen_clock(request)
    set_home_states(hass)
    with patch("custom_components.iot_ml.PLATFORMS", platforms):
        await learn(hass, mock_entry, thermal_routine_history)
    return mock_entry


WATCHED_TEMPERATURE = "sensor.living_temperature"
NOTIFY_OPTIONS = {
    **HOME_OPTIONS,
    CONF_NOTIFY_ENTITIES: ["notify.family"],
    CONF_NOTIFY_SERVICES: ["notify.mobile_app_phone"],
}


@pytest.fixture
async def watched_home(
    hass: HomeAssistant, request: pytest.FixtureRequest, platforms: list[Platform]
) -> MockConfigEntry:
    """The test home (with notify targets) whose living-room temperature detector learned ten
    normal days (at the frozen time)."""
    _require_frozen_clock(request)
    set_home_states(hass)
    entry = make_entry(entry_id=ENTRY_ID, options=NOTIFY_OPTIONS)
    with patch("custom_components.iot_ml.PLATFORMS", platforms):
        await setup_entry(hass, entry)
    now = dt_util.utcnow().timestamp()
    times = np.arange(now - 10 * 86400, now, 600.0)
    rng = np.random.default_rng(5)
    values = 20.5 + np.sin(2 * math.pi * times / 86400) + rng.normal(0, 0.1, len(times))
    learner = entry.runtime_data.coordinator.household.zones["zone0"].learner
    learner.learn_anomaly_history({WATCHED_TEMPERATURE: Series(times, values)})
    return entry


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create entities that are disabled by default as enabled (to test their states)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def no_recorder() -> Generator[None]:
    """Nothing special: setup works without the recorder (live-only)."""
    with patch("custom_components.iot_ml.history.get_instance") as get_instance:
        yield
        get_instance.assert_not_called()
