"""The adapter between one home's ``Household`` and Home Assistant.

The household does the learning; this coordinator feeds it Home Assistant's states (``Ingest``),
runs its timers, hands training to executors on copies, saves and restores its state, and turns
its conclusions into entity data. The household is touched only on the event loop.
"""

import asyncio
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .channels import build_household
from .const import DOMAIN, LIVE_TICK, LOGGER, SAVE_INTERVAL
from .engine.anomaly import Feedback
from .engine.climate import ZoneReading
from .engine.core import FloatArray
from .engine.household import Ingested, LearningState, TrainedModel, ZoneSnapshot, train
from .ingest import Ingest
from .models import HomeConfig, zones_of
from .schedule import DailyAt
from .storage import LearnedStateStore, StorageCorruptError, StoredState
from .thermal_state import zone_reading


@dataclass(slots=True)
class IotMlRuntimeData:
    """What a loaded home keeps on its config entry."""

    coordinator: IotMlCoordinator


type IotMlConfigEntry = ConfigEntry[IotMlRuntimeData]


def anomaly_signal(entry_id: str) -> str:
    """The dispatcher signal a home's anomaly events go out on: ``(zone key, event)``."""
    return f"{DOMAIN}_{entry_id}_anomaly"


class IotMlCoordinator(DataUpdateCoordinator[dict[str, ZoneSnapshot]]):
    """Runs one home's household. Event-driven: no polling."""

    config_entry: IotMlConfigEntry

    def __init__(self, hass: HomeAssistant, entry: IotMlConfigEntry) -> None:
        """Build the household of every zone in the entry's configuration."""
        super().__init__(hass, LOGGER, config_entry=entry, name=DOMAIN, update_interval=None)
        self.home = HomeConfig.from_entry(entry)
        self.zone_configs = {zone.zone_id: zone for zone in zones_of(entry)}
        self.store = LearnedStateStore(hass, entry.entry_id)
        self.household, sources = build_household(
            entry.title,
            self.home,
            self.zone_configs.values(),
            str(hass.config.time_zone),
            hass.config.units.temperature_unit,
        )
        self.ingest = Ingest(hass, self.household, sources, self._on_ingested)
        self.anomaly_signal = anomaly_signal(entry.entry_id)
        self.training = DailyAt(hass, self.home.training_time, self._on_training_time)
        self._train_lock = asyncio.Lock()
        self._unsubscribers: list[CALLBACK_TYPE] = []
        self._work: asyncio.Future[Any] | None = None
        # Set once history is loaded and the first training has run.
        self.bootstrapped = asyncio.Event()

    # -- what the entities need to know ---------------------------------------------------------

    def zone_name(self, key: str) -> str:
        """The name of a zone (the entry's title for the home)."""
        return self.household.zones[key].spec.name

    def learns_occupancy(self, key: str) -> bool:
        """Whether a zone has occupancy evidence (the home: presence, or any such zone)."""
        return self.household.learns_occupancy(key)

    def watches_anomalies(self, key: str) -> bool:
        """Whether a zone has watched sensors or activity to raise anomalies on."""
        return self.household.watches_anomalies(key)

    @staticmethod
    def entity_of(channel: str) -> str | None:
        """The entity a channel key reads (None for zone-level keys such as activity)."""
        entity_id = channel.split("#", 1)[0]
        return entity_id if "." in entity_id and ":" not in entity_id else None

    # -- lifecycle ----------------------------------------------------------------------------

    @override
    async def _async_update_data(self) -> dict[str, ZoneSnapshot]:
        return self._snapshots()

    async def async_restore(self) -> None:
        """Load saved learned state; unreadable storage is logged and relearned from history."""
        try:
            stored = await self.store.async_load()
        except StorageCorruptError as err:
            self._report_corrupt_storage(str(err))
            return
        if stored is None:
            return
        now = dt_util.utcnow().timestamp()
        for key, (meta, arrays) in stored.zones.items():
            if key not in self.household.zones:
                continue
            try:
                self.household.import_state(key, meta, arrays, now)
            except (ValueError, KeyError, TypeError) as err:
                self._report_corrupt_storage(f"{self.zone_name(key)}: {err}")

    @callback
    def async_start(self) -> None:
        """Follow live changes and schedules, and catch up on history in the background."""
        self.ingest.begin()
        self._unsubscribers += [
            self.ingest.async_listen(),
            async_track_time_interval(self.hass, self._on_tick, LIVE_TICK, cancel_on_shutdown=True),
            async_track_time_interval(
                self.hass, self._on_save_interval, SAVE_INTERVAL, cancel_on_shutdown=True
            ),
            self.training.async_start(),
        ]
        # Saving at stop: a plain listener (not a one-time one), so unloading can always remove it.
        self.config_entry.async_on_unload(
            self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._on_stop)
        )
        self._start_bootstrap("bootstrap")

    @override
    async def async_shutdown(self) -> None:
        """Cancel our timers and listeners as well as the coordinator's own."""
        await super().async_shutdown()
        self._cancel_timers()

    @callback
    def _cancel_timers(self) -> None:
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()

    async def async_stop(self) -> None:
        """Stop following changes and save what was learned; a failing save is logged, so
        unloading goes on."""
        self._cancel_timers()
        if self._work is not None and not self._work.done():
            # Executor work is about to hand back what will be saved: let it finish.
            with suppress(asyncio.CancelledError):
                await self._work
        # Whatever was restored or read from history so far is kept, even mid-bootstrap: a
        # reload (say, adding a zone right after setup) then resumes instead of starting over.
        try:
            await self.async_save()
        except Exception:  # noqa: BLE001 -- must not keep the entry from unloading
            LOGGER.exception("Saving the learned state of %s failed", self.config_entry.title)

    async def _in_executor(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run household work on copies in an executor; stopping waits for it."""
        self._work = self.hass.async_add_executor_job(func, *args)
        return await asyncio.shield(self._work)

    @callback
    def _start_bootstrap(self, what: str) -> None:
        self.ingest.begin()
        self.bootstrapped.clear()
        self.config_entry.async_create_background_task(
            self.hass, self._async_bootstrap(), f"{DOMAIN} {what} {self.config_entry.title}"
        )

    async def _async_bootstrap(self) -> None:
        """Read what each channel missed from the recorder, then train."""
        now = dt_util.utcnow().timestamp()
        try:
            await self.ingest.async_bootstrap(
                self._in_executor, now - self.home.history_days * 86400, now
            )
            await self.async_train()
        finally:
            self.bootstrapped.set()

    # -- live ---------------------------------------------------------------------------------

    @callback
    def _on_ingested(self, result: Ingested) -> None:
        for key, event in result.events:
            async_dispatcher_send(self.hass, self.anomaly_signal, key, event)
        if result.moved:
            self.async_set_updated_data(self._snapshots())

    @callback
    def _on_tick(self, now: datetime) -> None:
        """Close finished slots and refresh the entities."""
        if not self.ingest.bootstrapping:
            events = self.household.tick(now.timestamp(), self._readings())
            self._on_ingested(Ingested(events))
        self.async_set_updated_data(self._snapshots())

    def _readings(self) -> dict[str, ZoneReading]:
        """What each zone's climate entity and window contacts say now."""
        unit = self.hass.config.units.temperature_unit
        return {
            key: zone_reading(zone, self.hass.states.get, unit)
            for key, zone in self.zone_configs.items()
        }

    def mark_episode(self, episode_id: str, verdict: Feedback) -> str | None:
        """Feed the user's verdict to the detector that raised it; the zone key, None if unknown."""
        key = self.household.mark(episode_id, verdict)
        if key is not None:
            self.async_set_updated_data(self._snapshots())
        return key

    # -- learning -----------------------------------------------------------------------------

    async def async_train(self, keys: list[str] | None = None) -> None:
        """Retrain the given zones (all by default) in the executor, one at a time, each on a
        copy of its data; models are swapped in on the event loop."""
        household = self.household
        async with self._train_lock:
            posteriors: dict[str, tuple[FloatArray, int]] = {}
            order = household.training_order(keys)
            readings = self._readings()
            for key in order:
                now = dt_util.utcnow().timestamp()
                data = household.training_input(key, now, readings.get(key), posteriors)
                self.async_set_updated_data(self._snapshots())
                if data is None:
                    continue
                try:
                    model: TrainedModel = await self.hass.async_add_executor_job(train, data, now)
                except Exception:  # noqa: BLE001 -- any model failure must show as an error state
                    LOGGER.exception("Training %s failed", self.zone_name(key))
                    household.training_failed(key)
                    continue
                household.apply_model(key, model, dt_util.utcnow().timestamp(), posteriors)
            household.refresh(dt_util.utcnow().timestamp(), self._readings(), order)
            self.async_set_updated_data(self._snapshots())
            await self.async_save()

    async def async_reset(self, keys: list[str], relearn_history: bool) -> None:
        """Forget what the given zones learned; optionally relearn from the recorder."""
        async with self._train_lock:
            self.household.forget(keys)
            await self.async_save()
        self.async_set_updated_data(self._snapshots())
        if relearn_history:
            self._start_bootstrap("relearn")

    def state_of(self, key: str) -> LearningState:
        """The learning state a zone shows."""
        return self.household.zones[key].state

    # -- persistence --------------------------------------------------------------------------

    async def async_save(self) -> None:
        """Save every zone's learned state (arrays written in the executor)."""
        await self.store.async_save(StoredState(self.household.export_state()))

    async def _on_save_interval(self, _now: datetime) -> None:
        if self.bootstrapped.is_set():
            await self.async_save()

    async def _on_stop(self, _event: Event) -> None:
        await self.async_stop()

    @callback
    def _on_training_time(self) -> None:
        # Training takes a while: a background task keeps it off startup and shutdown paths.
        if self.bootstrapped.is_set():
            self.config_entry.async_create_background_task(
                self.hass, self.async_train(), f"{DOMAIN} daily training"
            )

    @callback
    def _report_corrupt_storage(self, error: str) -> None:
        # A warning, not a repair issue: relearning from history starts by itself and there is
        # nothing for the user to do (HA's repair-issues rule: issues must be actionable).
        LOGGER.warning(
            "Learned state of %s is unreadable (%s); relearning from history",
            self.config_entry.title,
            error,
        )

    # -- reporting ----------------------------------------------------------------------------

    def _snapshots(self) -> dict[str, ZoneSnapshot]:
        return self.household.snapshots(dt_util.utcnow().timestamp(), self.training.next_run())
