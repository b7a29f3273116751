"""Anomalies: per-sensor detectors, the joint heating check, activity, episodes and feedback."""

from .detector import AnomalyDetector
from .types import CLEARED, Episode, Feedback, Kind, sensitivity_value
from .zone import AnomalyEvent, ZoneAnomalies

__all__ = [
    "CLEARED",
    "AnomalyDetector",
    "AnomalyEvent",
    "Episode",
    "Feedback",
    "Kind",
    "ZoneAnomalies",
    "sensitivity_value",
]
