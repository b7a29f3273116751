"""The household: every zone's learner and the home, and what they conclude together.

One object owns ingest, the 5-minute tick, how the home combines its zones and trackers,
training order and labels, predictions, climate decisions, anomaly events and the learned
state. The Home Assistant integration, the benchmarks and the simulator demo all drive it.

Thread rule: a ``Household`` is touched only from one thread (Home Assistant's event loop).
Work for other threads gets copies (``training_input``, ``bootstrap_copy``) and hands results
back (``apply_model``, ``install``).
"""

from collections.abc import Iterable, Mapping
import copy
from dataclasses import dataclass, field
import math
from typing import Any, NamedTuple

import numpy as np

from ..anomaly.types import Episode, Feedback
from ..anomaly.zone import AnomalyEvent
from ..climate.policy import HeatingPlan, plan_heating
from ..climate.snapshot import (
    ThermalSnapshot,
    ZoneReading,
    climate_settings,
    thermal_snapshot,
    tuned_settings,
)
from ..core.grid import SLOTS_PER_DAY, SLOTS_PER_HOUR, slot_of, slot_start
from ..core.types import ChannelSpec, FloatArray, GapReason, LearnerStatus, Role, Series
from ..occupancy.fusion import FeatureKind
from ..occupancy.zone import OccupancyForecast, ZoneOccupancy, anyone, combine_zones, forecast_basis
from .learner import Learner, TrainedModel, TrainingInput, train
from .snapshot import LearningState, OccupancySnapshot, ZoneSnapshot, slot_datetime

HOME = "home"  # key of the home-level learner (zones use their own keys)
# A zone counts as ready once trained on at least this much history.
MIN_DAYS_FOR_READY = 1.0
# A live change this large in P(occupied) is worth pushing at once; smaller ones wait a tick.
PUSH_DELTA = 0.05
# Trackers away this long (12 h) mean a trip, not a phone left in a drawer.
AWAY_SLOTS = 12 * SLOTS_PER_HOUR


@dataclass(frozen=True, slots=True)
class ZoneSpec:
    """A zone (or the home) as configured: its channels and how readily it alerts."""

    key: str
    name: str
    channels: tuple[ChannelSpec, ...]
    sensitivity: float = 0.5


@dataclass(frozen=True, slots=True)
class HouseholdSettings:
    """Home-wide settings."""

    days_kept: int
    tz: str
    comfort_c: float
    eco_c: float


class Sample(NamedTuple):
    """One reading of one channel of one zone (``value`` None: a gap, with its reason)."""

    zone: str
    channel: str
    value: float | None
    gap: GapReason | None = None


@dataclass(slots=True)
class Ingested:
    """What a batch of samples changed: anomaly events, and whether occupancy moved enough."""

    events: list[tuple[str, AnomalyEvent]] = field(default_factory=list)
    moved: bool = False


@dataclass(slots=True)
class Zone:
    """A zone's learner and what the household last concluded for it."""

    spec: ZoneSpec
    learner: Learner
    state: LearningState = LearningState.COLLECTING
    occupancy: OccupancySnapshot | None = None
    thermal: ThermalSnapshot | None = None
    status: LearnerStatus | None = None
    last_activity_slot: int | None = None
    # The 24 h forecast is affine in P(occupied now): its two ends are cached per slot.
    basis: tuple[int, FloatArray, FloatArray] | None = None

    @property
    def has_evidence(self) -> bool:
        """Whether any binary channel (motion, door, media, presence) speaks to occupancy."""
        return FeatureKind.BINARY in self.learner.occupancy_kinds.values()

    @property
    def has_presence(self) -> bool:
        """Whether persons or device trackers say who is home."""
        return any(s.role is Role.PRESENCE for s in self.spec.channels)


class Household:
    """All zones of one home plus the home itself (key ``HOME``)."""

    def __init__(
        self, settings: HouseholdSettings, home: ZoneSpec, zones: Iterable[ZoneSpec]
    ) -> None:
        """Empty learners for the home and each zone."""
        self.settings = settings
        self.zones: dict[str, Zone] = {}
        for given in [home, *zones]:
            whole_home = given is home
            key = HOME if whole_home else given.key
            spec = ZoneSpec(key, given.name, given.channels, given.sensitivity)
            self.zones[key] = Zone(spec, self._new_learner(spec, whole_home))

    def _new_learner(self, spec: ZoneSpec, whole_home: bool) -> Learner:
        return Learner(
            list(spec.channels),
            self.settings.days_kept,
            self.settings.tz,
            sensitivity=spec.sensitivity,
            key=spec.key,
            whole_home=whole_home,
        )

    @property
    def home(self) -> Zone:
        """The home-level zone."""
        return self.zones[HOME]

    def zones_only(self) -> list[Zone]:
        """Every zone but the home."""
        return [z for k, z in self.zones.items() if k != HOME]

    # -- what a zone has ----------------------------------------------------------------------

    def learns_occupancy(self, key: str) -> bool:
        """Whether a zone has occupancy evidence (the home: presence, or any such zone)."""
        if key == HOME:
            return any(z.has_evidence for z in self.zones.values())
        return self.zones[key].has_evidence

    def watches_anomalies(self, key: str) -> bool:
        """Whether a zone has watched sensors or activity to raise anomalies on."""
        anomalies = self.zones[key].learner.anomalies
        return bool(anomalies.sensors) or anomalies.activity is not None

    def watches_zone_activity(self) -> bool:
        """Whether any zone (not the home) watches its activity (security alerts need one)."""
        return any(z.learner.anomalies.activity is not None for z in self.zones_only())

    def watched_sensors(self, key: str) -> list[str]:
        """The channels of a zone its anomaly detectors watch."""
        return list(self.zones[key].learner.anomalies.sensors)

    # -- ingest -------------------------------------------------------------------------------

    def ingest(self, ts: float, samples: Iterable[Sample]) -> Ingested:
        """Take readings taken at ``ts``: O(1) per sample, plus one re-read of P(occupied now)
        for each zone whose binary evidence (motion, doors, media, presence) changed. Numeric
        inputs (CO2, humidity...) drift slowly and change often: the next tick reads them."""
        out = Ingested()
        evidence: set[str] = set()
        for sample in samples:
            zone = self.zones[sample.zone]
            learner = zone.learner
            learner.observe(sample.channel, ts, sample.value, sample.gap)
            spec = learner.channels.get(sample.channel)
            if spec is not None and spec.watched:
                out.events += [
                    (sample.zone, e)
                    for e in learner.anomalies.observe(ts, sample.channel, sample.value)
                ]
            if learner.occupancy_kinds.get(sample.channel) is FeatureKind.BINARY:
                evidence.add(sample.zone)
        for key in evidence:
            out.moved |= self._update_occupancy(self.zones[key], ts)
        if out.moved:
            self._update_home_occupancy(ts)
        out.moved |= bool(out.events)
        return out

    def tick(
        self, ts: float, readings: Mapping[str, ZoneReading]
    ) -> list[tuple[str, AnomalyEvent]]:
        """Every 5 minutes: close finished slots, refresh occupancy, thermal readings and
        status, and run the time-based anomaly checks."""
        for zone in self.zones.values():
            zone.learner.advance(ts)
            self._update_occupancy(zone, ts)
        self._update_home_occupancy(ts)
        events: list[tuple[str, AnomalyEvent]] = []
        for key, zone in self.zones.items():
            zone.learner.step_thermal(ts, self.outdoor)
            self._update_thermal(zone, ts, readings.get(key))
            events += [(key, e) for e in self._check_anomalies(zone, ts)]
            zone.status = zone.learner.status(ts)
        return events

    def refresh(self, ts: float, readings: Mapping[str, ZoneReading], keys: Iterable[str]) -> None:
        """Recompute what the given zones conclude now (after training or a restore)."""
        keys = list(keys)
        for key in keys:
            self._update_occupancy(self.zones[key], ts)
        self._update_home_occupancy(ts)
        for key in keys:
            zone = self.zones[key]
            self._update_thermal(zone, ts, readings.get(key))
            zone.status = zone.learner.status(ts)

    # -- the home from its zones and trackers ----------------------------------------------------

    def outdoor(self, end: int, length: int) -> FloatArray | None:
        """The home's outdoor temperature for ``[end - length, end)``, if it has a sensor."""
        home = self.home.learner
        key = next((s.key for s in home.channels.values() if s.role is Role.OUTDOOR), None)
        return None if key is None else home.buffers[key].window(end, length)

    def presence(self, end: int, length: int) -> FloatArray | None:
        """Anyone home per slot of ``[end - length, end)`` from the presence trackers."""
        home = self.home.learner
        keys = [s.key for s in home.channels.values() if s.role is Role.PRESENCE]
        return anyone([home.buffers[k].window(end, length) for k in keys]) if keys else None

    def home_occupied(self) -> float | None:
        """P(someone home now), when presence trackers say so."""
        home = self.home
        if not home.has_presence or home.occupancy is None:
            return None
        return home.occupancy.probability

    def _update_home_occupancy(self, ts: float) -> None:
        """Without presence (none configured, or none known now) the home is occupied when any
        zone is (zones taken as independent)."""
        home = self.home
        model = home.learner.occupancy
        if model is None or (home.has_presence and home.occupancy is not None):
            return
        zones = [z.occupancy.probability for z in self.zones_only() if z.occupancy]
        if zones:
            p_empty = 1.0
            for p in zones:
                p_empty *= 1.0 - p
            home.occupancy = self._occupancy_snapshot(home, model, 1.0 - p_empty, ts)

    # -- occupancy ----------------------------------------------------------------------------

    def _update_occupancy(self, zone: Zone, ts: float) -> bool:
        """Recompute a zone's occupancy now; True when the change is worth pushing."""
        learner = zone.learner
        model = learner.occupancy
        p = None
        if model is not None:
            learner.advance(ts)  # close the slots that ended: "now" reads them
            p = learner.occupancy_now(ts)
        if model is None or p is None or math.isnan(p):
            changed = zone.occupancy is not None
            zone.occupancy = None
            return changed
        before = zone.occupancy
        zone.occupancy = self._occupancy_snapshot(zone, model, p, ts)
        return (
            before is None
            or before.occupied != zone.occupancy.occupied
            or abs(before.probability - p) >= PUSH_DELTA
        )

    @staticmethod
    def _occupancy_snapshot(
        zone: Zone, model: ZoneOccupancy, p: float, ts: float
    ) -> OccupancySnapshot:
        slot = slot_of(ts)
        if zone.basis is None or zone.basis[0] != slot:
            empty, occupied = forecast_basis(model.routine, slot)
            zone.basis = (slot, empty, occupied)
        _, empty, occupied = zone.basis
        return OccupancySnapshot(
            probability=p,
            forecast=OccupancyForecast.of(empty + p * (occupied - empty), p, slot),
            at=slot_datetime(slot),
            quality=model.quality,
        )

    # -- thermal ------------------------------------------------------------------------------

    def _update_thermal(self, zone: Zone, ts: float, reading: ZoneReading | None) -> None:
        learner = zone.learner
        model = learner.thermal
        state = None
        if model is not None and learner.climate_keys is not None:
            learner.advance(ts)  # close the slots that ended: the state reads them
            state = learner.thermal_state(ts, self.outdoor)
        if model is None or state is None:
            zone.thermal = None
            return
        reading = reading or ZoneReading()
        occupancy = zone.occupancy
        settings = tuned_settings(
            climate_settings(self.settings.comfort_c, self.settings.eco_c, reading.thermostat),
            learner.arrival_threshold,
            learner.home_thresholds,
        )
        watch = learner.watch
        zone.thermal = thermal_snapshot(
            model,
            state,
            settings,
            reading.thermostat,
            window_open=watch.window.open or reading.window_contact_open,
            fault=watch.fault.fault,
            p_occupied=None if occupancy is None else occupancy.probability,
            forecast=None if occupancy is None else occupancy.forecast.series,
            home_occupied=self.home_occupied(),
        )

    def plan(self, key: str, target_c: float, at_ts: float) -> HeatingPlan | None:
        """When to start heating ``key`` to reach ``target_c`` at ``at_ts``; None without a
        thermal model or a current thermal state."""
        zone = self.zones[key]
        if zone.learner.thermal is None or zone.thermal is None:
            return None
        return plan_heating(
            zone.thermal.state, zone.learner.thermal, target_c, at_ts, floor=self.settings.eco_c
        )

    # -- anomalies ----------------------------------------------------------------------------

    def _check_anomalies(self, zone: Zone, ts: float) -> list[AnomalyEvent]:
        """Time-based sensor checks, and the zone's activity in the slot that just closed."""
        anomalies = zone.learner.anomalies
        events = anomalies.check(ts)
        closed = slot_of(ts) - 1
        if zone.last_activity_slot == closed:
            return events
        zone.last_activity_slot = closed
        events += anomalies.joint_slot(ts, zone.learner.joint_values(closed))
        evidence = self._evidence_in_slot(zone, closed)
        if not math.isnan(evidence):
            home = self.home
            empty: bool | None = None
            if home.has_presence and home.learner.occupancy is not None and home.occupancy:
                empty = not home.occupancy.occupied
            routine = None if home.learner.occupancy is None else home.learner.occupancy.routine
            predicted = None if routine is None else 1.0 - float(routine.prior_at(closed, 1)[0])
            if empty and self._away_for(closed + 1, AWAY_SLOTS):
                # Everyone's tracker away for half a day (a trip): the routine's "usually home
                # by now" no longer speaks for a forgotten phone, so it must not hide activity.
                predicted = None
            events += anomalies.activity_slot(
                ts, evidence, observed_empty=empty, predicted_empty=predicted
            )
        return events

    def _away_for(self, end: int, slots: int) -> bool:
        """Whether the trackers said nobody is home in every known slot of ``[end - slots,
        end)`` (and knew at least most of them)."""
        home = self.presence(end, slots)
        if home is None:
            return False
        known = home[~np.isnan(home)]
        return len(known) >= slots * 3 // 4 and not known.any()

    def _evidence_in_slot(self, zone: Zone, slot: int) -> float:
        """Active evidence channels in a closed slot: the zone's own, or all zones' for the home."""
        if zone.spec.key != HOME:
            return zone.learner.evidence_in_slot(slot)
        counts = [z.learner.evidence_in_slot(slot) for z in self.zones_only()]
        known = [c for c in counts if not math.isnan(c)]
        return float(sum(known)) if known else math.nan

    def mark(self, episode_id: str, verdict: Feedback) -> str | None:
        """Feed the user's verdict to the detector that raised it; the zone key, None if unknown."""
        for key, zone in self.zones.items():
            if zone.learner.anomalies.mark(episode_id, verdict):
                return key
        return None

    def open_episodes(self, key: str) -> tuple[Episode, ...]:
        """A zone's open anomaly episodes."""
        return tuple(self.zones[key].learner.anomalies.episodes.values())

    # -- history (bootstrap) --------------------------------------------------------------------

    def bootstrap_copy(self, key: str) -> Learner:
        """A private copy of a zone's learner for a worker thread to load history into."""
        return copy.deepcopy(self.zones[key].learner)

    def install(self, key: str, learner: Learner) -> None:
        """Swap in a learner a worker loaded (no live data reached the original meanwhile)."""
        self.zones[key].learner = learner
        self.zones[key].basis = None

    def home_activity_history(
        self,
    ) -> tuple[Learner, list[tuple[float, float, bool | None]]] | None:
        """A copy of the home's learner and all zones' evidence per slot, to warm the whole
        home's activity watch in a worker (``warm_home_activity``); None when warm already."""
        home = self.home.learner
        activity = home.anomalies.activity
        zones = [z.learner for z in self.zones_only()]
        ends = [end for z in zones if (end := z.end_slot()) is not None]
        if activity is None or activity.first_ts is not None or not ends:
            return None
        end, length = max(ends), home.days_kept * SLOTS_PER_DAY
        counts = np.vstack([z.evidence_counts(end, length) for z in zones])
        total = np.where(np.isnan(counts).all(axis=0), np.nan, np.nansum(counts, axis=0))
        slots: list[tuple[float, float, bool | None]] = [
            (slot_start(end - length + i + 1), float(total[i]), None)
            for i in np.flatnonzero(~np.isnan(total)).tolist()
        ]
        return copy.deepcopy(home), slots

    # -- training -----------------------------------------------------------------------------

    def training_order(self, keys: Iterable[str] | None = None) -> list[str]:
        """Zones first: a home without presence trackers learns from their combined occupancy."""
        wanted = list(self.zones) if keys is None else list(dict.fromkeys(keys))
        return sorted(wanted, key=lambda k: k == HOME)

    def training_input(
        self,
        key: str,
        now: float,
        reading: ZoneReading | None,
        posteriors: Mapping[str, tuple[FloatArray, int]],
    ) -> TrainingInput | None:
        """A copy of what ``key``'s training needs (``posteriors``: the zones trained earlier in
        this round), or None with nothing collected yet. Marks the zone as training."""
        zone = self.zones[key]
        learner = zone.learner
        learner.advance(now)
        labels_for, end_for = (None, None)
        if key == HOME and posteriors:
            end = learner.end_slot() or max(end for _, end in posteriors.values())
            length = learner.days_kept * SLOTS_PER_DAY
            labels_for, end_for = combine_zones(list(posteriors.values()), end, length), end
        climate = None
        if reading is not None and learner.climate_keys is not None:
            climate = climate_settings(
                self.settings.comfort_c, self.settings.eco_c, reading.thermostat
            )
        data = learner.training_input(
            labels_for, end_for, outdoor=self.outdoor, climate=climate, home=self.presence
        )
        zone.state = LearningState.COLLECTING if data is None else LearningState.TRAINING
        return data

    def apply_model(
        self,
        key: str,
        model: TrainedModel,
        now: float,
        posteriors: dict[str, tuple[FloatArray, int]],
    ) -> None:
        """Install a trained model; records its posterior for the home's labels."""
        zone = self.zones[key]
        zone.learner.apply(model)
        zone.basis = None
        zone.state = self._state_after_training(zone, now)
        if model.posterior is not None and model.end_slot:
            posteriors[key] = (model.posterior, model.end_slot)

    def training_failed(self, key: str) -> None:
        """A training raised: the zone shows an error until the next one succeeds."""
        self.zones[key].state = LearningState.ERROR

    def train(
        self,
        now: float,
        readings: Mapping[str, ZoneReading] | None = None,
        keys: Iterable[str] | None = None,
    ) -> None:
        """One training round in this thread (benchmarks and the demo; the integration runs
        the same steps with ``train`` in an executor)."""
        readings = readings or {}
        posteriors: dict[str, tuple[FloatArray, int]] = {}
        order = self.training_order(keys)
        for key in order:
            data = self.training_input(key, now, readings.get(key), posteriors)
            if data is not None:
                self.apply_model(key, train(data, now), now, posteriors)
        self.refresh(now, readings, order)

    def _state_after_training(self, zone: Zone, now: float) -> LearningState:
        status = zone.learner.status(now)
        zone.status = status
        if status.days_of_history >= MIN_DAYS_FOR_READY:
            return LearningState.READY
        return LearningState.COLLECTING

    def forget(self, keys: Iterable[str]) -> None:
        """Drop what the given zones collected and learned."""
        for key in keys:
            zone = self.zones[key]
            zone.learner.forget()
            zone.state = LearningState.COLLECTING
            zone.occupancy = None
            zone.thermal = None
            zone.status = None
            zone.basis = None

    # -- reporting ----------------------------------------------------------------------------

    def snapshots(self, now: float, next_training: Any = None) -> dict[str, ZoneSnapshot]:
        """Immutable copies of what every zone concludes, for entities."""
        out = {}
        for key, zone in self.zones.items():
            if zone.status is None:
                zone.status = zone.learner.status(now)
            out[key] = ZoneSnapshot(
                zone.state,
                zone.status,
                next_training,
                zone.occupancy,
                zone.thermal,
                self.open_episodes(key),
                dict(zone.learner.anomalies.scores),
            )
        return out

    # -- persistence --------------------------------------------------------------------------

    def export_state(self) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
        """Per zone: JSON-able metadata and the arrays it refers to (copies, safe to write from
        another thread)."""
        out = {}
        for key, zone in self.zones.items():
            meta, arrays = zone.learner.export_state()
            out[key] = (meta, {name: arr.copy() for name, arr in arrays.items()})
        return out

    def import_state(
        self, key: str, meta: dict[str, Any], arrays: dict[str, Any], now: float
    ) -> None:
        """Restore one zone's saved state; raises ``ValueError``/``KeyError``/``TypeError`` when
        it is malformed (the zone then starts empty)."""
        zone = self.zones[key]
        zone.learner.import_state(meta, arrays)
        zone.basis = None
        if zone.learner.trained_at is not None:
            zone.state = self._state_after_training(zone, now)


def load_history(learner: Learner, history: dict[str, Series], until: float) -> Learner:
    """Take recorded history into a (copied) learner and warm its detectors; for a worker."""
    learner.load_history(history, until)
    learner.learn_anomaly_history(history)
    return learner


def warm_home_activity(home: Learner, slots: list[tuple[float, float, bool | None]]) -> Learner:
    """Warm the whole home's activity watch on all zones' history; for a worker."""
    home.anomalies.replay_activity(slots)
    return home
