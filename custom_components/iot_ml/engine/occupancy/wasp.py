"""The "wasp in a box" home-presence rule.

The home is a closed box. After the front door closes, presence is kept while interior activity
has been seen since; if none is seen within a grace period, the box is taken to be empty. It
stays empty until interior activity is seen again or the door opens.
"""

from dataclasses import dataclass
import math
from typing import Any

import numpy as np

from ..core.grid import SLOT_SECONDS
from ..core.types import FloatArray

GRACE_SECONDS = 600.0


@dataclass(slots=True)
class WaspInBox:
    """Live rule state; O(1) per event."""

    grace: float = GRACE_SECONDS
    door_open: bool = False
    closed_at: float | None = None  # last time the front door closed
    activity_at: float | None = None  # last interior activity

    def door(self, ts: float, is_open: bool) -> None:
        """The front door opened (``is_open``) or closed at ``ts``."""
        self.door_open = is_open
        if not is_open:
            self.closed_at = ts

    def activity(self, ts: float) -> None:
        """Interior activity (motion, a cupboard, an appliance) at ``ts``."""
        self.activity_at = ts if self.activity_at is None else max(ts, self.activity_at)

    def present(self, ts: float) -> bool:
        """Whether someone is home at ``ts`` (no door seen yet: home if any activity was)."""
        if self.door_open:
            return True
        if self.closed_at is None:
            return self.activity_at is not None
        if self.activity_at is not None and self.activity_at > self.closed_at:
            return True
        return ts - self.closed_at < self.grace

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        return {
            "grace": self.grace,
            "door_open": self.door_open,
            "closed_at": self.closed_at,
            "activity_at": self.activity_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WaspInBox:
        """Inverse of ``to_json``."""
        closed, act = data["closed_at"], data["activity_at"]
        return cls(
            grace=float(data["grace"]),
            door_open=bool(data["door_open"]),
            closed_at=None if closed is None else float(closed),
            activity_at=None if act is None else float(act),
        )


def wasp_slots(
    door_open: FloatArray,
    door_close: FloatArray,
    activity: FloatArray,
    start_slot: int,
    count: int,
    *,
    grace: float = GRACE_SECONDS,
) -> FloatArray:
    """The rule's state (0/1) at the end of each slot, replaying event times (epoch seconds)."""
    events = sorted(
        [(float(t), 1) for t in door_open]
        + [(float(t), 2) for t in door_close]
        + [(float(t), 0) for t in activity]
    )
    rule = WaspInBox(grace=grace)
    out = np.full(count, math.nan)
    i = 0
    for k in range(count):
        end = (start_slot + k + 1) * SLOT_SECONDS
        while i < len(events) and events[i][0] < end:
            t, kind = events[i]
            if kind == 0:
                rule.activity(t)
            else:
                rule.door(t, is_open=kind == 1)
            i += 1
        out[k] = float(rule.present(end))
    return out
