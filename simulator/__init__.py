"""A deterministic virtual home (pure Python + numpy): people, heating physics, HA-like sensors
and injected faults, with the ground truth. See simulator/README.md."""

from .events import StateChange
from .faults import FaultWindow
from .home import VirtualHome, simulate
from .spec import ZONES, HomeSpec, OccupantSpec, SensorSpec, WeatherSpec, ZoneSpec, default_home
from .truth import GroundTruth

__all__ = [
    "ZONES",
    "FaultWindow",
    "GroundTruth",
    "HomeSpec",
    "OccupantSpec",
    "SensorSpec",
    "StateChange",
    "VirtualHome",
    "WeatherSpec",
    "ZoneSpec",
    "default_home",
    "simulate",
]
