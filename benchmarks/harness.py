"""Replay a home's state changes through the household the integration runs.

``Replay`` builds the ``Household`` with the integration's own ``build_household``, reads every
state change with its ``StateReader`` (the channel readers, unit conversion and gap reasons of
``Ingest.on_state_change``), ticks it every 5 minutes with ``zone_reading`` as the coordinator's
timer does, and trains it once a day at the configured training time. Benchmarks only add what a
Home Assistant instance would add around it: the clock, the event order, and (for closed-loop
benchmarks) a device that follows ``climate_commands``.

Without a running Home Assistant: every call goes straight to the product code, so what a
benchmark measures is what the integration does, only faster.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from homeassistant.core import State
from homeassistant.util import dt as dt_util

from custom_components.iot_ml.channels import StateReader, build_household
from custom_components.iot_ml.const import (
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
    CONF_WINDOWS,
    HOME_KEY,
)
from custom_components.iot_ml.engine.anomaly import AnomalyEvent
from custom_components.iot_ml.engine.climate import ZoneReading
from custom_components.iot_ml.engine.core import SLOT_SECONDS
from custom_components.iot_ml.engine.household import HOME, Household, Ingested, Zone
from custom_components.iot_ml.models import HomeConfig, ZoneConfig
from custom_components.iot_ml.roles import role_fits, suggest_roles
from custom_components.iot_ml.schedule import daily_after
from custom_components.iot_ml.smart_climate import climate_commands
from custom_components.iot_ml.thermal_state import zone_reading
from simulator import VirtualHome, default_home
from simulator.entities import FRONT_DOOR, tv_id

TEMPERATURE_UNIT = "°C"
assert HOME == HOME_KEY  # the glue and the engine name the home alike


class Change(Protocol):
    """A state change as Home Assistant delivers it (the simulator's ``StateChange``)."""

    @property
    def ts(self) -> float: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def attributes(self) -> dict[str, Any]: ...


def ha_state(change: Change) -> State:
    """The ``State`` Home Assistant would hold after ``change``."""
    when = datetime.fromtimestamp(change.ts, UTC)
    return State(
        change.entity_id,
        change.state,
        change.attributes,
        last_changed=when,
        last_reported=when,
        last_updated=when,
    )


def zone_config(zone_id: str, name: str, attributes: dict[str, dict[str, Any]]) -> ZoneConfig:
    """A zone as the config flow pre-fills it from the entities of its area (``attributes``:
    each entity's state attributes), accepted unchanged."""

    def fits(role: str, entity_id: str) -> bool:
        attrs = attributes[entity_id]
        numeric = entity_id.startswith("sensor.") and (
            "unit_of_measurement" in attrs or "state_class" in attrs
        )
        return role_fits(role, entity_id, attrs.get("device_class"), numeric)

    roles = suggest_roles(sorted(attributes), fits, lambda e: attributes[e].get("device_class"))

    def many(role: str) -> tuple[str, ...]:
        value = roles.get(role, ())
        return tuple(value) if isinstance(value, list) else (value,)

    climate = roles.get(CONF_CLIMATE)
    return ZoneConfig(
        zone_id=zone_id,
        name=name,
        area_id=zone_id,
        evidence=many(CONF_EVIDENCE),
        environment=many(CONF_ENVIRONMENT),
        climate=climate if isinstance(climate, str) else None,
        lights=many(CONF_LIGHTS),
        watched=many(CONF_WATCHED),
        windows=many(CONF_WINDOWS),
    )


def home_config(
    presence: Sequence[str],
    outdoor: str | None,
    *,
    comfort_c: float = 21.0,
    eco_c: float = 17.0,
    history_days: int = 28,
    training_time: str = "03:00:00",
) -> HomeConfig:
    """Home settings as the config flow stores them."""
    return HomeConfig.from_mapping(
        {
            CONF_PRESENCE: list(presence),
            CONF_OUTDOOR: outdoor,
            CONF_COMFORT_TEMPERATURE: comfort_c,
            CONF_ECO_TEMPERATURE: eco_c,
            CONF_HISTORY_DAYS: history_days,
            CONF_TRAINING_TIME: training_time,
        }
    )


@dataclass(slots=True)
class Hooks:
    """What a benchmark does around the household (all optional)."""

    # After each 5-minute tick, with the tick's time.
    on_tick: Callable[[float], None] | None = None
    # After each ingest whose occupancy moved enough to push entities (the coordinator's update).
    on_update: Callable[[float, Ingested], None] | None = None
    # After each nightly training.
    on_trained: Callable[[float], None] | None = None


class Replay:
    """One home's household driven by replayed state changes and a simulated clock."""

    def __init__(
        self,
        home: HomeConfig,
        zones: Sequence[ZoneConfig],
        time_zone: str,
        start: float,
        *,
        title: str = "Home",
        hooks: Hooks | None = None,
    ) -> None:
        """A fresh install at ``start`` (epoch seconds): nothing learned, no history."""
        self.home = home
        self.zone_configs = {zone.zone_id: zone for zone in zones}
        self.household: Household
        self.household, sources = build_household(title, home, zones, time_zone, TEMPERATURE_UNIT)
        self.reader = StateReader(sources)
        self.states: dict[str, State] = {}
        self.hooks = hooks or Hooks()
        dt_util.set_default_time_zone(ZoneInfo(time_zone))  # HA's configured time zone
        self.now = start
        self.next_tick = (start // SLOT_SECONDS + 1) * SLOT_SECONDS
        self.next_training = self._training_after(start)
        self.trainings = 0
        # Every anomaly event, as the integration's event entities receive them: (ts, zone, event).
        self.events: list[tuple[float, str, AnomalyEvent]] = []

    def zone(self, key: str) -> Zone:
        """A zone of the household (``HOME`` for the home)."""
        return self.household.zones[key]

    # -- what Home Assistant would do ----------------------------------------------------------

    def push(self, change: Change) -> Ingested:
        """One state change, read as ``Ingest.on_state_change`` reads it."""
        self.clock(change.ts)
        state = ha_state(change)
        self.states[change.entity_id] = state
        result = self.household.ingest(change.ts, self.reader.samples(change.entity_id, state))
        self.events += [(change.ts, key, event) for key, event in result.events]
        if result.moved and self.hooks.on_update is not None:
            self.hooks.on_update(change.ts, result)
        return result

    def feed(self, changes: Iterable[Change], until: float | None = None) -> None:
        """Changes in time order, then the clock to ``until``."""
        for change in changes:
            self.push(change)
        if until is not None:
            self.clock(until)

    def clock(self, until: float) -> None:
        """Run the ticks and trainings due before ``until``, in time order."""
        while min(self.next_tick, self.next_training) <= until:
            if self.next_training < self.next_tick:
                self.now = self.next_training
                self.train()
                self.next_training = self._training_after(self.now)
            else:
                self.now = self.next_tick
                events = self.household.tick(self.now, self.readings())
                self.events += [(self.now, key, event) for key, event in events]
                self.next_tick += SLOT_SECONDS
                if self.hooks.on_tick is not None:
                    self.hooks.on_tick(self.now)
        self.now = max(self.now, until)

    def train(self) -> None:
        """The nightly training round, as ``IotMlCoordinator.async_train`` runs it."""
        self.household.train(self.now, self.readings())
        self.trainings += 1
        if self.hooks.on_trained is not None:
            self.hooks.on_trained(self.now)

    def readings(self) -> dict[str, ZoneReading]:
        """What each zone's climate entity and window contacts say now."""
        return {key: self.reading(key) for key in self.zone_configs}

    def reading(self, key: str) -> ZoneReading:
        """What zone ``key``'s climate entity and window contacts say now."""
        return zone_reading(self.zone_configs[key], self.states.get, TEMPERATURE_UNIT)

    def climate_commands(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        """What smart climate would send to zone ``key``'s thermostat now (none without a
        decision or a thermostat)."""
        zone = self.zone_configs[key]
        thermal = self.household.zones[key].thermal
        state = self.states.get(zone.climate) if zone.climate else None
        if thermal is None or state is None or state.state == "unavailable":
            return []
        return climate_commands(state, thermal.decision)

    def _training_after(self, ts: float) -> float:
        """The next training after ``ts``, as the integration's daily schedule picks it."""
        return daily_after(self.home.training_time, datetime.fromtimestamp(ts, UTC)).timestamp()


# -- the virtual home, set up as the demo's user sets it up ------------------------------------


def area_of(entity_id: str, spec: Any) -> str | None:
    """The area of a virtual-home entity (None: the whole home): the zone the simulator's spec
    places it in (the TV and the front door), else the zone its name starts with, as the demo
    integration assigns them."""
    placed = {FRONT_DOOR: spec.sensors.door_zone, tv_id(spec.sensors.tv_zone): spec.sensors.tv_zone}
    if entity_id in placed:
        return placed[entity_id]
    object_id = entity_id.split(".", 1)[1]
    return next((z for z in spec.zone_names if object_id.startswith(z)), None)


def simulated_home(
    seed: int, start: float, spec: Any = None, *, faults: bool = False, **settings: Any
) -> tuple[Any, Replay]:
    """The virtual home (``simulator.VirtualHome``) and iot_ml installed on it at ``start``:
    a zone per area with the roles the config flow suggests, the phones as presence, the
    outdoor sensor (the e2e stage's set-up). Its initial states are already replayed."""
    sim = VirtualHome(spec or default_home(), seed, start, faults=faults)
    initial = sim.initial_states()
    zones = list(sim.spec.zone_names)
    areas: dict[str, dict[str, dict[str, Any]]] = {z: {} for z in zones}
    for change in initial:
        area = area_of(change.entity_id, sim.spec)
        if area is not None:
            areas[area][change.entity_id] = dict(change.attributes)
    presence = sorted(c.entity_id for c in initial if c.entity_id.startswith("device_tracker."))
    home = home_config(
        presence,
        "sensor.outdoor_temperature",
        comfort_c=sim.spec.comfort_c,
        eco_c=sim.spec.eco_c,
        **settings,
    )
    configs = [zone_config(z, z.replace("_", " ").capitalize(), areas[z]) for z in zones]
    replay = Replay(home, configs, sim.spec.time_zone, start, title="Virtual home")
    replay.feed(initial)
    return sim, replay
