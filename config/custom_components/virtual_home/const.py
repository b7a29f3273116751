"""Constants of the virtual home (a development-only integration)."""

DOMAIN = "virtual_home"
CONF_SEED = "seed"
CONF_HISTORY_DAYS = "history_days"
CONF_FAULTS = "faults"
PLATFORMS = ["binary_sensor", "climate", "device_tracker", "light", "media_player", "sensor"]
LIVE_INTERVAL_S = 5.0
SIGNAL_CHANGE = "virtual_home_change"
CONF_START = "start"  # epoch of the simulated home's first moment, fixed at first setup
CONF_RECORDED_UNTIL = "recorded_until"  # past states up to here are in the recorder
STATUS_ENTITY = "virtual_home.status"  # "seeding" while history is written, then "ready"
