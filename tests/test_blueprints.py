"""The shipped blueprints are valid Home Assistant blueprints and do what they say."""

from datetime import timedelta
from pathlib import Path
import shutil

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed, async_mock_service

BLUEPRINTS = Path(__file__).parents[1] / "blueprints"


@pytest.mark.parametrize("path", sorted(BLUEPRINTS.rglob("*.yaml")), ids=lambda p: p.name)
def test_blueprint_is_valid(path: Path) -> None:
    """Each file passes Home Assistant's blueprint schema."""
    blueprint = models.Blueprint(
        load_yaml_dict(str(path)), expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA
    )
    assert blueprint.domain == "automation"
    assert blueprint.inputs


async def _automation(hass: HomeAssistant, name: str, inputs: dict[str, object]) -> None:
    target = Path(hass.config.path("blueprints", "automation", "iot_ml"))
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(BLUEPRINTS / "automation" / "iot_ml" / name, target / name)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "test",
                "use_blueprint": {"path": f"iot_ml/{name}", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()


async def test_occupancy_lighting_blueprint(hass: HomeAssistant) -> None:
    """On in the dark when the zone is entered; nothing in daylight; off when confidently empty."""
    hass.states.async_set("binary_sensor.den_occupancy", "off", {"device_class": "occupancy"})
    hass.states.async_set("sensor.den_occupancy_probability", "10")
    hass.states.async_set("sensor.den_lux", "300", {"device_class": "illuminance"})
    turn_on = async_mock_service(hass, "light", "turn_on")
    turn_off = async_mock_service(hass, "light", "turn_off")
    await _automation(
        hass,
        "occupancy_lighting.yaml",
        {
            "occupancy": "binary_sensor.den_occupancy",
            "probability": "sensor.den_occupancy_probability",
            "lights": {"entity_id": "light.den"},
            "illuminance": "sensor.den_lux",
        },
    )
    hass.states.async_set("sensor.den_occupancy_probability", "90")
    hass.states.async_set("binary_sensor.den_occupancy", "on", {"device_class": "occupancy"})
    await hass.async_block_till_done()
    assert not turn_on  # 300 lx is not dark
    hass.states.async_set("binary_sensor.den_occupancy", "off", {"device_class": "occupancy"})
    hass.states.async_set("sensor.den_lux", "5", {"device_class": "illuminance"})
    hass.states.async_set("binary_sensor.den_occupancy", "on", {"device_class": "occupancy"})
    await hass.async_block_till_done()
    assert [c.data["entity_id"] for c in turn_on] == [["light.den"]]
    hass.states.async_set("sensor.den_occupancy_probability", "40")
    await hass.async_block_till_done()
    assert not turn_off  # not confidently empty yet
    hass.states.async_set("sensor.den_occupancy_probability", "12")
    await hass.async_block_till_done()
    assert [c.data["entity_id"] for c in turn_off] == [["light.den"]]


async def test_notify_on_anomaly_blueprint(hass: HomeAssistant) -> None:
    """An anomaly event notifies with its episode id; 'cleared' and unchosen kinds do not."""
    hass.states.async_set("event.den_anomaly", "unknown", {"event_type": None})
    hass.states.async_set("sensor.den_temperature", "21", {"friendly_name": "Den temperature"})
    sent = async_mock_service(hass, "notify", "phone")
    await _automation(
        hass,
        "notify_on_anomaly.yaml",
        {
            "anomaly_events": ["event.den_anomaly"],
            "kinds": ["spike", "stuck"],
            "notify_action": "notify.phone",
        },
    )
    base = {"sensor": "sensor.den_temperature", "expected_low": 19.0, "expected_high": 22.5}
    for ts, kind in (("01", "spike"), ("02", "cleared"), ("03", "dropout")):
        hass.states.async_set(
            "event.den_anomaly",
            f"2026-11-27T10:00:{ts}+00:00",
            {**base, "event_type": kind, "value": 35.0, "episode_id": f"ep-{kind}"},
        )
        await hass.async_block_till_done()
    assert len(sent) == 1
    assert "spike" in sent[0].data["title"]
    assert "Den temperature reads 35.0" in sent[0].data["message"]
    assert "ep-spike" in sent[0].data["message"]


async def test_preheat_blueprint(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Comfort at the pre-heat start; eco once the zone has been empty for half an hour."""
    freezer.move_to("2026-11-27 10:00:00+00:00")
    hass.states.async_set(
        "sensor.den_next_pre_heat_start", "2026-11-27T10:05:00+00:00", {"device_class": "timestamp"}
    )
    hass.states.async_set("sensor.den_occupancy_probability", "60")
    calls = async_mock_service(hass, "climate", "set_temperature")
    await _automation(
        hass,
        "preheat_before_arrival.yaml",
        {
            "preheat_start": "sensor.den_next_pre_heat_start",
            "probability": "sensor.den_occupancy_probability",
            "thermostat": "climate.den",
        },
    )
    freezer.move_to("2026-11-27 10:05:01+00:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [c.data["temperature"] for c in calls] == [21]
    hass.states.async_set("sensor.den_occupancy_probability", "5")
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [c.data["temperature"] for c in calls] == [21, 17]
