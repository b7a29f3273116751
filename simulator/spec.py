"""What the virtual home is made of: zones, occupants and their physical constants."""

from dataclasses import dataclass, field

ZONES = ("living_room", "kitchen", "bedroom", "office", "bathroom", "hall")


@dataclass(frozen=True, slots=True)
class ZoneSpec:
    """One room: thermal constants and which optional sensors it has."""

    name: str
    resistance: float  # K/W to outside
    capacity: float  # J/K
    heater_w: float
    solar_w: float  # peak solar gain on a clear day
    has_co2: bool = False
    has_tv: bool = False
    has_window: bool = False
    lux_daylight: float = 200.0  # illuminance from daylight at noon on a clear day

    @property
    def time_constant_h(self) -> float:
        """R·C in hours."""
        return self.resistance * self.capacity / 3600.0


@dataclass(frozen=True, slots=True)
class OccupantSpec:
    """An adult of the household."""

    name: str
    commute_days: tuple[int, ...]  # weekdays (0 = Monday) spent at the workplace
    work_from_home_days: tuple[int, ...] = ()


@dataclass(slots=True)
class HomeSpec:
    """The whole home; ``default_home()`` builds the standard one."""

    zones: tuple[ZoneSpec, ...]
    occupants: tuple[OccupantSpec, ...]
    neighbours: tuple[tuple[str, str, float], ...]  # (zone, zone, W/K) coupling
    time_zone: str = "Europe/Berlin"
    faults: bool = True
    outdoor_mean_c: float = 5.0
    comfort_c: float = 20.0
    night_c: float = 17.0
    extra: dict[str, float] = field(default_factory=dict)

    def zone(self, name: str) -> ZoneSpec:
        """The zone called ``name``."""
        return next(z for z in self.zones if z.name == name)


def default_home() -> HomeSpec:
    """Two adults in a six-zone flat; time constants 20-60 h."""
    zones = (
        ZoneSpec(
            "living_room", 0.012, 9.0e6, 2000, 600, has_co2=True, has_tv=True, lux_daylight=350
        ),
        ZoneSpec("kitchen", 0.02, 5.4e6, 1200, 200, lux_daylight=250),
        ZoneSpec("bedroom", 0.016, 6.8e6, 1400, 150, has_window=True, lux_daylight=200),
        ZoneSpec("office", 0.018, 6.0e6, 1200, 300, has_co2=True, lux_daylight=300),
        ZoneSpec("bathroom", 0.03, 2.4e6, 800, 0, lux_daylight=80),
        ZoneSpec("hall", 0.025, 5.8e6, 800, 0, lux_daylight=60),
    )
    occupants = (
        OccupantSpec("alex", commute_days=(0, 1, 2, 3, 4)),
        OccupantSpec("sam", commute_days=(1, 3), work_from_home_days=(0, 2, 4)),
    )
    neighbours = (
        ("living_room", "kitchen", 40.0),
        ("living_room", "hall", 30.0),
        ("kitchen", "hall", 20.0),
        ("bedroom", "hall", 20.0),
        ("office", "hall", 20.0),
        ("bathroom", "hall", 15.0),
        ("bedroom", "bathroom", 15.0),
    )
    return HomeSpec(zones=zones, occupants=occupants, neighbours=neighbours)
