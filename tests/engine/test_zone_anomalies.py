"""A zone's anomaly watch as the learner runs it: replay, live events, feedback, persistence."""

import math

import numpy as np

from custom_components.iot_ml.engine.anomaly.types import CLEARED, Feedback
from custom_components.iot_ml.engine.anomaly.zone import ZoneAnomalies
from custom_components.iot_ml.engine.core.grid import SLOT_SECONDS, SLOTS_PER_DAY
from custom_components.iot_ml.engine.core.types import ChannelKind, ChannelSpec, Role, Series
from custom_components.iot_ml.engine.household.learner import Learner

DAY = 86400.0
T0 = 1_700_000_000.0 - 1_700_000_000.0 % DAY


def _normal(days: int) -> Series:
    times = np.arange(T0, T0 + days * DAY, 600.0)
    rng = np.random.default_rng(1)
    return Series(times, 20 + np.sin(2 * math.pi * times / DAY) + rng.normal(0, 0.1, len(times)))


def test_replay_then_spike_then_clear() -> None:
    """Warm from history: a far reading alerts once, normal readings clear it."""
    zone = ZoneAnomalies("z", ["t"], "UTC", 0.5, activity=False)
    zone.replay({"t": _normal(10), "other": _normal(1)})
    assert zone.episodes == {}
    now = T0 + 10 * DAY
    events = zone.observe(now, "t", 35.0)
    assert [e.event_type for e in events] == ["spike"]
    assert zone.scores["t"] > 0.99 and list(zone.episodes) == [events[0].episode.id]
    assert zone.observe(now + 60, "unknown", 1.0) == []
    cleared = []
    for k in range(1, 12):
        cleared += zone.observe(
            now + k * 300, "t", float(20 + math.sin(2 * math.pi * k * 300 / DAY))
        )
    assert [e.event_type for e in cleared] == [CLEARED]
    assert zone.episodes == {}


def test_false_alarm_closes_and_json_round_trip() -> None:
    """Feedback closes an open episode; saved state comes back with the configured sensitivity."""
    zone = ZoneAnomalies("z", ["t"], "UTC", 0.5, activity=True)
    zone.replay({"t": _normal(10)})
    now = T0 + 10 * DAY
    episode = zone.observe(now, "t", 35.0)[0].episode
    assert zone.mark("missing", Feedback.CONFIRMED) is False
    saved = zone.to_json()
    assert zone.mark(episode.id, Feedback.FALSE_ALARM) is True
    assert zone.episodes == {}
    again = ZoneAnomalies("z", ["t", "new"], "UTC", 0.75, activity=True)
    again.restore(saved)
    assert list(again.episodes) == [episode.id]  # still open as saved
    assert again.sensors["t"].sensitivity == 0.75
    assert again.activity is not None
    old = {**saved, "sensors": {"t": {**saved["sensors"]["t"], "version": 0}}}
    old["activity"] = {**saved["activity"], "version": 0}
    fresh = ZoneAnomalies("z", ["t"], "UTC", 0.5, activity=True)
    fresh.restore(old)  # detectors saved by another version start afresh, the rest loads
    assert fresh.sensors["t"].first_ts is None
    try:
        again.restore({"version": 99})
    except ValueError:
        pass
    else:
        raise AssertionError("another version must be refused")


def test_activity_slots_and_learner_hooks() -> None:
    """The learner replays evidence slots into the activity detector and counts slot evidence."""
    specs = [
        ChannelSpec("m1", ChannelKind.BINARY, Role.EVIDENCE),
        ChannelSpec("m2", ChannelKind.BINARY, Role.EVIDENCE),
        ChannelSpec("t", ChannelKind.NUMERIC, Role.ENVIRONMENT, watched=True),
    ]
    learner = Learner(specs, 7, "UTC", key="kitchen")
    times = np.arange(T0, T0 + 3 * DAY, SLOT_SECONDS, dtype=np.float64)
    on = ((times % DAY) > 0.75 * DAY).astype(np.float64)
    history = {"m1": Series(times, on), "m2": Series(times, np.zeros(len(times))), "t": _normal(3)}
    end = T0 + 3 * DAY
    learner.load_history(history, end)
    learner.learn_anomaly_history(history)
    activity = learner.anomalies.activity
    assert activity is not None and activity.first_ts is not None
    assert activity.rate(T0 + 3 * DAY + 0.9 * DAY) > activity.rate(T0 + 3 * DAY + 0.2 * DAY)
    slot = int(end // SLOT_SECONDS) - 1  # 23:55, m1 on
    assert learner.evidence_in_slot(slot) == 1.0
    assert learner.evidence_in_slot(slot - SLOTS_PER_DAY // 2) == 0.0
    assert math.isnan(learner.evidence_in_slot(slot - 30 * SLOTS_PER_DAY))
    first = learner.anomalies.sensors["t"].first_ts
    learner.learn_anomaly_history(history)  # already warm: nothing replayed twice
    assert learner.anomalies.sensors["t"].first_ts == first
    events = learner.anomalies.activity_slot(end, 1.0, observed_empty=False, predicted_empty=0.0)
    assert events == []
    meta, arrays = learner.export_state()
    copy = Learner(specs, 7, "UTC", key="kitchen")
    copy.import_state(meta, arrays)
    assert copy.anomalies.activity is not None
    assert copy.anomalies.activity.first_ts == activity.first_ts
    assert (
        ZoneAnomalies("z", [], "UTC", 0.5, activity=False).activity_slot(
            end, 1.0, observed_empty=True, predicted_empty=1.0
        )
        == []
    )


def test_joint_check_heating_vs_temperature() -> None:
    """Heating that warms the room is normal; heating while the room cools alerts, and the
    detector's state survives a round trip and feedback."""
    zone = ZoneAnomalies("z", [], "UTC", 0.5, activity=False, joint=True)
    rng = np.random.default_rng(2)
    slots = []
    for i in range(3 * SLOTS_PER_DAY):
        heating = float((i // 24) % 2)
        change = 0.15 * heating - 0.05 + rng.normal(0, 0.01)
        slots.append((T0 + i * SLOT_SECONDS, {"temp_change": change, "heating": heating}))
    zone.replay_joint(slots)
    now = T0 + 3 * DAY
    assert zone.joint_slot(now, {"temp_change": 0.1, "heating": 1.0}) == []
    events = []
    for k in range(1, 7):
        events += zone.joint_slot(now + k * SLOT_SECONDS, {"temp_change": -0.3, "heating": 1.0})
    alerts = [e for e in events if e.event_type != CLEARED]
    assert alerts and alerts[0].episode.key.endswith("/temp_change")
    saved = zone.to_json()
    again = ZoneAnomalies("z", [], "UTC", 0.5, activity=False, joint=True)
    again.restore(saved)
    assert list(again.episodes) == [alerts[0].episode.id]
    assert again.mark(alerts[0].episode.id, Feedback.FALSE_ALARM) is True
    assert again.episodes == {}
    assert ZoneAnomalies("z", [], "UTC", 0.5, activity=False).joint_slot(now, {}) == []
