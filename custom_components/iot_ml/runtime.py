"""What the coordinator keeps per zone, and the immutable snapshots entities read."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .channels import ChannelSource
from .engine.anomaly.types import Episode
from .engine.core.grid import SLOT_SECONDS
from .engine.core.types import LearnerStatus, Role
from .engine.household.learner import Learner
from .engine.occupancy.model import OccupancyForecast
from .engine.occupancy.zone import PredictionQuality
from .thermal_state import ThermalSnapshot


class LearningState(StrEnum):
    """The learning status a zone shows the user."""

    COLLECTING = "collecting"
    TRAINING = "training"
    READY = "ready"
    ERROR = "error"


@dataclass(slots=True)
class ZoneRuntime:
    """A zone (or the home) as the coordinator runs it."""

    key: str
    name: str
    sources: list[ChannelSource]
    learner: Learner
    state: LearningState = LearningState.COLLECTING
    by_entity: dict[str, list[ChannelSource]] = field(default_factory=dict)
    occupancy: OccupancySnapshot | None = None
    thermal: ThermalSnapshot | None = None
    last_activity_slot: int | None = None
    # Entities whose changes move P(occupied) now.
    occupancy_entities: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        """Index sources by the entity they read."""
        kinds = self.learner.occupancy_kinds
        for source in self.sources:
            self.by_entity.setdefault(source.entity_id, []).append(source)
            if source.spec.key in kinds:
                self.occupancy_entities.add(source.entity_id)

    @property
    def has_evidence(self) -> bool:
        """Whether any binary channel (motion, door, media, presence) speaks to occupancy."""
        return "binary" in self.learner.occupancy_kinds.values()

    @property
    def has_presence(self) -> bool:
        """Whether persons or device trackers say who is home."""
        return any(s.spec.role is Role.PRESENCE for s in self.sources)


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
