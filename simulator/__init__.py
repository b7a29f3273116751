"""A deterministic virtual home (pure Python + numpy): people, heating physics, HA-like sensors.

Ground truth comes with it, for benchmarks and end-to-end demos. See simulator/README.md.
"""

from .faults import FaultWindow
from .home import StateChange, VirtualHome, simulate
from .spec import ZONES, HomeSpec, OccupantSpec, ZoneSpec, default_home
from .truth import GroundTruth

__all__ = [
    "ZONES",
    "FaultWindow",
    "GroundTruth",
    "HomeSpec",
    "OccupantSpec",
    "StateChange",
    "VirtualHome",
    "ZoneSpec",
    "default_home",
    "simulate",
]
