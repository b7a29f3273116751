"""Per-zone learner: collects channels on the slot grid and learns what is normal for them."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from ..anomaly.zone import ZoneAnomalies
from ..climate.policy import ClimateSettings
from ..climate.tuning import zone_settings
from ..core.buffer import MAX_SLOT, ChannelBuffer
from ..core.grid import SLOT_SECONDS, SLOTS_PER_DAY, SLOTS_PER_HOUR, slot_of, slot_start
from ..core.state import JsonObject, read_state, write_state
from ..core.types import (
    ChannelSpec,
    ChannelStatus,
    FloatArray,
    GapReason,
    LearnerStatus,
    Role,
    Series,
    SlotArray,
)
from ..occupancy.fusion import FeatureKind
from ..occupancy.zone import RECENT_SLOTS, ZoneOccupancy, fit_zone_occupancy, occupancy_kinds
from ..thermal.model import ThermalModel, ThermalSeries, ThermalState
from ..thermal.zone import (
    CONTEXT_SLOTS,
    NO_OUTDOOR_C,
    ThermalWatch,
    climate_keys,
    fit_zone_thermal,
    live_state,
    thermal_series,
)

STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class TrainingInput:
    """A copy of what training needs, safe to hand to a worker thread."""

    slots: dict[str, FloatArray]
    end_slot: int
    tz: str
    specs: list[ChannelSpec] = field(default_factory=list)
    # Occupancy labels for a zone without its own evidence (the home without presence trackers).
    labels: FloatArray | None = None
    outdoor: FloatArray | None = None  # the home's outdoor temperature over the same window
    climate: ClimateSettings | None = None  # comfort/eco and limits, to tune pre-heating
    home: FloatArray | None = None  # P(someone home) over the same window, from presence


@dataclass(frozen=True, slots=True)
class TrainedModel:
    """What training learned; swapped into the learner on the event loop."""

    trained_at: float
    occupancy: ZoneOccupancy | None = None
    # P(occupied) over the training window (ending at ``end_slot``), not persisted.
    posterior: FloatArray | None = None
    end_slot: int | None = None
    thermal: ThermalModel | None = None
    arrival_threshold: float | None = None  # forecast P(occupied) worth pre-heating for
    # ... while someone is home, and while nobody is (None: the one threshold either way)
    home_thresholds: tuple[float, float] | None = None


def train(data: TrainingInput, now: float) -> TrainedModel:
    """Fit the occupancy and thermal models and tune pre-heating. Pure and CPU-bound."""
    occupancy = fit_zone_occupancy(data.slots, data.specs, data.end_slot, data.tz, data.labels)
    posterior = None
    if occupancy is not None:
        n = len(next(iter(data.slots.values()))) if data.slots else 0
        posterior = occupancy.posterior(data.slots, data.end_slot - n) if n else None
    thermal = fit_zone_thermal(data.slots, data.specs, data.end_slot, data.tz, data.outdoor)
    threshold, home_thresholds = None, None
    if data.climate is not None and posterior is not None and climate_keys(data.specs):
        # Brief, hard-to-time visits get a low threshold, firm routines a high one.
        outdoor = data.outdoor[~np.isnan(data.outdoor)] if data.outdoor is not None else []
        settings, _ = zone_settings(
            data.climate,
            data.tz,
            thermal,
            posterior,
            data.end_slot - len(posterior),
            outdoor=float(outdoor[-1]) if len(outdoor) else NO_OUTDOOR_C,
            home=None if data.home is None else data.home[-len(posterior) :],
        )
        threshold = settings.arrival_threshold
        if settings.home_arrival_threshold is not None and settings.away_arrival_threshold:
            home_thresholds = (settings.home_arrival_threshold, settings.away_arrival_threshold)
    return TrainedModel(
        now, occupancy, posterior, data.end_slot, thermal, threshold, home_thresholds
    )


class Learner:
    """Everything iot_ml collects and learns for one zone (or the home)."""

    def __init__(
        self,
        channels: list[ChannelSpec],
        days_kept: int,
        tz: str,
        *,
        sensitivity: float = 0.5,
        key: str = "zone",
        whole_home: bool = False,
    ) -> None:
        """Create an empty learner keeping ``days_kept`` days of 5-minute slots per channel.

        ``sensitivity`` (0..1) sets how readily its anomaly detectors alert; ``key`` names the
        zone in the ids of its anomaly episodes. The ``whole_home`` learner watches the activity
        of all zones together (fed by the caller), unusual inactivity included.
        """
        self.key = key
        self.whole_home = whole_home
        self.channels = {spec.key: spec for spec in channels}
        # Fixed with the channels: derived once, read on every tick and evidence event.
        self.climate_keys = climate_keys(channels)
        self.occupancy_kinds = occupancy_kinds(channels)
        self.days_kept = days_kept
        self.tz = tz
        self.buffers = {key: ChannelBuffer(days_kept * SLOTS_PER_DAY) for key in self.channels}
        self.samples: Counter[str] = Counter()
        self.gaps: dict[str, Counter[str]] = {key: Counter() for key in self.channels}
        self.occupancy: ZoneOccupancy | None = None
        self.thermal: ThermalModel | None = None
        self.arrival_threshold: float | None = None
        self.home_thresholds: tuple[float, float] | None = None
        self.watch = ThermalWatch()
        self.sensitivity = sensitivity
        self.anomalies = self._new_anomalies()
        self.trained_at: float | None = None
        # Coverage of the learning window moves by a slot in 8064: refreshed hourly, not per tick.
        self._coverage: tuple[int, dict[str, float], int | None] | None = None

    def _new_anomalies(self) -> ZoneAnomalies:
        specs = self.channels.values()
        watched = [s.key for s in specs if s.watched]
        active = self.whole_home or any(s.role is Role.EVIDENCE for s in specs)
        return ZoneAnomalies(
            self.key,
            watched,
            self.tz,
            self.sensitivity,
            active,
            inactivity=self.whole_home,
            joint=self.climate_keys is not None,
        )

    # -- collecting ---------------------------------------------------------------------------

    def observe(
        self, key: str, ts: float, value: float | None, gap: GapReason | None = None
    ) -> None:
        """Take one observation; ``None`` (with its reason) starts a gap. Unknown keys are ignored."""
        buffer = self.buffers.get(key)
        if buffer is None:
            return
        if value is None:
            self.gaps[key][gap or GapReason.INVALID] += 1
            buffer.observe(ts, math.nan)
            return
        self.samples[key] += 1
        buffer.observe(ts, value)

    def advance(self, ts: float) -> None:
        """Close every slot that ended before ``ts`` (held values carry on)."""
        for buffer in self.buffers.values():
            buffer.advance(ts)

    def load_history(self, history: dict[str, Series], until: float) -> None:
        """Take in recorded history up to ``until``.

        An empty channel is filled in bulk (vectorised); a channel that already holds data (restored
        after a restart) gets only what it missed, replayed from where it stopped.
        """
        self._coverage = None
        for key, series in history.items():
            buffer = self.buffers.get(key)
            if buffer is None:
                continue
            if buffer.integrated_until is None:
                buffer.load(series.times, series.values, until)
                self.samples[key] = int(np.count_nonzero(~np.isnan(series.values)))
                self.gaps[key] = Counter(series.gaps)
                continue
            since = buffer.integrated_until
            for t, v in zip(series.times, series.values, strict=True):
                if t >= since:
                    buffer.observe(float(t), float(v))
                    # The state in force at ``since`` (the recorder's start state) was counted
                    # when it was first taken in; only later changes are new samples.
                    self.samples[key] += bool(t > since and not math.isnan(v))
            buffer.advance(until)
            self.gaps[key].update(series.gaps)

    def learn_anomaly_history(self, history: dict[str, Series]) -> None:
        """Warm the anomaly detectors up on recorded history (only while they know nothing).

        Watched sensors replay their readings; the activity detector replays the evidence slots
        now in the buffers (who was home then is unknown, so only the routine is learned).
        """
        if any(d.first_ts is not None for d in self.anomalies.sensors.values()):
            return
        self.anomalies.replay(history)
        end = self.end_slot()
        if end is None:
            return
        length = self.days_kept * SLOTS_PER_DAY
        counts = self.evidence_counts(end, length)
        known = np.flatnonzero(~np.isnan(counts))
        self.anomalies.replay_activity(
            [(slot_start(end - length + int(i) + 1), float(counts[i]), None) for i in known]
        )
        keys = self.climate_keys
        if keys is not None:
            temperature = self.buffers[keys[0]].window(end, length)
            slots = np.flatnonzero(~np.isnan(temperature)).tolist()
            self.anomalies.replay_joint(
                [
                    (slot_start(end - length + i + 1), self.joint_values(end - length + i))
                    for i in slots
                ]
            )

    def evidence_counts(self, end: int, length: int) -> FloatArray:
        """Active evidence channels per slot of ``[end - length, end)`` (NaN: none known)."""
        keys = [s.key for s in self.channels.values() if s.role is Role.EVIDENCE]
        if not keys:
            return np.full(length, np.nan)
        stack = np.vstack([self.buffers[k].window(end, length) for k in keys])
        counts = np.sum(np.nan_to_num(stack, nan=0.0) > 0, axis=0).astype(np.float64)
        return np.where(np.isnan(stack).all(axis=0), np.nan, counts)

    def joint_values(self, slot: int) -> dict[str, float | None]:
        """The joint check's inputs for a closed slot: temperature change and heating."""
        keys = self.climate_keys
        if keys is None:
            return {}
        t = self.buffers[keys[0]].window(slot + 1, 2)
        heating = float(self.buffers[keys[1]].window(slot + 1, 1)[0])
        change = float(t[1] - t[0])
        return {
            "temp_change": None if math.isnan(change) else change,
            "heating": None if math.isnan(heating) else heating,
        }

    def evidence_in_slot(self, slot: int) -> float:
        """Active evidence channels in the closed slot ``slot`` (NaN when none is known)."""
        return float(self.evidence_counts(slot + 1, 1)[0])

    def integrated_until(self, key: str) -> float | None:
        """Time up to which ``key`` has data, None when it has none."""
        buffer = self.buffers.get(key)
        return None if buffer is None else buffer.integrated_until

    # -- learning -----------------------------------------------------------------------------

    def end_slot(self) -> int | None:
        """One past the newest complete slot of any channel."""
        ends = [b.end_slot for b in self.buffers.values() if b.end_slot is not None]
        return max(ends) if ends else None

    def training_input(
        self,
        labels: FloatArray | None = None,
        end_slot: int | None = None,
        outdoor: Callable[[int, int], FloatArray | None] | None = None,
        climate: ClimateSettings | None = None,
        home: Callable[[int, int], FloatArray | None] | None = None,
    ) -> TrainingInput | None:
        """Copy the data training needs, or None when nothing was collected yet.

        ``labels`` (occupancy for the learning window, ending at this learner's newest slot or,
        when it has none, at ``end_slot``) teach a zone without evidence of its own.
        ``outdoor(end, length)`` reads the home's outdoor temperature for the window.
        """
        length = self.days_kept * SLOTS_PER_DAY
        if labels is not None and len(labels) != length:
            labels = None
        end = self.end_slot()
        if end is None and labels is not None:
            end = end_slot  # nothing collected here: learn from the labels alone
        if end is None:
            return None
        slots = {key: buffer.window(end, length) for key, buffer in self.buffers.items()}
        return TrainingInput(
            slots,
            end,
            self.tz,
            list(self.channels.values()),
            labels,
            None if outdoor is None else outdoor(end, length),
            climate,
            None if home is None else home(end, length),
        )

    def apply(self, model: TrainedModel) -> None:
        """Install a freshly trained model."""
        self.occupancy = model.occupancy
        self.thermal = model.thermal
        self.arrival_threshold = model.arrival_threshold
        self.home_thresholds = model.home_thresholds
        self.trained_at = model.trained_at

    # -- reading live -------------------------------------------------------------------------
    # Queries: they change nothing and read the slots as closed so far, so the caller first
    # closes those that ended (``advance(now)``).

    def recent(self, now: float) -> tuple[dict[str, FloatArray], int]:
        """The last closed slots of every occupancy channel plus the open one, and the first slot.

        The open slot counts a binary channel that is on now as on for the slot, so the zone
        reacts to a motion sensor at once instead of at the slot's end.
        """
        end = slot_of(now)
        start = end - RECENT_SLOTS
        out: dict[str, FloatArray] = {}
        for key, kind in self.occupancy_kinds.items():
            buffer = self.buffers[key]
            window = buffer.window(end, RECENT_SLOTS)
            out[key] = np.append(window, buffer.open_value(binary=kind is FeatureKind.BINARY))
        return out, start

    def occupancy_now(self, now: float) -> float | None:
        """P(occupied) now (after ``advance(now)``); None before an occupancy model is trained,
        NaN when nothing is known."""
        if self.occupancy is None:
            return None
        recent, start = self.recent(now)
        return self.occupancy.probability(recent, start)

    def _thermal_series(
        self, now: float, outdoor: Callable[[int, int], FloatArray | None] | None
    ) -> tuple[ThermalSeries, ThermalSeries] | None:
        """The recent series up to now's open slot, and the same without it (closed slots)."""
        keys = self.climate_keys
        if self.thermal is None or keys is None:
            return None
        end = slot_of(now)
        start = end - CONTEXT_SLOTS
        slots = {
            k: np.append(self.buffers[k].window(end, CONTEXT_SLOTS), self.buffers[k].held)
            for k in keys
        }
        out = None if outdoor is None else outdoor(end + 1, CONTEXT_SLOTS + 1)
        series = thermal_series(slots, keys, start, out)
        closed = ThermalSeries(
            start, series.temperature[:-1], series.heating[:-1], series.outdoor[:-1]
        )
        return series, closed

    def step_thermal(
        self, now: float, outdoor: Callable[[int, int], FloatArray | None] | None
    ) -> None:
        """Step the heating-fault and open-window watch over the slots closed since the last
        step, and fold hours since the last refit into the model (online update)."""
        if self.thermal is None or self.climate_keys is None:
            return
        self.advance(now)
        both = self._thermal_series(now, outdoor)
        if both is None or self.thermal is None:
            return
        _, closed = both
        self.watch.step(self.thermal, closed)
        if slot_of(now) - self.thermal.stats_slot > 2 * SLOTS_PER_HOUR:
            self.thermal = self.thermal.updated(closed)

    def thermal_state(
        self, now: float, outdoor: Callable[[int, int], FloatArray | None] | None
    ) -> ThermalState | None:
        """The thermal state now (after ``advance(now)``; the open slot's current values end the
        series); None without a thermal model or a known temperature."""
        both = self._thermal_series(now, outdoor)
        if both is None or self.thermal is None:
            return None
        return live_state(self.thermal, both[0])

    def forget(self) -> None:
        """Drop everything collected and learned."""
        fresh = Learner(
            list(self.channels.values()),
            self.days_kept,
            self.tz,
            sensitivity=self.sensitivity,
            key=self.key,
            whole_home=self.whole_home,
        )
        self.buffers, self.samples, self.gaps = fresh.buffers, fresh.samples, fresh.gaps
        self._coverage = None
        self.occupancy, self.trained_at = None, None
        self.thermal, self.watch = None, ThermalWatch()
        self.arrival_threshold = None
        self.home_thresholds = None
        self.anomalies = fresh.anomalies

    # -- reporting ----------------------------------------------------------------------------

    def status(self, now: float) -> LearnerStatus:
        """Samples, history length and coverage per role over the learning window (coverage
        as of the start of the current hour)."""
        end = slot_of(now)
        coverage, first_seen = self._window_coverage(end)
        channels: dict[str, ChannelStatus] = {}
        by_role: dict[str, list[float]] = {}
        for key, spec in self.channels.items():
            channels[key] = ChannelStatus(
                samples=self.samples[key], coverage=coverage[key], gaps=dict(self.gaps[key])
            )
            by_role.setdefault(spec.role.value, []).append(coverage[key])
        days = 0.0 if first_seen is None else (end - first_seen) / SLOTS_PER_DAY
        return LearnerStatus(
            samples=sum(self.samples.values()),
            days_of_history=days,
            coverage_by_role={role: float(np.mean(c)) for role, c in by_role.items()},
            channels=channels,
            trained_at=self.trained_at,
        )

    def _window_coverage(self, end: int) -> tuple[dict[str, float], int | None]:
        """Share of known slots per channel and the first known slot, cached per hour."""
        hour = end // SLOTS_PER_HOUR
        if self._coverage is not None and self._coverage[0] == hour:
            return self._coverage[1], self._coverage[2]
        length = self.days_kept * SLOTS_PER_DAY
        first_seen: int | None = None
        coverage: dict[str, float] = {}
        for key in self.channels:
            have = ~np.isnan(self.buffers[key].window(end, length))
            if have.any():
                first = end - length + int(np.argmax(have))
                first_seen = first if first_seen is None else min(first_seen, first)
            coverage[key] = float(have.mean())
        self._coverage = (hour, coverage, first_seen)
        return coverage, first_seen

    # -- persistence (JSON + plain arrays, never pickle) --------------------------------------

    def export_state(self) -> tuple[JsonObject, dict[str, SlotArray]]:
        """JSON-able metadata and named float arrays that ``import_state`` takes back."""
        meta_channels = {}
        arrays: dict[str, SlotArray] = {}
        for i, (key, buffer) in enumerate(self.buffers.items()):
            meta_channels[key] = {
                "array": f"c{i}",
                "end_slot": buffer.end_slot,
                "held": None if math.isnan(buffer.held) else buffer.held,
                "t": buffer.integrated_until,
                "samples": self.samples[key],
                "gaps": dict(self.gaps[key]),
            }
            if buffer.end_slot is not None:
                arrays[f"c{i}"] = buffer.values
        meta = write_state(
            STATE_VERSION,
            channels=meta_channels,
            occupancy=None if self.occupancy is None else self.occupancy.to_json(),
            thermal=None if self.thermal is None else self.thermal.to_json(),
            watch=self.watch.to_json(),
            arrival_threshold=self.arrival_threshold,
            home_thresholds=None if self.home_thresholds is None else list(self.home_thresholds),
            anomalies=self.anomalies.to_json(),
            trained_at=self.trained_at,
        )
        return meta, arrays

    def import_state(self, meta: JsonObject, arrays: dict[str, npt.NDArray[Any]]) -> None:
        """Restore ``export_state`` output; channels no longer configured are dropped.

        Raises ``ValueError``/``KeyError``/``TypeError`` on malformed state, leaving the learner empty.
        """
        self._coverage = None
        try:
            meta = read_state(
                meta,
                "learner state",
                STATE_VERSION,
                {"channels": dict, "trained_at": (float, None)},
                # Absent from states saved before these were learned (same version).
                optional={
                    "occupancy": dict,
                    "thermal": dict,
                    "watch": dict,
                    "arrival_threshold": float,
                    "home_thresholds": list,
                    "anomalies": dict,
                },
            )
        except ValueError:
            self.forget()
            raise
        try:
            for key, info in meta["channels"].items():
                buffer = self.buffers.get(key)
                if buffer is None or info["end_slot"] is None:
                    continue
                held = math.nan if info["held"] is None else float(info["held"])
                buffer.restore(arrays[info["array"]], int(info["end_slot"]), held, float(info["t"]))
                self.samples[key] = _in_range("sample count", int(info["samples"]), 0, 2**53)
                self.gaps[key] = Counter({str(k): int(v) for k, v in info["gaps"].items()})
            occupancy = meta["occupancy"]
            self.occupancy = None if occupancy is None else ZoneOccupancy.from_json(occupancy)
            thermal = meta["thermal"]
            self.thermal = None if thermal is None else ThermalModel.from_json(thermal)
            threshold = meta["arrival_threshold"]
            self.arrival_threshold = None if threshold is None else float(threshold)
            pair = meta["home_thresholds"]
            self.home_thresholds = None if pair is None else (float(pair[0]), float(pair[1]))
            watch = meta["watch"]
            self.watch = ThermalWatch() if watch is None else ThermalWatch.from_json(watch)
            anomalies = meta["anomalies"]
            if anomalies is not None:
                self.anomalies.restore(anomalies)
            trained = meta["trained_at"]
            self.trained_at = (
                None
                if trained is None
                else _in_range("trained_at", float(trained), 0.0, MAX_SLOT * SLOT_SECONDS)
            )
        except ValueError, KeyError, TypeError:
            self.forget()
            raise
        except (AttributeError, ZeroDivisionError) as err:  # a list for a mapping, an empty array
            self.forget()
            raise TypeError(f"malformed learner state: {err}") from err


def _in_range[N: (int, float)](what: str, value: N, low: N, high: N) -> N:
    """``value`` when ``low <= value < high``; ``ValueError`` naming ``what`` otherwise."""
    if not low <= value < high:
        raise ValueError(f"{what} {value} out of range")
    return value
