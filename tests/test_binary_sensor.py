"""Snapshots of the binary sensors of a trained home: occupancy, heating fault, anomaly."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from .conftest import SNAPSHOT_TIMES

pytestmark = pytest.mark.usefixtures("no_recorder")


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the binary_sensor platform."""
    return [Platform.BINARY_SENSOR]


@pytest.mark.parametrize("at", SNAPSHOT_TIMES)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    thermal_home: MockConfigEntry,
    at: str,
) -> None:
    """Every binary sensor of the home and the living room: at midday (nobody home) and in the
    evening (the living room in use)."""
    await snapshot_platform(hass, entity_registry, snapshot, thermal_home.entry_id)
