"""Diagnostics carry what an issue report needs and no personal names."""

import json

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from .conftest import SMALL_HOURS, SNAPSHOT_TIMES, make_entry, set_home_states, setup_entry

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
    assert zone["state"] == "collecting"  # one reading per sensor so far
    assert zone["units"]["sensor.living_temperature"] == "°C"
    assert zone["channels"]["sensor.living_co2"]["samples"] == 1


@pytest.mark.freeze_time(SMALL_HOURS)
async def test_diagnostics_show_what_zones_conclude(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, thermal_home: MockConfigEntry
) -> None:
    """Trained zones report occupancy, thermal readings and their anomaly watch; they agree
    with the zone's entities."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, thermal_home)
    zone = diagnostics["zones"]["zone0"]
    occupancy = zone["occupancy"]
    # 04:00: nobody in the living room.
    assert occupancy["probability"] < 0.05
    shown = float(hass.states.get("sensor.living_room_occupancy_probability").state)
    assert 100 * occupancy["probability"] == pytest.approx(shown, abs=0.06)  # both rounded
    assert set(occupancy["horizons"]) == {"30", "60", "120"}  # keys are strings in JSON
    quality = hass.states.get("sensor.living_room_prediction_quality").attributes
    # Scored by whole local days: at 04:00 today is too short to count.
    assert occupancy["quality"]["days"] == quality["days_evaluated"] == 4
    rates = zone["thermal"]["rates"]
    assert round(rates["heat_up_c_per_h"], 2) == float(
        hass.states.get("sensor.living_room_heating_rate").state
    )
    assert zone["thermal"]["decision"] == "setback"  # empty, arrival far off: eco
    assert zone["anomalies"]["watched"] == ["sensor.living_co2", "sensor.living_temperature"]
    assert zone["anomalies"]["open_episodes"] == []
    assert diagnostics["zones"]["home"]["thermal"] is None


@pytest.mark.parametrize("at", SNAPSHOT_TIMES)
async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
    thermal_home: MockConfigEntry,
    at: str,
) -> None:
    """Everything diagnostics report for a trained home, as the download returns it."""
    assert await get_diagnostics_for_config_entry(hass, hass_client, thermal_home) == snapshot
