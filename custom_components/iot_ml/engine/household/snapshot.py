"""What the household concludes for a zone at one moment: immutable values entities read."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from ..anomaly.types import Episode
from ..climate.snapshot import ThermalSnapshot
from ..core.grid import SLOT_SECONDS
from ..core.types import LearnerStatus
from ..occupancy.zone import OccupancyForecast, PredictionQuality


class LearningState(StrEnum):
    """The learning status a zone shows the user."""

    COLLECTING = "collecting"
    TRAINING = "training"
    READY = "ready"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class OccupancySnapshot:
    """Occupancy now and ahead, as computed at ``at`` (start of the open slot)."""

    probability: float
    forecast: OccupancyForecast
    at: datetime
    quality: PredictionQuality | None

    @property
    def occupied(self) -> bool:
        """The zone counts as occupied from an even chance on."""
        return self.probability >= 0.5

    def probability_in(self, minutes: int) -> float:
        """P(occupied) ``minutes`` from ``at`` (rounded to whole slots, 5 min to 24 h)."""
        step = min(len(self.forecast.series), max(1, round(minutes * 60 / SLOT_SECONDS)))
        return float(self.forecast.series[step - 1])


def slot_datetime(slot: int) -> datetime:
    """The UTC start of a slot."""
    return datetime.fromtimestamp(slot * SLOT_SECONDS, UTC)


@dataclass(frozen=True, slots=True)
class ZoneSnapshot:
    """What entities show for a zone: an immutable copy made on the event loop."""

    state: LearningState
    status: LearnerStatus
    next_training: datetime | None
    occupancy: OccupancySnapshot | None = None
    thermal: ThermalSnapshot | None = None
    anomalies: tuple[Episode, ...] = ()  # open anomaly episodes
    scores: dict[str, float] = field(default_factory=dict)  # latest score per watched channel
