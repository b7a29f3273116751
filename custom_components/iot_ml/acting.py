"""What every switch that lets iot_ml act shares: opt-in, remembered, and aware of its own calls."""

from collections import deque
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import STATE_ON
from homeassistant.core import Context, State, callback
from homeassistant.helpers.restore_state import RestoreEntity

from .coordinator import IotMlCoordinator
from .entity import IotMlEntity

OWN_CONTEXTS = 20  # contexts of our own service calls remembered to tell them from people's


class ActingSwitch(IotMlEntity, SwitchEntity, RestoreEntity):
    """Off by default; on/off survives restarts; ``_call_as_own`` calls can be recognised."""

    def __init__(
        self, coordinator: IotMlCoordinator, zone_key: str, description: SwitchEntityDescription
    ) -> None:
        """A switch of ``zone_key`` (or the home)."""
        super().__init__(coordinator, zone_key, description)
        self._attr_is_on = False
        self._own: deque[str] = deque(maxlen=OWN_CONTEXTS)

    async def async_added_to_hass(self) -> None:
        """Restore on/off."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None:
            self._attr_is_on = last.state == STATE_ON

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start acting (from the current state on)."""
        self._attr_is_on = True
        self._started()
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop acting; what was set stays as it is."""
        self._attr_is_on = False
        self.async_write_ha_state()

    @callback
    def _started(self) -> None:
        """Hook: the switch was just turned on."""

    @callback
    def _call_as_own(self, domain: str, service: str, data: dict[str, Any]) -> None:
        """Call a service in a context of our own (see ``_is_own``), without waiting."""
        context = Context()
        self._own.append(context.id)
        self.hass.async_create_task(
            self.hass.services.async_call(domain, service, data, context=context),
            eager_start=True,
        )

    def _is_own(self, state: State) -> bool:
        """Whether ``state`` came from one of our own recent calls, not from a person."""
        return state.context.id in self._own or state.context.parent_id in self._own
