"""A small client for a real Home Assistant: onboarding, login, REST, WebSocket, config flows.

It does what the frontend does, through the same public APIs. Runs in the Home Assistant venv
(aiohttp is there).
"""

import asyncio
import contextlib
import itertools
from typing import Any, Self

import aiohttp

DEV_NAME = "Developer"
DEV_USER = "dev"
DEV_PASSWORD = "iot-ml-dev"  # noqa: S105 -- the documented login of the local demo only


class HaError(Exception):
    """Home Assistant answered with an error."""


class HaApi:
    """Talks to one Home Assistant instance."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = f"{self.base_url}/"
        self.token: str | None = None
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)

    async def __aenter__(self) -> Self:
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        assert self._session is not None, "use HaApi as an async context manager"
        return self._session

    # -- connection and auth -------------------------------------------------------------

    async def wait_until_up(self, timeout: float = 300) -> None:
        """Wait until the HTTP server answers."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                async with self.session.get(f"{self.base_url}/manifest.json") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"Home Assistant at {self.base_url} did not come up")
            await asyncio.sleep(1)

    async def onboard_or_login(self) -> None:
        """Complete onboarding with the dev user if needed, else log in as that user."""
        async with self.session.get(f"{self.base_url}/api/onboarding") as resp:
            steps = {s["step"]: s["done"] for s in await resp.json()} if resp.status == 200 else {}
        if steps and not steps.get("user", True):
            payload = {
                "name": DEV_NAME,
                "username": DEV_USER,
                "password": DEV_PASSWORD,
                "client_id": self.client_id,
                "language": "en",
            }
            async with self.session.post(
                f"{self.base_url}/api/onboarding/users", json=payload
            ) as resp:
                code = (await self._json(resp))["auth_code"]
            await self._exchange(code)
            for step, body in (
                ("core_config", {}),
                ("analytics", {}),
                ("integration", {"client_id": self.client_id, "redirect_uri": self.client_id}),
            ):
                if not steps.get(step, True):
                    await self.rest("post", f"/api/onboarding/{step}", body)
            return
        await self.login()

    async def confirm_http_config(self) -> None:
        """Keep the HTTP settings from configuration.yaml.

        HA 2026.11 moves them into storage as "pending" and reverts to the defaults (port 8123,
        all interfaces) after five minutes unless an admin confirms them, as the frontend asks.
        """
        with contextlib.suppress(HaError):  # nothing pending
            await self.ws("http/config/promote")

    async def login(self) -> None:
        """Log in with the dev user through the login flow, as the frontend does."""
        flow = await self._post_json(
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.client_id,
            },
        )
        result = await self._post_json(
            f"/auth/login_flow/{flow['flow_id']}",
            {"username": DEV_USER, "password": DEV_PASSWORD, "client_id": self.client_id},
        )
        await self._exchange(result["result"])

    async def _exchange(self, code: str) -> None:
        data = {"grant_type": "authorization_code", "code": code, "client_id": self.client_id}
        async with self.session.post(f"{self.base_url}/auth/token", data=data) as resp:
            self.token = (await self._json(resp))["access_token"]

    # -- REST and WebSocket ----------------------------------------------------------------

    async def rest(self, method: str, path: str, body: Any = None) -> Any:
        """Call the REST API with the access token."""
        headers = {"Authorization": f"Bearer {self.token}"}
        async with self.session.request(
            method, f"{self.base_url}{path}", json=body, headers=headers
        ) as resp:
            return await self._json(resp)

    async def rest_status(self, method: str, path: str, body: Any = None) -> tuple[int, str]:
        """Call the REST API; the status and body text, whatever the status (for error checks)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        async with self.session.request(
            method, f"{self.base_url}{path}", json=body, headers=headers
        ) as resp:
            return resp.status, await resp.text()

    async def _post_json(self, path: str, body: Any) -> Any:
        async with self.session.post(f"{self.base_url}{path}", json=body) as resp:
            return await self._json(resp)

    @staticmethod
    async def _json(resp: aiohttp.ClientResponse) -> Any:
        if resp.status >= 400:
            raise HaError(f"{resp.method} {resp.url}: {resp.status} {await resp.text()}")
        if resp.content_type == "application/json":
            return await resp.json()
        return await resp.text()

    async def ws(self, message_type: str, **payload: Any) -> Any:
        """Send one WebSocket command and return its result."""
        if self._ws is None:
            self._ws = await self.session.ws_connect(f"{self.base_url}/api/websocket")
            await self._ws.receive_json()  # auth_required
            await self._ws.send_json({"type": "auth", "access_token": self.token})
            reply = await self._ws.receive_json()
            if reply.get("type") != "auth_ok":
                raise HaError(f"WebSocket auth failed: {reply}")
        msg_id = next(self._ids)
        await self._ws.send_json({"id": msg_id, "type": message_type, **payload})
        while True:
            reply = await self._ws.receive_json()
            if reply.get("id") == msg_id and reply.get("type") == "result":
                if not reply["success"]:
                    raise HaError(f"{message_type}: {reply['error']}")
                return reply["result"]

    # -- helpers used by the demo and the tests --------------------------------------------

    async def states(self) -> dict[str, dict[str, Any]]:
        """All states, by entity id."""
        return {s["entity_id"]: s for s in await self.rest("get", "/api/states")}

    async def config_flow(self, handler: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
        """Start a config flow and answer its forms in order; returns the last result."""
        result = await self.rest(
            "post",
            "/api/config/config_entries/flow",
            {"handler": handler, "show_advanced_options": False},
        )
        for answer in steps:
            if result.get("type") != "form":
                break
            result = await self.rest(
                "post", f"/api/config/config_entries/flow/{result['flow_id']}", answer
            )
        return dict(result)

    async def subentry_flow(
        self, entry_id: str, subentry_type: str, steps: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Start a subentry flow (e.g. "Add zone") and answer its forms in order."""
        result = await self.rest(
            "post",
            "/api/config/config_entries/subentries/flow",
            {"handler": [entry_id, subentry_type], "show_advanced_options": False},
        )
        for answer in steps:
            if result.get("type") != "form":
                break
            result = await self.rest(
                "post", f"/api/config/config_entries/subentries/flow/{result['flow_id']}", answer
            )
        return dict(result)

    async def entries(self, domain: str) -> list[dict[str, Any]]:
        """Config entries of ``domain``."""
        return list(await self.rest("get", f"/api/config/config_entries/entry?domain={domain}"))
