"""A hostile home: whatever other integrations put in states and attributes, and whatever time
does, the household keeps running, its snapshots stay valid, and its state saves and loads.

Drives the integration's own readers (``StateReader``, ``zone_reading``) and the household the
coordinator builds (``build_household``), with hypothesis choosing the states. The profile in CI
is bounded (``HYPOTHESIS_PROFILE=ci``, the default); ``scripts/run env HYPOTHESIS_PROFILE=long
python -m pytest -p no:logging tests/test_hostile_states.py`` runs a longer one.
"""

import json
import math
import os
from typing import Any

from homeassistant.core import State
from hypothesis import HealthCheck, given, settings, strategies as st
import numpy as np

from custom_components.iot_ml.channels import StateReader, build_household
from custom_components.iot_ml.engine.core import SLOT_SECONDS
from custom_components.iot_ml.engine.household import Household
from custom_components.iot_ml.models import HomeConfig, ZoneConfig
from custom_components.iot_ml.thermal_state import zone_reading

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

START = 1_793_577_600.0  # 2026-11-02 00:00 UTC
ZONE = ZoneConfig(
    zone_id="zone0",
    name="Living room",
    area_id=None,
    evidence=("binary_sensor.motion", "media_player.tv"),
    environment=("sensor.temperature", "sensor.co2"),
    climate="climate.living_room",
    lights=("light.living_room",),
    watched=("sensor.temperature", "sensor.co2"),
    windows=("binary_sensor.window",),
)
HOME = HomeConfig.from_mapping(
    {"presence_entities": ["person.alex"], "outdoor_entity": "weather.home", "history_days": 2}
)
ENTITIES = [*ZONE.entity_ids(), *HOME.entity_ids()]

garbage = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["on", "off", "home", "not_home", "heating", "idle", "unknown", "unavailable"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
attributes = st.dictionaries(
    st.sampled_from(
        [
            "unit_of_measurement",
            "current_temperature",
            "temperature",
            "hvac_action",
            "min_temp",
            "max_temp",
            "temperature_unit",
            "device_class",
            "supported_features",
            "target_temp_step",
        ]
    ),
    garbage,
    max_size=6,
)
change = st.tuples(
    st.sampled_from(ENTITIES),
    st.one_of(
        st.text(max_size=6),
        st.floats().map(str),
        st.integers(-100, 2000).map(str),
        st.sampled_from(["on", "off", "21.5", "unknown", "unavailable"]),
    ),
    attributes,
    # Seconds since the last change; negative: a clock jump back.
    st.floats(min_value=-7200, max_value=6 * 3600, allow_nan=False),
)


def _household() -> tuple[Household, StateReader]:
    household, sources = build_household("Home", HOME, [ZONE], "Europe/Berlin", "°C")
    return household, StateReader(sources)


def _assert_valid(household: Household, now: float) -> None:
    """Every number an entity would show is finite (HA refuses NaN/inf states)."""
    for snapshot in household.snapshots(now).values():
        status = snapshot.status
        assert math.isfinite(status.days_of_history)
        assert all(math.isfinite(v) for v in status.coverage_by_role.values())
        if snapshot.occupancy is not None:
            assert 0.0 <= snapshot.occupancy.probability <= 1.0
            assert np.isfinite(snapshot.occupancy.forecast.series).all()
        if snapshot.thermal is not None:
            assert math.isfinite(snapshot.thermal.predicted_1h)
            assert math.isfinite(snapshot.thermal.state.temperature)
        assert all(math.isfinite(v) for v in snapshot.scores.values())


def _round_trip(household: Household, now: float) -> None:
    """What was learned saves as JSON + arrays and loads into a fresh household."""
    saved = household.export_state()
    fresh, _ = _household()
    for key, (meta, arrays) in saved.items():
        fresh.import_state(key, json.loads(json.dumps(meta)), arrays, now)
    _assert_valid(fresh, now)


@settings(max_examples=settings().max_examples)
@given(st.lists(change, min_size=1, max_size=60), st.booleans())
def test_hostile_states_never_stop_the_household(
    changes: list[tuple[str, str, dict[str, Any], float]], train: bool
) -> None:
    household, reader = _household()
    states: dict[str, State] = {}
    now = START
    next_tick = START + SLOT_SECONDS
    for entity_id, value, attrs, step in changes:
        now += step
        state = State(entity_id, value[:255], attrs)
        states[entity_id] = state
        household.ingest(now, reader.samples(entity_id, state))
        while next_tick <= now:
            readings = {ZONE.zone_id: zone_reading(ZONE, states.get, "°C")}
            household.tick(next_tick, readings)
            next_tick += SLOT_SECONDS
    readings = {ZONE.zone_id: zone_reading(ZONE, states.get, "°C")}
    if train:
        household.train(now, readings)
    household.tick(now + SLOT_SECONDS, readings)
    _assert_valid(household, now + SLOT_SECONDS)
    _round_trip(household, now + SLOT_SECONDS)
