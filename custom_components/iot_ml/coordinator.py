"""One coordinator per home: collects zone data live and from history, trains, persists."""

import asyncio
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta
import math
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_ON
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_time_change,
    async_track_time_interval,
)
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util
import numpy as np

from .channels import home_sources, zone_sources
from .const import DEFAULT_SENSITIVITY, DOMAIN, HOME_KEY, LIVE_TICK, LOGGER, SAVE_INTERVAL
from .engine.anomaly.types import Feedback, sensitivity_value
from .engine.anomaly.zone import AnomalyEvent
from .engine.core.grid import SLOT_SECONDS, SLOTS_PER_DAY, slot_of, slot_start
from .engine.core.types import FloatArray, Role
from .engine.household.learner import Learner, TrainedModel, train
from .engine.occupancy.zone import ZoneOccupancy, anyone, combine_zones
from .history import async_read_history
from .models import HomeConfig, ZoneConfig, zones_of
from .runtime import LearningState, OccupancySnapshot, ZoneRuntime, ZoneSnapshot
from .storage import LearnedStateStore, StorageCorruptError, StoredState
from .thermal_state import climate_settings, thermal_snapshot

type IotMlConfigEntry = ConfigEntry[IotMlCoordinator]

# A zone counts as ready once trained on at least this much history.
MIN_DAYS_FOR_READY = 1.0
# A live change this large in P(occupied) is pushed at once, smaller ones wait for the tick.
PUSH_DELTA = 0.05


class IotMlCoordinator(DataUpdateCoordinator[dict[str, ZoneSnapshot]]):
    """Runs the learners of one home. Event-driven: no polling."""

    config_entry: IotMlConfigEntry

    def __init__(self, hass: HomeAssistant, entry: IotMlConfigEntry) -> None:
        """Build the learners of every zone from the entry's configuration."""
        super().__init__(hass, LOGGER, config_entry=entry, name=DOMAIN, update_interval=None)
        self.home = HomeConfig.from_entry(entry)
        self.zone_configs = {zone.zone_id: zone for zone in zones_of(entry)}
        self.store = LearnedStateStore(hass, entry.entry_id)
        unit = hass.config.units.temperature_unit
        tz = str(hass.config.time_zone)
        days = self.home.history_days
        self.zones: dict[str, ZoneRuntime] = {}
        runtimes = [(HOME_KEY, entry.title, home_sources(self.home))] + [
            (z.zone_id, z.name, zone_sources(z, unit)) for z in self.zone_configs.values()
        ]
        for key, name, sources in runtimes:
            zone = self.zone_configs.get(key)
            sensitivity = sensitivity_value(zone.sensitivity if zone else DEFAULT_SENSITIVITY)
            learner = Learner(
                [s.spec for s in sources],
                days,
                tz,
                sensitivity=sensitivity,
                key=key,
                whole_home=key == HOME_KEY,
            )
            self.zones[key] = ZoneRuntime(key, name, sources, learner)
        self._anomaly_listeners: list[Callable[[str, AnomalyEvent], None]] = []
        # Live observations arriving while history is loaded wait here, then replay in order.
        self._queue: list[tuple[str, str, float, Any, Any]] | None = None
        self._train_lock = asyncio.Lock()
        self._unsubscribers: list[CALLBACK_TYPE] = []
        self._stop_listener: CALLBACK_TYPE | None = None
        self._work: asyncio.Future[Any] | None = None
        # Set once history is loaded and the first training has run.
        self.bootstrapped = asyncio.Event()

    # -- lifecycle ----------------------------------------------------------------------------

    @override
    async def _async_update_data(self) -> dict[str, ZoneSnapshot]:
        return self._snapshots()

    async def async_restore(self) -> None:
        """Load saved learned state; unreadable storage raises a repair issue and is relearned."""
        try:
            stored = await self.store.async_load()
        except StorageCorruptError as err:
            self._report_corrupt_storage(str(err))
            return
        if stored is None:
            return
        for key, runtime in self.zones.items():
            meta = stored.learners.get(key)
            if meta is None:
                continue
            arrays = {
                name[len(key) + 1 :]: arr
                for name, arr in stored.arrays.items()
                if name.startswith(f"{key}:")
            }
            try:
                runtime.learner.import_state(meta, arrays)
            except (ValueError, KeyError, TypeError) as err:
                self._report_corrupt_storage(f"{runtime.name}: {err}")
                continue
            if runtime.learner.trained_at is not None:
                runtime.state = self._state_after_training(runtime)

    @callback
    def async_start(self) -> None:
        """Follow live changes and schedules, and catch up on history in the background."""
        entity_ids = sorted({e for z in self.zones.values() for e in z.by_entity})
        self._queue = []
        if entity_ids:
            self._unsubscribers.append(
                async_track_state_change_event(self.hass, entity_ids, self._on_state_change)
            )
        self._unsubscribers += [
            async_track_time_interval(self.hass, self._on_tick, LIVE_TICK, cancel_on_shutdown=True),
            async_track_time_interval(
                self.hass, self._on_save_interval, SAVE_INTERVAL, cancel_on_shutdown=True
            ),
            async_track_time_change(
                self.hass,
                self._on_training_time,
                hour=self.home.training_time.hour,
                minute=self.home.training_time.minute,
                second=self.home.training_time.second,
            ),
        ]
        self._stop_listener = self.hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, self._on_stop
        )
        self.config_entry.async_create_background_task(
            self.hass, self._async_bootstrap(), f"{DOMAIN} bootstrap {self.config_entry.title}"
        )

    async def async_stop(self) -> None:
        """Stop following changes and save what was learned."""
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
        if self._stop_listener is not None:
            self._stop_listener()
            self._stop_listener = None
        if self._work is not None and not self._work.done():
            # Learner work in an executor is mutating what is about to be saved: let it finish.
            with suppress(asyncio.CancelledError):
                await self._work
        # Whatever was restored or read from history so far is kept, even mid-bootstrap: a
        # reload (say, adding a zone right after setup) then resumes instead of starting over.
        await self.async_save()

    async def _in_executor(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run learner work in an executor; stopping waits for it (see ``async_stop``)."""
        self._work = self.hass.async_add_executor_job(func, *args)
        return await asyncio.shield(self._work)

    # -- collecting ---------------------------------------------------------------------------

    async def _async_bootstrap(self) -> None:
        """Read what each channel missed from the recorder, then train."""
        now = dt_util.utcnow().timestamp()
        earliest = now - self.home.history_days * 86400
        try:
            for runtime in self.zones.values():
                learner = runtime.learner
                starts = {
                    s.spec.key: max(earliest, learner.integrated_until(s.spec.key) or earliest)
                    for s in runtime.sources
                }
                history = await async_read_history(self.hass, runtime.sources, starts, now)
                if history:
                    await self._in_executor(learner.load_history, history, now)
                    await self._in_executor(learner.learn_anomaly_history, history)
            await self._in_executor(self._learn_home_activity)
        finally:
            self._seed_current_states(now)
            self._replay_queue()
        try:
            await self.async_train()
        finally:
            self.bootstrapped.set()

    @callback
    def _seed_current_states(self, now: float) -> None:
        """Channels still without data (no recorder, or never recorded) start from the state now.

        Sensors that rarely change would otherwise stay unknown until their next change.
        """
        for runtime in self.zones.values():
            for source in runtime.sources:
                key = source.spec.key
                if runtime.learner.integrated_until(key) is None:
                    value, gap = source.read(self.hass.states.get(source.entity_id))
                    runtime.learner.observe(key, now, value, gap)

    @callback
    def _replay_queue(self) -> None:
        queue, self._queue = self._queue or [], None
        for key, channel, ts, value, gap in queue:
            self.zones[key].learner.observe(channel, ts, value, gap)

    @callback
    def _on_state_change(self, event: Event[EventStateChangedData]) -> None:
        """O(1) per change: read the new state into each channel that follows it."""
        new_state = event.data["new_state"]
        entity_id = event.data["entity_id"]
        ts = new_state.last_updated_timestamp if new_state else event.time_fired_timestamp
        moved = False
        for runtime in self.zones.values():
            events: list[AnomalyEvent] = []
            for source in runtime.by_entity.get(entity_id, ()):
                value, gap = source.read(new_state)
                if self._queue is not None:
                    self._queue.append((runtime.key, source.spec.key, ts, value, gap))
                    continue
                runtime.learner.observe(source.spec.key, ts, value, gap)
                if source.spec.watched:
                    events += runtime.learner.anomalies.observe(ts, source.spec.key, value)
            if self._queue is None and entity_id in runtime.occupancy_entities:
                moved |= self._update_occupancy(runtime, ts)
            moved |= self._dispatch(runtime.key, events)
        if moved:
            self._update_home_occupancy(ts)
            self.async_set_updated_data(self._snapshots())

    @callback
    def _on_tick(self, now: datetime) -> None:
        """Close finished slots and refresh the entities."""
        if self._queue is None:
            ts = now.timestamp()
            for runtime in self.zones.values():
                runtime.learner.advance(ts)
                self._update_occupancy(runtime, ts)
            self._update_home_occupancy(ts)
            for runtime in self.zones.values():
                self._update_thermal(runtime, ts)
                self._check_anomalies(runtime, ts)
        self.async_set_updated_data(self._snapshots())

    # -- anomalies ----------------------------------------------------------------------------

    @callback
    def async_add_anomaly_listener(
        self, listener: Callable[[str, AnomalyEvent], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener(zone key, event)`` for every anomaly episode that begins or ends."""
        self._anomaly_listeners.append(listener)
        return lambda: self._anomaly_listeners.remove(listener)

    def _dispatch(self, key: str, events: list[AnomalyEvent]) -> bool:
        for event in events:
            for listener in list(self._anomaly_listeners):
                listener(key, event)
        return bool(events)

    def _check_anomalies(self, runtime: ZoneRuntime, ts: float) -> None:
        """Time-based sensor checks, and the zone's activity in the slot that just closed."""
        anomalies = runtime.learner.anomalies
        events = anomalies.check(ts)
        closed = slot_of(ts) - 1
        if runtime.last_activity_slot == closed:
            self._dispatch(runtime.key, events)
            return
        runtime.last_activity_slot = closed
        events += anomalies.joint_slot(ts, runtime.learner.joint_values(closed))
        evidence = self._evidence_in_slot(runtime, closed)
        if not math.isnan(evidence):
            home = self.zones[HOME_KEY]
            empty: bool | None = None
            if home.has_presence and home.learner.occupancy is not None and home.occupancy:
                empty = not home.occupancy.occupied
            routine = None if home.learner.occupancy is None else home.learner.occupancy.routine
            predicted = None if routine is None else 1.0 - float(routine.prior_at(closed, 1)[0])
            events += anomalies.activity_slot(
                ts, evidence, observed_empty=empty, predicted_empty=predicted
            )
        self._dispatch(runtime.key, events)

    def _learn_home_activity(self) -> None:
        """Warm the whole home's activity watch on all zones' history (runs in an executor)."""
        home = self.zones[HOME_KEY].learner
        activity = home.anomalies.activity
        zones = [z.learner for k, z in self.zones.items() if k != HOME_KEY]
        ends = [end for z in zones if (end := z.end_slot()) is not None]
        if activity is None or activity.first_ts is not None or not ends:
            return
        end, length = max(ends), home.days_kept * SLOTS_PER_DAY
        counts = np.vstack([z.evidence_counts(end, length) for z in zones])
        total = np.where(np.isnan(counts).all(axis=0), np.nan, np.nansum(counts, axis=0))
        home.anomalies.replay_activity(
            [
                (slot_start(end - length + i + 1), float(total[i]), None)
                for i in np.flatnonzero(~np.isnan(total)).tolist()
            ]
        )

    def _evidence_in_slot(self, runtime: ZoneRuntime, slot: int) -> float:
        """Active evidence channels in a closed slot: the zone's own, or all zones' for the home."""
        if runtime.key != HOME_KEY:
            return runtime.learner.evidence_in_slot(slot)
        counts = [z.learner.evidence_in_slot(slot) for k, z in self.zones.items() if k != HOME_KEY]
        known = [c for c in counts if not math.isnan(c)]
        return float(sum(known)) if known else math.nan

    def mark_episode(self, episode_id: str, verdict: Feedback) -> str | None:
        """Feed the user's verdict to the detector that raised it; the zone key, None if unknown."""
        for key, runtime in self.zones.items():
            if runtime.learner.anomalies.mark(episode_id, verdict):
                self.async_set_updated_data(self._snapshots())
                return key
        return None

    def _outdoor(self, end: int, length: int) -> FloatArray | None:
        """The home's outdoor temperature for ``[end - length, end)``, if it has a sensor."""
        home = self.zones[HOME_KEY].learner
        key = next((s.key for s in home.channels.values() if s.role is Role.OUTDOOR), None)
        return None if key is None else home.buffers[key].window(end, length)

    def _home_presence(self, end: int, length: int) -> FloatArray | None:
        """Anyone home per slot of ``[end - length, end)`` from the presence trackers."""
        home = self.zones[HOME_KEY].learner
        keys = [s.key for s in home.channels.values() if s.role is Role.PRESENCE]
        return anyone([home.buffers[k].window(end, length) for k in keys]) if keys else None

    def _home_occupied(self) -> float | None:
        """P(someone home now), when presence trackers say so."""
        home = self.zones[HOME_KEY]
        if not home.has_presence or home.occupancy is None:
            return None
        return home.occupancy.probability

    def _update_thermal(self, runtime: ZoneRuntime, ts: float) -> None:
        """Step the zone's heating-fault and window watch; refresh its thermal readings."""
        model = runtime.learner.thermal
        state = runtime.learner.thermal_now(ts, self._outdoor)
        zone = self.zone_configs.get(runtime.key)
        if model is None or state is None or zone is None:
            runtime.thermal = None
            return
        occupancy = runtime.occupancy
        watch = runtime.learner.watch
        runtime.thermal = thermal_snapshot(
            model,
            state,
            home=self.home,
            climate=self.hass.states.get(zone.climate) if zone.climate else None,
            window_open=watch.window.open or self._window_contact_open(zone),
            fault=watch.fault.fault,
            p_occupied=None if occupancy is None else occupancy.probability,
            forecast=None if occupancy is None else occupancy.forecast.series,
            arrival_threshold=runtime.learner.arrival_threshold,
            home_thresholds=runtime.learner.home_thresholds,
            home_occupied=self._home_occupied(),
        )

    def _window_contact_open(self, zone: ZoneConfig) -> bool:
        """Any of the zone's window contacts reports open."""
        return any(
            (state := self.hass.states.get(entity_id)) is not None and state.state == STATE_ON
            for entity_id in zone.windows
        )

    def _update_occupancy(self, runtime: ZoneRuntime, ts: float) -> bool:
        """Recompute a zone's occupancy now and forecast; True when the change is worth pushing."""
        occupancy = runtime.learner.occupancy
        p = runtime.learner.occupancy_now(ts)
        if occupancy is None or p is None or math.isnan(p):
            changed = runtime.occupancy is not None
            runtime.occupancy = None
            return changed
        before = runtime.occupancy
        runtime.occupancy = self._occupancy_snapshot(occupancy, p, ts)
        return (
            before is None
            or before.occupied != runtime.occupancy.occupied
            or abs(before.probability - p) >= PUSH_DELTA
        )

    def _update_home_occupancy(self, ts: float) -> None:
        """Without presence (none configured, or none known now) the home is occupied when any
        zone is (zones taken as independent)."""
        home = self.zones[HOME_KEY]
        model = home.learner.occupancy
        if model is None or (home.has_presence and home.occupancy is not None):
            return
        zones = [
            z.occupancy.probability for z in self.zones.values() if z.occupancy and z is not home
        ]
        if zones:
            p_empty = 1.0
            for p in zones:
                p_empty *= 1.0 - p
            home.occupancy = self._occupancy_snapshot(model, 1.0 - p_empty, ts)

    @staticmethod
    def _occupancy_snapshot(model: ZoneOccupancy, p: float, ts: float) -> OccupancySnapshot:
        slot = slot_of(ts)
        return OccupancySnapshot(
            probability=p,
            forecast=model.forecast(p, slot),
            at=dt_util.utc_from_timestamp(slot * SLOT_SECONDS),
            quality=model.quality,
        )

    # -- learning -----------------------------------------------------------------------------

    async def async_train(self, keys: list[str] | None = None) -> None:
        """Retrain the given zones (all by default) in the executor, one at a time.

        Zones go first: a home without presence trackers learns its routine from their
        combined occupancy.
        """
        wanted = keys or list(self.zones)
        async with self._train_lock:
            posteriors: dict[str, tuple[FloatArray, int]] = {}
            for key in sorted(wanted, key=lambda k: k == HOME_KEY):
                labels = self._home_labels(posteriors) if key == HOME_KEY else None
                model = await self._async_train_zone(self.zones[key], labels)
                if model is not None and model.posterior is not None and model.end_slot:
                    posteriors[key] = (model.posterior, model.end_slot)
            now = dt_util.utcnow().timestamp()
            for key in wanted:
                self._update_occupancy(self.zones[key], now)
            self._update_home_occupancy(now)
            for key in wanted:
                self._update_thermal(self.zones[key], now)
            self.async_set_updated_data(self._snapshots())
            await self.async_save()

    def _home_labels(
        self, posteriors: dict[str, tuple[FloatArray, int]]
    ) -> tuple[FloatArray, int] | None:
        """P(anyone in any zone) over the home's window, from the zones just trained."""
        home = self.zones[HOME_KEY]
        if not posteriors:
            return None
        end = home.learner.end_slot() or max(end for _, end in posteriors.values())
        length = home.learner.days_kept * SLOTS_PER_DAY
        return combine_zones(list(posteriors.values()), end, length), end

    async def _async_train_zone(
        self, runtime: ZoneRuntime, labels: tuple[FloatArray, int] | None = None
    ) -> TrainedModel | None:
        learner = runtime.learner
        learner.advance(dt_util.utcnow().timestamp())
        zone = self.zone_configs.get(runtime.key)
        climate = None
        if zone is not None and zone.climate:
            climate = climate_settings(self.home, self.hass.states.get(zone.climate))
        labels_for, end_for = labels or (None, None)
        data = learner.training_input(
            labels_for,
            end_for,
            outdoor=self._outdoor,
            climate=climate,
            home=self._home_presence,
        )
        if data is None:
            runtime.state = LearningState.COLLECTING
            self.async_set_updated_data(self._snapshots())
            return None
        runtime.state = LearningState.TRAINING
        self.async_set_updated_data(self._snapshots())
        try:
            model: TrainedModel = await self.hass.async_add_executor_job(
                train, data, dt_util.utcnow().timestamp()
            )
        except Exception:  # noqa: BLE001 -- any model failure must show as an error state, not kill the loop
            LOGGER.exception("Training %s failed", runtime.name)
            runtime.state = LearningState.ERROR
            self.async_set_updated_data(self._snapshots())
            return None
        learner.apply(model)
        runtime.state = self._state_after_training(runtime)
        self.async_set_updated_data(self._snapshots())
        return model

    def _state_after_training(self, runtime: ZoneRuntime) -> LearningState:
        status = runtime.learner.status(dt_util.utcnow().timestamp())
        if status.days_of_history >= MIN_DAYS_FOR_READY:
            return LearningState.READY
        return LearningState.COLLECTING

    async def async_reset(self, keys: list[str], relearn_history: bool) -> None:
        """Forget what the given zones learned; optionally relearn from the recorder."""
        async with self._train_lock:
            for key in keys:
                self.zones[key].learner.forget()
                self.zones[key].state = LearningState.COLLECTING
                self.zones[key].occupancy = None
                self.zones[key].thermal = None
            await self.async_save()
        self.async_set_updated_data(self._snapshots())
        if relearn_history:
            self._queue = []
            self.bootstrapped.clear()
            self.config_entry.async_create_background_task(
                self.hass, self._async_bootstrap(), f"{DOMAIN} relearn {self.config_entry.title}"
            )

    # -- persistence --------------------------------------------------------------------------

    async def async_save(self) -> None:
        """Save every learner (arrays written in the executor)."""
        learners: dict[str, dict[str, Any]] = {}
        arrays: dict[str, Any] = {}
        for key, runtime in self.zones.items():
            meta, zone_arrays = runtime.learner.export_state()
            learners[key] = meta
            arrays.update({f"{key}:{name}": arr.copy() for name, arr in zone_arrays.items()})
        await self.store.async_save(StoredState(learners=learners, arrays=arrays))

    async def _on_save_interval(self, _now: datetime) -> None:
        if self.bootstrapped.is_set():
            await self.async_save()

    async def _on_stop(self, _event: Event) -> None:
        self._stop_listener = None  # a one-time listener is gone once it has fired
        await self.async_stop()

    @callback
    def _on_training_time(self, _now: datetime) -> None:
        # Training takes a while: a background task keeps it off startup and shutdown paths.
        if self.bootstrapped.is_set():
            self.config_entry.async_create_background_task(
                self.hass, self.async_train(), f"{DOMAIN} daily training"
            )

    @callback
    def _report_corrupt_storage(self, error: str) -> None:
        LOGGER.warning(
            "Learned state of %s is unreadable (%s); relearning from history",
            self.config_entry.title,
            error,
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"corrupt_state_{self.config_entry.entry_id}",
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="corrupt_state",
            translation_placeholders={"home": self.config_entry.title, "error": error},
        )

    # -- reporting ----------------------------------------------------------------------------

    @staticmethod
    def entity_of(channel: str) -> str | None:
        """The entity a channel key reads (None for zone-level keys such as activity)."""
        entity_id = channel.split("#", 1)[0]
        return entity_id if "." in entity_id and ":" not in entity_id else None

    def watches_anomalies(self, key: str) -> bool:
        """Whether a zone has watched sensors or activity to raise anomalies on."""
        anomalies = self.zones[key].learner.anomalies
        return bool(anomalies.sensors) or anomalies.activity is not None

    def learns_occupancy(self, key: str) -> bool:
        """Whether a zone has occupancy evidence (the home: presence, or any such zone)."""
        if key == HOME_KEY:
            return any(z.has_evidence for z in self.zones.values())
        return self.zones[key].has_evidence

    def next_training(self) -> datetime:
        """When the daily retraining runs next (local time)."""
        now = dt_util.now()
        at = now.replace(
            hour=self.home.training_time.hour,
            minute=self.home.training_time.minute,
            second=self.home.training_time.second,
            microsecond=0,
        )
        return at if at > now else at + timedelta(days=1)

    def _snapshots(self) -> dict[str, ZoneSnapshot]:
        now = dt_util.utcnow().timestamp()
        next_training = self.next_training()
        return {
            key: ZoneSnapshot(
                runtime.state,
                runtime.learner.status(now),
                next_training,
                runtime.occupancy,
                runtime.thermal,
                tuple(runtime.learner.anomalies.episodes.values()),
                dict(runtime.learner.anomalies.scores),
            )
            for key, runtime in self.zones.items()
        }
