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
