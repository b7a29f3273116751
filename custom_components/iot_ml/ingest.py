"""Home Assistant states into the household: live changes, the bootstrap queue, history."""

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event

from .channels import ChannelSource, StateReader
from .engine.household import Household, Ingested, Learner, Sample, load_history, warm_home_activity
from .history import async_read_history

type Executor = Callable[..., Awaitable[Any]]


class Ingest:
    """Reads each configured entity's states into the household's channels.

    While history is read (``async_bootstrap``) live samples wait in a queue and replay after
    it, in order, so the household never sees a change before the history that precedes it.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        household: Household,
        sources: dict[str, list[ChannelSource]],
        on_ingested: Callable[[Ingested], None],
    ) -> None:
        """Follow ``sources`` (per zone key) for ``household``; results go to ``on_ingested``."""
        self._hass = hass
        self._household = household
        self.sources = sources
        self.reader = StateReader(sources)
        self._on_ingested = on_ingested
        self._queue: list[tuple[float, list[Sample]]] | None = None

    @property
    def bootstrapping(self) -> bool:
        """Whether history is being read (live samples are queued meanwhile)."""
        return self._queue is not None

    @callback
    def async_listen(self) -> CALLBACK_TYPE:
        """Follow live state changes of every configured entity."""
        return async_track_state_change_event(
            self._hass, sorted(self.reader.by_entity), self.on_state_change
        )

    @callback
    def on_state_change(self, event: Event[EventStateChangedData]) -> None:
        """The state-change callback, O(1) per change: read the new state into each channel
        that follows it (queued while history is read)."""
        new_state = event.data["new_state"]
        ts = new_state.last_updated_timestamp if new_state else event.time_fired_timestamp
        samples = self.reader.samples(event.data["entity_id"], new_state)
        if self._queue is not None:
            self._queue.append((ts, samples))
            return
        self._on_ingested(self._household.ingest(ts, samples))

    async def async_bootstrap(self, executor: Executor, earliest: float, now: float) -> None:
        """Read what each channel missed since ``earliest`` from the recorder.

        Workers load history into copies of the learners; each copy is swapped in on the event
        loop, so nothing reads a learner while a worker changes it.
        """
        self.begin()
        household = self._household
        try:
            for key, zone_sources in self.sources.items():
                learner = household.zones[key].learner
                starts = {
                    s.spec.key: max(earliest, learner.integrated_until(s.spec.key) or earliest)
                    for s in zone_sources
                }
                history = await async_read_history(self._hass, zone_sources, starts, now)
                if history:
                    copy = household.bootstrap_copy(key)
                    loaded: Learner = await executor(load_history, copy, history, now)
                    household.install(key, loaded)
            warm = household.home_activity_history()
            if warm is not None:
                home: Learner = await executor(warm_home_activity, *warm)
                household.install("home", home)
        finally:
            self._seed_current_states(now)
            self._replay_queue()

    @callback
    def _seed_current_states(self, now: float) -> None:
        """Channels still without data (no recorder, or never recorded) start from the state now.

        Sensors that rarely change would otherwise stay unknown until their next change.
        """
        samples = [
            Sample(key, source.spec.key, *source.read(self._hass.states.get(source.entity_id)))
            for key, zone_sources in self.sources.items()
            for source in zone_sources
            if self._household.zones[key].learner.integrated_until(source.spec.key) is None
        ]
        self._observe(now, samples)  # no occupancy re-read per sample: the first tick does that

    @callback
    def _replay_queue(self) -> None:
        """Live samples that arrived during the bootstrap, in order; then live mode."""
        queue, self._queue = self._queue or [], None
        for ts, samples in queue:
            self._observe(ts, samples)

    def _observe(self, ts: float, samples: list[Sample]) -> None:
        """Store samples in their channels only (catching up: nothing is judged live)."""
        for sample in samples:
            self._household.zones[sample.zone].learner.observe(
                sample.channel, ts, sample.value, sample.gap
            )

    @callback
    def begin(self) -> None:
        """Queue live samples from now on (a bootstrap is about to start)."""
        if self._queue is None:
            self._queue = []
