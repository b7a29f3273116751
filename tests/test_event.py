"""Snapshots of the anomaly event entities: registered, then firing on a spike and its end."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from .conftest import SMALL_HOURS, WATCHED_TEMPERATURE, tick

pytestmark = [pytest.mark.usefixtures("no_recorder"), pytest.mark.freeze_time(SMALL_HOURS)]

EVENT = "event.living_room_anomaly"
TEMPERATURE_ATTRIBUTES = {"device_class": "temperature", "unit_of_measurement": "°C"}


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the event platform."""
    return [Platform.EVENT]


async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    watched_home: MockConfigEntry,
) -> None:
    """The home's and the living room's anomaly events, before anything happened."""
    await snapshot_platform(hass, entity_registry, snapshot, watched_home.entry_id)


async def test_spike_and_cleared(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
    watched_home: MockConfigEntry,
) -> None:
    """35 °C in a room that learned 20.5 ± 1 °C fires the episode's kind; back to normal for
    half an hour fires ``cleared`` for the same episode."""
    freezer.tick(timedelta(minutes=10))
    hass.states.async_set(WATCHED_TEMPERATURE, "35.0", TEMPERATURE_ATTRIBUTES)
    await hass.async_block_till_done()
    assert hass.states.get(EVENT) == snapshot(name="spike")
    for _ in range(6):
        hass.states.async_set(WATCHED_TEMPERATURE, "20.6", TEMPERATURE_ATTRIBUTES)
        await tick(hass, freezer)
        hass.states.async_set(WATCHED_TEMPERATURE, "20.5", TEMPERATURE_ATTRIBUTES)
        await hass.async_block_till_done()
    assert hass.states.get(EVENT) == snapshot(name="cleared")
