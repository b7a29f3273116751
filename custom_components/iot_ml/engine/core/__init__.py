"""The slot grid, time of week, typed channels and series, and slot buffers."""

from .grid import SLOT_SECONDS, SLOTS_PER_DAY, SLOTS_PER_HOUR, slot_of, slot_start
from .types import (
    ChannelKind,
    ChannelSpec,
    ChannelStatus,
    FloatArray,
    GapReason,
    LearnerStatus,
    Role,
    Series,
    SlotArray,
)

__all__ = [
    "SLOTS_PER_DAY",
    "SLOTS_PER_HOUR",
    "SLOT_SECONDS",
    "ChannelKind",
    "ChannelSpec",
    "ChannelStatus",
    "FloatArray",
    "GapReason",
    "LearnerStatus",
    "Role",
    "Series",
    "SlotArray",
    "slot_of",
    "slot_start",
]
