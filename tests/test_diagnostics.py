"""Diagnostics carry what an issue report needs and no personal names."""

import json

from homeassistant.const import CONF_NAME, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.iot_ml.const import (
    CONF_AREA,
    CONF_ENVIRONMENT,
    CONF_EVIDENCE,
    CONF_HISTORY_DAYS,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_OUTDOOR,
    CONF_PRESENCE,
    CONF_WATCHED,
)

from .conftest import (
    HOME_DATA,
    HOME_OPTIONS,
    LIVING_ZONE,
    SMALL_HOURS,
    SNAPSHOT_TIMES,
    make_entry,
    set_home_states,
    setup_entry,
)

pytestmark = pytest.mark.usefixtures("no_recorder")


async def test_diagnostics_redact_people_and_places(hass: HomeAssistant, hass_client) -> None:
    """Entity ids, notify actions, zone names, areas and the home's title are replaced by
    placeholders used consistently; domains, device classes, units and counts stay."""
    set_home_states(hass)
    hass.states.async_set("notify.family_group", "unknown")
    entry = make_entry(
        options={
            **HOME_OPTIONS,
            CONF_NOTIFY_ENTITIES: ["notify.family_group"],
            CONF_NOTIFY_SERVICES: ["notify.mobile_app_alexs_phone", "notify.telegram_alex"],
        }
    )
    await setup_entry(hass, entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diagnostics)
    zone = LIVING_ZONE
    names = [*HOME_DATA[CONF_PRESENCE], HOME_DATA[CONF_OUTDOOR], "Test home", zone[CONF_NAME]]
    names += ["living", "alex", "family", "phone", "telegram", zone[CONF_AREA]]
    assert [n for n in names if n.casefold() in text.casefold()] == []

    config = diagnostics["entry"]
    assert config["title"] == "**REDACTED**"
    assert config["data"] == {
        CONF_PRESENCE: ["person.entity_1"],
        CONF_OUTDOOR: "sensor.entity_2",
    }
    assert config["options"][CONF_NOTIFY_ENTITIES] == ["notify.entity_3"]
    # Whether an action is a mobile app matters (the False alarm button); whose it is does not.
    assert config["options"][CONF_NOTIFY_SERVICES] == ["notify.mobile_app_1", "notify.action_1"]
    assert config["options"][CONF_HISTORY_DAYS] == HOME_OPTIONS[CONF_HISTORY_DAYS]
    (zone_config,) = config["zones"]
    assert zone_config[CONF_NAME] == "zone_1"
    assert zone_config[CONF_AREA] == "area_1"
    assert zone_config[CONF_EVIDENCE] == ["binary_sensor.entity_4", "media_player.entity_5"]
    temperature = zone_config[CONF_ENVIRONMENT][0]
    assert temperature.startswith("sensor.entity_")
    assert zone_config[CONF_WATCHED][0] == temperature  # the same entity, the same placeholder

    assert set(diagnostics["zones"]) == {"home", "zone_1"}
    assert diagnostics["bootstrapped"] is True
    home = diagnostics["zones"]["home"]
    assert set(home["channels"]) == {"person.entity_1", "sensor.entity_2"}
    living = diagnostics["zones"]["zone_1"]
    assert living["state"] == "collecting"  # one reading per sensor so far
    assert living["units"][temperature] == "°C"
    assert living["channels"][temperature]["samples"] == 1
    assert temperature in living["anomalies"]["watched"]
    assert any(key.endswith("#current_temperature") for key in living["channels"])
    facts = diagnostics["entities"]
    assert facts[temperature] == {
        "device_class": "temperature",
        "unit_of_measurement": "°C",
        "state_class": "measurement",
        "state": "reporting",
    }
    assert facts["notify.entity_3"]["state"] == STATE_UNKNOWN
    assert facts["person.entity_1"]["device_class"] is None


@pytest.mark.freeze_time(SMALL_HOURS)
async def test_diagnostics_show_what_zones_conclude(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, thermal_home: MockConfigEntry
) -> None:
    """Trained zones report occupancy, thermal readings and their anomaly watch; they agree
    with the zone's entities."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, thermal_home)
    zone = diagnostics["zones"]["zone_1"]
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
    assert len(zone["anomalies"]["watched"]) == 2  # CO2 and temperature
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
