"""The household: all zones and the home, ingest, tick, training, decisions, learned state."""

from .household import (
    HOME,
    Household,
    HouseholdSettings,
    Ingested,
    Sample,
    Zone,
    ZoneSpec,
    load_history,
    warm_home_activity,
)
from .learner import Learner, TrainedModel, TrainingInput, train
from .snapshot import LearningState, OccupancySnapshot, ZoneSnapshot

__all__ = [
    "HOME",
    "Household",
    "HouseholdSettings",
    "Ingested",
    "Learner",
    "LearningState",
    "OccupancySnapshot",
    "Sample",
    "TrainedModel",
    "TrainingInput",
    "Zone",
    "ZoneSnapshot",
    "ZoneSpec",
    "load_history",
    "train",
    "warm_home_activity",
]
