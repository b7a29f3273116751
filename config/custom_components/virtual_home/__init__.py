"""Virtual home: binds the iot_ml simulator to Home Assistant as real entities (development only).

At setup it simulates the past days and writes them into the recorder with their past timestamps,
then keeps simulating in real time. Climate and light entities act on the simulated home.
"""

from datetime import timedelta
import logging
from pathlib import Path
import sys
import time
from typing import Any

from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.tasks import CommitTask
from homeassistant.config_entries import SOURCE_IMPORT, ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .const import (
    CONF_FAULTS,
    CONF_HISTORY_DAYS,
    CONF_RECORDED_UNTIL,
    CONF_SEED,
    CONF_START,
    DOMAIN,
    LIVE_INTERVAL_S,
    PLATFORMS,
    SIGNAL_CHANGE,
    STATUS_ENTITY,
)

_LOGGER = logging.getLogger(__name__)
SEED_CHUNK = 1000

CONFIG_SCHEMA = vol.Schema(
    {
        DOMAIN: vol.Schema(
            {
                vol.Optional(CONF_SEED, default=1): cv.positive_int,
                vol.Optional(CONF_HISTORY_DAYS, default=14): vol.All(int, vol.Range(min=0, max=60)),
                vol.Optional(CONF_FAULTS, default=True): cv.boolean,
            }
        )
    },
    extra=vol.ALLOW_EXTRA,
)


def _import_simulator() -> Any:
    """The simulator package lives at the repository root, beside config/."""
    root = Path(__file__).resolve().parents[3]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    import simulator

    return simulator


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Import the YAML configuration into a config entry."""
    if DOMAIN in config and not hass.config_entries.async_entries(DOMAIN):
        hass.async_create_task(
            hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_IMPORT}, data=dict(config[DOMAIN])
            )
        )
    return True


class VirtualHomeRuntime:
    """The running simulation and the entities bound to it."""

    def __init__(self, hass: HomeAssistant, home: Any, latest: dict[str, Any]) -> None:
        self.hass = hass
        self.home = home
        self.states: dict[str, Any] = latest  # entity_id -> latest StateChange
        self.seeding = False

    @callback
    def step(self, _now: Any = None) -> None:
        """Advance the simulation to the wall clock and push the changes to entities."""
        if self.seeding:
            return
        for change in self.home.advance(time.time()):
            self.states[change.entity_id] = change
            async_dispatcher_send(self.hass, f"{SIGNAL_CHANGE}_{change.entity_id}", change)

    @callback
    def refresh_all(self) -> None:
        """Make every entity write its current state again."""
        for entity_id, change in self.states.items():
            async_dispatcher_send(self.hass, f"{SIGNAL_CHANGE}_{entity_id}", change)


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Simulate from the home's first day to now; record what the recorder lacks; run live."""
    simulator = await hass.async_add_import_executor_job(_import_simulator)
    spec = simulator.default_home()
    spec.faults = bool(entry.data.get(CONF_FAULTS, True))
    days = int(entry.data.get(CONF_HISTORY_DAYS, 14))
    now = time.time()
    if CONF_START not in entry.data:
        # The simulated past is fixed at first setup; later starts re-simulate it identically.
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_START: now - days * 86400}
        )
    home = simulator.VirtualHome(spec, int(entry.data.get(CONF_SEED, 1)), entry.data[CONF_START])
    t0 = time.monotonic()
    past = [*home.initial_states(), *await hass.async_add_executor_job(home.advance, now)]
    _LOGGER.info(
        "Virtual home: simulated %.1f days (%d state changes) in %.1f s",
        (now - home.start) / 86400,
        len(past),
        time.monotonic() - t0,
    )
    latest = {c.entity_id: c for c in past}
    runtime = VirtualHomeRuntime(hass, home, latest)
    entry.runtime_data = runtime
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(
        async_track_time_interval(hass, runtime.step, timedelta(seconds=LIVE_INTERVAL_S))
    )
    recorded_until = float(entry.data.get(CONF_RECORDED_UNTIL, 0.0))
    missing = [c for c in past if c.ts > recorded_until]

    async def _seed(_hass: HomeAssistant | None = None) -> None:
        await _async_record_past(hass, runtime, missing)
        hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_RECORDED_UNTIL: now})
        hass.states.async_set(STATUS_ENTITY, "ready", {"history_from": home.start})

    hass.states.async_set(STATUS_ENTITY, "seeding", {"changes": len(missing)})
    # The recorder only writes once Home Assistant has started.
    entry.async_on_unload(async_at_started(hass, _seed))
    return True


async def _async_record_past(
    hass: HomeAssistant, runtime: VirtualHomeRuntime, changes: list[Any]
) -> None:
    """Write past states with their own timestamps, so the recorder stores them at that time.

    In chunks, each committed before the next: one huge recorder session takes SQLAlchemy minutes
    to flush. Entities write their current state again at the end.
    """
    runtime.seeding = True
    t0 = time.monotonic()
    recorder = get_instance(hass) if "recorder" in hass.config.components else None
    try:
        for i in range(0, len(changes), SEED_CHUNK):
            for change in changes[i : i + SEED_CHUNK]:
                hass.states.async_set(
                    change.entity_id, change.state, change.attributes, timestamp=change.ts
                )
            if recorder is not None:
                recorder.queue_task(CommitTask())
                await recorder.async_block_till_done()
    finally:
        runtime.seeding = False
        runtime.refresh_all()
    _LOGGER.info(
        "Virtual home: recorded %d past state changes in %.1f s",
        len(changes),
        time.monotonic() - t0,
    )


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Stop the simulation."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
