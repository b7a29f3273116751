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

from homeassistant.config_entries import SOURCE_IMPORT, ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .const import (
    CONF_FAULTS,
    CONF_HISTORY_DAYS,
    CONF_SEED,
    DOMAIN,
    LIVE_INTERVAL_S,
    PLATFORMS,
    SIGNAL_CHANGE,
)

_LOGGER = logging.getLogger(__name__)

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

    def __init__(self, hass: HomeAssistant, home: Any, initial: dict[str, Any]) -> None:
        self.hass = hass
        self.home = home
        self.states: dict[str, Any] = initial  # entity_id -> latest StateChange

    @callback
    def step(self, _now: Any = None) -> None:
        """Advance the simulation to the wall clock and push the changes to entities."""
        for change in self.home.advance(time.time()):
            self.states[change.entity_id] = change
            async_dispatcher_send(self.hass, f"{SIGNAL_CHANGE}_{change.entity_id}", change)


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Simulate the past into the recorder, then run live."""
    simulator = await hass.async_add_import_executor_job(_import_simulator)
    spec = simulator.default_home()
    if hasattr(spec, "faults"):
        spec.faults = bool(entry.data.get(CONF_FAULTS, True))
    days = int(entry.data.get(CONF_HISTORY_DAYS, 14))
    now = time.time()
    start = now - days * 86400
    home = simulator.VirtualHome(spec, int(entry.data.get(CONF_SEED, 1)), start)
    initial = home.initial_states()
    t0 = time.monotonic()
    past = await hass.async_add_executor_job(home.advance, now)
    latest: dict[str, Any] = {c.entity_id: c for c in initial}
    # Past states go to the state machine with their own timestamps: the recorder stores them
    # at that time, so iot_ml finds weeks of history at first start.
    for change in [*initial, *past]:
        hass.states.async_set(
            change.entity_id, change.state, change.attributes, timestamp=change.ts
        )
        latest[change.entity_id] = change
    _LOGGER.info(
        "Virtual home: simulated %d days (%d state changes) in %.1f s",
        days,
        len(past),
        time.monotonic() - t0,
    )
    runtime = VirtualHomeRuntime(hass, home, latest)
    entry.runtime_data = runtime
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(
        async_track_time_interval(hass, runtime.step, timedelta(seconds=LIVE_INTERVAL_S))
    )
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Stop the simulation."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
