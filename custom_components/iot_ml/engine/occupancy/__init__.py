"""Occupancy: the learned fusion of a zone's evidence, its routine and forecasts."""

from .fusion import FeatureKind
from .routine import Transition
from .zone import OccupancyForecast, PredictionQuality, ZoneOccupancy

__all__ = [
    "FeatureKind",
    "OccupancyForecast",
    "PredictionQuality",
    "Transition",
    "ZoneOccupancy",
]
