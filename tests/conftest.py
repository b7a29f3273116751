"""Shared fixtures for iot_ml tests."""

from collections.abc import Generator
import threading
import time
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.util.loop import protect_loop
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

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
    SUBENTRY_ZONE,
)

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
    return make_entry()


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add and set up ``entry``, then wait for the background bootstrap and first training."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await entry.runtime_data.bootstrapped.wait()
    await hass.async_block_till_done()


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
