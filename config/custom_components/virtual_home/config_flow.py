"""The virtual home is configured from YAML (imported) or with defaults from the UI."""

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult

from .const import CONF_FAULTS, CONF_HISTORY_DAYS, CONF_SEED, DOMAIN

DEFAULTS = {CONF_SEED: 1, CONF_HISTORY_DAYS: 14, CONF_FAULTS: True}


class VirtualHomeConfigFlow(ConfigFlow, domain=DOMAIN):
    """One virtual home per instance."""

    VERSION = 1

    async def async_step_import(self, import_data: dict[str, Any]) -> ConfigFlowResult:
        """Create the entry from configuration.yaml."""
        return self.async_create_entry(title="Virtual home", data={**DEFAULTS, **import_data})

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Create the entry with defaults."""
        return self.async_create_entry(title="Virtual home", data=DEFAULTS)
