"""Entity ids and their static HA attributes; the order sets the tie-break rank of events."""

from typing import Any

from .spec import HomeSpec

CLIMATE_FEATURES = 385  # TARGET_TEMPERATURE | TURN_OFF | TURN_ON
# Sensor kind -> (device_class, unit); all are state_class measurement.
SENSOR_UNITS = {
    "temperature": ("temperature", "°C"),
    "humidity": ("humidity", "%"),
    "illuminance": ("illuminance", "lx"),
    "co2": ("carbon_dioxide", "ppm"),
    "heater_power": ("power", "W"),
}
OUTDOOR_TEMPERATURE = "sensor.outdoor_temperature"
HOUSE_POWER = "sensor.house_power"
FRONT_DOOR = "binary_sensor.front_door"


def sensor_id(zone: str, kind: str) -> str:
    """`sensor.<zone>_<kind>`, e.g. sensor.kitchen_temperature."""
    return f"sensor.{zone}_{kind}"


def motion_id(zone: str) -> str:
    """`binary_sensor.<zone>_motion`."""
    return f"binary_sensor.{zone}_motion"


def light_id(zone: str) -> str:
    """`light.<zone>`."""
    return f"light.{zone}"


def climate_id(zone: str) -> str:
    """`climate.<zone>`."""
    return f"climate.{zone}"


def tv_id(zone: str) -> str:
    """`media_player.<zone>_tv`."""
    return f"media_player.{zone}_tv"


def window_id(zone: str) -> str:
    """`binary_sensor.<zone>_window`."""
    return f"binary_sensor.{zone}_window"


def tracker_id(name: str) -> str:
    """`device_tracker.phone_<name>`."""
    return f"device_tracker.phone_{name}"


def _title(zone: str) -> str:
    return zone.replace("_", " ").capitalize()


def _measurement(kind: str, name: str) -> dict[str, Any]:
    device_class, unit = SENSOR_UNITS[kind]
    return {
        "state_class": "measurement",
        "unit_of_measurement": unit,
        "device_class": device_class,
        "friendly_name": name,
    }


class EntityCatalog:
    """Every entity of a home with its static attributes, in a fixed order."""

    def __init__(self, spec: HomeSpec) -> None:
        self.static: dict[str, dict[str, Any]] = {}
        s = spec.sensors
        for zone in spec.zones:
            z, title = zone.name, _title(zone.name)
            self._add(motion_id(z), {"device_class": "motion", "friendly_name": f"{title} motion"})
            for kind in ("temperature", "humidity", "illuminance"):
                self._add(sensor_id(z, kind), _measurement(kind, f"{title} {kind}"))
            if zone.co2_sensor:
                self._add(sensor_id(z, "co2"), _measurement("co2", f"{title} CO2"))
            self._add(
                light_id(z), {"supported_color_modes": ["onoff"], "friendly_name": f"{title} light"}
            )
            self._add(
                climate_id(z),
                {
                    "hvac_modes": ["off", "heat"],
                    "min_temp": 7.0,
                    "max_temp": 30.0,
                    "target_temp_step": 0.5,
                    "friendly_name": f"{title} thermostat",
                    "supported_features": CLIMATE_FEATURES,
                },
            )
            self._add(
                sensor_id(z, "heater_power"), _measurement("heater_power", f"{title} heater power")
            )
        self._add(tv_id(s.tv_zone), {"device_class": "tv", "friendly_name": "TV"})
        self._add(
            window_id(s.window_zone),
            {"device_class": "window", "friendly_name": f"{_title(s.window_zone)} window"},
        )
        self._add(FRONT_DOOR, {"device_class": "door", "friendly_name": "Front door"})
        for person in spec.occupants:
            self._add(
                tracker_id(person.name),
                {"source_type": "router", "friendly_name": f"Phone {person.name.capitalize()}"},
            )
        self._add(OUTDOOR_TEMPERATURE, _measurement("temperature", "Outdoor temperature"))
        self._add(HOUSE_POWER, _measurement("heater_power", "House power"))
        self.ids = list(self.static)
        self.rank = {eid: i for i, eid in enumerate(self.ids)}

    def _add(self, entity_id: str, attributes: dict[str, Any]) -> None:
        self.static[entity_id] = attributes

    def attributes(self, entity_id: str) -> dict[str, Any]:
        """A fresh copy of the static attributes (callers may add dynamic ones)."""
        return dict(self.static[entity_id])
