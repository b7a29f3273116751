"""Snapshots of the switches of a trained home: occupancy lighting, smart climate, security alerts."""

from homeassistant.const import SERVICE_TURN_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from .conftest import SNAPSHOT_TIMES

pytestmark = pytest.mark.usefixtures("no_recorder")


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the switch platform."""
    return [Platform.SWITCH]


@pytest.mark.parametrize("at", SNAPSHOT_TIMES)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    thermal_home: MockConfigEntry,
    at: str,
) -> None:
    """Every switch of the home and the living room, all off (opt-in): at midday (nobody home)
    and in the evening (the living room in use)."""
    await snapshot_platform(hass, entity_registry, snapshot, thermal_home.entry_id)


@pytest.mark.parametrize("at", SNAPSHOT_TIMES)
async def test_switched_on(
    hass: HomeAssistant,
    snapshot: SnapshotAssertion,
    thermal_home: MockConfigEntry,
    at: str,
) -> None:
    """Turned on, the switches act on the moment: eco sent at midday, nothing in the evening
    (the thermostat is already at comfort, the light waits for an arrival); their states then."""
    sent = {
        (domain, service): async_mock_service(hass, domain, service)
        for domain, service in (
            ("climate", "set_temperature"),
            ("climate", "set_hvac_mode"),
            ("light", "turn_on"),
            ("light", "turn_off"),
        )
    }
    switches = sorted(state.entity_id for state in hass.states.async_all("switch"))
    assert switches == [
        "switch.living_room_occupancy_lighting",
        "switch.living_room_smart_climate",
        "switch.test_home_security_alerts",
    ]
    await hass.services.async_call(
        "switch", SERVICE_TURN_ON, {"entity_id": switches}, blocking=True
    )
    await hass.async_block_till_done()
    assert [hass.states.get(entity_id) for entity_id in switches] == snapshot(name="states")
    assert {
        f"{domain}.{service}": [dict(call.data) for call in found]
        for (domain, service), found in sent.items()
    } == snapshot(name="calls")
