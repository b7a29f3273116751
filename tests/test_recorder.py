"""Bootstrap from a real recorder: states, long-term statistics, and the recorder executor."""

from datetime import timedelta
import threading
from unittest.mock import patch

from homeassistant.components.recorder import history
from homeassistant.components.recorder.const import DB_WORKER_PREFIX
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.iot_ml import history as iot_history

from .conftest import make_entry, set_home_states, setup_entry

DAY = 86400.0
TEMP_ATTRS = {
    "device_class": "temperature",
    "unit_of_measurement": "°C",
    "state_class": "measurement",
}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock, enable_custom_integrations) -> None:
    """The recorder must be set up before hass; this overrides the conftest fixture's order."""


async def _record_history(hass: HomeAssistant, days: float) -> float:
    """Record ``days`` of motion and temperature history, hourly; returns its start."""
    now = dt_util.utcnow().timestamp()
    start = now - days * DAY
    t = start
    hour = 0
    while t < now - 600:
        hass.states.async_set(
            "binary_sensor.living_motion",
            "on" if hour % 2 else "off",
            {"device_class": "motion"},
            timestamp=t,
        )
        # °F on purpose: values must come back as °C.
        hass.states.async_set(
            "sensor.living_temperature",
            str(68 + (hour % 24) / 10),
            {**TEMP_ATTRS, "unit_of_measurement": "°F"},
            timestamp=t,
        )
        t += 3600
        hour += 1
    await async_wait_recording_done(hass)
    return start


async def test_bootstrap_reads_recorded_history(hass: HomeAssistant) -> None:
    """Recorded states are resampled into the learners at setup, °F as °C."""
    await _record_history(hass, 3)
    set_home_states(hass)
    await async_wait_recording_done(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    coordinator = entry.runtime_data.coordinator
    learner = coordinator.household.zones["zone0"].learner
    status = learner.status(dt_util.utcnow().timestamp())
    assert status.days_of_history == pytest.approx(3, abs=0.1)
    motion = status.channels["binary_sensor.living_motion"]
    # 72 hourly changes, and the current state on top.
    assert motion.samples == 73
    assert motion.coverage == pytest.approx(3 / 7, abs=0.01)  # 3 of the 7 kept days
    temperature = learner.buffers["sensor.living_temperature"].window(
        learner.end_slot() or 0, 288 * 2
    )
    finite = temperature[~(temperature != temperature)]
    assert finite.min() > 19.9 and finite.max() < 21.5  # 68..70.3 °F
    # Trained after the bootstrap, and ready with three days of data; the home's tracker and
    # outdoor sensor have only their current states: nothing to learn from yet.
    assert hass.states.get("sensor.living_room_learning_status").state == "ready"
    assert hass.states.get("sensor.test_home_learning_status").state == "collecting"


async def test_history_reads_use_recorder_executor(hass: HomeAssistant) -> None:
    """Every recorder read runs in the recorder's database executor, never elsewhere."""
    await _record_history(hass, 1)
    set_home_states(hass)
    threads: list[str] = []
    original = history.get_significant_states

    def spy(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return original(*args, **kwargs)

    with patch.object(iot_history.history, "get_significant_states", spy):
        entry = make_entry()
        await setup_entry(hass, entry)
    assert threads
    assert all(name.startswith(DB_WORKER_PREFIX) for name in threads), threads


async def test_statistics_extend_history(hass: HomeAssistant) -> None:
    """Before the first recorded state, hourly long-term statistics fill numeric channels."""
    from homeassistant.components.recorder.models import StatisticMeanType
    from homeassistant.components.recorder.statistics import async_import_statistics

    now = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=6)
    stats = [
        {"start": start + timedelta(hours=h), "mean": 20.0 + (h % 2), "min": 19.0, "max": 22.0}
        for h in range(24 * 4)
    ]
    async_import_statistics(
        hass,
        {
            "source": "recorder",
            "statistic_id": "sensor.living_temperature",
            "name": None,
            "unit_of_measurement": "°C",
            "unit_class": "temperature",
            "mean_type": StatisticMeanType.ARITHMETIC,
            "has_sum": False,
        },
        stats,
    )
    await async_wait_recording_done(hass)
    set_home_states(hass)
    await async_wait_recording_done(hass)
    entry = make_entry()
    await setup_entry(hass, entry)
    learner = entry.runtime_data.coordinator.household.zones["zone0"].learner
    status = learner.status(dt_util.utcnow().timestamp())
    # Four days of hourly means, from six days ago: 4 of the 7 kept days.
    assert status.channels["sensor.living_temperature"].coverage == pytest.approx(4 / 7, abs=0.01)
    assert status.days_of_history == pytest.approx(6, abs=0.1)
    window = learner.buffers["sensor.living_temperature"].window(learner.end_slot() or 0, 7 * 288)
    values = window[window == window]
    assert set(values[:24].round(3)) <= {20.0, 21.0}
