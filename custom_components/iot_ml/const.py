"""Constants for iot_ml."""

from datetime import timedelta
import logging
from typing import Final

from homeassistant.const import Platform

DOMAIN: Final = "iot_ml"
LOGGER = logging.getLogger(__package__)
PLATFORMS: Final = [Platform.BINARY_SENSOR, Platform.EVENT, Platform.SENSOR, Platform.SWITCH]

SUBENTRY_ZONE: Final = "zone"
HOME_KEY: Final = "home"  # learner key of the home-level learner (zones use their subentry id)

# Home (config entry) settings. Wiring lives in data, tunables in options.
CONF_PRESENCE: Final = "presence_entities"
CONF_OUTDOOR: Final = "outdoor_entity"
CONF_COMFORT_TEMPERATURE: Final = "comfort_temperature"
CONF_ECO_TEMPERATURE: Final = "eco_temperature"
CONF_HISTORY_DAYS: Final = "history_days"
CONF_TRAINING_TIME: Final = "training_time"
CONF_ZONES_FROM_AREAS: Final = "areas"
CONF_HORIZONS: Final = "forecast_horizons"
CONF_DARK_LUX: Final = "dark_below_lux"

DEFAULT_COMFORT_TEMPERATURE: Final = 20.5
DEFAULT_ECO_TEMPERATURE: Final = 17.0
DEFAULT_HISTORY_DAYS: Final = 28
DEFAULT_TRAINING_TIME: Final = "03:30:00"
DEFAULT_HORIZONS: Final = ("30", "60", "120")
HORIZON_CHOICES: Final = ("15", "30", "45", "60", "90", "120", "180", "240", "360", "720")
DEFAULT_DARK_LUX: Final = 30.0
MIN_HISTORY_DAYS: Final = 1
MAX_HISTORY_DAYS: Final = 90

# Zone (subentry) settings.
CONF_AREA: Final = "area_id"
CONF_EVIDENCE: Final = "evidence_entities"
CONF_ENVIRONMENT: Final = "environment_entities"
CONF_CLIMATE: Final = "climate_entity"
CONF_LIGHTS: Final = "light_entities"
CONF_WATCHED: Final = "watched_entities"
CONF_WINDOWS: Final = "window_entities"
WINDOW_DEVICE_CLASSES: Final = frozenset({"window", "door", "opening"})
CONF_SENSITIVITY: Final = "anomaly_sensitivity"
SENSITIVITIES: Final = ("low", "medium", "high")
DEFAULT_SENSITIVITY: Final = "medium"

# Security alerts: where notifications go (notify entities, mobile app notify actions).
CONF_NOTIFY_ENTITIES: Final = "notify_entities"
CONF_NOTIFY_SERVICES: Final = "notify_services"

# Binary sensors that say something about people being there.
EVIDENCE_DEVICE_CLASSES: Final = frozenset(
    {"motion", "occupancy", "presence", "door", "opening", "garage_door", "sound", "vibration"}
)
PRESENCE_DOMAINS: Final = frozenset({"person", "device_tracker"})
OUTDOOR_DOMAINS: Final = frozenset({"sensor", "weather"})

LIVE_TICK: Final = timedelta(minutes=5)  # slot length: close slots and refresh entities
SAVE_INTERVAL: Final = timedelta(hours=1)
