"""Which channels a zone or the home learns from, and how to read each from HA states."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from homeassistant.core import State, split_entity_id

from .const import DEFAULT_SENSITIVITY, HOME_KEY
from .convert import Reading, canonical_unit, parse_binary, parse_number, to_canonical, unit_of
from .engine.anomaly import sensitivity_value
from .engine.core import ChannelKind, ChannelSpec, GapReason, Role
from .engine.household import Household, HouseholdSettings, Sample, ZoneSpec
from .models import HomeConfig, ZoneConfig

# Climate and weather entities carry their numbers in attributes.
_CLIMATE_TEMPERATURE = "current_temperature"
_CLIMATE_ACTION = "hvac_action"
_WEATHER_TEMPERATURE = "temperature"
_WEATHER_UNIT = "temperature_unit"


@dataclass(slots=True)
class ChannelSource:
    """One channel read from one entity's state or attribute."""

    spec: ChannelSpec
    entity_id: str
    attribute: str | None = None
    unit_attribute: str | None = None  # where the unit is when not unit_of_measurement
    fixed_unit: str | None = None  # the unit when the state does not carry one (climate)
    unit: str | None = field(default=None)  # canonical unit, fixed at the first valid reading

    @property
    def domain(self) -> str:
        """The entity's domain."""
        return split_entity_id(self.entity_id)[0]

    def read(self, state: State | None) -> Reading:
        """The channel's value in ``state`` (None = removed entity), or why there is none."""
        if state is None:
            return None, GapReason.UNAVAILABLE
        if self.attribute is not None and state.state == "unavailable":
            return None, GapReason.UNAVAILABLE
        raw = state.state if self.attribute is None else state.attributes.get(self.attribute)
        if self.spec.kind is ChannelKind.BINARY:
            return parse_binary(self.domain, raw)
        value, gap = parse_number(raw)
        if value is None:
            return None, gap
        unit = self.fixed_unit or unit_of(state, self.unit_attribute)
        target = canonical_unit(unit)
        if self.unit is None:
            self.unit = target
        elif target != self.unit:
            return None, GapReason.UNIT
        return to_canonical(value, unit), None


def _numeric(key: str, entity_id: str, role: Role, watched: bool = False) -> ChannelSource:
    return ChannelSource(ChannelSpec(key, ChannelKind.NUMERIC, role, watched), entity_id)


def _binary(key: str, entity_id: str, role: Role) -> ChannelSource:
    return ChannelSource(ChannelSpec(key, ChannelKind.BINARY, role), entity_id)


def zone_sources(zone: ZoneConfig, temperature_unit: str) -> list[ChannelSource]:
    """Channels of a zone, keyed by entity id (``entity_id#attribute`` for attributes).

    ``temperature_unit`` is the system unit climate entities report their temperatures in.
    """
    sources = [_binary(e, e, Role.EVIDENCE) for e in zone.evidence]
    watched = set(zone.watched)
    sources += [_numeric(e, e, Role.ENVIRONMENT, e in watched) for e in zone.environment]
    sources += [
        _numeric(e, e, Role.ENVIRONMENT, True) for e in zone.watched if e not in zone.environment
    ]
    if zone.climate:
        temperature = _numeric(f"{zone.climate}#{_CLIMATE_TEMPERATURE}", zone.climate, Role.CLIMATE)
        temperature.attribute = _CLIMATE_TEMPERATURE
        temperature.fixed_unit = temperature_unit
        action = _binary(f"{zone.climate}#{_CLIMATE_ACTION}", zone.climate, Role.CLIMATE)
        action.attribute = _CLIMATE_ACTION
        sources += [temperature, action]
    sources += [_binary(e, e, Role.LIGHT) for e in zone.lights]
    return sources


def home_sources(home: HomeConfig) -> list[ChannelSource]:
    """Channels of the home level: presence and the outdoor temperature."""
    sources = [_binary(e, e, Role.PRESENCE) for e in home.presence]
    if home.outdoor:
        if split_entity_id(home.outdoor)[0] == "weather":
            outdoor = _numeric(f"{home.outdoor}#{_WEATHER_TEMPERATURE}", home.outdoor, Role.OUTDOOR)
            outdoor.attribute = _WEATHER_TEMPERATURE
            outdoor.unit_attribute = _WEATHER_UNIT
        else:
            outdoor = _numeric(home.outdoor, home.outdoor, Role.OUTDOOR)
        sources.append(outdoor)
    return sources


class StateReader:
    """Turns a new state of an entity into samples for every channel that follows it."""

    def __init__(self, sources: dict[str, list[ChannelSource]]) -> None:
        """Index ``sources`` (per zone key) by the entity they read."""
        self.sources = sources
        self.by_entity: dict[str, list[tuple[str, ChannelSource]]] = {}
        for key, zone_sources in sources.items():
            for source in zone_sources:
                self.by_entity.setdefault(source.entity_id, []).append((key, source))

    def samples(self, entity_id: str, state: State | None) -> list[Sample]:
        """``state`` (None: removed) read into each channel of ``entity_id``; O(channels)."""
        return [
            Sample(key, source.spec.key, *source.read(state))
            for key, source in self.by_entity.get(entity_id, ())
        ]


def build_household(
    title: str, home: HomeConfig, zones: Iterable[ZoneConfig], time_zone: str, temperature_unit: str
) -> tuple[Household, dict[str, list[ChannelSource]]]:
    """The household of a configured home and the channel sources of each zone (and the home,
    key ``HOME_KEY``); the integration and the benchmarks build it this one way."""
    sources: dict[str, list[ChannelSource]] = {HOME_KEY: home_sources(home)}
    specs = []
    for zone in zones:
        sources[zone.zone_id] = zone_sources(zone, temperature_unit)
        specs.append(_spec(zone.zone_id, zone.name, sources[zone.zone_id], zone.sensitivity))
    household = Household(
        HouseholdSettings(
            home.history_days, time_zone, home.comfort_temperature, home.eco_temperature
        ),
        _spec(HOME_KEY, title, sources[HOME_KEY], DEFAULT_SENSITIVITY),
        specs,
    )
    return household, sources


def _spec(key: str, name: str, sources: list[ChannelSource], sensitivity: str) -> ZoneSpec:
    return ZoneSpec(key, name, tuple(s.spec for s in sources), sensitivity_value(sensitivity))
