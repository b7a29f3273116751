"""The one protocol the sensor, activity and joint detectors share: update, mark, open episodes."""

from typing import Any

import numpy as np
import pytest

from custom_components.iot_ml.engine.anomaly import AnomalyDetector
from custom_components.iot_ml.engine.anomaly.joint import JointConfig, JointDetector
from custom_components.iot_ml.engine.anomaly.sensor import SensorConfig, SensorDetector
from custom_components.iot_ml.engine.anomaly.types import Episode, Feedback, Kind
from custom_components.iot_ml.engine.anomaly.zone import ZoneAnomalies

from .test_anomaly_activity import SLOT, T0, joint_values, trained

NIGHT = T0 + 21 * 86400.0 + 3 * 3600.0  # an hour the trained home is never active at


def _sensor() -> tuple[SensorDetector, list[tuple[float, Any]]]:
    """A sensor with a physical range and a reading beyond it (alerts without learning)."""
    return SensorDetector(SensorConfig("sensor.t", high=50.0)), [(T0, 20.0), (T0 + 60, 60.0)]


def _activity() -> tuple[Any, list[tuple[float, Any]]]:
    """The trained home, and activity at night."""
    return trained(), [(NIGHT + i * SLOT, 1.0) for i in range(3)]


def _joint() -> tuple[JointDetector, list[tuple[float, Any]]]:
    """An office whose heating warms it, then heating that does not."""
    det = JointDetector(JointConfig("office", ("temp_change", "heater_power", "heating")))
    rng = np.random.default_rng(0)
    inputs = [(T0 + t * SLOT, joint_values(t, rng)) for t in range(2000)]
    inputs += [(T0 + t * SLOT, joint_values(t, rng, True)) for t in range(2000, 2024)]
    return det, inputs


def _first_alert(det: AnomalyDetector[Any], inputs: list[tuple[float, Any]]) -> Episode:
    """Feed ``inputs`` through the protocol until an episode opens."""
    for ts, x in inputs:
        result = det.update(ts, x)
        if result.alert is not None:
            return result.alert
    raise AssertionError("no episode")


@pytest.mark.parametrize(
    ("make", "false_alarm_closes"),
    [(_sensor, True), (_activity, False), (_joint, True)],
    ids=["sensor", "activity", "joint"],
)
def test_every_detector_through_the_protocol(make: Any, false_alarm_closes: bool) -> None:
    """Each detector lists its open episode and takes feedback on it. "All fine" closes a
    sensor's or the joint check's episode; unusual activity clears once the activity stops."""
    det, inputs = make()
    episode = _first_alert(det, inputs)
    assert det.open_episodes == (episode,)
    assert det.mark("zone:spike:1", Feedback.FALSE_ALARM) is False
    assert det.open_episodes == (episode,)
    assert det.mark(episode.id, Feedback.CONFIRMED) is True
    assert det.open_episodes == (episode,)  # confirmed: still open
    assert det.mark(episode.id, Feedback.FALSE_ALARM) is True
    assert det.open_episodes == (() if false_alarm_closes else (episode,))


def test_joint_feedback_keeps_its_refractory_period() -> None:
    """A false alarm closes the joint check's episode at its start, refractory period after it,
    and a confirmed one keeps the slot out of the learned model (as before the protocol)."""
    det, inputs = _joint()
    episode = _first_alert(det, inputs)
    det.mark(episode.id, Feedback.CONFIRMED)
    assert det.tracker.confirmed and det.tracker.feedback == {episode.id: "confirmed"}
    samples = det.samples
    det.update(episode.start + SLOT, joint_values(2030, np.random.default_rng(1), True))
    assert det.samples == samples
    det.mark(episode.id, Feedback.FALSE_ALARM)
    assert det.tracker.quiet_until == episode.start + det.config.refractory
    assert det.tracker.feedback == {episode.id: "false_alarm"}


def test_zone_marks_and_lists_every_detector_alike() -> None:
    """A zone's episodes are those its detectors list, in their order; feedback reaches the one
    that raised it, the joint check included."""
    zone = ZoneAnomalies("office", ["sensor.t"], "UTC", 0.5, activity=True, joint=True)
    assert zone.detectors() == [zone.sensors["sensor.t"], zone.activity, zone.joint]
    sensor, inputs = _sensor()
    zone.sensors["sensor.t"] = sensor
    joint, joint_inputs = _joint()
    joint.config = JointConfig("office", joint.config.channels)  # same key as the zone
    zone.joint = joint
    found = [_first_alert(sensor, inputs), _first_alert(joint, joint_inputs)]
    assert zone.mark(found[1].id, Feedback.CONFIRMED) is True
    assert list(zone.episodes) == [e.id for e in found]
    assert zone.mark(found[1].id, Feedback.FALSE_ALARM) is True
    assert list(zone.episodes) == [found[0].id]
    assert zone.mark(found[0].id, Feedback.FALSE_ALARM) is True
    assert zone.episodes == {}
    assert zone.mark("nobody:spike:1", Feedback.CONFIRMED) is False
    assert found[0].kind is Kind.OUT_OF_RANGE
