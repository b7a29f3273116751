"""Security alerts: unusual activity while the home is empty becomes a notification.

Notifications go to a persistent notification and to the notify entities and mobile-app notify
actions chosen in the options. Mobile-app notifications carry a "False alarm" action whose answer
teaches the detector. Alerts are rate-limited so one intrusion is one message, not a flood.
"""

from datetime import datetime, timedelta
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.components.switch import SwitchEntityDescription
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Event, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.util import dt as dt_util

from .acting import ActingSwitch
from .const import DOMAIN, HOME_KEY, LOGGER
from .coordinator import IotMlCoordinator
from .engine.anomaly import AnomalyEvent, Feedback, Kind

MIN_INTERVAL = timedelta(minutes=10)  # at most one notification per this interval
FALSE_ALARM_ACTION = "IOT_ML_FALSE_ALARM"  # mobile-app action prefix: "<prefix>|<episode id>"
MOBILE_ACTION_EVENT = "mobile_app_notification_action"

SECURITY_ALERTS = SwitchEntityDescription(key="security_alerts", translation_key="security_alerts")


class SecurityAlertsSwitch(ActingSwitch):
    """On: unusual activity in any zone while the home is empty notifies the household."""

    def __init__(self, coordinator: IotMlCoordinator) -> None:
        """Alerts for the whole home."""
        super().__init__(coordinator, HOME_KEY, SECURITY_ALERTS)
        self._last_sent: datetime | None = None
        self._last_episode: str | None = None
        self._suppressed = 0

    async def async_added_to_hass(self) -> None:
        """Restore on/off; listen to anomalies and to answers from the mobile app."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(self.hass, self.coordinator.anomaly_signal, self._on_anomaly)
        )
        self.async_on_remove(self.hass.bus.async_listen(MOBILE_ACTION_EVENT, self._on_action))

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """When the last alert went out and how many were held back since."""
        return {
            "last_alert": None if self._last_sent is None else self._last_sent.isoformat(),
            "last_episode": self._last_episode,
            "suppressed": self._suppressed,
        }

    @callback
    def _on_anomaly(self, zone_key: str, event: AnomalyEvent) -> None:
        if not self.is_on or event.event_type != Kind.UNUSUAL_ACTIVITY:
            return
        now = dt_util.utcnow()
        if self._last_sent is not None and now - self._last_sent < MIN_INTERVAL:
            self._suppressed += 1
            self.async_write_ha_state()
            return
        self._last_sent, self._last_episode, self._suppressed = now, event.episode.id, 0
        zone = self.coordinator.zone_name(zone_key)
        self._notify(zone, event.episode.id, dt_util.as_local(now).strftime("%H:%M"))
        self.async_write_ha_state()

    @callback
    def _notify(self, zone: str, episode_id: str, at: str) -> None:
        title = f"Unusual activity: {zone}"
        message = f"Activity in {zone} at {at} while nobody is home."
        persistent_notification.async_create(
            self.hass, message, title, notification_id=f"{DOMAIN}_{episode_id}"
        )
        home = self.coordinator.home
        if home.notify_entities:
            self._call(
                "notify",
                "send_message",
                {ATTR_ENTITY_ID: list(home.notify_entities), "title": title, "message": message},
            )
        action = {"action": f"{FALSE_ALARM_ACTION}|{episode_id}", "title": "False alarm"}
        for service in home.notify_services:
            domain, _, name = service.partition(".")
            self._call(
                domain, name, {"title": title, "message": message, "data": {"actions": [action]}}
            )

    @callback
    def _call(self, domain: str, service: str, data: dict[str, Any]) -> None:
        async def call() -> None:
            try:
                await self.hass.services.async_call(domain, service, data, blocking=True)
            except Exception as err:  # noqa: BLE001 -- one broken target must not stop the others
                LOGGER.warning("Security alert via %s.%s failed: %s", domain, service, err)

        self.hass.async_create_task(call(), eager_start=True)

    @callback
    def _on_action(self, event: Event) -> None:
        """The mobile app's "False alarm" button: teach the detector."""
        prefix, _, episode_id = str(event.data.get("action", "")).partition("|")
        if prefix == FALSE_ALARM_ACTION and episode_id:
            self.coordinator.mark_episode(episode_id, Feedback.FALSE_ALARM)
