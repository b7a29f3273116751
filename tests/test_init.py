"""Setup, unload and reload of a home."""

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest

from custom_components.iot_ml.const import DOMAIN

from .conftest import set_home_states, setup_entry


async def test_setup_creates_devices_and_status(
    hass: HomeAssistant, mock_entry, no_recorder
) -> None:
    """A home with one zone gets two devices with status and occupancy entities."""
    set_home_states(hass)
    await setup_entry(hass, mock_entry)
    assert mock_entry.state is ConfigEntryState.LOADED
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), mock_entry.entry_id)
    assert sorted(d.name for d in devices) == ["Living room", "Test home"]
    entities = er.async_entries_for_config_entry(er.async_get(hass), mock_entry.entry_id)
    assert {e.translation_key for e in entities} == {
        "learning_status",
        "occupancy",
        "occupancy_probability",
        "occupancy_in",
        "next_arrival",
        "next_departure",
        "prediction_quality",
        "occupancy_lighting",
        "heating_rate",
        "loss_rate",
        "time_constant",
        "predicted_temperature",
        "time_to_target",
        "next_preheat",
        "heating_fault",
        "smart_climate",
        "anomaly",
        "anomaly_event",
        "anomaly_score",
        "security_alerts",
    }
    state = hass.states.get("sensor.living_room_learning_status")
    assert state is not None
    assert state.state == "collecting"
    # Seeded from the current states: one sample for each of the zone's 7 channels.
    assert state.attributes["samples"] == 7
    assert state.attributes["days_of_history"] == 0.0
    assert await hass.config_entries.async_unload(mock_entry.entry_id)
    assert mock_entry.state is ConfigEntryState.NOT_LOADED
    assert DOMAIN in hass.services.async_services()


async def test_sleep_in_event_loop_is_caught(hass: HomeAssistant) -> None:
    """The guard the suite relies on really fires for time.sleep in the loop."""
    import time

    with pytest.raises(RuntimeError, match="blocking call"):
        time.sleep(0)
