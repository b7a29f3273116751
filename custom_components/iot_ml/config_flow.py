"""Config flow (a home), options, reconfigure, and zone subentries."""

from collections.abc import Mapping
from typing import Any, override

from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryData,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import area_registry as ar, selector
import probatio as vol

from .const import (
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
    DEFAULT_SENSITIVITY,
    DEFAULT_TRAINING_TIME,
    DOMAIN,
    EVIDENCE_DEVICE_CLASSES,
    HORIZON_CHOICES,
    MAX_HISTORY_DAYS,
    MIN_HISTORY_DAYS,
    SENSITIVITIES,
    SUBENTRY_ZONE,
    WINDOW_DEVICE_CLASSES,
)
from .coordinator import IotMlConfigEntry
from .roles import areas_with_evidence, entity_exists, fits_role, suggest_zone

_ZONE_LIST_ROLES = (CONF_EVIDENCE, CONF_ENVIRONMENT, CONF_LIGHTS, CONF_WATCHED, CONF_WINDOWS)

WIRING_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_PRESENCE, default=[]): selector.EntitySelector(
            selector.EntitySelectorConfig(domain=["person", "device_tracker"], multiple=True)
        ),
        vol.Optional(CONF_OUTDOOR): selector.EntitySelector(
            selector.EntitySelectorConfig(
                filter=[
                    selector.EntityWithDeviceFilterSelectorConfig(
                        domain="sensor", device_class="temperature"
                    ),
                    selector.EntityWithDeviceFilterSelectorConfig(domain="weather"),
                ]
            )
        ),
    }
)


def _temperature() -> selector.NumberSelector:
    return selector.NumberSelector(
        selector.NumberSelectorConfig(min=5, max=30, step=0.5, mode=selector.NumberSelectorMode.BOX)
    )


def _tuning_schema(hass: HomeAssistant) -> vol.Schema:
    """Tunables; the mobile app notify actions present are offered (others can be typed)."""
    mobile = sorted(
        f"notify.{name}"
        for name in hass.services.async_services_for_domain("notify")
        if name.startswith("mobile_app_")
    )
    return TUNING_SCHEMA.extend(
        {
            vol.Optional(CONF_NOTIFY_SERVICES, default=[]): selector.SelectSelector(
                selector.SelectSelectorConfig(options=mobile, multiple=True, custom_value=True)
            ),
        }
    )


TUNING_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_COMFORT_TEMPERATURE, default=DEFAULT_COMFORT_TEMPERATURE): _temperature(),
        vol.Required(CONF_ECO_TEMPERATURE, default=DEFAULT_ECO_TEMPERATURE): _temperature(),
        vol.Required(CONF_HISTORY_DAYS, default=DEFAULT_HISTORY_DAYS): vol.All(
            selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=MIN_HISTORY_DAYS, max=MAX_HISTORY_DAYS, step=1, unit_of_measurement="d"
                )
            ),
            vol.Coerce(int),
        ),
        vol.Required(CONF_TRAINING_TIME, default=DEFAULT_TRAINING_TIME): selector.TimeSelector(),
        vol.Required(CONF_HORIZONS, default=list(DEFAULT_HORIZONS)): vol.All(
            selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(HORIZON_CHOICES),
                    multiple=True,
                    translation_key=CONF_HORIZONS,
                )
            ),
            vol.Length(min=1),
        ),
        vol.Optional(CONF_NOTIFY_ENTITIES, default=[]): selector.EntitySelector(
            selector.EntitySelectorConfig(domain="notify", multiple=True)
        ),
        vol.Required(CONF_DARK_LUX, default=DEFAULT_DARK_LUX): vol.All(
            selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=0,
                    max=1000,
                    step=1,
                    unit_of_measurement="lx",
                    mode=selector.NumberSelectorMode.BOX,
                )
            ),
            vol.Coerce(float),
        ),
    }
)


def _validate_wiring(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    # The selectors already restrict domains; what they cannot know is whether entities exist.
    for entity_id in data.get(CONF_PRESENCE, []):
        if not entity_exists(hass, entity_id):
            errors[CONF_PRESENCE] = "entity_not_found"
    if outdoor := data.get(CONF_OUTDOOR):
        if not entity_exists(hass, outdoor):
            errors[CONF_OUTDOOR] = "entity_not_found"
        elif not fits_role(hass, "outdoor", outdoor):
            errors[CONF_OUTDOOR] = "invalid_outdoor"
    return errors


def _validate_tuning(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data[CONF_ECO_TEMPERATURE] > data[CONF_COMFORT_TEMPERATURE]:
        errors[CONF_ECO_TEMPERATURE] = "eco_above_comfort"
    for service in data.get(CONF_NOTIFY_SERVICES, []):
        domain, _, name = str(service).partition(".")
        if domain != "notify" or not hass.services.has_service(domain, name):
            errors[CONF_NOTIFY_SERVICES] = "notify_service_not_found"
    for entity_id in data.get(CONF_NOTIFY_ENTITIES, []):
        if not entity_exists(hass, entity_id):
            errors[CONF_NOTIFY_ENTITIES] = "entity_not_found"
    return errors


def _split(user_input: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(wiring for data, tuning for options) from one combined form."""
    wiring = {k: v for k, v in user_input.items() if k in (CONF_PRESENCE, CONF_OUTDOOR)}
    tuning = {k: v for k, v in user_input.items() if k not in wiring}
    return wiring, tuning


def _zone_schema() -> vol.Schema:
    evidence_filter = [
        selector.EntityWithDeviceFilterSelectorConfig(
            domain="binary_sensor", device_class=sorted(EVIDENCE_DEVICE_CLASSES)
        ),
        selector.EntityWithDeviceFilterSelectorConfig(domain="media_player"),
    ]

    return vol.Schema(
        {
            vol.Optional(CONF_EVIDENCE, default=[]): selector.EntitySelector(
                selector.EntitySelectorConfig(filter=evidence_filter, multiple=True)
            ),
            vol.Optional(CONF_ENVIRONMENT, default=[]): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="sensor", multiple=True)
            ),
            vol.Optional(CONF_CLIMATE): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="climate")
            ),
            vol.Optional(CONF_LIGHTS, default=[]): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="light", multiple=True)
            ),
            vol.Optional(CONF_WATCHED, default=[]): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="sensor", multiple=True)
            ),
            vol.Optional(CONF_WINDOWS, default=[]): selector.EntitySelector(
                selector.EntitySelectorConfig(
                    filter=[
                        selector.EntityWithDeviceFilterSelectorConfig(
                            domain="binary_sensor", device_class=sorted(WINDOW_DEVICE_CLASSES)
                        )
                    ],
                    multiple=True,
                )
            ),
            vol.Optional(CONF_SENSITIVITY, default=DEFAULT_SENSITIVITY): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(SENSITIVITIES), translation_key=CONF_SENSITIVITY
                )
            ),
        }
    )


def _validate_zone_entities(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for role in (*_ZONE_LIST_ROLES, CONF_CLIMATE):
        value = data.get(role)
        for entity_id in [value] if isinstance(value, str) else value or []:
            if not entity_exists(hass, entity_id):
                errors[role] = "entity_not_found"
            elif not fits_role(hass, role, entity_id):
                errors[role] = f"invalid_{role.removesuffix('_entities').removesuffix('_entity')}"
    if not data.get(CONF_EVIDENCE) and CONF_EVIDENCE not in errors:
        errors["base"] = "no_evidence"
    return errors


def _duplicate_zone(entry: IotMlConfigEntry, name: str, area: str | None, skip: str | None) -> bool:
    """Another zone of ``entry`` has this name or area."""
    for subentry in entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_ZONE or subentry.subentry_id == skip:
            continue
        if subentry.data.get(CONF_NAME, "").casefold() == name.casefold():
            return True
        if area and subentry.data.get(CONF_AREA) == area:
            return True
    return False


class IotMlConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a home, optionally with zones for the areas that have sensors."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._home: dict[str, Any] = {}

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: IotMlConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        return {SUBENTRY_ZONE: ZoneSubentryFlow}

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: IotMlConfigEntry) -> IotMlOptionsFlow:
        return IotMlOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Home settings: who lives here, the outdoor temperature, comfort and learning."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_wiring(self.hass, user_input) | _validate_tuning(
                self.hass, user_input
            )
            if not errors:
                self._home = user_input
                if areas_with_evidence(self.hass):
                    return await self.async_step_zones()
                return self._create_home([])
        schema = WIRING_SCHEMA.extend(_tuning_schema(self.hass).schema)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=errors,
        )

    async def async_step_zones(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Offer a zone for each area that has occupancy sensors."""
        areas = areas_with_evidence(self.hass)
        if user_input is not None:
            return self._create_home([a for a in user_input[CONF_ZONES_FROM_AREAS] if a in areas])
        options = [selector.SelectOptionDict(value=a, label=name) for a, name in areas.items()]
        schema = vol.Schema(
            {
                vol.Optional(CONF_ZONES_FROM_AREAS, default=list(areas)): selector.SelectSelector(
                    selector.SelectSelectorConfig(options=options, multiple=True)
                )
            }
        )
        return self.async_show_form(step_id="zones", data_schema=schema)

    def _create_home(self, area_ids: list[str]) -> ConfigFlowResult:
        area_reg = ar.async_get(self.hass)
        subentries: list[ConfigSubentryData] = []
        for area_id in area_ids:
            area = area_reg.async_get_area(area_id)
            name = area.name if area else area_id
            data: dict[str, Any] = {CONF_NAME: name, CONF_AREA: area_id}
            data.update(suggest_zone(self.hass, area_id))
            subentries.append(
                ConfigSubentryData(
                    subentry_type=SUBENTRY_ZONE, title=name, data=data, unique_id=None
                )
            )
        wiring, tuning = _split(self._home)
        return self.async_create_entry(
            title=self.hass.config.location_name or "Home",
            data=wiring,
            options=tuning,
            subentries=subentries,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change who defines presence and where the outdoor temperature comes from."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_wiring(self.hass, user_input)
            if not errors:
                return self.async_update_and_abort(entry, data=user_input)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                WIRING_SCHEMA, user_input or dict(entry.data)
            ),
            errors=errors,
        )


class IotMlOptionsFlow(OptionsFlow):
    """Comfort temperatures and learning settings."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """One form with every tunable."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_tuning(self.hass, user_input)
            if not errors:
                return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                _tuning_schema(self.hass), user_input or dict(self.config_entry.options)
            ),
            errors=errors,
        )


class ZoneSubentryFlow(ConfigSubentryFlow):
    """Add or edit a zone: a name, an optional area, and its entities by role."""

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._zone: dict[str, Any] = {}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Name the zone; choosing an area pre-fills its entities in the next step."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            area = user_input.get(CONF_AREA)
            if not name:
                errors[CONF_NAME] = "name_required"
            elif _duplicate_zone(self._get_entry(), name, area, None):
                errors["base"] = "duplicate_zone"
            else:
                self._zone = {CONF_NAME: name} | ({CONF_AREA: area} if area else {})
                return await self.async_step_entities()
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME): selector.TextSelector(),
                vol.Optional(CONF_AREA): selector.AreaSelector(),
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=errors,
        )

    async def async_step_entities(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Choose the zone's entities (pre-filled from its area)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_zone_entities(self.hass, user_input)
            if not errors:
                data = self._zone | user_input
                return self.async_create_entry(title=data[CONF_NAME], data=data)
        suggested: Mapping[str, Any] = user_input or (
            suggest_zone(self.hass, self._zone[CONF_AREA]) if CONF_AREA in self._zone else {}
        )
        return self.async_show_form(
            step_id="entities",
            data_schema=self.add_suggested_values_to_schema(_zone_schema(), suggested),
            errors=errors,
            description_placeholders={"zone": self._zone[CONF_NAME]},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit a zone's name and entities."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        schema = vol.Schema({vol.Required(CONF_NAME): selector.TextSelector()}).extend(
            _zone_schema().schema
        )
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            area = subentry.data.get(CONF_AREA)
            errors = _validate_zone_entities(self.hass, user_input)
            if not name:
                errors[CONF_NAME] = "name_required"
            elif _duplicate_zone(self._get_entry(), name, area, subentry.subentry_id):
                errors["base"] = "duplicate_zone"
            if not errors:
                data = {**user_input, CONF_NAME: name} | ({CONF_AREA: area} if area else {})
                return self.async_update_and_abort(
                    self._get_entry(), subentry, title=name, data=data
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or dict(subentry.data)
            ),
            errors=errors,
        )
