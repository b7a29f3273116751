"""The fixed time grid everything is resampled onto."""

import math

SLOT_SECONDS = 300
SLOTS_PER_HOUR = 3600 // SLOT_SECONDS
SLOTS_PER_DAY = 86400 // SLOT_SECONDS


def slot_of(ts: float) -> int:
    """Absolute index of the 5-minute slot holding epoch time ``ts``."""
    return math.floor(ts / SLOT_SECONDS)


def slot_start(slot: int) -> float:
    """Epoch time at which ``slot`` begins."""
    return float(slot * SLOT_SECONDS)
