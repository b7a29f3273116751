"""Live learning, persistence across restarts, bad input, and schedules (recorder absent)."""

from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import numpy as np
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.iot_ml.const import DOMAIN, HOME_KEY, LOGGER
from custom_components.iot_ml.engine.core.types import GapReason

from .conftest import make_entry, set_home_states, setup_entry

pytestmark = pytest.mark.usefixtures("no_recorder")


async def _start_home(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory | None = None
) -> MockConfigEntry:
    """The default test home, set up (at a fixed Monday morning when the clock is frozen)."""
    if freezer is not None:
        freezer.move_to("2026-11-02 10:00:00+00:00")
    set_home_states(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    return entry


async def _run_live(hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: int) -> None:
    """Toggle motion and move the temperature every 5 minutes for ``minutes``."""
    for i in range(minutes // 5):
        freezer.tick(timedelta(minutes=5))
        hass.states.async_set(
            "binary_sensor.living_motion", "on" if i % 2 else "off", {"device_class": "motion"}
        )
        hass.states.async_set(
            "sensor.living_temperature",
            str(20 + i % 3),
            {"device_class": "temperature", "unit_of_measurement": "°C"},
        )
        async_fire_time_changed(hass)
        await hass.async_block_till_done()


async def test_live_updates_fill_slots(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Live state changes land in the zone's 5-minute slots, in canonical units."""
    entry = await _start_home(hass, freezer)
    await _run_live(hass, freezer, 60)
    learner = entry.runtime_data.coordinator.household.zones["zone0"].learner
    end = learner.end_slot()
    assert end is not None
    motion = learner.buffers["binary_sensor.living_motion"].window(end, 10)
    assert np.nanmax(motion) == 1.0 and np.nanmin(motion) == 0.0
    temperature = learner.buffers["sensor.living_temperature"].window(end, 10)
    assert set(np.round(temperature[~np.isnan(temperature)], 3)) <= {20.0, 21.0, 22.0}
    state = hass.states.get("sensor.living_room_learning_status")
    assert (
        state is not None and state.attributes["samples"] == 30
    )  # 7 seeded at start, 23 changes (the first "off" is none)


async def test_learned_state_survives_reload(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Buffers, counters and the anomaly detectors come back after an unload/setup cycle."""
    entry = await _start_home(hass, freezer)
    await _run_live(hass, freezer, 120)
    await entry.runtime_data.coordinator.async_train()
    before = entry.runtime_data.coordinator.household.zones["zone0"].learner
    saved_values = before.buffers["sensor.living_temperature"].values.copy()
    saved_samples = dict(before.samples)
    assert before.anomalies.sensors
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert Path(hass.config.path(".storage", f"{DOMAIN}.{entry.entry_id}.npz")).exists()

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    after = entry.runtime_data.coordinator.household.zones["zone0"].learner
    np.testing.assert_array_equal(after.buffers["sensor.living_temperature"].values, saved_values)
    assert dict(after.samples) == saved_samples
    assert after.anomalies.to_json() == before.anomalies.to_json()
    assert after.trained_at == before.trained_at
    await entry.runtime_data.coordinator.bootstrapped.wait()


def _our_issues(hass: HomeAssistant) -> list[ir.IssueEntry]:
    return [i for i in ir.async_get(hass).issues.values() if i.domain == DOMAIN]


async def test_corrupt_arrays_are_logged_and_relearned(hass: HomeAssistant) -> None:
    """An unreadable npz never fails setup: it is logged and learning restarts from history.

    No repair issue: there is nothing for the user to do (HA's rule: issues are actionable).
    """
    set_home_states(hass)
    entry = make_entry()
    entry.add_to_hass(hass)
    hass_storage_path = Path(hass.config.path(".storage"))
    hass_storage_path.mkdir(parents=True, exist_ok=True)
    (hass_storage_path / f"{DOMAIN}.{entry.entry_id}.npz").write_bytes(b"not a zip file")
    with (
        patch(
            "custom_components.iot_ml.storage._MigratingStore.async_load",
            return_value={"learners": {"zone0": {"version": 1}}},
        ),
        patch.object(LOGGER, "warning", wraps=LOGGER.warning) as warning,
    ):
        await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert _our_issues(hass) == []
    assert [c.args[0] for c in warning.call_args_list] == [
        "Learned state of %s is unreadable (%s); relearning from history"
    ]
    assert hass.states.get("sensor.living_room_learning_status") is not None


@pytest.mark.parametrize(
    "stored",
    [
        {"learners": "nonsense"},
        {"learners": {"zone0": {"version": 99}}},
        {"learners": {"zone0": {"version": 1, "channels": {"x": {}}}}},
    ],
)
async def test_malformed_state_is_relearned(hass: HomeAssistant, stored: dict) -> None:
    """Malformed JSON state is logged, not a repair issue; the zone starts empty but works."""
    set_home_states(hass)
    entry = make_entry()
    with (
        patch("custom_components.iot_ml.storage._MigratingStore.async_load", return_value=stored),
        patch.object(LOGGER, "warning", wraps=LOGGER.warning) as warning,
    ):
        await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert warning.called
    assert _our_issues(hass) == []
    assert (
        entry.runtime_data.coordinator.household.zones["zone0"].learner.trained_at is not None
    )  # retrained


async def test_newer_storage_version_is_treated_as_corrupt(
    hass: HomeAssistant, hass_storage
) -> None:
    """A file written by a newer iot_ml (downgrade) is logged and relearned, not crashed on."""
    set_home_states(hass)
    entry = make_entry()
    hass_storage[f"{DOMAIN}.{entry.entry_id}"] = {
        "version": 9,
        "minor_version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}",
        "data": {"learners": {}},
    }
    with patch.object(LOGGER, "warning", wraps=LOGGER.warning) as warning:
        await setup_entry(hass, entry)
    assert "newer" in warning.call_args.args[2]
    assert _our_issues(hass) == []


GARBAGE = ["unknown", "unavailable", "abc", "nan", "inf", "-inf", "", "1e999", "None"]


async def test_garbage_states_become_counted_gaps(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Unknown, unavailable and non-numeric states are gaps with a reason, never a crash."""
    entry = await _start_home(hass, freezer)
    for value in GARBAGE:
        freezer.tick(timedelta(minutes=1))
        hass.states.async_set("sensor.living_co2", value, {"unit_of_measurement": "ppm"})
        hass.states.async_set("binary_sensor.living_motion", value, {"device_class": "motion"})
    freezer.tick(timedelta(minutes=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    gaps = entry.runtime_data.coordinator.household.zones["zone0"].learner.gaps
    assert gaps["sensor.living_co2"][GapReason.UNAVAILABLE] == 1
    assert gaps["sensor.living_co2"][GapReason.UNKNOWN] == 1
    assert gaps["sensor.living_co2"][GapReason.INVALID] == len(GARBAGE) - 2
    assert gaps["binary_sensor.living_motion"][GapReason.INVALID] == len(GARBAGE) - 2
    state = hass.states.get("sensor.living_room_learning_status")
    assert state is not None and state.state in ("collecting", "ready")


async def test_unit_change_is_converted_or_gapped(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """°F converts to °C; a unit that cannot convert to the channel's unit becomes a gap."""
    entry = await _start_home(hass, freezer)
    learner = entry.runtime_data.coordinator.household.zones["zone0"].learner
    hass.states.async_set("sensor.living_temperature", "77", {"unit_of_measurement": "°F"})
    await hass.async_block_till_done()
    assert learner.buffers["sensor.living_temperature"].held == pytest.approx(25.0)
    hass.states.async_set("sensor.living_co2", "0.1", {"unit_of_measurement": "%"})
    await hass.async_block_till_done()
    assert learner.gaps["sensor.living_co2"][GapReason.UNIT] == 1


async def test_removed_entity_is_a_gap(hass: HomeAssistant) -> None:
    """A removed entity's channel goes into a gap (unavailable)."""
    entry = await _start_home(hass)
    hass.states.async_remove("sensor.living_co2")
    await hass.async_block_till_done()
    learner = entry.runtime_data.coordinator.household.zones["zone0"].learner
    assert learner.gaps["sensor.living_co2"][GapReason.UNAVAILABLE] == 1


async def test_clock_jump_back_is_counted(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A clock going backwards never re-counts time."""
    entry = await _start_home(hass, freezer)
    freezer.tick(timedelta(minutes=30))
    hass.states.async_set("sensor.living_co2", "700", {"unit_of_measurement": "ppm"})
    await hass.async_block_till_done()
    freezer.move_to("2026-11-02 09:00:00+00:00")
    hass.states.async_set("sensor.living_co2", "800", {"unit_of_measurement": "ppm"})
    await hass.async_block_till_done()
    buffer = entry.runtime_data.coordinator.household.zones["zone0"].learner.buffers[
        "sensor.living_co2"
    ]
    assert buffer.clock_jumps == 1
    assert buffer.held == 800.0


async def test_training_failure_shows_error(hass: HomeAssistant) -> None:
    """A failing model fit sets the zone to error and logs; the rest keeps running."""
    set_home_states(hass)
    entry = make_entry()
    with patch("custom_components.iot_ml.coordinator.train", side_effect=RuntimeError("boom")):
        await setup_entry(hass, entry)
    state = hass.states.get("sensor.living_room_learning_status")
    assert state is not None and state.state == "error"


async def test_daily_training_and_periodic_save(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Training runs at the configured time; state is saved hourly and on stop."""
    entry = await _start_home(hass, freezer)
    coordinator = entry.runtime_data.coordinator
    first = coordinator.household.zones["zone0"].learner.trained_at
    next_training = coordinator.training.next_run()
    assert next_training > dt_util.now()
    with patch.object(coordinator.store, "async_save", wraps=coordinator.store.async_save) as save:
        freezer.move_to(next_training + timedelta(seconds=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert coordinator.household.zones["zone0"].learner.trained_at != first
        assert save.call_count >= 1
        save.reset_mock()
        freezer.tick(timedelta(hours=1, seconds=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        assert save.call_count >= 1
        save.reset_mock()
        hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
        await hass.async_block_till_done()
        assert save.call_count == 1
    # The stop listener is a plain one: unloading after a stop removes it without an error.
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_home_without_zones_or_sources(hass: HomeAssistant) -> None:
    """A home with no entities configured still sets up; it only collects."""
    entry = make_entry(zones=[], data={})
    await setup_entry(hass, entry)
    state = hass.states.get("sensor.test_home_learning_status")
    assert state is not None and state.state == "collecting"
    assert HOME_KEY in entry.runtime_data.coordinator.data


async def test_stop_mid_bootstrap_keeps_what_was_read(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Unloading while history is still being read saves what was read, so it resumes."""
    import asyncio

    from custom_components.iot_ml.engine.core.types import Series

    freezer.move_to("2026-11-02 10:00:00+00:00")
    set_home_states(hass)
    now = dt_util.utcnow().timestamp()
    times = np.arange(now - 3 * 86400, now, 600.0)
    blocked = asyncio.Event()

    async def read_history(_hass, sources, _starts, _until):  # type: ignore[no-untyped-def]
        if any(s.entity_id == "person.alex" for s in sources):
            return {"person.alex": Series(times, np.ones(len(times)))}
        blocked.set()
        await asyncio.Event().wait()  # the living room's read never finishes
        return {}

    entry = make_entry()
    entry.add_to_hass(hass)
    with patch("custom_components.iot_ml.ingest.async_read_history", read_history):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await blocked.wait()
        coordinator = entry.runtime_data.coordinator
        assert not coordinator.bootstrapped.is_set()
        with patch.object(
            coordinator.store, "async_save", wraps=coordinator.store.async_save
        ) as save:
            assert await hass.config_entries.async_unload(entry.entry_id)
        saved = save.call_args.args[0]
    home = saved.zones[HOME_KEY][0]["channels"]["person.alex"]
    assert home["end_slot"] is not None and home["samples"] == len(times)
