"""Every path of the config flow, options flow, reconfigure and the zone subentry flow."""

from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import area_registry as ar, device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.iot_ml.const import (
    CONF_AREA,
    CONF_CLIMATE,
    CONF_COMFORT_TEMPERATURE,
    CONF_ECO_TEMPERATURE,
    CONF_ENVIRONMENT,
    CONF_EVIDENCE,
    CONF_HISTORY_DAYS,
    CONF_LIGHTS,
    CONF_OUTDOOR,
    CONF_PRESENCE,
    CONF_TRAINING_TIME,
    CONF_WATCHED,
    CONF_ZONES_FROM_AREAS,
    DOMAIN,
    SUBENTRY_ZONE,
)
from custom_components.iot_ml.roles import device_class_of, fits_role

from .conftest import HOME_DATA, HOME_OPTIONS, LIVING_ZONE, make_entry, set_home_states, setup_entry

pytestmark = pytest.mark.usefixtures("no_recorder")

HOME_INPUT = {**HOME_DATA, **HOME_OPTIONS}


def _suggested(result: Any, key: str) -> Any:
    """The suggested value a form shows for ``key``."""
    for field in result["data_schema"].schema:
        if field == key:
            return (field.description or {}).get("suggested_value")
    raise KeyError(key)


async def _start(hass: HomeAssistant) -> Any:
    return await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})


# -- the home ----------------------------------------------------------------------------------


async def test_user_flow_creates_home_without_areas(hass: HomeAssistant) -> None:
    """No area has sensors: the home is created directly, wiring in data, tuning in options."""
    set_home_states(hass)
    result = await _start(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], HOME_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.data == HOME_DATA
    assert entry.options == HOME_OPTIONS
    assert entry.subentries == {}
    assert entry.title == hass.config.location_name


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({CONF_PRESENCE: ["person.nobody"]}, {CONF_PRESENCE: "entity_not_found"}),
        ({CONF_OUTDOOR: "sensor.missing"}, {CONF_OUTDOOR: "entity_not_found"}),
        ({CONF_OUTDOOR: "sensor.living_co2"}, {CONF_OUTDOOR: "invalid_outdoor"}),
        ({CONF_ECO_TEMPERATURE: 22.0}, {CONF_ECO_TEMPERATURE: "eco_above_comfort"}),
    ],
)
async def test_user_flow_errors(hass: HomeAssistant, changes: dict, errors: dict) -> None:
    """Bad input gets a clear error on its field and the form again, with the input kept."""
    set_home_states(hass)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**HOME_INPUT, **changes}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    key = next(iter(changes))
    assert _suggested(result, key) == changes[key]
    # Correcting it finishes the flow.
    result = await hass.config_entries.flow.async_configure(result["flow_id"], HOME_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_selectors_reject_wrong_domains(hass: HomeAssistant) -> None:
    """Domains are enforced by the form's selectors before our checks run."""
    set_home_states(hass)
    result = await _start(hass)
    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {**HOME_INPUT, CONF_PRESENCE: ["sensor.living_co2"]}
        )


async def test_weather_entity_is_an_outdoor_source(hass: HomeAssistant) -> None:
    """A weather entity is accepted as the outdoor temperature."""
    set_home_states(hass)
    hass.states.async_set("weather.home", "sunny", {"temperature": 4, "temperature_unit": "°C"})
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**HOME_INPUT, CONF_OUTDOOR: "weather.home"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].data[CONF_OUTDOOR] == "weather.home"


async def test_single_instance(hass: HomeAssistant) -> None:
    """A second home is refused."""
    make_entry().add_to_hass(hass)
    result = await _start(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "single_instance_allowed"


def _registry_home(hass: HomeAssistant) -> dict[str, str]:
    """Areas with entities in the registries, as a real home has; returns area ids by name."""
    areas = ar.async_get(hass)
    living = areas.async_create("Living room")
    kitchen = areas.async_create("Kitchen")
    attic = areas.async_create("Attic")
    ent = er.async_get(hass)
    devices = dr.async_get(hass)
    config_entry = MockConfigEntry(domain="test")
    config_entry.add_to_hass(hass)
    # Living room: a device in the area carrying motion, temperature and a diagnostic sensor.
    device = devices.async_get_or_create(
        config_entry_id=config_entry.entry_id, identifiers={("test", "living")}
    )
    devices.async_update_device(device.id, area_id=living.id)

    def add(domain: str, object_id: str, **kwargs: Any) -> str:
        entry = ent.async_get_or_create(
            domain, "test", object_id, suggested_object_id=object_id, **kwargs
        )
        return entry.entity_id

    add("binary_sensor", "living_motion", device_id=device.id, original_device_class="motion")
    add(
        "sensor",
        "living_temperature",
        device_id=device.id,
        original_device_class="temperature",
        unit_of_measurement="°C",
    )
    add(
        "sensor",
        "living_battery",
        device_id=device.id,
        entity_category=er.EntityCategory.DIAGNOSTIC,
        unit_of_measurement="%",
    )
    add(
        "sensor",
        "living_disabled",
        device_id=device.id,
        unit_of_measurement="°C",
        disabled_by=er.RegistryEntryDisabler.USER,
    )
    add("climate", "living", device_id=device.id)
    add("light", "living", device_id=device.id)
    # A sensor on the living room device but moved to another area is not the living room's.
    moved = add("sensor", "living_moved", device_id=device.id, unit_of_measurement="°C")
    ent.async_update_entity(moved, area_id=kitchen.id, name="Moved sensor")
    # Kitchen: entities assigned directly, with state-only attributes.
    add("media_player", "kitchen_radio")
    ent.async_update_entity("media_player.kitchen_radio", area_id=kitchen.id)
    co2 = add("sensor", "kitchen_co2", capabilities={"state_class": "measurement"})
    ent.async_update_entity(co2, area_id=kitchen.id)
    # Attic: a timestamp sensor only, so no occupancy evidence: not offered.
    stamp = add("sensor", "attic_last_seen", original_device_class="timestamp")
    ent.async_update_entity(stamp, area_id=attic.id)
    return {"living": living.id, "kitchen": kitchen.id, "attic": attic.id}


async def test_user_flow_offers_zones_for_areas(hass: HomeAssistant) -> None:
    """Areas with occupancy evidence are offered; ticked ones become pre-filled zones."""
    areas = _registry_home(hass)  # before the states, so registry ids are the plain ones
    set_home_states(hass)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], HOME_INPUT)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "zones"
    options = result["data_schema"].schema[CONF_ZONES_FROM_AREAS].config["options"]
    assert [o["value"] for o in options] == [areas["kitchen"], areas["living"]]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ZONES_FROM_AREAS: [areas["living"]]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    zones = list(result["result"].subentries.values())
    assert len(zones) == 1
    zone = zones[0]
    assert zone.subentry_type == SUBENTRY_ZONE
    assert zone.title == "Living room"
    assert zone.data == {
        CONF_NAME: "Living room",
        CONF_AREA: areas["living"],
        CONF_EVIDENCE: ["binary_sensor.living_motion"],
        CONF_ENVIRONMENT: ["sensor.living_temperature"],
        CONF_LIGHTS: ["light.living"],
        CONF_WATCHED: ["sensor.living_temperature"],
        CONF_CLIMATE: "climate.living",
    }


async def test_zone_from_area_that_vanished(hass: HomeAssistant) -> None:
    """An area deleted while the form was open still yields a zone named by its id."""
    areas = _registry_home(hass)  # before the states, so registry ids are the plain ones
    set_home_states(hass)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], HOME_INPUT)
    ar.async_get(hass).async_delete(areas["kitchen"])
    # The kitchen is no longer offered, so it is ignored; the living room is created.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ZONES_FROM_AREAS: [areas["kitchen"], areas["living"]]}
    )
    assert [z.title for z in result["result"].subentries.values()] == ["Living room"]


async def test_reconfigure(hass: HomeAssistant) -> None:
    """Reconfigure edits the wiring (data), validates it, and reloads the home."""
    set_home_states(hass)
    hass.states.async_set("person.kim", "not_home")
    entry = make_entry()
    await setup_entry(hass, entry)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert _suggested(result, CONF_PRESENCE) == ["person.alex"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PRESENCE: ["person.ghost"]}
    )
    assert result["errors"] == {CONF_PRESENCE: "entity_not_found"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PRESENCE: ["person.alex", "person.kim"]}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data == {CONF_PRESENCE: ["person.alex", "person.kim"]}
    assert entry.options == HOME_OPTIONS
    assert "person.kim" in {s.entity_id for s in entry.runtime_data.zones["home"].sources}


async def test_options_flow(hass: HomeAssistant) -> None:
    """Options edit comfort and learning settings, validated, and reload the home."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    assert _suggested(result, CONF_HISTORY_DAYS) == 7
    bad = {**HOME_OPTIONS, CONF_ECO_TEMPERATURE: 25.0}
    result = await hass.config_entries.options.async_configure(result["flow_id"], bad)
    assert result["errors"] == {CONF_ECO_TEMPERATURE: "eco_above_comfort"}
    new = {**HOME_OPTIONS, CONF_COMFORT_TEMPERATURE: 22.0, CONF_TRAINING_TIME: "02:00:00"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], new)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_COMFORT_TEMPERATURE] == 22.0
    assert entry.runtime_data.home.training_time.hour == 2


# -- zones (subentries) ------------------------------------------------------------------------


async def _zone_flow(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_ZONE), context={"source": SOURCE_USER}
    )


async def test_add_zone_with_area_prefill(hass: HomeAssistant) -> None:
    """Choosing an area pre-fills the entities step; the new zone gets a device after reload."""
    areas = _registry_home(hass)  # before the states, so registry ids are the plain ones
    set_home_states(hass)
    entry = make_entry(zones=[])
    await setup_entry(hass, entry)
    result = await _zone_flow(hass, entry)
    assert result["step_id"] == "user"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "  Kitchen ", CONF_AREA: areas["kitchen"]}
    )
    assert result["step_id"] == "entities"
    assert result["description_placeholders"] == {"zone": "Kitchen"}
    assert _suggested(result, CONF_EVIDENCE) == ["media_player.kitchen_radio"]
    assert _suggested(result, CONF_ENVIRONMENT) == ["sensor.kitchen_co2", "sensor.living_moved"]
    hass.states.async_set("media_player.kitchen_radio", "off")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_EVIDENCE: ["media_player.kitchen_radio"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    zone = next(iter(entry.subentries.values()))
    assert zone.title == "Kitchen"
    assert zone.data[CONF_AREA] == areas["kitchen"]
    assert zone.data[CONF_EVIDENCE] == ["media_player.kitchen_radio"]
    assert hass.states.get("sensor.kitchen_learning_status") is not None


async def test_add_zone_without_area(hass: HomeAssistant) -> None:
    """Without an area the entities step starts empty."""
    set_home_states(hass)
    entry = make_entry(zones=[])
    await setup_entry(hass, entry)
    result = await _zone_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Den"}
    )
    assert _suggested(result, CONF_EVIDENCE) is None
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_EVIDENCE: ["binary_sensor.living_motion"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_NAME: "Den",
        CONF_EVIDENCE: ["binary_sensor.living_motion"],
        CONF_ENVIRONMENT: [],
        CONF_LIGHTS: [],
        CONF_WATCHED: [],
    }


@pytest.mark.parametrize(
    ("name_input", "error"),
    [
        ({CONF_NAME: "   "}, {CONF_NAME: "name_required"}),
        ({CONF_NAME: "living ROOM"}, {"base": "duplicate_zone"}),
        ({CONF_NAME: "Lounge", CONF_AREA: "living_room"}, {"base": "duplicate_zone"}),
    ],
)
async def test_zone_name_errors(hass: HomeAssistant, name_input: dict, error: dict) -> None:
    """Empty names and duplicates (by name, case-insensitive, or by area) are refused."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    result = await _zone_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], name_input)
    assert result["step_id"] == "user"
    assert result["errors"] == error


@pytest.mark.parametrize(
    ("entities", "errors"),
    [
        ({CONF_EVIDENCE: []}, {"base": "no_evidence"}),
        ({CONF_EVIDENCE: ["binary_sensor.ghost"]}, {CONF_EVIDENCE: "entity_not_found"}),
        ({CONF_EVIDENCE: ["binary_sensor.window"]}, {CONF_EVIDENCE: "invalid_evidence"}),
        (
            {CONF_EVIDENCE: ["binary_sensor.living_motion"], CONF_ENVIRONMENT: ["sensor.text"]},
            {CONF_ENVIRONMENT: "invalid_environment"},
        ),
        (
            {CONF_EVIDENCE: ["binary_sensor.living_motion"], CONF_WATCHED: ["sensor.text"]},
            {CONF_WATCHED: "invalid_watched"},
        ),
        (
            {CONF_EVIDENCE: ["binary_sensor.living_motion"], CONF_CLIMATE: "climate.ghost"},
            {CONF_CLIMATE: "entity_not_found"},
        ),
    ],
)
async def test_zone_entity_errors(hass: HomeAssistant, entities: dict, errors: dict) -> None:
    """Each role checks existence and kind; a zone needs occupancy evidence."""
    set_home_states(hass)
    hass.states.async_set("binary_sensor.window", "off", {"device_class": "window"})
    hass.states.async_set("sensor.text", "hello")
    entry = make_entry(zones=[])
    await setup_entry(hass, entry)
    result = await _zone_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Den"}
    )
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], entities)
    assert result["step_id"] == "entities"
    assert result["errors"] == errors


async def test_reconfigure_zone(hass: HomeAssistant) -> None:
    """A zone's name and entities can be edited; errors are shown; the area is kept."""
    set_home_states(hass)
    other = {**LIVING_ZONE, CONF_NAME: "Office", CONF_AREA: "office"}
    entry = make_entry(zones=[LIVING_ZONE, other])
    await setup_entry(hass, entry)
    result = await entry.start_subentry_reconfigure_flow(hass, "zone0")
    assert result["step_id"] == "reconfigure"
    assert _suggested(result, CONF_NAME) == "Living room"
    form = {k: v for k, v in LIVING_ZONE.items() if k != CONF_AREA}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**form, CONF_NAME: " "}
    )
    assert result["errors"] == {CONF_NAME: "name_required"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**form, CONF_NAME: "office"}
    )
    assert result["errors"] == {"base": "duplicate_zone"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**form, CONF_EVIDENCE: []}
    )
    assert result["errors"] == {"base": "no_evidence"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**form, CONF_NAME: "Lounge", CONF_LIGHTS: []}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    zone = entry.subentries["zone0"]
    assert zone.title == "Lounge"
    assert zone.data[CONF_AREA] == "living_room"
    assert zone.data[CONF_LIGHTS] == []
    assert entry.runtime_data.zones["zone0"].name == "Lounge"


async def test_reconfigure_zone_without_area(hass: HomeAssistant) -> None:
    """A zone without an area stays without one."""
    set_home_states(hass)
    zone = {k: v for k, v in LIVING_ZONE.items() if k != CONF_AREA}
    entry = make_entry(zones=[zone])
    await setup_entry(hass, entry)
    result = await entry.start_subentry_reconfigure_flow(hass, "zone0")
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], zone)
    assert result["type"] is FlowResultType.ABORT
    assert CONF_AREA not in entry.subentries["zone0"].data


def test_fits_role_unknown_role_and_missing_entity(hass: HomeAssistant) -> None:
    """Unknown roles never fit; an entity known nowhere has no device class and is no sensor."""
    assert not fits_role(hass, "wardrobe", "sensor.anything")
    assert device_class_of(hass, "sensor.nowhere") is None
    assert not fits_role(hass, CONF_ENVIRONMENT, "sensor.nowhere")
