"""Diagnostics carry what an issue report needs and no personal names."""

import json

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from .conftest import make_entry, set_home_states, setup_entry

pytestmark = pytest.mark.usefixtures("no_recorder")


async def test_diagnostics_redacts_people(hass: HomeAssistant, hass_client) -> None:
    """Person entity ids and the home's title are redacted; zones and coverage are present."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diagnostics)
    assert "person.alex" not in text
    assert "Test home" not in text
    assert diagnostics["entry"]["data"]["presence_entities"] == "**REDACTED**"
    assert diagnostics["bootstrapped"] is True
    home = diagnostics["zones"]["home"]
    assert "presence_1" in home["channels"]
    zone = diagnostics["zones"]["zone0"]
    assert zone["state"] in ("collecting", "ready")
    assert zone["units"]["sensor.living_temperature"] == "°C"
    assert zone["channels"]["sensor.living_co2"]["samples"] == 1


async def test_diagnostics_show_what_zones_conclude(hass: HomeAssistant, freezer) -> None:
    """Trained zones report occupancy, thermal readings and their anomaly watch."""
    from custom_components.iot_ml.diagnostics import async_get_config_entry_diagnostics

    from .test_thermal import _thermal_home

    entry = await _thermal_home(hass, freezer)  # frozen clock: called directly, not over HTTP
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    zone = diagnostics["zones"]["zone0"]
    assert 0 <= zone["occupancy"]["probability"] <= 1
    assert set(zone["occupancy"]["horizons"]) == {30, 60, 120}
    assert zone["occupancy"]["quality"]["days"] >= 1
    assert zone["thermal"]["rates"]["heat_up_c_per_h"] > 0
    assert zone["thermal"]["decision"] in ("comfort", "preheat", "hold", "setback")
    assert zone["anomalies"]["watched"] == ["sensor.living_co2", "sensor.living_temperature"]
    assert zone["anomalies"]["open_episodes"] == []
    assert diagnostics["zones"]["home"]["thermal"] is None
