"""What the virtual home is made of: zones, occupants, weather and sensor behaviour."""

from dataclasses import dataclass, field

# Routines look rooms up by role, so a custom home can rename zones but must have each role.
ROLES = ("living", "kitchen", "bedroom", "office", "bathroom", "hall")
# Zone names of default_home(), in model order.
ZONES = ("living_room", "kitchen", "bedroom", "office", "bathroom", "hall")


@dataclass(frozen=True)
class ZoneSpec:
    """One room: a two-node thermal model (air + building mass) plus lighting and air volume."""

    name: str
    role: str
    air_capacity: float  # J/K: air, furniture and surfaces, which react within the hour
    mass_capacity: float  # J/K: walls and floor, which set the slow time constant
    air_to_mass: float  # W/K
    ventilation: float  # W/K: air <-> outdoor (infiltration)
    envelope: float  # W/K: mass <-> outdoor (walls, windows)
    heater_w: float
    solar_aperture: float  # m2 of glazing times its solar transmittance
    daylight_factor: float  # indoor/outdoor daylight ratio
    volume: float  # m3, for humidity and CO2
    air_changes: float  # per hour, for humidity and CO2
    light_w: float = 40.0
    light_lux: float = 250.0
    co2_sensor: bool = False


@dataclass(frozen=True)
class OccupantSpec:
    """An adult with a weekly routine; days are 0 = Monday .. 6 = Sunday."""

    name: str
    commute_days: tuple[int, ...]
    office_days: tuple[int, ...] = ()  # works from home in the office zone
    wake_h: float = 6.6
    leave_h: float = 7.5
    leave_sd_min: float = 20.0
    return_h: float = 17.75
    return_sd_min: float = 40.0
    bed_h: float = 23.0


@dataclass(frozen=True)
class WeatherSpec:
    """Winter-like outdoor climate: daily cycle, multi-day swings, clouds and sun."""

    mean_c: float = 5.0
    daily_amplitude_c: float = 4.0
    swing_sd_c: float = 3.5  # multi-day weather swings (hourly AR(1))
    swing_hours: float = 72.0
    cloud_mean: float = 0.6
    sunrise_h: float = 7.75
    sunset_h: float = 16.75
    peak_irradiance: float = 350.0  # W/m2 at a clear noon
    outdoor_rh: float = 0.8


@dataclass(frozen=True)
class SensorSpec:
    """How sensors report; periods are in minutes between readings."""

    temperature_noise: float = 0.1
    motion_detect_prob: float = 0.85  # per minute for a present, awake person
    motion_sleep_prob: float = 0.02  # per minute for a sleeper
    false_triggers_per_day: float = 1.0
    motion_hold_s: tuple[float, float] = (60.0, 120.0)
    door_open_s: tuple[float, float] = (20.0, 40.0)
    tracker_delay_s: tuple[float, float] = (60.0, 300.0)
    temperature_period: int = 5
    humidity_period: int = 5
    illuminance_period: int = 5
    co2_period: int = 5
    outdoor_period: int = 10
    power_period: int = 1
    tv_zone: str = "living_room"
    window_zone: str = "bedroom"
    door_zone: str = "hall"


@dataclass
class HomeSpec:
    """The home: zones, the people living in it, weather, sensors and the default thermostat."""

    zones: list[ZoneSpec]
    occupants: list[OccupantSpec]
    couplings: list[tuple[str, str, float]]  # (zone, zone, W/K) through internal walls and doors
    weather: WeatherSpec = field(default_factory=WeatherSpec)
    sensors: SensorSpec = field(default_factory=SensorSpec)
    comfort_c: float = 20.0
    eco_c: float = 17.0
    comfort_from_h: float = 6.0
    comfort_until_h: float = 22.5
    hysteresis_c: float = 0.3
    time_zone: str = "Europe/Berlin"  # routines and daylight follow local time
    faults: bool = True
    visitors: bool = True
    vacations: bool = True

    def __post_init__(self) -> None:
        names = [z.name for z in self.zones]
        if len(set(names)) != len(names):
            raise ValueError("zone names must be unique")
        missing = set(ROLES) - {z.role for z in self.zones}
        if missing:
            raise ValueError(f"zones missing for roles: {sorted(missing)}")
        for a, b, _ in self.couplings:
            if a not in names or b not in names:
                raise ValueError(f"coupling between unknown zones {a!r}, {b!r}")
        s = self.sensors
        for zone in (s.tv_zone, s.window_zone, s.door_zone):
            if zone not in names:
                raise ValueError(f"sensor placed in unknown zone {zone!r}")

    @property
    def zone_names(self) -> list[str]:
        """Zone names in model order (array columns follow it)."""
        return [z.name for z in self.zones]

    def zone_index(self, name: str) -> int:
        """Column of zone `name`; raises KeyError for an unknown zone."""
        for i, zone in enumerate(self.zones):
            if zone.name == name:
                return i
        raise KeyError(f"unknown zone {name!r}")

    def role_index(self, role: str) -> int:
        """Column of the first zone with `role`."""
        return next(i for i, z in enumerate(self.zones) if z.role == role)


# name, role, (air MJ/K, mass MJ/K, air<->mass W/K), (ventilation, envelope W/K), heater W,
# (solar aperture m2, daylight factor, light W, light lx), (volume m3, air changes/h), CO2 sensor.
type _ZoneRow = tuple[
    str,
    str,
    tuple[float, float, float],
    tuple[float, float],
    float,
    tuple[float, float, float, float],
    tuple[float, float],
    bool,
]
_DEFAULT_ZONES: tuple[_ZoneRow, ...] = (
    ("living_room", "living", (1.2, 10.0, 400.0), (15.0, 45.0), 2000.0, (2.0, 0.02, 60.0, 200.0), (75.0, 0.5), True),
    ("kitchen", "kitchen", (0.8, 6.0, 300.0), (20.0, 30.0), 1500.0, (1.0, 0.02, 50.0, 300.0), (40.0, 0.7), False),
    ("bedroom", "bedroom", (0.8, 7.0, 300.0), (10.0, 35.0), 1500.0, (1.0, 0.015, 40.0, 150.0), (45.0, 0.4), False),
    ("office", "office", (0.6, 4.0, 200.0), (10.0, 30.0), 1200.0, (1.2, 0.025, 40.0, 400.0), (30.0, 0.5), True),
    ("bathroom", "bathroom", (0.5, 2.5, 150.0), (15.0, 25.0), 1200.0, (0.3, 0.01, 30.0, 250.0), (15.0, 1.0), False),
    ("hall", "hall", (0.6, 6.0, 250.0), (20.0, 20.0), 1200.0, (0.2, 0.005, 30.0, 150.0), (30.0, 0.8), False),
)  # fmt: skip


def _zone(row: _ZoneRow) -> ZoneSpec:
    name, role, (c_air, c_mass, h_am), (vent, envelope), heater_w, light, (volume, ach), co2 = row
    aperture, daylight, light_w, light_lux = light
    return ZoneSpec(
        name=name,
        role=role,
        air_capacity=c_air * 1e6,
        mass_capacity=c_mass * 1e6,
        air_to_mass=h_am,
        ventilation=vent,
        envelope=envelope,
        heater_w=heater_w,
        solar_aperture=aperture,
        daylight_factor=daylight,
        volume=volume,
        air_changes=ach,
        light_w=light_w,
        light_lux=light_lux,
        co2_sensor=co2,
    )


def default_home() -> HomeSpec:
    """The standard two-adult flat; slow time constants are 20-60 h (see README)."""
    zones = [_zone(row) for row in _DEFAULT_ZONES]
    couplings = [
        ("hall", "living_room", 25.0),
        ("hall", "kitchen", 20.0),
        ("hall", "bedroom", 20.0),
        ("hall", "office", 15.0),
        ("hall", "bathroom", 15.0),
        ("living_room", "kitchen", 30.0),
        ("bedroom", "bathroom", 10.0),
    ]
    occupants = [
        OccupantSpec("alex", commute_days=(0, 1, 2, 3, 4)),
        OccupantSpec("sam", commute_days=(1, 3), office_days=(0, 2, 4), wake_h=6.8),
    ]
    return HomeSpec(zones=zones, occupants=occupants, couplings=couplings)
