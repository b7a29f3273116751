"""Typed inputs and results of the anomaly detectors (see ``anomaly_sensor`` and friends)."""

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What kind of anomaly an episode is; also the event types of the HA event entity."""

    SPIKE = "spike"
    DROP = "drop"
    LEVEL_SHIFT = "level_shift"
    DRIFT = "drift"
    STUCK = "stuck"
    DROPOUT = "dropout"
    OUT_OF_RANGE = "out_of_range"
    UNUSUAL_ACTIVITY = "unusual_activity"
    UNUSUAL_INACTIVITY = "unusual_inactivity"


CLEARED = "cleared"  # event type sent when an episode ends


class Feedback(StrEnum):
    """What the user said about an episode."""

    FALSE_ALARM = "false_alarm"
    CONFIRMED = "confirmed"


# Named sensitivities (a per-zone option); any number in (0, 1] works too, higher = more alerts.
SENSITIVITY = {"low": 0.25, "medium": 0.5, "high": 0.75}


def sensitivity_value(level: str | float) -> float:
    """A sensitivity name or number as a number in [0.05, 1]; ``ValueError`` if unknown."""
    if isinstance(level, str):
        if level not in SENSITIVITY:
            raise ValueError(f"unknown sensitivity {level!r}")
        return SENSITIVITY[level]
    return min(1.0, max(0.05, float(level)))


def alert_tail(sensitivity: float) -> float:
    """Tail probability below which a reading alerts: 1e-5 (low) .. 1e-4 (medium) .. 1e-3 (high)."""
    return float(10.0 ** (-6.0 + 4.0 * sensitivity))


@dataclass(frozen=True, slots=True)
class Episode:
    """One anomaly from its first alert until it clears; one alert per episode."""

    id: str  # "<key>:<kind>:<start epoch s>", unique per detector
    key: str  # the sensor (or zone) it is about
    kind: Kind
    start: float
    score: float  # 0..1, 1 - tail probability at the alert
    value: float | None  # the reading that raised it (None for time-based kinds)
    expected_low: float | None
    expected_high: float | None


@dataclass(frozen=True, slots=True)
class AnomalyResult:
    """What one update says: how unusual the reading is, and whether an episode began or ended."""

    score: float  # 0..1 = 1 - tail probability of the reading; comparable across sensors
    kind: Kind | None  # the kind of the open episode (or of the strongest evidence), else None
    expected_low: float | None
    expected_high: float | None
    alert: Episode | None = None  # a new episode began with this update
    cleared: Episode | None = None  # this episode ended with this update
    episode_id: str | None = None  # the episode still open after this update
