"""Every path of the config flow, options flow, reconfigure, the zone subentry flow, and roles."""

from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import area_registry as ar, device_registry as dr, entity_registry as er
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.iot_ml.config_flow import _validate_zone_entities
from custom_components.iot_ml.const import (
    CONF_AREA,
    CONF_CLIMATE,
    CONF_COMFORT_TEMPERATURE,
    CONF_DARK_LUX,
    CONF_ECO_TEMPERATURE,
    CONF_ENVIRONMENT,
    CONF_EVIDENCE,
    CONF_HISTORY_DAYS,
    CONF_HORIZONS,
    CONF_LIGHTS,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_OUTDOOR,
    CONF_PRESENCE,
    CONF_SENSITIVITY,
    CONF_TRAINING_TIME,
    CONF_WATCHED,
    CONF_WINDOWS,
    CONF_ZONES_FROM_AREAS,
    DEFAULT_COMFORT_TEMPERATURE,
    DEFAULT_DARK_LUX,
    DEFAULT_ECO_TEMPERATURE,
    DEFAULT_HISTORY_DAYS,
    DEFAULT_HORIZONS,
    DEFAULT_TRAINING_TIME,
    DOMAIN,
    SUBENTRY_ZONE,
)
from custom_components.iot_ml.roles import (
    area_entities,
    areas_with_evidence,
    device_class_of,
    entity_exists,
    fits_role,
    suggest_zone,
)

from .conftest import HOME_DATA, HOME_OPTIONS, LIVING_ZONE, make_entry, set_home_states, setup_entry

pytestmark = pytest.mark.usefixtures("no_recorder")

HOME_INPUT = {**HOME_DATA, **HOME_OPTIONS}
MOTION = "binary_sensor.living_motion"


# -- helpers -----------------------------------------------------------------------------------


async def _assert_translated(hass: HomeAssistant, flow: str, errors: dict[str, str]) -> None:
    """Every error a form shows has English text (HA shows the raw key otherwise).

    ``flow``: ``config``, ``options`` or ``config_subentries.zone``.
    """
    category = flow.split(".", 1)[0]
    strings = await async_get_translations(hass, "en", category, [DOMAIN])
    missing = [e for e in errors.values() if f"component.{DOMAIN}.{flow}.error.{e}" not in strings]
    assert not missing, f"{flow} errors without text: {missing}"


def _suggested(result: Any, key: str) -> Any:
    """The suggested value a form shows for ``key``."""
    for field in result["data_schema"].schema:
        if field == key:
            return (field.description or {}).get("suggested_value")
    raise KeyError(key)


def _selector_options(result: Any, key: str) -> list[Any]:
    """The options a form's select field offers for ``key``."""
    for field, validator in result["data_schema"].schema.items():
        if field == key:
            return list(validator.config["options"])
    raise KeyError(key)


def _default(result: Any, key: str) -> Any:
    """The default a form's schema gives ``key``."""
    for field in result["data_schema"].schema:
        if field == key:
            return field.default()
    raise KeyError(key)


async def _start(hass: HomeAssistant) -> Any:
    """Start the home's config flow."""
    return await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})


async def _zone_flow(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    """Start the flow adding a zone to ``entry``."""
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_ZONE), context={"source": SOURCE_USER}
    )


async def _zone_entities_step(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    """A zone flow at its entities step, for a zone named Den without an area."""
    result = await _zone_flow(hass, entry)
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Den"}
    )


def _registry_home(hass: HomeAssistant) -> dict[str, str]:
    """Areas with entities in the registries, as a real home has; returns area ids by key.

    Living room: a device in the area carries motion, temperature, climate and light entities
    (the light also assigned to the area directly), a diagnostic and a disabled sensor, and a
    sensor moved to the kitchen. Kitchen: registry-only entities assigned directly. Attic: only
    a timestamp sensor, so no occupancy evidence.
    """
    areas = ar.async_get(hass)
    living = areas.async_create("Living room")
    kitchen = areas.async_create("Kitchen")
    attic = areas.async_create("Attic")
    ent = er.async_get(hass)
    devices = dr.async_get(hass)
    config_entry = MockConfigEntry(domain="test")
    config_entry.add_to_hass(hass)
    device = devices.async_get_or_create(
        config_entry_id=config_entry.entry_id, identifiers={("test", "living")}
    )
    devices.async_update_device(device.id, area_id=living.id)

    def add(domain: str, object_id: str, area_id: str | None = None, **kwargs: Any) -> str:
        entity_id = ent.async_get_or_create(
            domain, "test", object_id, suggested_object_id=object_id, **kwargs
        ).entity_id
        if area_id:  # an entity needs a name of its own to have an area of its own
            ent.async_update_entity(entity_id, area_id=area_id, name=object_id)
        return entity_id

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
    add("light", "living", living.id, device_id=device.id)
    add("sensor", "living_moved", kitchen.id, device_id=device.id, unit_of_measurement="°C")
    add("media_player", "kitchen_radio", kitchen.id)
    add("sensor", "kitchen_co2", kitchen.id, capabilities={"state_class": "measurement"})
    add("sensor", "attic_last_seen", attic.id, original_device_class="timestamp")
    return {"living": living.id, "kitchen": kitchen.id, "attic": attic.id}


# -- the home: user step -----------------------------------------------------------------------


async def test_user_flow_creates_home_without_areas(hass: HomeAssistant) -> None:
    """No area has sensors: the home is created directly, wiring in data, tuning in options."""
    set_home_states(hass)
    result = await _start(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    assert _default(result, CONF_COMFORT_TEMPERATURE) == DEFAULT_COMFORT_TEMPERATURE
    assert _default(result, CONF_ECO_TEMPERATURE) == DEFAULT_ECO_TEMPERATURE
    assert _default(result, CONF_HISTORY_DAYS) == DEFAULT_HISTORY_DAYS
    assert _default(result, CONF_TRAINING_TIME) == DEFAULT_TRAINING_TIME
    result = await hass.config_entries.flow.async_configure(result["flow_id"], HOME_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "test home"
    entry = result["result"]
    assert entry.data == HOME_DATA
    assert entry.options == HOME_OPTIONS
    assert entry.subentries == {}


async def test_user_flow_defaults_and_unnamed_location(hass: HomeAssistant) -> None:
    """Only the defaults: no presence, no outdoor sensor, default tuning, titled Home."""
    hass.config.location_name = ""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Home"
    assert result["data"] == {CONF_PRESENCE: []}
    assert result["options"] == {
        CONF_COMFORT_TEMPERATURE: DEFAULT_COMFORT_TEMPERATURE,
        CONF_ECO_TEMPERATURE: DEFAULT_ECO_TEMPERATURE,
        CONF_HISTORY_DAYS: DEFAULT_HISTORY_DAYS,
        CONF_TRAINING_TIME: DEFAULT_TRAINING_TIME,
        CONF_HORIZONS: list(DEFAULT_HORIZONS),
        CONF_DARK_LUX: DEFAULT_DARK_LUX,
        CONF_NOTIFY_ENTITIES: [],
        CONF_NOTIFY_SERVICES: [],
    }


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({CONF_PRESENCE: ["person.nobody"]}, {CONF_PRESENCE: "entity_not_found"}),
        ({CONF_OUTDOOR: "sensor.missing"}, {CONF_OUTDOOR: "entity_not_found"}),
        ({CONF_OUTDOOR: "sensor.living_co2"}, {CONF_OUTDOOR: "invalid_outdoor"}),
        ({CONF_OUTDOOR: "climate.living"}, {CONF_OUTDOOR: "invalid_outdoor"}),
        ({CONF_ECO_TEMPERATURE: 22.0}, {CONF_ECO_TEMPERATURE: "eco_above_comfort"}),
        (
            {CONF_OUTDOOR: "sensor.missing", CONF_ECO_TEMPERATURE: 22.0},
            {CONF_OUTDOOR: "entity_not_found", CONF_ECO_TEMPERATURE: "eco_above_comfort"},
        ),
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
    assert result["step_id"] == "user"
    assert result["errors"] == errors
    await _assert_translated(hass, "config", errors)
    for key, value in changes.items():
        assert _suggested(result, key) == value
    # Correcting it finishes the flow.
    result = await hass.config_entries.flow.async_configure(result["flow_id"], HOME_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == HOME_DATA


async def test_outdoor_registry_id_is_refused(hass: HomeAssistant) -> None:
    """The selector lets a registry id (UUID) through; it is refused, not a crash."""
    set_home_states(hass)
    registry_id = (
        er.async_get(hass)
        .async_get_or_create("sensor", "test", "outside", original_device_class="temperature")
        .id
    )
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**HOME_INPUT, CONF_OUTDOOR: registry_id}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_OUTDOOR: "entity_not_found"}


async def test_selectors_reject_wrong_presence_domain(hass: HomeAssistant) -> None:
    """Presence domains are enforced by the form's selector before our checks run."""
    set_home_states(hass)
    result = await _start(hass)
    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {**HOME_INPUT, CONF_PRESENCE: ["sensor.living_co2"]}
        )


@pytest.mark.parametrize(
    "outdoor", ["weather.home", "sensor.registry_outside"], ids=["weather", "registry_only"]
)
async def test_outdoor_sources(hass: HomeAssistant, outdoor: str) -> None:
    """A weather entity, or a temperature sensor known only to the registry, is accepted."""
    set_home_states(hass)
    hass.states.async_set("weather.home", "sunny", {"temperature": 4, "temperature_unit": "°C"})
    er.async_get(hass).async_get_or_create(
        "sensor",
        "test",
        "outside",
        suggested_object_id="registry_outside",
        original_device_class="temperature",
    )
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**HOME_INPUT, CONF_OUTDOOR: outdoor}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].data[CONF_OUTDOOR] == outdoor


async def test_single_instance(hass: HomeAssistant) -> None:
    """A second home is refused."""
    make_entry().add_to_hass(hass)
    result = await _start(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "single_instance_allowed"


# -- the home: zones step ----------------------------------------------------------------------


async def test_user_flow_offers_zones_for_areas(hass: HomeAssistant) -> None:
    """Areas with occupancy evidence are offered; ticked ones become pre-filled zones."""
    areas = _registry_home(hass)  # before the states, so registry ids are the plain ones
    set_home_states(hass)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], HOME_INPUT)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "zones"
    options = result["data_schema"].schema[CONF_ZONES_FROM_AREAS].config["options"]
    # Sorted by name; the attic (a timestamp sensor only) is not offered.
    assert options == [
        {"value": areas["kitchen"], "label": "Kitchen"},
        {"value": areas["living"], "label": "Living room"},
    ]
    assert _default(result, CONF_ZONES_FROM_AREAS) == [areas["kitchen"], areas["living"]]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ZONES_FROM_AREAS: [areas["living"]]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.data == HOME_DATA
    assert entry.options == HOME_OPTIONS
    zones = list(entry.subentries.values())
    assert len(zones) == 1
    zone = zones[0]
    assert zone.subentry_type == SUBENTRY_ZONE
    assert zone.title == "Living room"
    # Disabled, diagnostic and moved-away entities of the device are left out.
    assert zone.data == {
        CONF_NAME: "Living room",
        CONF_AREA: areas["living"],
        CONF_EVIDENCE: [MOTION],
        CONF_ENVIRONMENT: ["sensor.living_temperature"],
        CONF_LIGHTS: ["light.living"],
        CONF_WATCHED: ["sensor.living_temperature"],
        CONF_WINDOWS: [],
        CONF_CLIMATE: "climate.living",
    }


async def test_zones_step_all_areas_by_default(hass: HomeAssistant) -> None:
    """Accepting the default creates a zone per offered area; no climate, no climate key."""
    areas = _registry_home(hass)
    set_home_states(hass)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], HOME_INPUT)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    zones = {z.title: z.data for z in result["result"].subentries.values()}
    assert list(zones) == ["Kitchen", "Living room"]
    assert zones["Kitchen"] == {
        CONF_NAME: "Kitchen",
        CONF_AREA: areas["kitchen"],
        CONF_EVIDENCE: ["media_player.kitchen_radio"],
        CONF_ENVIRONMENT: ["sensor.kitchen_co2", "sensor.living_moved"],
        CONF_LIGHTS: [],
        CONF_WATCHED: ["sensor.kitchen_co2", "sensor.living_moved"],
        CONF_WINDOWS: [],
    }


async def test_zone_from_area_that_vanished(hass: HomeAssistant) -> None:
    """An area deleted while the form was open is no longer offered, so it is ignored."""
    areas = _registry_home(hass)
    set_home_states(hass)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], HOME_INPUT)
    ar.async_get(hass).async_delete(areas["kitchen"])
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ZONES_FROM_AREAS: [areas["kitchen"], areas["living"]]}
    )
    assert [z.title for z in result["result"].subentries.values()] == ["Living room"]


async def test_zone_named_by_id_when_area_unknown(hass: HomeAssistant) -> None:
    """Should the registry lose an offered area between the checks, its id names the zone."""
    areas = _registry_home(hass)
    set_home_states(hass)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], HOME_INPUT)
    area_reg = ar.async_get(hass)
    real_get = area_reg.async_get_area
    area_reg.async_get_area = lambda area_id: (  # type: ignore[method-assign]
        None if area_id == areas["kitchen"] else real_get(area_id)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ZONES_FROM_AREAS: [areas["kitchen"]]}
    )
    zone = next(iter(result["result"].subentries.values()))
    assert zone.title == areas["kitchen"]
    assert zone.data[CONF_NAME] == areas["kitchen"]
    assert zone.data[CONF_EVIDENCE] == ["media_player.kitchen_radio"]


# -- the home: reconfigure and options ---------------------------------------------------------


async def test_reconfigure(hass: HomeAssistant) -> None:
    """Reconfigure edits the wiring (data), validates it, and reloads the home."""
    set_home_states(hass)
    hass.states.async_set("person.kim", "not_home")
    entry = make_entry()
    await setup_entry(hass, entry)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert _suggested(result, CONF_PRESENCE) == ["person.alex"]
    assert _suggested(result, CONF_OUTDOOR) == "sensor.outdoor_temperature"
    bad = {CONF_PRESENCE: ["person.ghost"], CONF_OUTDOOR: "sensor.living_co2"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], bad)
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {
        CONF_PRESENCE: "entity_not_found",
        CONF_OUTDOOR: "invalid_outdoor",
    }
    assert _suggested(result, CONF_PRESENCE) == ["person.ghost"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PRESENCE: ["person.alex", "person.kim"]}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data == {CONF_PRESENCE: ["person.alex", "person.kim"]}
    assert entry.options == HOME_OPTIONS
    # Reloaded: the new coordinator reads presence from both people.
    assert {s.entity_id for s in entry.runtime_data.coordinator.ingest.sources["home"]} >= {
        "person.alex",
        "person.kim",
    }


async def test_options_flow(hass: HomeAssistant) -> None:
    """Options edit comfort and learning settings, validated, and reload the home."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    coordinator = entry.runtime_data.coordinator
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert _suggested(result, CONF_HISTORY_DAYS) == 7
    bad = {**HOME_OPTIONS, CONF_ECO_TEMPERATURE: 25.0}
    result = await hass.config_entries.options.async_configure(result["flow_id"], bad)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_ECO_TEMPERATURE: "eco_above_comfort"}
    await _assert_translated(hass, "options", result["errors"])
    assert _suggested(result, CONF_ECO_TEMPERATURE) == 25.0
    async_mock_service(hass, "notify", "mobile_app_phone")
    result = await hass.config_entries.options.async_init(entry.entry_id)
    offered = _selector_options(result, CONF_NOTIFY_SERVICES)
    assert offered == ["notify.mobile_app_phone"]  # present mobile apps are offered
    bad = {
        **HOME_OPTIONS,
        CONF_NOTIFY_SERVICES: ["notify.mobile_app_gone", "light.turn_on"],
        CONF_NOTIFY_ENTITIES: ["notify.nowhere"],
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], bad)
    assert result["errors"] == {
        CONF_NOTIFY_SERVICES: "notify_service_not_found",
        CONF_NOTIFY_ENTITIES: "entity_not_found",
    }
    await _assert_translated(hass, "options", result["errors"])
    hass.states.async_set("notify.family", "unknown")
    new = {
        **HOME_OPTIONS,
        CONF_COMFORT_TEMPERATURE: 22.0,
        CONF_TRAINING_TIME: "02:00:00",
        CONF_NOTIFY_SERVICES: ["notify.mobile_app_phone"],
        CONF_NOTIFY_ENTITIES: ["notify.family"],
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], new)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options == new
    assert entry.data == HOME_DATA
    assert entry.runtime_data.coordinator is not coordinator
    assert entry.runtime_data.coordinator.home.training_time.hour == 2
    assert entry.runtime_data.coordinator.home.notify_services == ("notify.mobile_app_phone",)


# -- zones (subentries): adding ----------------------------------------------------------------


async def test_add_zone_with_area_prefill(hass: HomeAssistant) -> None:
    """Choosing an area pre-fills the entities step; the new zone gets a device after reload."""
    areas = _registry_home(hass)
    set_home_states(hass)
    entry = make_entry(zones=[])
    await setup_entry(hass, entry)
    result = await _zone_flow(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "  Living ", CONF_AREA: areas["living"]}
    )
    assert result["step_id"] == "entities"
    assert result["errors"] == {}
    assert result["description_placeholders"] == {"zone": "Living"}
    assert _suggested(result, CONF_EVIDENCE) == [MOTION]
    assert _suggested(result, CONF_ENVIRONMENT) == ["sensor.living_temperature"]
    assert _suggested(result, CONF_WATCHED) == ["sensor.living_temperature"]
    assert _suggested(result, CONF_LIGHTS) == ["light.living"]
    assert _suggested(result, CONF_CLIMATE) == "climate.living"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_EVIDENCE: [MOTION], CONF_CLIMATE: "climate.living"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Living"
    assert result["data"] == {
        CONF_NAME: "Living",
        CONF_AREA: areas["living"],
        CONF_EVIDENCE: [MOTION],
        CONF_ENVIRONMENT: [],
        CONF_CLIMATE: "climate.living",
        CONF_LIGHTS: [],
        CONF_WATCHED: [],
        CONF_WINDOWS: [],
        CONF_SENSITIVITY: "medium",
    }
    await hass.async_block_till_done()
    zone = next(iter(entry.subentries.values()))
    assert zone.title == "Living"
    assert zone.data == result["data"]
    # The entry reloaded with the zone: its device and sensor exist.
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_{zone.subentry_id}"), entry.entry_id
    )
    assert device is not None
    assert device.name == "Living"
    assert zone.subentry_id in entry.runtime_data.coordinator.household.zones
    await entry.runtime_data.coordinator.bootstrapped.wait()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.living_learning_status").state == "collecting"


async def test_add_zone_area_without_climate(hass: HomeAssistant) -> None:
    """An area without a thermostat pre-fills no climate entity."""
    areas = _registry_home(hass)
    set_home_states(hass)
    entry = make_entry(zones=[])
    await setup_entry(hass, entry)
    result = await _zone_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Kitchen", CONF_AREA: areas["kitchen"]}
    )
    assert _suggested(result, CONF_EVIDENCE) == ["media_player.kitchen_radio"]
    assert _suggested(result, CONF_ENVIRONMENT) == ["sensor.kitchen_co2", "sensor.living_moved"]
    assert _suggested(result, CONF_LIGHTS) == []
    assert _suggested(result, CONF_CLIMATE) is None


async def test_add_zone_without_area(hass: HomeAssistant) -> None:
    """Without an area the entities step starts empty and the zone has no area."""
    set_home_states(hass)
    entry = make_entry(zones=[])
    await setup_entry(hass, entry)
    result = await _zone_entities_step(hass, entry)
    assert result["step_id"] == "entities"
    for key in (CONF_EVIDENCE, CONF_ENVIRONMENT, CONF_CLIMATE, CONF_LIGHTS, CONF_WATCHED):
        assert _suggested(result, key) is None
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_EVIDENCE: [MOTION]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # let the reload finish
    assert result["data"] == {
        CONF_NAME: "Den",
        CONF_EVIDENCE: [MOTION],
        CONF_ENVIRONMENT: [],
        CONF_LIGHTS: [],
        CONF_WATCHED: [],
        CONF_WINDOWS: [],
        CONF_SENSITIVITY: "medium",
    }


@pytest.mark.parametrize(
    ("name_input", "error"),
    [
        ({CONF_NAME: "   "}, {CONF_NAME: "name_required"}),
        ({CONF_NAME: "living ROOM"}, {"base": "duplicate_zone"}),
        ({CONF_NAME: "Lounge", CONF_AREA: "living_room"}, {"base": "duplicate_zone"}),
    ],
    ids=["empty", "same_name", "same_area"],
)
async def test_zone_name_errors(hass: HomeAssistant, name_input: dict, error: dict) -> None:
    """Empty names and duplicates (by name, case-insensitive, or by area) are refused."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    result = await _zone_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], name_input)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == error
    await _assert_translated(hass, "config_subentries.zone", error)
    assert _suggested(result, CONF_NAME) == name_input[CONF_NAME]
    # A free name (in no other zone's area) goes on to the entities.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Den"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "entities"


async def test_zone_other_area_is_not_a_duplicate(hass: HomeAssistant) -> None:
    """A new name in another area passes, whatever non-zone subentries the entry has."""
    set_home_states(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=HOME_DATA,
        options=HOME_OPTIONS,
        subentries_data=[
            {"subentry_type": SUBENTRY_ZONE, "title": "Living room", "data": LIVING_ZONE},
            # A subentry of another type is never compared, even with the same name.
            {"subentry_type": "other", "title": "Office", "data": {CONF_NAME: "Office"}},
        ],
    )
    entry.add_to_hass(hass)
    result = await _zone_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Office", CONF_AREA: "office"}
    )
    assert result["step_id"] == "entities"
    assert result["errors"] == {}


@pytest.mark.parametrize(
    ("entities", "errors"),
    [
        ({}, {"base": "no_evidence"}),
        ({CONF_EVIDENCE: ["binary_sensor.ghost"]}, {CONF_EVIDENCE: "entity_not_found"}),
        ({CONF_EVIDENCE: ["binary_sensor.window"]}, {CONF_EVIDENCE: "invalid_evidence"}),
        ({CONF_EVIDENCE: ["light.living"]}, {CONF_EVIDENCE: "invalid_evidence"}),
        (
            {CONF_EVIDENCE: [MOTION], CONF_ENVIRONMENT: ["sensor.text"]},
            {CONF_ENVIRONMENT: "invalid_environment"},
        ),
        (
            {CONF_EVIDENCE: [MOTION], CONF_ENVIRONMENT: ["sensor.last_boot"]},
            {CONF_ENVIRONMENT: "invalid_environment"},
        ),
        (
            {CONF_EVIDENCE: [MOTION], CONF_WATCHED: ["sensor.text"]},
            {CONF_WATCHED: "invalid_watched"},
        ),
        (
            {CONF_EVIDENCE: [MOTION], CONF_WATCHED: ["sensor.ghost"]},
            {CONF_WATCHED: "entity_not_found"},
        ),
        (
            {CONF_EVIDENCE: [MOTION], CONF_CLIMATE: "climate.ghost"},
            {CONF_CLIMATE: "entity_not_found"},
        ),
        (
            {CONF_EVIDENCE: [MOTION], CONF_LIGHTS: ["light.ghost"]},
            {CONF_LIGHTS: "entity_not_found"},
        ),
        (
            {CONF_EVIDENCE: [MOTION], CONF_WINDOWS: [MOTION]},
            {CONF_WINDOWS: "invalid_window"},
        ),
        (
            {CONF_EVIDENCE: ["binary_sensor.window"], CONF_ENVIRONMENT: ["sensor.text"]},
            {CONF_EVIDENCE: "invalid_evidence", CONF_ENVIRONMENT: "invalid_environment"},
        ),
    ],
)
async def test_zone_entity_errors(hass: HomeAssistant, entities: dict, errors: dict) -> None:
    """Each role checks existence and kind; a zone needs occupancy evidence."""
    set_home_states(hass)
    hass.states.async_set("binary_sensor.window", "off", {"device_class": "window"})
    hass.states.async_set("sensor.text", "hello")
    hass.states.async_set(
        "sensor.last_boot", "2026-01-01T00:00:00+00:00", {"device_class": "timestamp"}
    )
    entry = make_entry(zones=[])
    await setup_entry(hass, entry)
    result = await _zone_entities_step(hass, entry)
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], entities)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "entities"
    assert result["errors"] == errors
    await _assert_translated(hass, "config_subentries.zone", errors)
    assert result["description_placeholders"] == {"zone": "Den"}
    for key, value in entities.items():
        assert _suggested(result, key) == value
    # Fixing the form adds the zone.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_EVIDENCE: [MOTION]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert [z.title for z in entry.subentries.values()] == ["Den"]


async def test_zone_entity_registry_id_is_refused(hass: HomeAssistant) -> None:
    """A registry id (UUID) passes the climate selector; it is refused, not a crash."""
    set_home_states(hass)
    registry_id = er.async_get(hass).async_get_or_create("climate", "test", "den").id
    entry = make_entry(zones=[])
    await setup_entry(hass, entry)
    result = await _zone_entities_step(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_EVIDENCE: [MOTION], CONF_CLIMATE: registry_id}
    )
    assert result["errors"] == {CONF_CLIMATE: "entity_not_found"}


@pytest.mark.parametrize(
    "entities",
    [
        {CONF_CLIMATE: "light.living"},
        {CONF_LIGHTS: ["climate.living"]},
        {CONF_ENVIRONMENT: [MOTION]},
        {CONF_WATCHED: ["light.living"]},
    ],
)
async def test_zone_selectors_reject_wrong_domains(hass: HomeAssistant, entities: dict) -> None:
    """Climate, light and sensor domains are enforced by the form's selectors."""
    set_home_states(hass)
    entry = make_entry(zones=[])
    await setup_entry(hass, entry)
    result = await _zone_entities_step(hass, entry)
    with pytest.raises(InvalidData):
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], {CONF_EVIDENCE: [MOTION], **entities}
        )


@pytest.mark.parametrize(
    ("entities", "errors"),
    [
        ({CONF_CLIMATE: "light.living"}, {CONF_CLIMATE: "invalid_climate"}),
        ({CONF_LIGHTS: ["climate.living"]}, {CONF_LIGHTS: "invalid_light"}),
        ({CONF_WATCHED: ["sensor.ghost"]}, {CONF_WATCHED: "entity_not_found"}),
        ({CONF_CLIMATE: "climate.living", CONF_LIGHTS: ["light.living"]}, {}),
    ],
)
async def test_validate_zone_entities_error_keys(
    hass: HomeAssistant, entities: dict, errors: dict
) -> None:
    """Behind the selectors, the checks still name each role's error (as in strings.json)."""
    set_home_states(hass)
    assert _validate_zone_entities(hass, {CONF_EVIDENCE: [MOTION], **entities}) == errors


# -- zones (subentries): reconfigure -----------------------------------------------------------


async def test_reconfigure_zone(hass: HomeAssistant) -> None:
    """A zone's name and entities can be edited; errors are shown; the area is kept."""
    set_home_states(hass)
    hass.states.async_set("sensor.text", "hello")
    other = {**LIVING_ZONE, CONF_NAME: "Office", CONF_AREA: "office"}
    entry = make_entry(zones=[LIVING_ZONE, other])
    await setup_entry(hass, entry)
    result = await entry.start_subentry_reconfigure_flow(hass, "zone0")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert _suggested(result, CONF_NAME) == "Living room"
    assert _suggested(result, CONF_CLIMATE) == "climate.living"
    assert _suggested(result, CONF_EVIDENCE) == LIVING_ZONE[CONF_EVIDENCE]
    form = {k: v for k, v in LIVING_ZONE.items() if k != CONF_AREA}
    for changes, errors in (
        ({CONF_NAME: " "}, {CONF_NAME: "name_required"}),
        ({CONF_NAME: "office"}, {"base": "duplicate_zone"}),
        ({CONF_EVIDENCE: []}, {"base": "no_evidence"}),
        ({CONF_ENVIRONMENT: ["sensor.text"]}, {CONF_ENVIRONMENT: "invalid_environment"}),
        ({CONF_CLIMATE: "climate.ghost"}, {CONF_CLIMATE: "entity_not_found"}),
        (
            {CONF_NAME: "", CONF_WATCHED: ["sensor.text"]},
            {CONF_NAME: "name_required", CONF_WATCHED: "invalid_watched"},
        ),
    ):
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {**form, **changes}
        )
        assert result["step_id"] == "reconfigure"
        assert result["errors"] == errors
        assert _suggested(result, next(iter(changes))) == next(iter(changes.values()))
    # Keeping its own name (any case) is no duplicate of itself.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**form, CONF_NAME: " Lounge ", CONF_LIGHTS: []}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    zone = entry.subentries["zone0"]
    assert zone.title == "Lounge"
    assert zone.data == {
        **LIVING_ZONE,
        CONF_NAME: "Lounge",
        CONF_LIGHTS: [],
        CONF_SENSITIVITY: "medium",
        CONF_WINDOWS: [],
    }
    assert entry.subentries["zone1"].data == other
    # Reloaded with the new name.
    assert entry.runtime_data.coordinator.zone_name("zone0") == "Lounge"


async def test_reconfigure_zone_keeps_own_name(hass: HomeAssistant) -> None:
    """Saving a zone under its own name is allowed; dropping the climate entity removes it."""
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    result = await entry.start_subentry_reconfigure_flow(hass, "zone0")
    form = {k: v for k, v in LIVING_ZONE.items() if k not in (CONF_AREA, CONF_CLIMATE)}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**form, CONF_NAME: "LIVING ROOM"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    data = entry.subentries["zone0"].data
    assert data[CONF_NAME] == "LIVING ROOM"
    assert data[CONF_AREA] == "living_room"
    assert CONF_CLIMATE not in data


async def test_reconfigure_zone_without_area(hass: HomeAssistant) -> None:
    """A zone without an area stays without one."""
    set_home_states(hass)
    zone = {k: v for k, v in LIVING_ZONE.items() if k != CONF_AREA}
    entry = make_entry(zones=[zone])
    await setup_entry(hass, entry)
    result = await entry.start_subentry_reconfigure_flow(hass, "zone0")
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], zone)
    assert result["type"] is FlowResultType.ABORT
    await hass.async_block_till_done()
    assert entry.subentries["zone0"].data == {
        **zone,
        CONF_SENSITIVITY: "medium",
        CONF_WINDOWS: [],
    }


# -- roles -------------------------------------------------------------------------------------


@pytest.fixture
def registry_only(hass: HomeAssistant) -> er.EntityRegistry:
    """Entities known to the entity registry only (no state), with varied metadata."""
    ent = er.async_get(hass)

    def add(entity_id: str, **kwargs: Any) -> None:
        domain, object_id = entity_id.split(".")
        ent.async_get_or_create(domain, "test", object_id, suggested_object_id=object_id, **kwargs)

    add("binary_sensor.reg_motion", original_device_class="motion")
    add("binary_sensor.reg_window", original_device_class="window")
    add("binary_sensor.reg_override", original_device_class="window")
    ent.async_update_entity("binary_sensor.reg_override", device_class="door")
    add("sensor.reg_unit", unit_of_measurement="W")
    add("sensor.reg_state_class", capabilities={"state_class": "measurement"})
    add("sensor.reg_empty_capabilities", capabilities={})
    add("sensor.reg_plain")
    add("sensor.reg_timestamp", original_device_class="timestamp", unit_of_measurement="s")
    add("sensor.reg_outdoor", original_device_class="temperature")
    return ent


async def test_entity_exists(hass: HomeAssistant, registry_only: er.EntityRegistry) -> None:
    """A state or a registry entry makes an entity known; registry ids (UUIDs) do not."""
    hass.states.async_set("sensor.state_only", "1")
    assert entity_exists(hass, "sensor.state_only")
    assert entity_exists(hass, "sensor.reg_plain")
    assert not entity_exists(hass, "sensor.nowhere")
    assert not entity_exists(hass, registry_only.async_get("sensor.reg_plain").id)


async def test_device_class_of(hass: HomeAssistant, registry_only: er.EntityRegistry) -> None:
    """From the state first, then the registry (user override before the original)."""
    hass.states.async_set("binary_sensor.state_motion", "on", {"device_class": "motion"})
    hass.states.async_set("binary_sensor.reg_window", "off")  # state without a class
    assert device_class_of(hass, "binary_sensor.state_motion") == "motion"
    assert device_class_of(hass, "binary_sensor.reg_motion") == "motion"
    assert device_class_of(hass, "binary_sensor.reg_window") == "window"
    assert device_class_of(hass, "binary_sensor.reg_override") == "door"
    assert device_class_of(hass, "sensor.reg_plain") is None
    assert device_class_of(hass, "sensor.nowhere") is None


@pytest.mark.parametrize(
    ("entity_id", "fits"),
    [
        ("media_player.anything", True),
        ("binary_sensor.state_motion", True),
        ("binary_sensor.state_window", False),
        ("binary_sensor.reg_motion", True),
        ("binary_sensor.reg_window", False),
        ("binary_sensor.reg_override", True),
        ("binary_sensor.nowhere", False),
        ("light.living", False),
    ],
)
async def test_fits_evidence(
    hass: HomeAssistant, registry_only: er.EntityRegistry, entity_id: str, fits: bool
) -> None:
    """Media players, and binary sensors of an occupancy-related class, are evidence."""
    hass.states.async_set("binary_sensor.state_motion", "on", {"device_class": "motion"})
    hass.states.async_set("binary_sensor.state_window", "on", {"device_class": "window"})
    assert fits_role(hass, CONF_EVIDENCE, entity_id) is fits


@pytest.mark.parametrize(
    ("entity_id", "fits"),
    [
        ("sensor.state_unit", True),
        ("sensor.state_class_only", True),
        ("sensor.state_text", False),
        ("sensor.state_timestamp", False),
        ("sensor.state_date", False),
        ("sensor.state_enum", False),
        ("sensor.reg_unit", True),
        ("sensor.reg_state_class", True),
        ("sensor.reg_empty_capabilities", False),
        ("sensor.reg_plain", False),
        ("sensor.reg_timestamp", False),
        ("sensor.nowhere", False),
        ("climate.living", False),
    ],
)
@pytest.mark.parametrize("role", [CONF_ENVIRONMENT, CONF_WATCHED])
async def test_fits_numeric_sensor_roles(
    hass: HomeAssistant, registry_only: er.EntityRegistry, role: str, entity_id: str, fits: bool
) -> None:
    """Environment and watched entities are sensors with a unit or state class, not stamps."""
    hass.states.async_set("sensor.state_unit", "3", {"unit_of_measurement": "W"})
    hass.states.async_set("sensor.state_class_only", "3", {"state_class": "measurement"})
    hass.states.async_set("sensor.state_text", "hello")
    hass.states.async_set(
        "sensor.state_timestamp", "2026-01-01T00:00:00+00:00", {"device_class": "timestamp"}
    )
    hass.states.async_set("sensor.state_date", "2026-01-01", {"device_class": "date"})
    hass.states.async_set(
        "sensor.state_enum", "a", {"device_class": "enum", "state_class": "measurement"}
    )
    hass.states.async_set("climate.living", "heat", {"unit_of_measurement": "°C"})
    assert fits_role(hass, role, entity_id) is fits


@pytest.mark.parametrize(
    ("role", "entity_id", "fits"),
    [
        (CONF_CLIMATE, "climate.living", True),
        (CONF_CLIMATE, "light.living", False),
        (CONF_LIGHTS, "light.living", True),
        (CONF_LIGHTS, "switch.living", False),
        ("outdoor", "weather.home", True),
        ("outdoor", "sensor.outdoor_temperature", True),
        ("outdoor", "sensor.reg_outdoor", True),
        ("outdoor", "sensor.living_co2", False),
        ("outdoor", "sensor.nowhere", False),
        ("outdoor", "climate.living", False),
        ("wardrobe", "sensor.outdoor_temperature", False),
        ("presence", "person.alex", False),
        (CONF_WINDOWS, "binary_sensor.reg_window", True),
        (CONF_WINDOWS, "binary_sensor.reg_motion", False),
        (CONF_WINDOWS, "light.living", False),
    ],
)
async def test_fits_other_roles(
    hass: HomeAssistant, registry_only: er.EntityRegistry, role: str, entity_id: str, fits: bool
) -> None:
    """Climate, lights and outdoor go by domain (and class); unknown roles never fit."""
    set_home_states(hass)
    hass.states.async_set("climate.living", "heat", {"device_class": "temperature"})
    assert fits_role(hass, role, entity_id) is fits


async def test_area_entities_and_suggestions(hass: HomeAssistant) -> None:
    """Area entities come directly and via devices, once each, enabled and not diagnostic."""
    areas = _registry_home(hass)
    assert area_entities(hass, areas["living"]) == [
        "binary_sensor.living_motion",
        "climate.living",
        "light.living",
        "sensor.living_temperature",
    ]
    assert area_entities(hass, areas["kitchen"]) == [
        "media_player.kitchen_radio",
        "sensor.kitchen_co2",
        "sensor.living_moved",
    ]
    assert area_entities(hass, areas["attic"]) == ["sensor.attic_last_seen"]
    assert area_entities(hass, "nowhere") == []
    assert suggest_zone(hass, areas["attic"]) == {
        CONF_EVIDENCE: [],
        CONF_ENVIRONMENT: [],
        CONF_LIGHTS: [],
        CONF_WATCHED: [],
        CONF_WINDOWS: [],
    }
    assert suggest_zone(hass, areas["living"])[CONF_CLIMATE] == "climate.living"
    assert areas_with_evidence(hass) == {
        areas["kitchen"]: "Kitchen",
        areas["living"]: "Living room",
    }
